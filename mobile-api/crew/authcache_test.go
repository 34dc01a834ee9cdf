package crew_test

import (
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// TestCredentialCache: a phone's credential check is kept while the API listens for
// changes (worker.AuthChannel), and every change to devices, workers or team membership,
// made by any replica or by hand in the database, reaches the API within moments.
func TestCredentialCache(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	env.WaitCredentialCache(t)
	time.Sleep(100 * time.Millisecond) // let the notifications of pairing (a new worker) arrive first
	tasks := func() (int, string) {
		res := p.do(t, "GET", "/mobile/v1/tasks", nil)
		return res.Status, string(res.Body)
	}
	if s, body := tasks(); s != 200 {
		t.Fatalf("tasks = %d %s", s, body)
	}

	// Kept: with the notification switched off, a revocation in the database is not seen...
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := env.DB.Exec(sql, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	exec(`ALTER TABLE devices DISABLE TRIGGER devices_crew_auth`)
	exec(`UPDATE devices SET revoked_at = now() WHERE worker_id = ?`, p.worker.ID)
	if s, _ := tasks(); s != 200 {
		t.Fatalf("tasks after a revocation nobody notified = %d, want 200 from the cache (is it kept?)", s)
	}
	// ...until a notification comes.
	exec(`NOTIFY crew_auth`)
	eventually(t, "the revoked phone is refused", func() bool { s, _ := tasks(); return s == 401 })
	exec(`ALTER TABLE devices ENABLE TRIGGER devices_crew_auth`)

	// The triggers notify: a worker moved to another team sees that team's tasks.
	q := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	var wehl int64
	env.DB.Raw(`SELECT id FROM teams WHERE code = 'doetinchem-wehl'`).Scan(&wehl)
	exec(`INSERT INTO jobs (category_code, location, area_id, team_id, status, description, due_date, effort_minutes)
SELECT 'afval.zwerfvuil', ST_SetSRID(ST_MakePoint(6.23, 51.96), 4326), (SELECT id FROM areas WHERE code = 'GM0222'), ?,
       'assigned', 'Wehl-taak', current_date, 30`, wehl)
	sees := func() bool {
		res := q.do(t, "GET", "/mobile/v1/tasks", nil)
		return res.Status == 200 && strings.Contains(string(res.Body), "Wehl-taak")
	}
	if sees() {
		t.Fatal("an Oosseld worker sees a Wehl task")
	}
	exec(`UPDATE worker_teams SET team_id = ? WHERE worker_id = ?`, wehl, q.worker.ID)
	eventually(t, "the moved worker sees the new team's task", sees)

	// And a worker who leaves is refused.
	exec(`UPDATE workers SET active = false WHERE id = ?`, q.worker.ID)
	eventually(t, "the worker who left is refused", func() bool {
		return q.do(t, "GET", "/mobile/v1/tasks", nil).Status == 401
	})
}

// eventually waits up to 5 s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not after 5 s: %s", what)
		}
	}
}
