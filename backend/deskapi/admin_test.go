package deskapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/worker"
)

// An admin sees and changes every municipality: areas for an admin are refused with a
// message that says what to do instead, an admin who got areas before that is not shown
// them as a scope, and no admin reads job coaches' development notes (AVG: only the role
// that needs them).
func TestAdminHasNoAreasAndNoNotes(t *testing.T) {
	env := startPlanner(t)
	ctx := context.Background()
	users := access.NewStore(env.DB.DB)

	_, err := users.CreateUser(ctx, "adminz@ex.nl", password, access.Admin, []string{"GM0299"})
	if err == nil || !strings.Contains(err.Error(), "leave --areas out, or give --role planner") {
		t.Errorf("admin with areas: err = %v", err)
	}
	var n int
	env.DB.Raw(`SELECT count(*) FROM desk_users WHERE email = 'adminz@ex.nl'`).Scan(&n)
	if n != 0 {
		t.Errorf("the refused admin was stored")
	}

	// An admin given areas before the refusal: /desk/me does not echo them as a scope.
	admin := signIn(t, env, "adminz@ex.nl", access.Admin)
	env.DB.Exec(`INSERT INTO desk_user_areas (user_id, area_id) SELECT ?, id FROM areas WHERE code = 'GM0299'`, admin.id)
	me := admin.do(t, "GET", "/api/v1/desk/me", nil)
	var u struct {
		Role  string   `json:"role"`
		Areas []string `json:"areas"`
	}
	me.JSON(t, &u)
	if me.Status != 200 || u.Role != "admin" || u.Areas == nil || len(u.Areas) != 0 {
		t.Errorf("me = %d %s", me.Status, me.Body)
	}

	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	w := newWorker(t, env, "doetinchem-oosseld", worker.Trainee, "Notitie Medewerker")
	notes := fmt.Sprintf("/api/v1/desk/workers/%d/notes", w)
	if res := coach.do(t, "POST", notes, map[string]any{"skill": "craft", "text": "Heeft schulden en een uitkering"}); res.Status != 201 {
		t.Fatalf("coach's note = %d %s", res.Status, res.Body)
	}
	if res := coach.do(t, "GET", notes, nil); res.Status != 200 || !strings.Contains(string(res.Body), "schulden") {
		t.Errorf("coach reads notes = %d %s", res.Status, res.Body)
	}
	for _, req := range []struct {
		method string
		body   any
	}{{"GET", nil}, {"POST", map[string]any{"skill": "craft", "text": "Admin schrijft"}}} {
		res := admin.do(t, req.method, notes, req.body)
		if res.Status != 403 || strings.Contains(string(res.Body), "schulden") {
			t.Errorf("admin %s notes = %d %s", req.method, res.Status, res.Body)
		}
	}
}
