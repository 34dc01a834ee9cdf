package planner

import (
	"fmt"

	"wijkwerk/backend/category"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
)

// Who may be given a job: the rules behind every move of jobs between teams, checked in
// this order by ApplyMoves for a planner's reassignment and a rebalance alike.
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
//
// Between 1 and 2 come the job's own state: it must not be started (in progress),
// whatever version the planner saw: the crew may be finishing it on a phone without a
// connection, and a move would throw their hours and photos away; it must still have
// the version the planner saw; it must be open, or back from a crew that could not complete it (a rebalance, which nobody checks
// job by job, moves only jobs that no crew has taken on: open or assigned); and a job a
// crew has taken on cannot "move" to the team it is with. A started job the crew cannot
// finish comes back through their "could not complete" (the desk's list of work that
// could not be done), and from there it moves.

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

func errJobNotFound() error {
	return problem.NotFound.New(problem.T(
		"Deze taak bestaat niet of valt buiten uw gebied.", "This job does not exist or is outside your area."))
}

func errTeamNotFound() error {
	return problem.NotFound.New(problem.T(
		"Deze ploeg bestaat niet of valt buiten uw gebied.", "This crew does not exist or is outside your area."))
}

func errWorkerNotFound() error {
	return problem.NotFound.New(problem.T(
		"Deze medewerker bestaat niet of valt buiten uw gebied.", "This worker does not exist or is outside your area."))
}

func errNotServed() error {
	return problem.Invalid("team_id", problem.T(
		"Deze ploeg doet dit soort werk niet in deze gemeente.",
		"This crew does not do this kind of work in this municipality."))
}

// errNoSpecialist explains a move of work under trainee rule to a team without a
// specialist.
func errNoSpecialist(rule category.TraineeRule) error {
	if rule == category.TraineeNo {
		return problem.Invalid("team_id", problem.T(
			"Dit werk mag alleen een vakspecialist doen, en deze ploeg heeft geen vakspecialist.",
			"Only a specialist may do this work, and this crew has no specialist."))
	}
	return problem.Invalid("team_id", problem.T(
		"Dit werk gebeurt altijd samen met een vakspecialist, en deze ploeg heeft geen vakspecialist.",
		"This work is always done together with a specialist, and this crew has no specialist."))
}

func errSameTeam() error {
	return problem.Invalid("team_id", problem.T("Deze taak is al van deze ploeg.", "This job is already with this crew."))
}

// errEffortClosed refuses a new time estimate for a job that is no open work any more.
func errEffortClosed(status string) error {
	l := job.Status(status).Label()
	if job.Status(status) == job.CannotComplete {
		// It can go back to work (a reassign); then its estimate can change again.
		return problem.InvalidTransition.New(problem.T(
			fmt.Sprintf("Deze werkorder is nu geen open werk (“%s”). Stuur hem eerst terug naar een ploeg; dan kunt u de geschatte tijd veranderen.", l.NL),
			fmt.Sprintf("This job is not open work now (“%s”). Send it back to a crew first; then you can change its time estimate.", l.EN)))
	}
	return problem.InvalidTransition.New(problem.T(
		fmt.Sprintf("Deze werkorder is geen open werk meer (“%s”). U kunt de geschatte tijd niet meer veranderen.", l.NL),
		fmt.Sprintf("This job is no longer open work (“%s”). Its time estimate can no longer change.", l.EN)))
}

// JobStarted is the problem of a move of a job its crew has started. Its type is part
// of the API.
var JobStarted = problem.Kind{Type: "job-started", Status: 409,
	Title: problem.T("De ploeg is al met deze werkorder begonnen", "The crew has already started this job"),
	About: problem.T("Een werkorder waar een ploeg mee bezig is, gaat niet naar een andere ploeg: wat de ploeg al deed, zou verloren gaan. Laat de ploeg hem afmaken, of in de app op “Lukt niet” tikken. Daarna kunt u hem verplaatsen.",
		"A job a crew is working on does not move to another crew: what the crew did already would be lost. Let the crew finish it, or tap “Not possible” in the app. Then you can move it.")}

// Kinds lists this package's problem kinds, for the problem documentation.
func Kinds() []problem.Kind { return []problem.Kind{JobStarted} }

// errStarted refuses to move a job its crew has started. It names the way out: the
// crew's "could not complete" puts the job on the desk's list of work that could not be
// done, where the planner plans it again ("Opnieuw inplannen").
func errStarted() error {
	return JobStarted.New(problem.T(
		"Deze werkorder is al begonnen. Vraag de ploeg om hem af te maken, of om in de app op “Lukt niet” te tikken. Dan komt hij bij “Werk dat niet lukte”. Daar kunt u hem naar een andere ploeg sturen.",
		"The crew has already started this job. Ask them to finish it, or to tap “Not possible” in the app. Then it appears under “Work that could not be done”. From there you can send it to another crew."))
}

func errClosed(status string) error {
	l := job.Status(status).Label()
	return problem.InvalidTransition.New(problem.T(
		fmt.Sprintf("Deze werkorder is al afgesloten (“%s”) en kan niet meer naar een andere ploeg.", l.NL),
		fmt.Sprintf("This job is closed (“%s”) and cannot move to another crew.", l.EN)))
}
