package crew_test

import (
	"fmt"
	"strings"
	"testing"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// The hours of a complete are kept all together or not at all: one worker who is not an
// active member of the team refuses the whole complete, naming that worker, and leaves
// the task as it was.
func TestCompleteHoursAllOrNothing(t *testing.T) {
	env := apptest.Start(t)
	specialist := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	seconded := pairPhone(t, env, "doetinchem-oosseld", worker.Seconded)
	inactive := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	elsewhere := pairPhone(t, env, "doetinchem-wehl", worker.Specialist)
	env.DB.Exec(`UPDATE workers SET active = false WHERE id = ?`, inactive.worker.ID)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	path := fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID)
	hours := func(ids ...int64) map[string]any {
		var h []map[string]any
		for i, id := range ids {
			h = append(h, map[string]any{"worker_id": id, "hours": 1.25 + float64(i)})
		}
		return map[string]any{"hours": h}
	}
	s, sec := specialist.worker.ID, seconded.worker.ID

	for i, bad := range []int64{elsewhere.worker.ID, inactive.worker.ID, 999999} {
		res := specialist.do(t, "POST", path, hours(s, sec, bad), "Idempotency-Key", fmt.Sprint("bad", i), "If-Match", "1")
		if res.Status != 422 || !strings.Contains(string(res.Body), fmt.Sprint(bad)) {
			t.Errorf("hours with worker %d = %d %s", bad, res.Status, res.Body)
		}
	}
	var state struct {
		Status  string
		Version int
		Hours   int
		Events  int
	}
	env.DB.Raw(`SELECT status, version, (SELECT count(*) FROM job_hours WHERE job_id = j.id) AS hours,
(SELECT count(*) FROM audit_events WHERE job_id = j.id AND action = 'complete') AS events
FROM jobs j WHERE id = ?`, jobID).Scan(&state)
	if state.Status != "assigned" || state.Version != 1 || state.Hours != 0 || state.Events != 0 {
		t.Errorf("after refused completes the task is %+v", state)
	}

	res := specialist.do(t, "POST", path, hours(s, sec), "Idempotency-Key", "good", "If-Match", "1")
	if res.Status != 200 || res.Map(t)["status"] != "done" {
		t.Fatalf("complete = %d %s", res.Status, res.Body)
	}
	var rows []struct {
		WorkerID int64
		Hours    float64
	}
	env.DB.Raw(`SELECT worker_id, hours FROM job_hours WHERE job_id = ? ORDER BY hours`, jobID).Scan(&rows)
	if len(rows) != 2 || rows[0].WorkerID != s || rows[0].Hours != 1.25 || rows[1].WorkerID != sec || rows[1].Hours != 2.25 {
		t.Errorf("hours = %+v", rows)
	}
}
