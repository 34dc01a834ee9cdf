package deskapi_test

import (
	"fmt"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/worker"
)

// Crews' and the desk's free texts and names lose control characters and bidirectional
// overrides (a bell, U+202E that reads a text backwards), as residents' texts do:
// a worker's name, a development note, the crew's reason they could not complete and
// their note on completion, and the planner's note when closing a job.
func TestCrewAndDeskTextsLoseControlCharacters(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	crew := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	today := amsterdamToday()
	clean := func(t *testing.T, what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}

	res := planner.do(t, "POST", "/api/v1/desk/workers", map[string]any{
		"team_id": teamID(t, env, "doetinchem-oosseld"), "name": "Jan\u202e de\a Vries", "role": "trainee"})
	if res.Status != 201 {
		t.Fatalf("create worker = %d %s", res.Status, res.Body)
	}
	w := res.Map(t)
	clean(t, "worker name", fmt.Sprint(w["name"]), "Jan de Vries")

	notes := fmt.Sprintf("/api/v1/desk/workers/%v/notes", w["id"])
	if res := coach.do(t, "POST", notes, map[string]any{"skill": "safety", "text": "Draagt\a altijd \u202ehandschoenen\u202c\x1b[0m"}); res.Status != 201 {
		t.Fatalf("note = %d %s", res.Status, res.Body)
	}
	var ns struct {
		Notes []struct{ Text string } `json:"notes"`
	}
	coach.do(t, "GET", notes, nil).JSON(t, &ns)
	if len(ns.Notes) != 1 {
		t.Fatalf("notes = %+v", ns)
	}
	clean(t, "note", ns.Notes[0].Text, "Draagt altijd handschoenen[0m")

	act := func(t *testing.T, id int64, steps ...any) {
		t.Helper()
		for i := 0; i < len(steps); i += 2 {
			action := steps[i].(string)
			if res := crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/%s", id, action), steps[i+1],
				"Idempotency-Key", fmt.Sprint(id, action), "If-Match", fmt.Sprint(i/2+1)); res.Status != 200 {
				t.Fatalf("%s = %d %s", action, res.Status, res.Body)
			}
		}
	}
	stuck := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", today)
	act(t, stuck, "accept", nil, "start", nil,
		"cannot-complete", map[string]any{"reason": "no_access", "text": "Hek\a zit \u202eop slot"})
	done := newJob(t, env, "afval.zwerfvuil", "BU02220302", "doetinchem-oosseld", "assigned", today)
	act(t, done, "accept", nil, "start", nil, "complete", map[string]any{"note": "\u202dKlaar\u202c,\a alles \u2066opgeruimd\u2069"})

	d := planner.do(t, "GET", fmt.Sprintf("/api/v1/planner/jobs/%d", stuck), nil).Map(t)
	clean(t, "cannot-complete text", fmt.Sprint(d["reason_text"]), "Hek zit op slot")
	d = planner.do(t, "GET", fmt.Sprintf("/api/v1/planner/jobs/%d", done), nil).Map(t)
	clean(t, "completion note", fmt.Sprint(d["note"]), "Klaar, alles opgeruimd")

	if res := planner.do(t, "POST", closePath(stuck), map[string]any{"note": "Eigenaar\a \u202ebelt zelf"}, "If-Match", "4"); res.Status != 200 {
		t.Fatalf("close = %d %s", res.Status, res.Body)
	}
	var reason string
	env.DB.Raw(`SELECT detail->>'reason' FROM audit_events WHERE job_id = ? AND action = 'close'`, stuck).Scan(&reason)
	clean(t, "close note", reason, "Eigenaar belt zelf")
}
