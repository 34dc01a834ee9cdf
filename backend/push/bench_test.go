package push

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/push/fakefcm"
	"wijkwerk/backend/testdb"
)

// Size of BenchmarkFanOut: benchJobs jobs spread over benchTeams teams of
// benchDevicesPerTeam devices, one push per job. Lower benchJobs for a quick look.
const (
	benchJobs           = 10_000
	benchTeams          = 50
	benchDevicesPerTeam = 6
)

// benchSetupSQL builds the teams, workers, devices and jobs set-based, so the setup
// takes a moment even for many jobs. {teams}, {devices} and {jobs} stand for the sizes.
var benchSetupSQL = []string{
	`INSERT INTO areas (code, name, kind, geom)
VALUES ('GM0226', 'Duiven', 'municipality', ST_Multi(ST_MakeEnvelope(6.2, 51.9, 6.4, 52.0, 4326)))`,
	`INSERT INTO categories (code, name_nl, name_en, department) VALUES ('zwerfafval', 'Zwerfafval', 'Litter', 'wijkbeheer')`,
	`INSERT INTO teams (code, name) SELECT 'T' || g, 'Ploeg ' || g FROM generate_series(1, {teams}) g`,
	`INSERT INTO workers (name, role) SELECT 'Werker ' || g, 'trainee' FROM generate_series(1, {teams} * {devices}) g`,
	`INSERT INTO worker_teams (worker_id, team_id)
SELECT w.id, t.id
FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM workers) w
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM teams) t ON t.n = w.n / {devices}`,
	`INSERT INTO devices (worker_id, token_hash, fcm_token, platform)
SELECT id, sha256(('device-' || id)::bytea), 'bench-token-' || id || '-xxxxxxxxxxxxxxxx', 'android' FROM workers`,
	`INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes)
SELECT 'zwerfafval', ST_SetSRID(ST_MakePoint(6.3, 51.95), 4326), (SELECT id FROM areas), t.id, 'assigned', current_date + 3, 30
FROM generate_series(1, {jobs}) g
JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM teams) t ON t.n = g % {teams}`,
}

// benchEnqueueSQL is what Enqueue writes, for every job at once.
const benchEnqueueSQL = `
INSERT INTO push_outbox (job_id, team_id, kind, version, title_nl, body_nl, expires_at)
SELECT id, team_id, 'assigned', version, 'Nieuwe taak', 'Er is een nieuwe taak voor jullie ploeg.', now() + interval '1 hour'
FROM jobs`

// BenchmarkFanOut sends one push per job to every device of the job's team and reports
// pushes per second and sdk_share: the part of the wall time during which at least one
// SendEachForMulticast was running (the rest is the worker's own work, mostly SQL).
func BenchmarkFanOut(b *testing.B) {
	ctx := context.Background()
	db := testdb.New(b)
	fcm, url := fakefcm.Start(b)
	client, err := NewClient(ctx, url, "bench")
	if err != nil {
		b.Fatal(err)
	}
	sizes := strings.NewReplacer(
		"{teams}", strconv.Itoa(benchTeams),
		"{devices}", strconv.Itoa(benchDevicesPerTeam),
		"{jobs}", strconv.Itoa(benchJobs))
	for _, q := range benchSetupSQL {
		if err := db.Exec(sizes.Replace(q)).Error; err != nil {
			b.Fatalf("setup: %v", err)
		}
	}
	w := NewWorker(db.DB, client, nil, Options{})
	want := benchJobs * benchDevicesPerTeam

	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		fcm.Reset()
		if err := db.Exec(`TRUNCATE push_outbox, push_deliveries`).Error; err != nil {
			b.Fatal(err)
		}
		if err := db.Exec(benchEnqueueSQL).Error; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		start := time.Now()
		n, err := w.RunOnce(ctx)
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		if n != benchJobs {
			b.Fatalf("handled %d rows, want %d", n, benchJobs)
		}
		if got := len(fcm.Messages()); got != want {
			b.Fatalf("fake FCM recorded %d messages, want %d", got, want)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(want*b.N)/elapsed.Seconds(), "pushes/s")
	b.ReportMetric(w.sdk.busy().Seconds()/elapsed.Seconds(), "sdk_share")
}
