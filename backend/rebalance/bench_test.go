package rebalance_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/demo"
	jobpkg "wijkwerk/backend/job"
	"wijkwerk/backend/planner"
	"wijkwerk/backend/rebalance"
	"wijkwerk/backend/testdb"
)

// benchSeedVersion changes whenever seedBench does, so the cached template is rebuilt.
const benchSeedVersion = "rebalance4"

// seedBench loads the Doetinchem demo and grows it to 50 teams, 300 workers and
// 100,000 jobs, set-based and deterministic (setseed, seeded ST_GeneratePoints):
//   - teams: the demo's 13, one wijkbeheer team per neighbourhood (27), one
//     stedelijk-beheer team per district (9) and an afval team for Centrum;
//   - workers: 6 per team, 24 to 36 contract hours, a specialist in most teams (every
//     tenth has none), one in ten absent two days of the benchmark week;
//   - jobs: at points in the neighbourhoods, skewed so that the first neighbourhoods get
//     far more work, departments in proportion to their teams; 90.5% done or cancelled,
//     8% open or assigned, 1.5% accepted or started, at the team the routing would pick.
func seedBench(ctx context.Context, db *gorm.DB, week planner.Week) error {
	if err := demo.Seed(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil); err != nil {
		return err
	}
	monday := week.Monday().Format(time.DateOnly)
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, q := range []string{
			`SELECT setseed(0.42)`,
			`INSERT INTO teams (code, name)
SELECT 'bench-wb-' || a.code, 'Ploeg ' || a.name FROM areas a WHERE a.kind = 'neighbourhood' AND a.code LIKE 'BU0222%'`,
			`INSERT INTO team_areas (area_id, department, team_id)
SELECT a.id, 'wijkbeheer', t.id FROM areas a JOIN teams t ON t.code = 'bench-wb-' || a.code`,
			`INSERT INTO teams (code, name)
SELECT 'bench-sb-' || a.code, 'Stedelijk Beheer ' || a.name FROM areas a WHERE a.kind = 'district' AND a.code LIKE 'WK0222%'`,
			`INSERT INTO team_areas (area_id, department, team_id)
SELECT a.id, 'stedelijk_beheer', t.id FROM areas a JOIN teams t ON t.code = 'bench-sb-' || a.code`,
			`INSERT INTO teams (code, name) VALUES ('bench-afval-centrum', 'Afval Centrum')`,
			`INSERT INTO team_areas (area_id, department, team_id)
SELECT a.id, 'afval', t.id FROM areas a, teams t WHERE a.code = 'WK022201' AND t.code = 'bench-afval-centrum'`,
			// 6 workers per team.
			`CREATE TEMP TABLE bench_workers ON COMMIT DROP AS
SELECT t.id AS team_id, k,
       CASE WHEN k IN (0, 4) AND t.id % 10 <> 3 THEN 'specialist' WHEN k = 3 THEN 'seconded' ELSE 'trainee' END AS role,
       24 + (random() * 12)::int AS hours
FROM teams t, generate_series(0, 5) k`,
			`WITH w AS (
  INSERT INTO workers (name, role, contract_hours)
  SELECT 'Werker ' || team_id || '-' || k, role, hours FROM bench_workers ORDER BY team_id, k
  RETURNING id, name)
INSERT INTO worker_teams (worker_id, team_id)
SELECT w.id, b.team_id FROM w JOIN bench_workers b ON w.name = 'Werker ' || b.team_id || '-' || b.k`,
			`INSERT INTO worker_absences (worker_id, from_date, to_date, reason)
SELECT id, CAST(@monday AS date) + 1, CAST(@monday AS date) + 2, 'leave' FROM workers WHERE id % 10 = 7`,
			// 400 points per neighbourhood, neighbourhoods in code order.
			`CREATE TEMP TABLE bench_points ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY a.code, p.path) - 1 AS n, a.id AS area_id, a.parent_id AS district_id, p.geom
FROM areas a, LATERAL ST_Dump(ST_GeneratePoints(a.geom, 400, 7)) p
WHERE a.kind = 'neighbourhood' AND a.code LIKE 'BU0222%'`,
			// Categories drawn so that each department gets work in proportion to its busy
			// teams (27 neighbourhood teams for wijkbeheer, 9 district teams for stedelijk
			// beheer, ...); the demo's district wijkbeheer teams and the municipal stedelijk
			// beheer team get nothing: they are the room.
			`CREATE TEMP TABLE bench_cats ON COMMIT DROP AS
WITH c AS (
  SELECT code, department, effort_minutes,
         CASE department WHEN 'wijkbeheer' THEN 27 WHEN 'stedelijk_beheer' THEN 9 WHEN 'afval' THEN 2 ELSE 1 END
           / CAST(count(*) OVER (PARTITION BY department) AS float8) AS w
  FROM categories WHERE department IS NOT NULL)
SELECT code, department, effort_minutes,
       (sum(w) OVER (ORDER BY code) - w) / sum(w) OVER () AS lo, sum(w) OVER (ORDER BY code) / sum(w) OVER () AS hi
FROM c`,
			`INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes)
SELECT c.code, p.geom, p.area_id,
       COALESCE(
         (SELECT ta.team_id FROM team_areas ta WHERE ta.department = c.department AND ta.area_id = p.area_id),
         (SELECT ta.team_id FROM team_areas ta WHERE ta.department = c.department AND ta.area_id = p.district_id),
         (SELECT ta.team_id FROM team_areas ta JOIN areas m ON m.id = ta.area_id
          WHERE ta.department = c.department AND m.code = 'GM0222')),
       CASE WHEN r.s < 0.82 THEN 'done' WHEN r.s < 0.905 THEN 'cancelled' WHEN r.s < 0.965 THEN 'assigned'
            WHEN r.s < 0.985 THEN 'open' WHEN r.s < 0.995 THEN 'accepted' ELSE 'in_progress' END,
       CAST(@monday AS date) + (random() * 28)::int - 14,
       c.effort_minutes
FROM (SELECT i, random() AS s, floor(power(random(), 1.6) * (SELECT count(*) FROM bench_points))::int AS pt,
             random() AS u
      FROM generate_series(1, 100000) i) r
JOIN bench_points p ON p.n = r.pt
JOIN bench_cats c ON r.u >= c.lo AND r.u < c.hi`,
			`ANALYZE`,
		} {
			var args []any
			if strings.Contains(q, "@monday") {
				args = append(args, map[string]any{"monday": monday})
			}
			if err := tx.Exec(q, args...).Error; err != nil {
				return fmt.Errorf("%w in %.60s", err, q)
			}
		}
		return nil
	})
}

// BenchmarkRebalance measures a suggestion for the Doetinchem planner on 50 teams, 300
// workers and 100,000 jobs: loading the input from PostgreSQL and computing the moves
// (Load + Suggest), at the API's default of 100 moves and its maximum of 1000. Besides
// the time it reports how far the result's highest utilisation is from the lower bound
// (max/bound; 1 would be provably optimal).
//
//	go test ./backend/rebalance -run '^$' -bench Rebalance -benchtime 20x
func BenchmarkRebalance(b *testing.B) {
	ctx := context.Background()
	week := planner.Week{Year: 2026, Number: 48}
	db := testdb.NewSeeded(b, "bench"+benchSeedVersion, func(ctx context.Context, db *gorm.DB) error {
		return seedBench(ctx, db, week)
	})
	users := access.NewStore(db.DB)
	if _, err := users.CreateUser(ctx, "bench@doetinchem.nl", "lang-genoeg-wachtwoord", access.Planner, []string{"GM0222"}); err != nil {
		b.Fatal(err)
	}
	tok, _, err := users.Login(ctx, "bench@doetinchem.nl", "lang-genoeg-wachtwoord")
	if err != nil {
		b.Fatal(err)
	}
	u, err := users.Authenticate(ctx, tok)
	if err != nil {
		b.Fatal(err)
	}
	var counts struct{ Teams, Workers, Jobs int }
	db.Raw(`SELECT (SELECT count(*) FROM teams) AS teams, (SELECT count(*) FROM workers) AS workers, (SELECT count(*) FROM jobs) AS jobs`).Scan(&counts)
	if counts.Teams != 50 || counts.Workers != 300 || counts.Jobs != 100000 {
		b.Fatalf("seeded %+v, want 50 teams, 300 workers, 100000 jobs", counts)
	}
	store := rebalance.NewStore(db.DB, jobpkg.Updates{PushTTL: time.Hour})

	for _, bc := range []struct {
		name     string
		maxMoves int
	}{{"moves=100", 100}, {"moves=1000", 1000}} {
		b.Run(bc.name, func(b *testing.B) {
			var res rebalance.Result
			var in rebalance.Input
			for b.Loop() {
				var err error
				in, err = store.Load(ctx, u, week)
				if err != nil {
					b.Fatal(err)
				}
				in.MaxMoves = bc.maxMoves
				res = rebalance.Suggest(in)
			}
			b.StopTimer()
			report(b, in, res)
		})
	}

	// The algorithm alone, without a move limit and with every team above half its hours
	// giving work: how close does the greedy get when it may balance all the way?
	in, err := store.Load(ctx, u, week)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("compute-unlimited", func(b *testing.B) {
		in := in
		in.MaxMoves, in.Threshold = math.MaxInt, 0.5
		var res rebalance.Result
		for b.Loop() {
			res = rebalance.Suggest(in)
		}
		b.StopTimer()
		report(b, in, res)
	})
}

func report(b *testing.B, in rebalance.Input, res rebalance.Result) {
	b.Helper()
	elapsed := float64(b.Elapsed().Milliseconds()) / float64(b.N)
	b.ReportMetric(elapsed, "ms/op")
	b.ReportMetric(float64(len(in.Jobs)), "movable")
	b.ReportMetric(float64(len(res.Moves)), "moves")
	b.ReportMetric(float64(res.MaxBefore), "max-before")
	b.ReportMetric(float64(res.MaxAfter), "max-after")
	b.ReportMetric(float64(res.LowerBound), "bound")
	b.ReportMetric(float64(res.MaxAfter)/float64(res.LowerBound), "max/bound")
}
