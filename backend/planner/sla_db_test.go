package planner_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/job"
	"wijkwerk/backend/planner"
)

// newJob inserts a job for a team (by code) due on a date.
// nextPlainFriday is 06:00 UTC (07:00 in Amsterdam in winter, 08:00 in summer) on the
// first Friday at least seven days after now whose Friday, Monday and Tuesday are
// working days.
func nextPlainFriday(now time.Time) time.Time {
	d := time.Date(now.Year(), now.Month(), now.Day(), 6, 0, 0, 0, time.UTC).AddDate(0, 0, 7)
	for d.Weekday() != time.Friday || !job.IsWorkingDay(d) || !job.IsWorkingDay(d.AddDate(0, 0, 3)) || !job.IsWorkingDay(d.AddDate(0, 0, 4)) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

func newJob(t *testing.T, env *apptest.Env, teamCode, status, due string) int64 {
	t.Helper()
	var id int64
	err := env.DB.Raw(`
INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes)
SELECT 'afval.zwerfvuil', ST_PointOnSurface(a.geom), a.id, (SELECT id FROM teams WHERE code = ?), ?, ?, 30
FROM areas a WHERE a.code = 'BU02220301' RETURNING id`, teamCode, status, due).Scan(&id).Error
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestDueTomorrow(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	// A device for Oosseld, so the push reaches the fake FCM.
	var w int64
	env.DB.Raw(`INSERT INTO workers (name, role) VALUES ('Crew', 'specialist') RETURNING id`).Scan(&w)
	env.DB.Exec(`INSERT INTO worker_teams (worker_id, team_id) SELECT ?, id FROM teams WHERE code = 'doetinchem-oosseld'`, w)
	env.DB.Exec(`INSERT INTO devices (worker_id, token_hash, fcm_token) VALUES (?, '\x01', 'tok-oosseld')`, w)

	// A Friday at 07:00 in Amsterdam: "tomorrow" is the Monday after. It lies a week or
	// more ahead, in a week without holidays: the test's own server sends the real
	// reminders of today as it starts (on the Friday 27 November 2026 this test was
	// written for, it took them before the test could).
	friday := nextPlainFriday(time.Now())
	day := func(d int) string { return friday.AddDate(0, 0, d).Format(time.DateOnly) }
	first := newJob(t, env, "doetinchem-oosseld", "assigned", day(3))
	newJob(t, env, "doetinchem-oosseld", "in_progress", day(3))
	newJob(t, env, "doetinchem-wehl", "accepted", day(3))
	newJob(t, env, "doetinchem-centrum", "done", day(3))     // done: no reminder
	newJob(t, env, "doetinchem-noord", "assigned", day(1))   // Saturday: not the next working day
	newJob(t, env, "doetinchem-de-huet", "assigned", day(4)) // Tuesday

	// Two replicas at once, and a restart: one reminder per team.
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := planner.DueTomorrow(ctx, env.App.DB, friday, app.DefaultPushTTL)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	if n, err := planner.DueTomorrow(ctx, env.App.DB, friday.Add(3*time.Hour), app.DefaultPushTTL); err != nil || n != 0 {
		t.Errorf("later the same day: %d, %v", n, err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != 2 {
		t.Errorf("reminded %v teams, want 2 in all", counts)
	}
	var rows []struct {
		Team   string
		JobID  int64
		Body   string
		Title  string
		Expiry bool
	}
	env.DB.Raw(`SELECT t.code AS team, o.job_id, o.body_nl AS body, o.title_nl AS title, o.expires_at > now() AS expiry
FROM push_outbox o JOIN teams t ON t.id = o.team_id WHERE o.kind = 'due_tomorrow' ORDER BY t.code`).Scan(&rows)
	if len(rows) != 2 || rows[0].Team != "doetinchem-oosseld" || rows[1].Team != "doetinchem-wehl" || rows[0].JobID != first ||
		rows[0].Title != "Taken voor maandag" || rows[0].Body != "Er moeten maandag 2 taken klaar zijn. Kijk in de app welke." ||
		rows[1].Body != "Er moet maandag 1 taak klaar zijn. Kijk in de app welke." || !rows[0].Expiry {
		t.Errorf("outbox = %+v", rows)
	}
	// The push reaches the team's phone.
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := env.FCM.Messages()
		if len(msgs) == 1 {
			if m := msgs[0]; m.Token != "tok-oosseld" || m.Data["kind"] != "due_tomorrow" || m.Data["job_id"] != fmt.Sprint(first) {
				t.Errorf("message = %+v", m)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("messages = %+v", msgs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// On Saturday nothing happens: the crews heard on Friday.
	if n, err := planner.DueTomorrow(ctx, env.App.DB, friday.Add(24*time.Hour), app.DefaultPushTTL); err != nil || n != 0 {
		t.Errorf("Saturday: %d, %v", n, err)
	}
	// Monday: De Huet's task is due Tuesday.
	if n, err := planner.DueTomorrow(ctx, env.App.DB, friday.Add(72*time.Hour), app.DefaultPushTTL); err != nil || n != 1 {
		t.Errorf("Monday: %d, %v", n, err)
	}
}
