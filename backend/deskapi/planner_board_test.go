package deskapi_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app/apptest"
)

// holidays are the Dutch holidays the crews have off in 2026 and 2027, written out by
// hand so that the check below does not reuse the code it checks.
const holidays = `{2026-01-01,2026-04-06,2026-04-27,2026-05-14,2026-05-25,2026-12-25,2026-12-26,
2027-01-01,2027-03-29,2027-04-27,2027-05-06,2027-05-17,2027-12-25,2027-12-26}`

// boardJSON is the part of the board the check reads.
type boardJSON struct {
	Week         string `json:"week"`
	Today        string `json:"today"`
	DueSoonUntil string `json:"due_soon_until"`
	Teams        []struct {
		ID             int64    `json:"id"`
		Code           string   `json:"code"`
		OpenJobs       int      `json:"open_jobs"`
		EstimatedHours float64  `json:"estimated_hours"`
		Overdue        int      `json:"overdue"`
		DueSoon        int      `json:"due_soon"`
		CapacityHours  float64  `json:"capacity_hours"`
		Utilisation    *float64 `json:"utilisation"`
		Workers        struct {
			Specialist, Trainee, Seconded, Enforcement int
		} `json:"workers"`
	} `json:"teams"`
	Districts []struct {
		Code           string  `json:"code"`
		OpenJobs       int     `json:"open_jobs"`
		EstimatedHours float64 `json:"estimated_hours"`
		Overdue        int     `json:"overdue"`
		DueSoon        int     `json:"due_soon"`
	} `json:"districts"`
	Unassigned       loadJSON `json:"unassigned"`
	OutsideDistricts loadJSON `json:"outside_districts"`
	Total            loadJSON `json:"total"`
}

type loadJSON struct {
	OpenJobs       int     `json:"open_jobs"`
	EstimatedHours float64 `json:"estimated_hours"`
	Overdue        int     `json:"overdue"`
	DueSoon        int     `json:"due_soon"`
}

// loadFigures are what the independent SQL computes for one group.
type loadFigures struct {
	Key     string
	Jobs    int
	Minutes int64
	Overdue int
	DueSoon int
}

// seedBoard fills the demo with workers, absences, outflows and jobs in many states.
func seedBoard(t *testing.T, env *apptest.Env) {
	t.Helper()
	today := amsterdamToday()
	rnd := rand.New(rand.NewPCG(48, 2026))
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := env.DB.Exec(sql, args...).Error; err != nil {
			t.Fatalf("%v: %s", err, sql)
		}
	}
	// Workers: contract hours, placement windows, several teams, absences, an outflow,
	// one inactive.
	teams := []string{"doetinchem-oosseld", "doetinchem-wehl", "doetinchem-centrum", "doetinchem-noord", "doetinchem-afval"}
	roles := []string{"specialist", "trainee", "trainee", "seconded"}
	for i := 0; i < 24; i++ {
		var start, end any
		if i%5 == 1 {
			start = "2026-11-25" // mid-week W48
		}
		// Without a placement start a worker counts from the day they were registered
		// (in Amsterdam: 23:30 UTC on the 25th is the 26th there).
		registered := "2026-01-05 09:00+01"
		if i%3 == 0 {
			registered = "2026-11-25 23:30+00"
		}
		if i%7 == 2 {
			end = "2026-11-24"
		}
		if i%11 == 3 {
			end = "2026-04-28"
		}
		var id int64
		err := env.DB.Raw(`INSERT INTO workers (name, role, contract_hours, placement_start, contract_end, active, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, fmt.Sprintf("Bord %d", i), roles[i%len(roles)], []float64{32, 36, 24, 40, 16.5}[i%5],
			start, end, i != 13, registered).Scan(&id).Error
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO worker_teams (worker_id, team_id) SELECT ?, id FROM teams WHERE code = ?`, id, teams[i%len(teams)])
		if i%4 == 0 {
			exec(`INSERT INTO worker_teams (worker_id, team_id) SELECT ?, id FROM teams WHERE code = ?`, id, teams[(i+2)%len(teams)])
		}
		switch i % 6 {
		case 0:
			exec(`INSERT INTO worker_absences (worker_id, from_date, to_date, reason) VALUES (?, '2026-11-19', '2026-11-24', 'sick')`, id)
		case 3:
			exec(`INSERT INTO worker_absences (worker_id, from_date, to_date, reason) VALUES (?, '2026-11-26', '2026-12-02', 'leave')`, id)
			exec(`INSERT INTO worker_absences (worker_id, from_date, to_date, reason) VALUES (?, '2026-04-28', '2026-04-28', 'training')`, id)
		}
		if i == 9 {
			exec(`INSERT INTO worker_outflows (worker_id, date, kind) VALUES (?, '2026-11-26', 'regular_job')`, id)
		}
	}
	// Jobs in neighbourhoods, districts and the municipality itself; some with no team;
	// some in Zevenaar; every status; due dates around today; some effort overrides.
	areas := []string{"BU02220301", "BU02220302", "BU02220901", "BU02220101", "WK022203", "WK022202", "GM0222", "BU02220803", "GM0299"}
	cats := []string{"afval.zwerfvuil", "groen.gras", "afval.grofvuil", "wegen.tegel", "groen.boom"}
	statuses := []string{"open", "assigned", "assigned", "accepted", "in_progress", "done", "cannot_complete", "cancelled"}
	teamOf := []string{"doetinchem-oosseld", "doetinchem-wehl", "doetinchem-centrum", "doetinchem-afval", "doetinchem-stedelijk-beheer", ""}
	for i := 0; i < 240; i++ {
		area := areas[rnd.IntN(len(areas))]
		team := teamOf[rnd.IntN(len(teamOf))]
		status := statuses[rnd.IntN(len(statuses))]
		if status == "open" {
			team = ""
		}
		id := newJob(t, env, cats[rnd.IntN(len(cats))], area, team, status, today.AddDate(0, 0, rnd.IntN(15)-6))
		if rnd.IntN(4) == 0 {
			exec(`UPDATE jobs SET effort_override_minutes = ? WHERE id = ?`, 10+rnd.IntN(300), id)
		}
	}
}

// scopeSQL is the set of area ids in a user's scope: the GM0222 subtree, or all.
func scopeSQL(admin bool) string {
	if admin {
		return `SELECT id FROM areas`
	}
	return `SELECT a.id FROM areas a LEFT JOIN areas p ON p.id = a.parent_id LEFT JOIN areas g ON g.id = p.parent_id
WHERE 'GM0222' IN (a.code, p.code, g.code)`
}

// expectedLoads computes the open work per group with SQL written apart from the
// implementation: group is a SQL expression over j (job), a (its area) and p (the
// parent area). The work is that in the user's scope; with teamsToo also that of the
// teams serving an area in it, wherever it lies (a team's load).
func expectedLoads(t *testing.T, env *apptest.Env, admin bool, group string, teamsToo ...bool) map[string]loadFigures {
	t.Helper()
	scope := `j.area_id IN (` + scopeSQL(admin) + `)`
	if len(teamsToo) > 0 && teamsToo[0] {
		scope = `(` + scope + ` OR j.team_id IN (SELECT team_id FROM team_areas WHERE area_id IN (` + scopeSQL(admin) + `)))`
	}
	var rows []loadFigures
	err := env.DB.Raw(`
WITH today AS (SELECT (now() AT TIME ZONE 'Europe/Amsterdam')::date AS d),
     soon AS (SELECT d FROM generate_series((SELECT d FROM today) + 1, (SELECT d FROM today) + 14, interval '1 day') AS g(d)
              WHERE extract(isodow FROM d) < 6 AND NOT d::date = ANY(?::date[]) ORDER BY d OFFSET 1 LIMIT 1)
SELECT COALESCE(`+group+`, '') AS key, count(*) AS jobs,
       sum(CASE WHEN j.effort_override_minutes IS NOT NULL THEN j.effort_override_minutes ELSE j.effort_minutes END) AS minutes,
       sum(CASE WHEN j.due_date < (SELECT d FROM today) THEN 1 ELSE 0 END) AS overdue,
       sum(CASE WHEN j.due_date BETWEEN (SELECT d FROM today) AND (SELECT d FROM soon) THEN 1 ELSE 0 END) AS due_soon
FROM jobs j JOIN areas a ON a.id = j.area_id LEFT JOIN areas p ON p.id = a.parent_id
WHERE j.status NOT IN ('done', 'cannot_complete', 'cancelled') AND `+scope+`
GROUP BY 1`, holidays).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]loadFigures{}
	for _, r := range rows {
		out[r.Key] = r
	}
	return out
}

// expectedCapacity computes each team's capacity in the week of monday, and its workers
// per role, with SQL written apart from the implementation.
func expectedCapacity(t *testing.T, env *apptest.Env, monday string) (map[int64]float64, map[string]int) {
	t.Helper()
	var caps []struct {
		TeamID int64
		Hours  float64
	}
	const workerSQL = `
s AS (SELECT w.*, COALESCE(w.placement_start, (w.created_at AT TIME ZONE 'Europe/Amsterdam')::date) AS start FROM workers w),
w AS (SELECT w.id, w.role, w.contract_hours::float8 AS hours, w.start AS first_day,
             LEAST(w.contract_end, (SELECT min(o.date) - 1 FROM worker_outflows o WHERE o.worker_id = w.id
                                    AND o.date >= w.start)) AS last_day,
             (SELECT count(*) FROM worker_teams x WHERE x.worker_id = w.id) AS teams
      FROM s w WHERE w.active)`
	err := env.DB.Raw(`
WITH days AS (SELECT d::date AS d FROM generate_series(?::date, ?::date + 4, interval '1 day') AS g(d)
              WHERE NOT d::date = ANY(?::date[])),
`+workerSQL+`
SELECT wt.team_id, sum(w.hours / w.teams * (
         SELECT count(*) FROM days WHERE (w.first_day IS NULL OR days.d >= w.first_day)
           AND (w.last_day IS NULL OR days.d <= w.last_day)
           AND NOT EXISTS (SELECT 1 FROM worker_absences ab WHERE ab.worker_id = w.id AND days.d BETWEEN ab.from_date AND ab.to_date)
       ) / 5.0) AS hours
FROM w JOIN worker_teams wt ON wt.worker_id = w.id
GROUP BY wt.team_id`, monday, monday, holidays).Scan(&caps).Error
	if err != nil {
		t.Fatal(err)
	}
	capacity := map[int64]float64{}
	for _, c := range caps {
		capacity[c.TeamID] = c.Hours
	}
	var roles []struct {
		TeamID int64
		Role   string
		N      int
	}
	err = env.DB.Raw(`WITH `+workerSQL+`
SELECT wt.team_id, w.role, count(*) AS n FROM w JOIN worker_teams wt ON wt.worker_id = w.id
WHERE (w.first_day IS NULL OR w.first_day <= ?::date + 6) AND (w.last_day IS NULL OR w.last_day >= ?::date)
GROUP BY 1, 2`, monday, monday).Scan(&roles).Error
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, r := range roles {
		counts[fmt.Sprintf("%d/%s", r.TeamID, r.Role)] = r.N
	}
	return capacity, counts
}

func TestBoardMatchesSQL(t *testing.T) {
	env := startPlanner(t)
	seedBoard(t, env)
	users := map[string]*desk{
		"planner": signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222"),
		"admin":   signIn(t, env, "admin@wijkwerk.nl", access.Admin),
	}
	for _, week := range []struct{ week, monday string }{
		{"2026-W48", "2026-11-23"}, {"2026-W18", "2026-04-27"}, {"2026-W49", "2026-11-30"},
	} {
		for name, u := range users {
			t.Run(week.week+"/"+name, func(t *testing.T) {
				admin := name == "admin"
				res := u.do(t, "GET", "/api/v1/planner/board?week="+week.week, nil)
				if res.Status != 200 {
					t.Fatalf("board = %d %s", res.Status, res.Body)
				}
				var b boardJSON
				res.JSON(t, &b)
				if b.Week != week.week {
					t.Errorf("week = %s", b.Week)
				}
				// A team's load is all its open work, also outside the planner's areas (the
				// seed has Doetinchem teams' jobs in Zevenaar); the rest of the board is
				// the work in the planner's areas.
				byTeam := expectedLoads(t, env, admin, `j.team_id::text`, true)
				capacity, roles := expectedCapacity(t, env, week.monday)
				var teamsInScope []int64
				env.DB.Raw(`SELECT DISTINCT team_id FROM team_areas WHERE area_id IN (` + scopeSQL(admin) + `)`).Scan(&teamsInScope)
				if len(b.Teams) != len(teamsInScope) {
					t.Errorf("%d teams, want %d", len(b.Teams), len(teamsInScope))
				}
				for _, tm := range b.Teams {
					want := byTeam[fmt.Sprint(tm.ID)]
					if tm.OpenJobs != want.Jobs || !near(tm.EstimatedHours, float64(want.Minutes)/60) ||
						tm.Overdue != want.Overdue || tm.DueSoon != want.DueSoon {
						t.Errorf("team %s: got %d jobs %.2fh %d overdue %d soon; want %+v", tm.Code, tm.OpenJobs,
							tm.EstimatedHours, tm.Overdue, tm.DueSoon, want)
					}
					if !near(tm.CapacityHours, capacity[tm.ID]) {
						t.Errorf("team %s: capacity %.2f, want %.2f", tm.Code, tm.CapacityHours, capacity[tm.ID])
					}
					switch {
					case capacity[tm.ID] == 0 && tm.Utilisation != nil:
						t.Errorf("team %s: utilisation %v without capacity", tm.Code, *tm.Utilisation)
					case capacity[tm.ID] > 0 && (tm.Utilisation == nil ||
						math.Abs(*tm.Utilisation-float64(want.Minutes)/60/capacity[tm.ID]) > 0.001):
						t.Errorf("team %s: utilisation %v, want %.3f", tm.Code, tm.Utilisation, float64(want.Minutes)/60/capacity[tm.ID])
					}
					w := tm.Workers
					for role, got := range map[string]int{"specialist": w.Specialist, "trainee": w.Trainee, "seconded": w.Seconded, "enforcement": w.Enforcement} {
						if want := roles[fmt.Sprintf("%d/%s", tm.ID, role)]; got != want {
							t.Errorf("team %s: %d %s, want %d", tm.Code, got, role, want)
						}
					}
				}
				// Districts: the job's own area when it is a district, else its parent
				// when that is one.
				byDistrict := expectedLoads(t, env, admin,
					`CASE WHEN a.kind = 'district' THEN a.code WHEN p.kind = 'district' THEN p.code END`)
				outside := byDistrict[""]
				delete(byDistrict, "")
				if len(b.Districts) != len(byDistrict) {
					t.Errorf("%d districts, want %d", len(b.Districts), len(byDistrict))
				}
				for _, d := range b.Districts {
					want := byDistrict[d.Code]
					if d.OpenJobs != want.Jobs || !near(d.EstimatedHours, float64(want.Minutes)/60) || d.Overdue != want.Overdue || d.DueSoon != want.DueSoon {
						t.Errorf("district %s: got %+v, want %+v", d.Code, d, want)
					}
				}
				check := func(what string, got loadJSON, want loadFigures) {
					if got.OpenJobs != want.Jobs || !near(got.EstimatedHours, float64(want.Minutes)/60) || got.Overdue != want.Overdue || got.DueSoon != want.DueSoon {
						t.Errorf("%s: got %+v, want %+v", what, got, want)
					}
				}
				check("outside districts", b.OutsideDistricts, outside)
				check("unassigned", b.Unassigned, byTeam[""])
				total := expectedLoads(t, env, admin, `'all'`)["all"]
				check("total", b.Total, total)
				var elsewhere int
				env.DB.Raw(`SELECT count(*) FROM jobs j WHERE j.team_id IS NOT NULL AND j.area_id NOT IN (` + scopeSQL(false) + `)
AND j.status NOT IN ('done', 'cannot_complete', 'cancelled')`).Scan(&elsewhere)
				if elsewhere == 0 {
					t.Errorf("the data has no open team work outside the planner's areas")
				}
				if total.Jobs == 0 || outside.Jobs == 0 || byTeam[""].Jobs == 0 || total.Overdue == 0 || total.DueSoon == 0 {
					t.Errorf("the data does not cover every case: %+v %+v %+v", total, outside, byTeam[""])
				}
				var soon string
				env.DB.Raw(`SELECT d::date::text FROM generate_series((now() AT TIME ZONE 'Europe/Amsterdam')::date + 1,
(now() AT TIME ZONE 'Europe/Amsterdam')::date + 14, interval '1 day') AS g(d)
WHERE extract(isodow FROM d) < 6 AND NOT d::date = ANY(?::date[]) ORDER BY d OFFSET 1 LIMIT 1`, holidays).Scan(&soon)
				if b.DueSoonUntil != soon || b.Today != amsterdamToday().Format(time.DateOnly) {
					t.Errorf("today %s, due soon until %s; want %s", b.Today, b.DueSoonUntil, soon)
				}
			})
		}
	}
	// A week that does not exist is a 422 problem.
	for _, bad := range []string{"2026-W54", "2025-W53", "48", "2026-11-23"} {
		res := users["planner"].do(t, "GET", "/api/v1/planner/board?week="+bad, nil)
		if res.Status != 422 || res.Map(t)["type"] != "/problems/validation-failed" {
			t.Errorf("week %s = %d %s", bad, res.Status, res.Body)
		}
	}
}

// A district planner plans all the work of the district's team, also a job a planner of
// the whole municipality moved to it from another district: it is in the team's load,
// the overdue list and may have its effort set; the district's totals stay its own.
func TestDistrictPlannerSeesTheirTeamsWorkElsewhere(t *testing.T) {
	env := startPlanner(t)
	centrum := signIn(t, env, "centrum@doetinchem.nl", access.Planner, "WK022201")
	moved := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-centrum", "assigned", amsterdamToday().AddDate(0, 0, -3))
	oosseldJob := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", amsterdamToday().AddDate(0, 0, -3))

	var b boardJSON
	centrum.do(t, "GET", "/api/v1/planner/board?week=2026-W48", nil).JSON(t, &b)
	found := false
	for _, tm := range b.Teams {
		if tm.Code == "doetinchem-centrum" {
			found = tm.OpenJobs == 1 && tm.Overdue == 1
		}
	}
	if !found {
		t.Errorf("board teams = %+v, want Ploeg Centrum with the moved job", b.Teams)
	}
	res := centrum.do(t, "GET", "/api/v1/planner/overdue", nil)
	if !strings.Contains(string(res.Body), fmt.Sprintf(`"id":%d`, moved)) || strings.Contains(string(res.Body), fmt.Sprintf(`"id":%d`, oosseldJob)) {
		t.Errorf("overdue = %s, want job %d and not %d (another district's team)", res.Body, moved, oosseldJob)
	}
	if res := centrum.do(t, "PUT", fmt.Sprintf("/api/v1/planner/jobs/%d/effort", moved), map[string]any{"minutes": 45}); res.Status != 200 {
		t.Errorf("effort of the team's job = %d %s", res.Status, res.Body)
	}
	if res := centrum.do(t, "PUT", fmt.Sprintf("/api/v1/planner/jobs/%d/effort", oosseldJob), map[string]any{"minutes": 45}); res.Status != 404 {
		t.Errorf("effort of another district's job = %d %s", res.Status, res.Body)
	}
}
