package open311_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"
)

// benchReportsSQL seeds n reports, each with its own job, spread evenly over the last
// 365 days, over the demo's categories, neighbourhoods, teams and job states.
const benchReportsSQL = `
WITH cats AS (SELECT array_agg(code ORDER BY code) AS a FROM categories WHERE department IS NOT NULL),
     areas AS (SELECT array_agg(id ORDER BY id) AS a FROM areas WHERE kind = 'neighbourhood'),
     teams AS (SELECT array_agg(id ORDER BY id) AS a FROM teams),
     st AS (SELECT ARRAY['open','assigned','accepted','in_progress','done','cannot_complete','cancelled'] AS a),
     j AS (
  INSERT INTO jobs (category_code, location, area_id, team_id, status, description, due_date, effort_minutes, created_at, updated_at)
  SELECT cats.a[1 + i % cardinality(cats.a)],
         ST_SetSRID(ST_MakePoint(6.24 + (i % 997) * 0.0001, 51.93 + (i % 983) * 0.00007), 4326),
         areas.a[1 + i % cardinality(areas.a)],
         CASE WHEN i % 4 = 0 THEN NULL ELSE teams.a[1 + i % cardinality(teams.a)] END,
         CASE WHEN i % 4 = 0 THEN 'open' ELSE st.a[2 + i % 6] END,
         'bench', (now() - make_interval(secs => i * 31536000.0 / @n))::date + 5, 30,
         now() - make_interval(secs => i * 31536000.0 / @n), now() - make_interval(secs => i * 31536000.0 / @n) + interval '1 hour'
  FROM generate_series(1, @n) AS i, cats, areas, teams, st
  RETURNING id, category_code, location, area_id, created_at
)
INSERT INTO reports (tracking_code, job_id, category_code, location, area_id, description, channel, created_at)
SELECT 'B' || lpad((id / 100000)::text, 4, '0') || '-' || lpad((id % 100000)::text, 5, '0'),
       id, category_code, location, area_id, 'Benchmarkmelding', 'open311', created_at
FROM j`

// rawRequestsSQL is what GET requests asks the database, written out by hand.
const rawRequestsSQL = `
SELECT r.tracking_code, r.created_at, r.description, ST_X(r.location) AS lon, ST_Y(r.location) AS lat,
       r.category_code, c.name_nl, c.name_en, c.handling_days,
       j.status, j.reason, j.due_date, GREATEST(j.updated_at, r.created_at) AS updated_at,
       COALESCE(t.name, '') AS team_name
FROM reports r
JOIN jobs j ON j.id = r.job_id
JOIN categories c ON c.code = r.category_code
LEFT JOIN teams t ON t.id = j.team_id
WHERE r.created_at BETWEEN $1 AND $2
ORDER BY r.created_at DESC, r.id DESC
LIMIT 1000`

// BenchmarkOpen311Requests compares GET requests.json for the last month (1000 requests,
// the spec's limit) with running its SQL directly and scanning the rows, on
// WIJKWERK_BENCH_REPORTS reports (default 100000) spread over a year. It reports both,
// per request, and their ratio.
func BenchmarkOpen311Requests(b *testing.B) {
	n := 100000
	if s := os.Getenv("WIJKWERK_BENCH_REPORTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("WIJKWERK_BENCH_REPORTS=%q is not a positive number", s)
		}
	}
	s := start(b)
	t0 := time.Now()
	if err := s.env.DB.Exec(benchReportsSQL, map[string]any{"n": n}).Error; err != nil {
		b.Fatal(err)
	}
	if err := s.env.DB.Exec(`ANALYZE`).Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d reports in %v", n, time.Since(t0).Round(time.Millisecond))

	now := time.Now()
	from, to := now.AddDate(0, -1, 0), now
	path := s.url + "/open311/v2/requests.json?start_date=" + url.QueryEscape(from.Format(time.RFC3339)) +
		"&end_date=" + url.QueryEscape(to.Format(time.RFC3339))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	var body bytes.Buffer
	get := func() []byte {
		res, err := client.Get(path)
		if err != nil {
			b.Fatal(err)
		}
		body.Reset()
		_, err = body.ReadFrom(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("GET requests.json = %d %v: %.300s", res.StatusCode, err, body.Bytes())
		}
		return body.Bytes()
	}
	sqlDB, err := s.env.DB.DB.DB()
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := sqlDB.Prepare(rawRequestsSQL)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	query := func() int {
		rows, err := stmt.Query(from, to)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		var (
			code, desc, cat, nameNL, nameEN, status, reason, team string
			created, due, updated                                 time.Time
			lon, lat                                              float64
			days                                                  int
			count                                                 int
		)
		for rows.Next() {
			if err := rows.Scan(&code, &created, &desc, &lon, &lat, &cat, &nameNL, &nameEN, &days, &status, &reason, &due, &updated, &team); err != nil {
				b.Fatal(err)
			}
			count++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		return count
	}

	var got []json.RawMessage
	if err := json.Unmarshal(get(), &got); err != nil {
		b.Fatal(err)
	}
	want := query()
	if len(got) != want {
		b.Fatalf("GET returned %d requests, the SQL %d", len(got), want)
	}

	var httpTime, sqlTime time.Duration
	ops := 0
	for b.Loop() {
		t := time.Now()
		get()
		httpTime += time.Since(t)
		t = time.Now()
		query()
		sqlTime += time.Since(t)
		ops++
	}
	httpMS := float64(httpTime.Microseconds()) / 1000 / float64(ops)
	sqlMS := float64(sqlTime.Microseconds()) / 1000 / float64(ops)
	b.ReportMetric(httpMS, "http_ms/op")
	b.ReportMetric(sqlMS, "sql_ms/op")
	b.ReportMetric(httpMS/sqlMS, "ratio")
	b.ReportMetric(float64(want), "requests")
}
