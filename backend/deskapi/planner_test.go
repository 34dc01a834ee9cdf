package deskapi_test

import (
	"fmt"
	"strings"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// doetinchemWords appear in answers about Doetinchem; another municipality's planner
// must never see any of them.
var doetinchemWords = []string{"Doetinchem", "doetinchem", "Ploeg ", "Oosseld", "Wehl", "Centrum", "Matrix",
	"GM0222", "WK0222", "BU0222", "afval.zwerfvuil", "Zwerfvuil"}

// TestPlannerMatrix sends every planner route as every kind of desk user and checks the
// status, and that nobody outside Doetinchem gets Doetinchem data.
func TestPlannerMatrix(t *testing.T) {
	env := startPlanner(t)
	users := map[string]*desk{
		"planner":    signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222"),
		"zevenaar":   signIn(t, env, "planner@zevenaar.nl", access.Planner, "GM0299"),
		"coach":      signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222"),
		"coachZvnr":  signIn(t, env, "coach@zevenaar.nl", access.JobCoach, "GM0299"),
		"admin":      signIn(t, env, "admin@wijkwerk.nl", access.Admin),
		"anonymous":  nil,
		"wrongToken": {env: env, token: "not-a-session"},
	}
	today := amsterdamToday()
	oosseld, wehl := teamID(t, env, "doetinchem-oosseld"), teamID(t, env, "doetinchem-wehl")
	w := newWorker(t, env, "doetinchem-oosseld", worker.Trainee, "Matrix Medewerker")
	newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", today.AddDate(0, 0, -3)) // overdue
	newJob(t, env, "afval.zwerfvuil", "BU02220302", "doetinchem-oosseld", "assigned", today)                   // due soon
	env.DB.Exec(`INSERT INTO development_notes (worker_id, author_id, skill, text)
SELECT ?, id, 'craft', 'Matrix notitie' FROM desk_users WHERE email = 'coach@doetinchem.nl'`, w)

	// A fresh assigned job for every request that moves one.
	fresh := func(t *testing.T) int64 {
		return newJob(t, env, "afval.zwerfvuil", "BU02220303", "doetinchem-oosseld", "assigned", today.AddDate(0, 0, 5))
	}
	// And a fresh one the crew could not complete, for every request that closes one.
	stuck := func(t *testing.T) int64 {
		id := newJob(t, env, "afval.zwerfvuil", "BU02220303", "doetinchem-oosseld", "cannot_complete", today)
		env.DB.Exec(`UPDATE jobs SET reason = 'no_access', closed_at = now() WHERE id = ?`, id)
		return id
	}
	stuck(t)
	type request struct {
		method, path string
		body         any
		headers      []string
	}
	outflows, absences := 0, 0
	routes := []struct {
		name string
		req  func(t *testing.T) request
		// Status per user; anonymous and wrongToken always get 401.
		want map[string]int
	}{
		{"board", func(*testing.T) request { return request{"GET", "/api/v1/planner/board?week=2026-W48", nil, nil} },
			map[string]int{"planner": 200, "zevenaar": 200, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"jobs.geojson", func(*testing.T) request { return request{"GET", "/api/v1/planner/jobs.geojson", nil, nil} },
			map[string]int{"planner": 200, "zevenaar": 200, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"jobs.geojson of a team", func(*testing.T) request {
			return request{"GET", fmt.Sprintf("/api/v1/planner/jobs.geojson?team_id=%d", oosseld), nil, nil}
		}, map[string]int{"planner": 200, "zevenaar": 200, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"overdue", func(*testing.T) request { return request{"GET", "/api/v1/planner/overdue", nil, nil} },
			map[string]int{"planner": 200, "zevenaar": 200, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"due-soon", func(*testing.T) request { return request{"GET", "/api/v1/planner/due-soon", nil, nil} },
			map[string]int{"planner": 200, "zevenaar": 200, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"cannot-complete", func(*testing.T) request { return request{"GET", "/api/v1/planner/cannot-complete", nil, nil} },
			map[string]int{"planner": 200, "zevenaar": 200, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"close", func(t *testing.T) request {
			return request{"POST", fmt.Sprintf("/api/v1/planner/jobs/%d/close", stuck(t)),
				map[string]any{"note": "Geen toegang, eigenaar zegt nee"}, []string{"If-Match", "1"}}
		}, map[string]int{"planner": 200, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"reassign", func(t *testing.T) request {
			return request{"POST", fmt.Sprintf("/api/v1/planner/jobs/%d/reassign", fresh(t)),
				map[string]any{"team_id": wehl, "reason": "Oosseld zit vol"}, []string{"If-Match", "1"}}
		}, map[string]int{"planner": 200, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"bulk reassign", func(t *testing.T) request {
			return request{"POST", "/api/v1/planner/jobs/reassign", map[string]any{
				"moves": []map[string]any{{"job_id": fresh(t), "version": 1, "team_id": wehl}}, "reason": "Oosseld zit vol"}, nil}
		}, map[string]int{"planner": 200, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"effort", func(t *testing.T) request {
			return request{"PUT", fmt.Sprintf("/api/v1/planner/jobs/%d/effort", fresh(t)), map[string]any{"minutes": 45}, nil}
		}, map[string]int{"planner": 200, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"participation", func(*testing.T) request { return request{"GET", "/api/v1/planner/participation", nil, nil} },
			map[string]int{"planner": 200, "zevenaar": 200, "coach": 200, "coachZvnr": 200, "admin": 200}},
		{"participation.csv", func(*testing.T) request {
			return request{"GET", "/api/v1/planner/participation.csv?from=2026-01-01&to=2026-12-31", nil, nil}
		}, map[string]int{"planner": 200, "zevenaar": 200, "coach": 200, "coachZvnr": 200, "admin": 200}},
		{"list workers", func(*testing.T) request { return request{"GET", "/api/v1/desk/workers", nil, nil} },
			map[string]int{"planner": 200, "zevenaar": 200, "coach": 200, "coachZvnr": 200, "admin": 200}},
		{"create worker", func(*testing.T) request {
			return request{"POST", "/api/v1/desk/workers", map[string]any{"team_id": oosseld, "name": "Matrix Nieuw", "role": "trainee"}, nil}
		}, map[string]int{"planner": 201, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 201}},
		{"milestones", func(*testing.T) request {
			return request{"PUT", fmt.Sprintf("/api/v1/desk/workers/%d/milestones", w), map[string]any{"placement_start": "2026-09-01"}, nil}
		}, map[string]int{"planner": 200, "zevenaar": 404, "coach": 200, "coachZvnr": 404, "admin": 200}},
		{"outflow", func(*testing.T) request {
			outflows++ // each a new one: the same again is answered 200 with the first
			return request{"POST", fmt.Sprintf("/api/v1/desk/workers/%d/outflow", w),
				map[string]any{"date": "2027-03-01", "kind": "regular_job", "employer": fmt.Sprintf("Hovenier %d", outflows)}, nil}
		}, map[string]int{"planner": 201, "zevenaar": 404, "coach": 201, "coachZvnr": 404, "admin": 201}},
		{"absence", func(*testing.T) request {
			absences++ // each a new one: the same again is answered 200 with the first
			return request{"POST", fmt.Sprintf("/api/v1/desk/workers/%d/absences", w),
				map[string]any{"from": "2027-01-04", "to": fmt.Sprintf("2027-02-%02d", absences), "reason": "leave"}, nil}
		}, map[string]int{"planner": 201, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 201}},
		{"list absences", func(*testing.T) request {
			return request{"GET", fmt.Sprintf("/api/v1/desk/workers/%d/absences", w), nil, nil}
		}, map[string]int{"planner": 200, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"remove an absence that is not the worker's", func(*testing.T) request {
			return request{"DELETE", fmt.Sprintf("/api/v1/desk/workers/%d/absences/999999", w), nil, nil}
		}, map[string]int{"planner": 404, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 404}},
		{"list outflows", func(*testing.T) request {
			return request{"GET", fmt.Sprintf("/api/v1/desk/workers/%d/outflows", w), nil, nil}
		}, map[string]int{"planner": 200, "zevenaar": 404, "coach": 200, "coachZvnr": 404, "admin": 200}},
		{"remove an outflow that is not the worker's", func(*testing.T) request {
			return request{"DELETE", fmt.Sprintf("/api/v1/desk/workers/%d/outflows/999999", w), nil, nil}
		}, map[string]int{"planner": 404, "zevenaar": 404, "coach": 404, "coachZvnr": 404, "admin": 404}},
		{"reactivate (already active: changes nothing)", func(*testing.T) request {
			return request{"POST", fmt.Sprintf("/api/v1/desk/workers/%d/reactivate", w), nil, nil}
		}, map[string]int{"planner": 200, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"deactivate an unknown worker", func(*testing.T) request {
			return request{"POST", "/api/v1/desk/workers/999999/deactivate", nil, nil}
		}, map[string]int{"planner": 404, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 404}},
		{"pairing code", func(*testing.T) request {
			return request{"POST", fmt.Sprintf("/api/v1/desk/workers/%d/pairing-code", w), nil, nil}
		}, map[string]int{"planner": 201, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 201}},
		{"list devices", func(*testing.T) request {
			return request{"GET", fmt.Sprintf("/api/v1/desk/workers/%d/devices", w), nil, nil}
		}, map[string]int{"planner": 200, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 200}},
		{"revoke a device that is not the worker's", func(*testing.T) request {
			return request{"POST", fmt.Sprintf("/api/v1/desk/workers/%d/devices/999999/revoke", w), nil, nil}
		}, map[string]int{"planner": 404, "zevenaar": 404, "coach": 403, "coachZvnr": 403, "admin": 404}},
		{"read notes", func(*testing.T) request {
			return request{"GET", fmt.Sprintf("/api/v1/desk/workers/%d/notes", w), nil, nil}
		}, map[string]int{"planner": 403, "zevenaar": 403, "coach": 200, "coachZvnr": 404, "admin": 403}},
		{"write note", func(*testing.T) request {
			return request{"POST", fmt.Sprintf("/api/v1/desk/workers/%d/notes", w),
				map[string]any{"skill": "safety", "score": 4, "text": "Matrix draagt altijd handschoenen"}, nil}
		}, map[string]int{"planner": 403, "zevenaar": 403, "coach": 201, "coachZvnr": 404, "admin": 403}},
	}
	for _, rt := range routes {
		for _, name := range []string{"anonymous", "wrongToken", "planner", "zevenaar", "coach", "coachZvnr", "admin"} {
			t.Run(rt.name+"/"+name, func(t *testing.T) {
				want, ok := rt.want[name]
				if !ok {
					want = 401
				}
				r := rt.req(t)
				var res *apptest.Response
				if u := users[name]; u == nil {
					res = env.Do(t, r.method, r.path, r.body, r.headers...)
				} else {
					res = u.do(t, r.method, r.path, r.body, r.headers...)
				}
				if res.Status != want {
					t.Fatalf("%s %s as %s = %d, want %d: %.300s", r.method, r.path, name, res.Status, want, res.Body)
				}
				if name == "zevenaar" || name == "coachZvnr" || want >= 400 {
					for _, word := range doetinchemWords {
						if strings.Contains(string(res.Body), word) {
							t.Errorf("%s %s as %s leaks %q: %.400s", r.method, r.path, name, word, res.Body)
						}
					}
				}
				if want == 200 && (name == "planner" || name == "admin") && r.method == "GET" && rt.name != "participation" && rt.name != "list devices" &&
					rt.name != "list absences" && rt.name != "list outflows" &&
					!strings.Contains(string(res.Body), "Oosseld") && !strings.Contains(string(res.Body), "Matrix") {
					t.Errorf("%s %s as %s shows no Doetinchem data: %.300s", r.method, r.path, name, res.Body)
				}
				if want < 300 && !strings.Contains(rt.name, "note") && strings.Contains(string(res.Body), "notitie") {
					t.Errorf("%s %s as %s shows a development note", r.method, r.path, name)
				}
			})
		}
	}
}
