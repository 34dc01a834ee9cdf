package deskapi_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// startPlanner starts an instance (app.go registers the planner routes).
func startPlanner(t testing.TB) *apptest.Env {
	t.Helper()
	return apptest.Start(t)
}

// desk is a signed-in desk user.
type desk struct {
	env   *apptest.Env
	token string
	id    int64
}

// signIn creates a desk user with a role and areas, and signs in.
func signIn(t *testing.T, env *apptest.Env, email string, role access.Role, areas ...string) *desk {
	t.Helper()
	tok := login(t, env, email, role, areas...)
	d := &desk{env: env, token: tok}
	env.DB.Raw(`SELECT id FROM desk_users WHERE email = ?`, email).Scan(&d.id)
	return d
}

func (d *desk) do(t *testing.T, method, path string, body any, headers ...string) *apptest.Response {
	t.Helper()
	if d == nil || d.token == "" {
		return nil
	}
	return d.env.Do(t, method, path, body, append([]string{"Authorization", "Bearer " + d.token}, headers...)...)
}

func teamID(t testing.TB, env *apptest.Env, code string) int64 {
	t.Helper()
	var id int64
	env.DB.Raw(`SELECT id FROM teams WHERE code = ?`, code).Scan(&id)
	if id == 0 {
		t.Fatalf("no team %s", code)
	}
	return id
}

// newJob inserts a job of category in the area with code (on a point inside it), for the
// team with teamCode ("" for none), with a status and a due date.
func newJob(t testing.TB, env *apptest.Env, category, areaCode, teamCode, status string, due time.Time) int64 {
	t.Helper()
	var id int64
	err := env.DB.Raw(`
INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes)
SELECT c.code, ST_PointOnSurface(a.geom), a.id, (SELECT id FROM teams WHERE code = ?), ?, ?, c.effort_minutes
FROM areas a, categories c WHERE a.code = ? AND c.code = ?
RETURNING id`, teamCode, status, due.Format(time.DateOnly), areaCode, category).Scan(&id).Error
	if err != nil || id == 0 {
		t.Fatalf("new job: %v", err)
	}
	return id
}

// newWorker adds an active worker to a team.
func newWorker(t testing.TB, env *apptest.Env, teamCode string, role worker.Role, name string) int64 {
	t.Helper()
	w, err := worker.NewStore(env.DB.DB).Create(context.Background(), teamID(t, env, teamCode), role, name)
	if err != nil {
		t.Fatal(err)
	}
	// Registered a year ago: without a placement start a worker counts from the day they
	// were registered (planner.FirstDay), and a test's week must not depend on the weekday
	// it runs on.
	if err := env.DB.Exec(`UPDATE workers SET created_at = now() - interval '1 year' WHERE id = ?`, w.ID).Error; err != nil {
		t.Fatal(err)
	}
	return w.ID
}

// phone is a paired crew phone.
type phone struct {
	env      *apptest.Env
	token    string
	workerID int64
}

// pairPhone creates a worker in the team, pairs a phone for them and registers fcmToken.
func pairPhone(t testing.TB, env *apptest.Env, teamCode string, role worker.Role, fcmToken string) *phone {
	t.Helper()
	return pairWorker(t, env, newWorker(t, env, teamCode, role, fmt.Sprintf("Crew %s %s", teamCode, role)), fcmToken)
}

// pairWorker pairs a phone for worker id and registers fcmToken.
func pairWorker(t testing.TB, env *apptest.Env, id int64, fcmToken string) *phone {
	t.Helper()
	pc, err := worker.NewStore(env.DB.DB).IssuePairingCode(context.Background(), id, "test")
	if err != nil {
		t.Fatal(err)
	}
	res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": pc.Code})
	if res.Status != 200 {
		t.Fatalf("pair = %d %s", res.Status, res.Body)
	}
	var body struct {
		Token string `json:"token"`
	}
	res.JSON(t, &body)
	p := &phone{env: env, token: body.Token, workerID: id}
	if fcmToken != "" {
		if res := p.do(t, "PUT", "/mobile/v1/device", map[string]string{"token": fcmToken, "platform": "android"}); res.Status != 204 {
			t.Fatalf("device = %d %s", res.Status, res.Body)
		}
	}
	return p
}

func (p *phone) do(t testing.TB, method, path string, body any, headers ...string) *apptest.Response {
	t.Helper()
	return p.env.Do(t, method, path, body, append([]string{"Authorization", "Bearer " + p.token}, headers...)...)
}

// amsterdamToday is today's date in Amsterdam, at midnight UTC.
func amsterdamToday() time.Time {
	loc, _ := time.LoadLocation("Europe/Amsterdam")
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// near compares hours and amounts that the API rounds to two decimals.
func near(a, b float64) bool { return math.Abs(a-b) < 0.006 }
