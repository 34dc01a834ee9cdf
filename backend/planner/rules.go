package planner

import (
	"wijkwerk/backend/problem"
)

// Who may be given a job: the rules behind reassigning.
//
//  1. Scope: the job and the target team must both be in the planner's scope, else the
//     answer is "not found".
//  2. Department: the target team must serve the job's department (the category's) for
//     at least one area in the job's municipality. A team serves a department where the
//     routing could have sent it work of that kind; moving a pothole to the enforcement
//     team or to a team in another municipality is a mistake, not a plan. Requiring the
//     team to serve the job's own area chain would forbid what reassigning is for
//     (moving work to a neighbouring district's team), since one area has one team per
//     department.
//  3. Trainees: a category that a trainee may not do alone (trainee "no" or "paired")
//     goes only to a team with at least one active specialist. For "no" a specialist
//     must do the work; for "paired" a specialist must be there to pair with.
//     Completion enforces the rest: a trainee's hours on a "no" job, or on a "paired"
//     job without a specialist's hours, are refused.

// Serving is one department a team serves within one municipality (root area).
type Serving struct {
	TeamID         int64
	Department     string
	MunicipalityID int64
}

// Serves reports whether the team serves department in municipality.
func Serves(servings []Serving, teamID int64, department string, municipality int64) bool {
	for _, s := range servings {
		if s.TeamID == teamID && s.Department == department && s.MunicipalityID == municipality {
			return true
		}
	}
	return false
}

// CheckAssignment applies the trainee rule of a category (alone, paired or no) to a team
// with the given number of active specialists.
func CheckAssignment(trainee string, specialists int) error {
	switch trainee {
	case "no":
		if specialists == 0 {
			return problem.Invalid("team_id", problem.T(
				"Dit werk mag alleen een vakspecialist doen, en deze ploeg heeft geen vakspecialist.",
				"Only a specialist may do this work, and this team has no specialist."))
		}
	case "paired":
		if specialists == 0 {
			return problem.Invalid("team_id", problem.T(
				"Een trainee mag dit werk alleen samen met een vakspecialist doen, en deze ploeg heeft geen vakspecialist.",
				"A trainee may only do this work with a specialist, and this team has no specialist."))
		}
	}
	return nil
}

func errJobNotFound() error {
	return problem.NotFound.New(problem.T(
		"Deze taak bestaat niet of valt buiten uw gebied.", "This job does not exist or is outside your area."))
}

func errTeamNotFound() error {
	return problem.NotFound.New(problem.T(
		"Deze ploeg bestaat niet of valt buiten uw gebied.", "This team does not exist or is outside your area."))
}

func errWorkerNotFound() error {
	return problem.NotFound.New(problem.T(
		"Deze medewerker bestaat niet of valt buiten uw gebied.", "This worker does not exist or is outside your area."))
}

func errNotServed() error {
	return problem.Invalid("team_id", problem.T(
		"Deze ploeg doet dit soort werk niet in deze gemeente.",
		"This team does not do this kind of work in this municipality."))
}

func errClosed(status string) error {
	return problem.InvalidTransition.New(problem.Sprintf(
		"Deze taak is al afgesloten (status %q) en kan niet meer naar een andere ploeg.",
		"This job is closed (status %q) and cannot move to another team.", status))
}
