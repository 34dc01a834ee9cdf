package crew_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/worker"
)

// lateFixture is a crew whose task a planner moves to another team while the crew
// works offline.
type lateFixture struct {
	env           *apptest.Env
	crew, other   *phone
	planner       string // the planner's bearer token
	oosseld, wehl int64  // the crew's team and the team the task moves to
	otherCursor   string // Wehl's phone's cursor from before the move
}

func newLateFixture(t *testing.T) *lateFixture {
	t.Helper()
	env := apptest.Start(t)
	f := &lateFixture{env: env}
	f.crew = pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	f.other = pairPhone(t, env, "doetinchem-wehl", worker.Specialist)
	env.DB.Raw(`SELECT id FROM teams WHERE code = 'doetinchem-oosseld'`).Scan(&f.oosseld)
	env.DB.Raw(`SELECT id FROM teams WHERE code = 'doetinchem-wehl'`).Scan(&f.wehl)
	const email, password = "planner@doetinchem.nl", "lang-genoeg-wachtwoord"
	if _, err := access.NewStore(env.DB.DB).CreateUser(context.Background(), email, password, access.Planner, []string{"GM0222"}); err != nil {
		t.Fatal(err)
	}
	res := env.Do(t, "POST", "/api/v1/desk/login", map[string]string{"email": email, "password": password})
	if res.Status != 200 {
		t.Fatalf("login = %d %s", res.Status, res.Body)
	}
	f.planner, _ = res.Map(t)["token"].(string)
	return f
}

// moveWhileOffline makes a job for the crew, which accepts it (version 2) and goes
// offline; the planner moves it to Wehl (version 3), whose phone syncs it.
func (f *lateFixture) moveWhileOffline(t *testing.T, contact map[string]any) int64 {
	t.Helper()
	var tl taskList
	f.other.do(t, "GET", "/mobile/v1/tasks", nil).JSON(t, &tl)
	f.otherCursor = tl.Cursor
	res := f.env.Do(t, "POST", "/api/v1/reports", map[string]any{
		"category": "afval.zwerfvuil",
		"location": map[string]any{"type": "Point", "coordinates": []float64{oosseld[0], oosseld[1]}},
		"contact":  contact,
	})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	id := int64(res.Map(t)["job_id"].(float64))
	if res := f.crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/accept", id), nil, "Idempotency-Key", fmt.Sprintf("acc-%d", id), "If-Match", "1"); res.Status != 200 {
		t.Fatalf("accept = %d %s", res.Status, res.Body)
	}
	res = f.env.Do(t, "POST", fmt.Sprintf("/api/v1/planner/jobs/%d/reassign", id), map[string]any{"team_id": f.wehl, "reason": "Wehl heeft tijd"},
		"Authorization", "Bearer "+f.planner, "If-Match", "2")
	if res.Status != 200 {
		t.Fatalf("reassign = %d %s", res.Status, res.Body)
	}
	return id
}

// syncTasks returns phone p's tasks changed since cursor, by id.
func syncTasks(t *testing.T, p *phone, cursor string) map[int64]map[string]any {
	t.Helper()
	var body struct {
		Tasks []map[string]any `json:"tasks"`
	}
	res := p.do(t, "GET", "/mobile/v1/tasks?since="+cursor, nil)
	if res.Status != 200 {
		t.Fatalf("sync = %d %s", res.Status, res.Body)
	}
	res.JSON(t, &body)
	out := map[int64]map[string]any{}
	for _, tk := range body.Tasks {
		out[int64(tk["id"].(float64))] = tk
	}
	return out
}

// history returns the desk's history of job id.
func (f *lateFixture) history(t *testing.T, id int64) []map[string]any {
	t.Helper()
	res := f.env.Do(t, "GET", fmt.Sprintf("/api/v1/planner/jobs/%d", id), nil, "Authorization", "Bearer "+f.planner)
	if res.Status != 200 {
		t.Fatalf("job detail = %d %s", res.Status, res.Body)
	}
	var d struct {
		History []map[string]any `json:"history"`
	}
	res.JSON(t, &d)
	return d.History
}

// A crew accepts a task and goes offline; a planner moves it to another team, which
// has not begun it. The crew's phone then sends what it queued: start (refused: the task
// moved), two photos and complete with hours, on the version it saw. The work is done:
// the job closes as done with the crew that did it, their hours and photos are kept,
// the desk reads what happened, the residents hear, and the other team's phones drop it.
func TestCompleteAfterMoveWhileOffline(t *testing.T) {
	f := newLateFixture(t)
	id := f.moveWhileOffline(t, map[string]any{"app_token": "resident-late", "wants_updates": true})
	if tk := syncTasks(t, f.other, f.otherCursor)[id]; tk == nil || tk["removed"] == true || tk["status"] != "assigned" {
		t.Fatalf("Wehl's sync after the move = %v", tk)
	}
	path := fmt.Sprintf("/mobile/v1/tasks/%d/", id)
	if res := f.crew.do(t, "POST", path+"start", nil, "Idempotency-Key", "late-start", "If-Match", "2"); res.Status != 409 {
		t.Errorf("start after the move = %d %s, want 409 as before", res.Status, res.Body)
	}
	for _, kind := range []string{"before", "after"} {
		if res := upload(t, f.crew, id, kind, jpegBytes(t, 40, 30+len(kind))); res.Status != 201 {
			t.Errorf("%s-photo after the move = %d %s", kind, res.Status, res.Body)
		}
	}
	hours := []map[string]any{{"worker_id": f.crew.worker.ID, "hours": 1.5}}
	res := f.crew.do(t, "POST", path+"complete", map[string]any{"note": "Opgeruimd", "hours": hours}, "Idempotency-Key", "late-done", "If-Match", "2")
	if res.Status != 200 {
		t.Fatalf("complete after the move = %d %s", res.Status, res.Body)
	}
	if m := res.Map(t); m["status"] != "done" || m["team_id"] != float64(f.oosseld) || m["version"] != float64(4) || m["removed"] != nil {
		t.Errorf("complete answer = %s", res.Body)
	}
	// A retry gets the first answer.
	if again := f.crew.do(t, "POST", path+"complete", map[string]any{"note": "Opgeruimd", "hours": hours}, "Idempotency-Key", "late-done", "If-Match", "2"); again.Status != 200 ||
		again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry = %d %s", again.Status, again.Body)
	}

	var st struct {
		Status   string
		TeamID   int64
		Closed   bool
		Hours    float64
		HourRows int
		Photos   int
		Pushes   int
	}
	f.env.DB.Raw(`SELECT status, team_id, closed_at IS NOT NULL AS closed,
  (SELECT COALESCE(sum(hours), 0) FROM job_hours WHERE job_id = j.id AND worker_id = ?) AS hours,
  (SELECT count(*) FROM job_hours WHERE job_id = j.id) AS hour_rows,
  (SELECT count(*) FROM job_photos WHERE job_id = j.id AND kind IN ('before', 'after')) AS photos,
  (SELECT count(*) FROM push_outbox WHERE job_id = j.id AND kind = 'done' AND 'resident-late' = ANY(tokens)) AS pushes
FROM jobs j WHERE id = ?`, f.crew.worker.ID, id).Scan(&st)
	if st.Status != "done" || st.TeamID != f.oosseld || !st.Closed || st.Hours != 1.5 || st.HourRows != 1 || st.Photos != 2 || st.Pushes != 1 {
		t.Errorf("job after the late complete = %+v", st)
	}
	var detail string
	f.env.DB.Raw(`SELECT detail::text FROM audit_events WHERE job_id = ? AND action = 'complete_after_move' AND actor = ?
  AND from_status = 'assigned' AND to_status = 'done'`, id, fmt.Sprintf("worker:%d", f.crew.worker.ID)).Scan(&detail)
	var d struct {
		FromTeam int64 `json:"from_team"`
		ToTeam   int64 `json:"to_team"`
		Hours    []struct {
			WorkerID int64   `json:"worker_id"`
			Hours    float64 `json:"hours"`
		} `json:"hours"`
	}
	if err := json.Unmarshal([]byte(detail), &d); err != nil || d.FromTeam != f.wehl || d.ToTeam != f.oosseld || len(d.Hours) != 1 || d.Hours[0].Hours != 1.5 {
		t.Errorf("audit detail = %s (%v)", detail, err)
	}
	h := f.history(t, id)
	if last := h[len(h)-1]; last["action"] != "complete_after_move" || last["by"] != "crew" || last["by_name"] != "Test specialist" ||
		last["from_team"] == nil || last["to_team"] == nil || last["from_team"] == last["to_team"] || last["unbooked_hours"] != nil {
		t.Errorf("desk history ends with %v", last)
	}
	// Wehl's phones drop it in their next sync; the crew's show it done.
	if tk := syncTasks(t, f.other, f.otherCursor)[id]; tk == nil || tk["removed"] != true {
		t.Errorf("Wehl's sync after the late complete = %v, want the task removed", tk)
	}
	var tl taskList
	f.other.do(t, "GET", "/mobile/v1/tasks", nil).JSON(t, &tl)
	for _, tk := range tl.Tasks {
		if tk.ID == id {
			t.Errorf("Wehl's full sync still lists task %d", id)
		}
	}
	if res := f.crew.do(t, "GET", "/mobile/v1/photos/"+mustPhotoHash(t, f.env, id), nil); res.Status != 200 {
		t.Errorf("the crew's photo = %d", res.Status)
	}
}

func mustPhotoHash(t *testing.T, env *apptest.Env, id int64) string {
	t.Helper()
	var hash string
	env.DB.Raw(`SELECT hash FROM job_photos WHERE job_id = ? AND kind = 'after'`, id).Scan(&hash)
	if hash == "" {
		t.Fatalf("job %d has no after-photo", id)
	}
	return hash
}

// When the team the task moved to has begun it, the crew's late work cannot be booked:
// the phone hears that the task moved (409, removed), as before, and the desk reads in
// the job's history who reported how many hours, once however often the phone retries.
func TestLateWorkRefusedWhenNewTeamStarted(t *testing.T) {
	f := newLateFixture(t)
	id := f.moveWhileOffline(t, nil)
	path := fmt.Sprintf("/mobile/v1/tasks/%d/", id)
	if res := f.other.do(t, "POST", path+"start", nil, "Idempotency-Key", "wehl-start", "If-Match", "3"); res.Status != 200 {
		t.Fatalf("Wehl starts = %d %s", res.Status, res.Body)
	}
	if res := upload(t, f.crew, id, "after", jpegBytes(t, 40, 30)); res.Status != 409 {
		t.Errorf("photo after the new team began = %d %s", res.Status, res.Body)
	}
	// The store checks again under the job's lock: the new team may begin between the
	// first check and the photo.
	if err := job.NewStore(f.env.DB.DB).AddPhoto(context.Background(), id, f.crew.worker.TeamIDs, job.Photo{Hash: "ab", Kind: "after"}); !problem.Of(err, problem.StaleVersion) {
		t.Errorf("AddPhoto after the new team began = %v, want the task moved", err)
	}
	hours := []map[string]any{{"worker_id": f.crew.worker.ID, "hours": 2.25}}
	for range 2 {
		res := f.crew.do(t, "POST", path+"complete", map[string]any{"hours": hours}, "Idempotency-Key", "late-refused", "If-Match", "2")
		m := res.Map(t)
		cur, _ := m["current"].(map[string]any)
		if res.Status != 409 || m["type"] != "/problems/stale-version" || cur == nil || cur["removed"] != true {
			t.Errorf("complete after the new team began = %d %s", res.Status, res.Body)
		}
	}
	var st struct {
		Status string
		TeamID int64
		Hours  int
		Photos int
		Late   int
	}
	f.env.DB.Raw(`SELECT status, team_id,
  (SELECT count(*) FROM job_hours WHERE job_id = j.id) AS hours,
  (SELECT count(*) FROM job_photos WHERE job_id = j.id AND kind = 'after') AS photos,
  (SELECT count(*) FROM audit_events WHERE job_id = j.id AND action = 'late_work' AND actor = ?) AS late
FROM jobs j WHERE id = ?`, fmt.Sprintf("worker:%d", f.crew.worker.ID), id).Scan(&st)
	if st.Status != "in_progress" || st.TeamID != f.wehl || st.Hours != 0 || st.Photos != 0 || st.Late != 1 {
		t.Errorf("job after the refused late work = %+v, want Wehl's, in progress, one late_work event", st)
	}
	h := f.history(t, id)
	if last := h[len(h)-1]; last["action"] != "late_work" || last["by"] != "crew" || last["by_name"] != "Test specialist" ||
		last["unbooked_hours"] != 2.25 || last["from_team"] == nil || last["to_team"] == nil {
		t.Errorf("desk history ends with %v", last)
	}
}
