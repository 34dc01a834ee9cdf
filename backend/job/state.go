package job

import "wijkwerk/backend/problem"

// Action is something a crew member does to a task.
type Action string

// The crew's actions.
const (
	Accept         Action = "accept"
	Start          Action = "start"
	Complete       Action = "complete"
	CannotFinish   Action = "cannot-complete"
	ActionCancel   Action = "cancel"
	ActionReassign Action = "reassign"
)

// transitions lists, per action, the states it may start from and the state it leads to.
// A crew may finish a task without pressing start first: people forget, and the work is
// done all the same.
var transitions = map[Action]struct {
	from []Status
	to   Status
}{
	Accept:       {[]Status{Assigned}, Accepted},
	Start:        {[]Status{Assigned, Accepted}, InProgress},
	Complete:     {[]Status{Assigned, Accepted, InProgress}, Done},
	CannotFinish: {[]Status{Assigned, Accepted, InProgress}, CannotComplete},
	ActionCancel: {[]Status{Open, Assigned, Accepted, InProgress}, Cancelled},
}

// ParseAction accepts the crew actions of the API.
func ParseAction(s string) (Action, bool) {
	a := Action(s)
	switch a {
	case Accept, Start, Complete, CannotFinish:
		return a, true
	}
	return "", false
}

// Next returns the state that action leads to from, or an invalid-transition problem.
func Next(from Status, action Action) (Status, error) {
	t, ok := transitions[action]
	if ok {
		for _, f := range t.from {
			if f == from {
				return t.to, nil
			}
		}
	}
	return "", problem.InvalidTransition.New(problem.Sprintf(
		"Dit kan niet: de taak heeft de status %q.", "Not possible: the task is %q.", string(from)))
}

// Reasons a crew may give for not finishing a task.
var Reasons = map[string]problem.Text{
	"not_found":        problem.T("Niet gevonden op deze plek", "Not found at this place"),
	"already_fixed":    problem.T("Was al opgelost", "Already fixed"),
	"not_ours":         problem.T("Hoort niet bij de gemeente", "Not the municipality's"),
	"needs_equipment":  problem.T("Er is ander materieel nodig", "Needs other equipment"),
	"needs_specialist": problem.T("Er is een specialist nodig", "Needs a specialist"),
	"unsafe":           problem.T("Niet veilig om te doen", "Not safe to do"),
	"no_access":        problem.T("Geen toegang", "No access"),
	"other":            problem.T("Anders", "Other"),
}
