package deskapi_test

import (
	"fmt"
	"strings"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/worker"
)

// A desk write with a field the endpoint does not know is refused with a 422 that names
// it, and changes nothing: a misspelt field was dropped without a word, so a planner's
// "evaluation_date" answered 200 while the evaluation stayed unplanned, a "werkgever" left
// the outflow without its employer, and a close with "notes" closed the job without them.
func TestDeskWritesRefuseUnknownFields(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	today := amsterdamToday()
	w := newWorker(t, env, "doetinchem-wehl", worker.Trainee, "Tim")
	stuck := newJob(t, env, "afval.zwerfvuil", "BU02220901", "doetinchem-wehl", "cannot_complete", today)
	env.DB.Exec(`UPDATE jobs SET reason = 'no_access', closed_at = now() WHERE id = ?`, stuck)
	open := newJob(t, env, "afval.zwerfvuil", "BU02220901", "doetinchem-wehl", "assigned", today.AddDate(0, 0, 3))
	oosseld := teamID(t, env, "doetinchem-oosseld")
	workers := fmt.Sprintf("/api/v1/desk/workers/%d/", w)

	tests := []struct {
		name    string
		who     *desk
		method  string
		path    string
		body    map[string]any
		headers []string
		field   string
	}{
		{"milestones", coach, "PUT", workers + "milestones", map[string]any{"evaluation_date": "2026-12-01"}, nil, "evaluation_date"},
		{"outflow", coach, "POST", workers + "outflow",
			map[string]any{"date": today.Format("2006-01-02"), "kind": "regular_job", "werkgever": "Bouwbedrijf X"}, nil, "werkgever"},
		{"absence", planner, "POST", workers + "absences",
			map[string]any{"from": today.Format("2006-01-02"), "to": today.Format("2006-01-02"), "reason": "sick", "note": "griep"}, nil, "note"},
		{"note", coach, "POST", workers + "notes", map[string]any{"skill": "safety", "text": "Werkt veilig.", "scor": 4}, nil, "scor"},
		{"close", planner, "POST", fmt.Sprintf("/api/v1/planner/jobs/%d/close", stuck), map[string]any{"notes": "Eigen terrein"},
			[]string{"If-Match", "1"}, "notes"},
		{"reassign", planner, "POST", fmt.Sprintf("/api/v1/planner/jobs/%d/reassign", open),
			map[string]any{"team_id": oosseld, "reason": "drukte", "urgent": true}, []string{"If-Match", "1"}, "urgent"},
		{"reassign many", planner, "POST", "/api/v1/planner/jobs/reassign",
			map[string]any{"reason": "drukte", "moves": []map[string]any{{"job_id": open, "version": 1, "team": oosseld}}}, nil, "moves.0.team"},
		{"rebalance", planner, "POST", "/api/v1/planner/rebalance", map[string]any{"max_move": 1}, nil, "max_move"},
		{"worker", planner, "POST", "/api/v1/desk/workers",
			map[string]any{"team_id": oosseld, "role": "trainee", "name": "Piet", "placement": "2026-12-01"}, nil, "placement"},
	}
	for _, tt := range tests {
		res := tt.who.do(t, tt.method, tt.path, tt.body, tt.headers...)
		if res.Status != 422 || !strings.Contains(res.Header.Get("Content-Type"), "problem+json") ||
			!strings.Contains(string(res.Body), `"name":"`+tt.field+`"`) {
			t.Errorf("%s with %v = %d %s, want 422 naming %s", tt.name, tt.body, res.Status, res.Body, tt.field)
		}
	}

	// Nothing changed.
	var state struct {
		EvaluationDue *string
		Outflows      int
		Absences      int
		Notes         int
		Workers       int
		Proposals     int
	}
	env.DB.Raw(`SELECT (SELECT evaluation_due::text FROM workers WHERE id = ?) AS evaluation_due,
(SELECT count(*) FROM worker_outflows WHERE worker_id = ?) AS outflows,
(SELECT count(*) FROM worker_absences WHERE worker_id = ?) AS absences,
(SELECT count(*) FROM development_notes WHERE worker_id = ?) AS notes,
(SELECT count(*) FROM workers WHERE name = 'Piet') AS workers,
(SELECT count(*) FROM rebalance_proposals) AS proposals`, w, w, w, w).Scan(&state)
	if state.EvaluationDue != nil || state.Outflows != 0 || state.Absences != 0 || state.Notes != 0 || state.Workers != 0 || state.Proposals != 0 {
		t.Errorf("after refused writes: %+v", state)
	}
	var jobs []struct {
		ID      int64
		Version int
		TeamID  int64
	}
	env.DB.Raw(`SELECT id, version, team_id FROM jobs WHERE id IN (?, ?) ORDER BY id`, stuck, open).Scan(&jobs)
	for _, j := range jobs {
		if j.Version != 1 || j.TeamID != teamID(t, env, "doetinchem-wehl") {
			t.Errorf("job %d after refused writes: version %d, team %d", j.ID, j.Version, j.TeamID)
		}
	}

	// The same writes with the right fields go through.
	if res := coach.do(t, "PUT", workers+"milestones", map[string]any{"evaluation_due": "2026-12-01"}); res.Status != 200 {
		t.Errorf("milestones = %d %s", res.Status, res.Body)
	}
	if res := planner.do(t, "POST", fmt.Sprintf("/api/v1/planner/jobs/%d/close", stuck), map[string]any{"note": "Eigen terrein"}, "If-Match", "1"); res.Status != 200 {
		t.Errorf("close = %d %s", res.Status, res.Body)
	}
	if res := planner.do(t, "POST", "/api/v1/planner/rebalance", map[string]any{"max_moves": 1}); res.Status != 200 {
		t.Errorf("rebalance = %d %s", res.Status, res.Body)
	}
}
