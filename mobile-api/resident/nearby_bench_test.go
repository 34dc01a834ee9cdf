package resident_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
)

// BenchmarkNearby measures GET /api/v1/reports/nearby with many reports in the database
// (WIJKWERK_BENCH_REPORTS, default 1,000,000, seeded set-based: one job per report, a
// third of them still open, spread over Doetinchem), through the HTTP server, and the
// bare query through the pool for comparison. It reports p50/p99 (target p99 < 5 ms).
func BenchmarkNearby(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("WIJKWERK_BENCH_REPORTS")); err == nil && v > 0 {
		n = v
	}
	env := apptest.Start(b)
	err := env.DB.Exec(`
WITH a AS (SELECT id FROM areas WHERE code = 'GM0222'),
j AS (
  INSERT INTO jobs (category_code, location, area_id, status, description, due_date, effort_minutes)
  SELECT (ARRAY['afval.zwerfvuil','wegen.tegel','groen.onkruid','afval.hondenpoep'])[1 + g % 4],
         ST_SetSRID(ST_MakePoint(6.21 + random() * 0.14, 51.93 + random() * 0.06), 4326),
         a.id, (ARRAY['open','done','done'])[1 + g % 3], '', current_date, 30
  FROM generate_series(1, ?) g, a
  RETURNING id, category_code, location, area_id)
INSERT INTO reports (tracking_code, job_id, category_code, location, area_id)
SELECT 'B' || j.id, j.id, j.category_code, j.location, j.area_id FROM j`, n).Error
	if err != nil {
		b.Fatal(err)
	}
	// Measure the steady state of a database that holds these reports, not the minutes
	// after a bulk load: vacuum (hint bits, visibility map, statistics) and flush the
	// load to disk first, so autovacuum and the checkpointer do not run during the timing.
	for _, q := range []string{`VACUUM (ANALYZE) jobs`, `VACUUM (ANALYZE) reports`, `CHECKPOINT`} {
		if err := env.DB.Exec(q).Error; err != nil {
			b.Fatal(err)
		}
	}
	client := &http.Client{}
	rng := rand.New(rand.NewPCG(1, 2))
	get := func() time.Duration {
		url := fmt.Sprintf("%s/api/v1/reports/nearby?lon=%f&lat=%f&category=afval.zwerfvuil", env.URL,
			6.22+rng.Float64()*0.12, 51.94+rng.Float64()*0.04)
		t0 := time.Now()
		res, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(t0)
		if res.StatusCode != 200 {
			b.Fatalf("nearby = %d", res.StatusCode)
		}
		return d
	}
	for i := 0; i < 200; i++ { // warm the caches and the connection pool
		get()
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lat = append(lat, get())
	}
	b.StopTimer()
	var sqlLat []time.Duration
	for i := 0; i < 2000; i++ {
		t0 := time.Now()
		var rows []struct{ ID int64 }
		env.DB.Raw(`SELECT j.id FROM jobs j WHERE j.status IN ('open','assigned','accepted','in_progress')
 AND ST_DWithin(j.location::geography, ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography, 50) AND j.category_code = 'afval.zwerfvuil'
 ORDER BY j.location::geography <-> ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography LIMIT 20`,
			6.22+rng.Float64()*0.12, 51.94+rng.Float64()*0.04, 6.3, 51.96).Scan(&rows)
		sqlLat = append(sqlLat, time.Since(t0))
	}
	sort.Slice(sqlLat, func(i, j int) bool { return sqlLat[i] < sqlLat[j] })
	b.ReportMetric(float64(sqlLat[1000].Microseconds())/1000, "sql_p50_ms")
	b.ReportMetric(float64(sqlLat[1980].Microseconds())/1000, "sql_p99_ms")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}
