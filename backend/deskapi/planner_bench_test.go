package deskapi_test

import (
	"io"
	"net/http"
	"sort"
	"testing"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app/apptest"
)

// seedBench grows the Doetinchem demo to 50 teams, 300 workers and 100,000 jobs, with
// set-based SQL. About a third of the jobs are open; the rest are closed history.
func seedBench(b *testing.B, env *apptest.Env) {
	b.Helper()
	for _, sql := range []string{
		// 27 neighbourhood teams for wijkbeheer and 10 for afval: 13 + 37 = 50 teams.
		`INSERT INTO teams (code, name) SELECT 'bench-' || code, 'Bench ' || name FROM areas WHERE kind = 'neighbourhood' AND code LIKE 'BU0222%'`,
		`INSERT INTO team_areas (area_id, department, team_id) SELECT a.id, 'wijkbeheer', t.id FROM areas a JOIN teams t ON t.code = 'bench-' || a.code`,
		`INSERT INTO teams (code, name) SELECT 'bench-afval-' || code, 'Bench afval ' || name FROM
		   (SELECT code, name FROM areas WHERE kind = 'neighbourhood' AND code LIKE 'BU0222%' ORDER BY code LIMIT 10) a`,
		`INSERT INTO team_areas (area_id, department, team_id) SELECT a.id, 'afval', t.id FROM areas a JOIN teams t ON t.code = 'bench-afval-' || a.code`,
		// 300 workers, one team each, every seventh in a second team; absences, outflows.
		`INSERT INTO workers (name, role, contract_hours, placement_start, contract_end)
		 SELECT 'Bench ' || g, (ARRAY['specialist','trainee','trainee','seconded'])[1 + g % 4], (ARRAY[32, 36, 24, 40, 28])[1 + g % 5],
		        CASE WHEN g % 10 = 0 THEN current_date - 30 END, CASE WHEN g % 17 = 0 THEN current_date + 3 END
		 FROM generate_series(1, 300) g`,
		`INSERT INTO worker_teams (worker_id, team_id)
		 SELECT w.id, t.id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM workers) w
		 JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM teams) t ON t.rn = 1 + w.rn % 50`,
		`INSERT INTO worker_teams (worker_id, team_id)
		 SELECT w.id, t.id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM workers) w
		 JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM teams) t ON t.rn = 1 + (w.rn + 7) % 50
		 WHERE w.rn % 7 = 0`,
		`INSERT INTO worker_absences (worker_id, from_date, to_date, reason)
		 SELECT id, current_date - (id % 5)::int, current_date + (id % 3)::int, 'leave' FROM workers WHERE id % 5 = 0`,
		`INSERT INTO worker_outflows (worker_id, date, kind) SELECT id, current_date + 1, 'regular_job' FROM workers WHERE id % 23 = 0`,
		// 100,000 jobs in Doetinchem's districts and neighbourhoods.
		`WITH t AS (SELECT array_agg(id ORDER BY id) AS ids FROM teams),
		      a AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(ST_PointOnSurface(geom) ORDER BY id) AS pts
		            FROM areas WHERE code LIKE 'BU0222%' OR code LIKE 'WK0222%'),
		      c AS (SELECT array_agg(code ORDER BY code) AS codes, array_agg(effort_minutes ORDER BY code) AS efforts
		            FROM categories WHERE department IS NOT NULL)
		 INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes, effort_override_minutes)
		 SELECT c.codes[1 + g % cardinality(c.codes)], a.pts[1 + (g * 7) % cardinality(a.ids)], a.ids[1 + (g * 7) % cardinality(a.ids)],
		        CASE WHEN g % 100 BETWEEN 67 AND 69 THEN NULL ELSE t.ids[1 + (g * 13) % cardinality(t.ids)] END,
		        CASE WHEN g % 100 < 60 THEN 'done' WHEN g % 100 < 65 THEN 'cancelled' WHEN g % 100 < 67 THEN 'cannot_complete'
		             WHEN g % 100 < 70 THEN 'open' WHEN g % 100 < 85 THEN 'assigned' WHEN g % 100 < 92 THEN 'accepted' ELSE 'in_progress' END,
		        current_date + (g % 41) - 20, c.efforts[1 + g % cardinality(c.codes)], CASE WHEN g % 20 = 0 THEN 45 END
		 FROM generate_series(1, 100000) g, t, a, c`,
		`VACUUM ANALYZE jobs`,
		`ANALYZE`,
	} {
		if err := env.DB.Exec(sql).Error; err != nil {
			b.Fatalf("seed: %v\n%s", err, sql)
		}
	}
	var teams, workers, jobs, open int64
	env.DB.Raw(`SELECT (SELECT count(*) FROM teams), (SELECT count(*) FROM workers), (SELECT count(*) FROM jobs),
(SELECT count(*) FROM jobs WHERE status IN ('open','assigned','accepted','in_progress'))`).Row().Scan(&teams, &workers, &jobs, &open)
	b.Logf("seeded %d teams, %d workers, %d jobs (%d open)", teams, workers, jobs, open)
}

// BenchmarkBoard measures GET /api/v1/planner/board through the HTTP server for a
// Doetinchem planner, on 50 teams, 300 workers and 100,000 jobs. It reports the median
// and 99th percentile latency of the requests it made. The target is p99 < 100 ms.
func BenchmarkBoard(b *testing.B) {
	env := startPlanner(b)
	seedBench(b, env)
	tok := benchLogin(b, env)
	run := func(b *testing.B, path string) {
		get := func() time.Duration {
			req, _ := http.NewRequest("GET", env.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			start := time.Now()
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			d := time.Since(start)
			if res.StatusCode != 200 {
				b.Fatalf("%s = %d", path, res.StatusCode)
			}
			return d
		}
		for range 5 {
			get() // warm the pool and the plan cache
		}
		times := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for range b.N {
			times = append(times, get())
		}
		b.StopTimer()
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		pct := func(p float64) float64 {
			return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("board/33k-open", func(b *testing.B) { run(b, "/api/v1/planner/board?week=2026-W48") })
	b.Run("overdue/33k-open", func(b *testing.B) { run(b, "/api/v1/planner/overdue") })
	// The worst case: every job open.
	if err := env.DB.Exec(`UPDATE jobs SET status = 'assigned', team_id = COALESCE(team_id, (SELECT min(id) FROM teams))
WHERE status NOT IN ('open','assigned','accepted','in_progress')`).Error; err != nil {
		b.Fatal(err)
	}
	env.DB.Exec(`VACUUM ANALYZE jobs`)
	b.Run("board/100k-open", func(b *testing.B) { run(b, "/api/v1/planner/board?week=2026-W48") })
}

func benchLogin(b *testing.B, env *apptest.Env) string {
	b.Helper()
	if _, err := access.NewStore(env.DB.DB).CreateUser(b.Context(), "bench@doetinchem.nl", password, access.Planner, []string{"GM0222"}); err != nil {
		b.Fatal(err)
	}
	res := env.Do(b, "POST", "/api/v1/desk/login", map[string]string{"email": "bench@doetinchem.nl", "password": password})
	if res.Status != 200 {
		b.Fatalf("login = %d %s", res.Status, res.Body)
	}
	return res.Map(b)["token"].(string)
}
