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
	// ActionClose is the desk accepting that a job the crew could not complete ends
	// there: the status stays cannot_complete, but the job no longer waits for a decision
	// (see AwaitingDecisionSQL). Sending it back to work is a reassign.
	ActionClose Action = "close"
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
	ActionClose:  {[]Status{CannotComplete}, CannotComplete},
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
	label := from.Label()
	return "", problem.InvalidTransition.New(problem.T(
		"Dit kan niet meer: de taak staat nu op “"+label.NL+"”.", "This is no longer possible: the task is now “"+label.EN+"”."))
}

// statusLabels are the words the crew's phones and the desk use for a status.
var statusLabels = map[Status]problem.Text{
	Open:           problem.T("Ontvangen", "Received"),
	Assigned:       problem.T("Bij de ploeg", "With the crew"),
	Accepted:       problem.T("Ingepland", "Planned"),
	InProgress:     problem.T("Mee bezig", "In progress"),
	Done:           problem.T("Klaar", "Done"),
	CannotComplete: problem.T("Lukte niet", "Could not be done"),
	Cancelled:      problem.T("Geannuleerd", "Cancelled"),
}

// Label is the status in words, for people.
func (s Status) Label() problem.Text {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return problem.T(string(s), string(s))
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
