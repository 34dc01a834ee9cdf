package deskapi_test

import (
	"fmt"
	"testing"

	"wijkwerk/backend/access"
)

// A new time estimate for a job that is no open work any more is refused with a
// message about the estimate, not about moving the job to another crew.
func TestEffortOfClosedJobSaysWhy(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	today := amsterdamToday()
	for _, tt := range []struct{ status, nl, en string }{
		{"done", "Deze werkorder is geen open werk meer (“Klaar”). U kunt de geschatte tijd niet meer veranderen.",
			"This job is no longer open work (“Done”). Its time estimate can no longer change."},
		// It may go back to work, so the planner is told how, not that it is too late.
		{"cannot_complete", "Deze werkorder is nu geen open werk (“Lukte niet”). Stuur hem eerst terug naar een ploeg; dan kunt u de geschatte tijd veranderen.",
			"This job is not open work now (“Could not be done”). Send it back to a crew first; then you can change its time estimate."},
	} {
		id := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", tt.status, today)
		path := fmt.Sprintf("/api/v1/planner/jobs/%d/effort", id)
		for lang, want := range map[string]string{"nl": tt.nl, "en": tt.en} {
			res := planner.do(t, "PUT", path, map[string]any{"minutes": 30}, "Accept-Language", lang)
			m := res.Map(t)
			if res.Status != 409 || m["type"] != "/problems/invalid-transition" || m["detail"] != want {
				t.Errorf("effort of a %s job (%s) = %d %s, want detail %q", tt.status, lang, res.Status, res.Body, want)
			}
		}
	}
}
