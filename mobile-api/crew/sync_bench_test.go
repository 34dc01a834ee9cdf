package crew_test

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// BenchmarkTaskSync compares a full sync of a worker whose team holds 2,000 open tasks
// with an empty delta sync (304 on the ETag), measured alternately in one run. It reports
// p50/p99 of both and how many times cheaper the empty delta is (target ≥ 20×). It also
// reports the empty delta without the ETag (200 with no tasks: a phone's first poll
// after a full sync, which has no ETag).
func BenchmarkTaskSync(b *testing.B) {
	env := apptest.Start(b)
	p := pairPhoneB(b, env)
	var team int64
	env.DB.Raw(`SELECT id FROM teams WHERE code = 'doetinchem-oosseld'`).Scan(&team)
	err := env.DB.Exec(`
INSERT INTO jobs (category_code, location, area_id, team_id, status, description, due_date, effort_minutes)
SELECT 'afval.zwerfvuil', ST_SetSRID(ST_MakePoint(6.31 + (g % 100) * 0.0001, 51.96 + (g / 100) * 0.0001), 4326),
       (SELECT id FROM areas WHERE code = 'WK022203'), ?, 'assigned', 'Taak ' || g, current_date + (g % 10), 30
FROM generate_series(1, 2000) g`, team).Error
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{}
	get := func(path, etag string) (int, string, []byte, time.Duration) {
		req, _ := http.NewRequest("GET", env.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+p)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		t0 := time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		return res.StatusCode, res.Header.Get("ETag"), body, time.Since(t0)
	}
	status, _, body, _ := get("/mobile/v1/tasks", "")
	if status != 200 {
		b.Fatalf("full sync = %d", status)
	}
	// The cursor of that full sync, and the ETag of the empty delta from it: the path a
	// phone takes on every poll when nothing changed.
	var first struct{ Cursor string }
	if err := json.Unmarshal(body, &first); err != nil || first.Cursor == "" {
		b.Fatalf("full sync without a cursor: %v %s", err, body)
	}
	cursor := first.Cursor
	status, etag, body, _ := get("/mobile/v1/tasks?since="+cursor, "")
	var delta struct{ Full bool }
	if err := json.Unmarshal(body, &delta); status != 200 || err != nil || delta.Full {
		b.Fatalf("delta from %s = %d %s, want a delta", cursor, status, body)
	}

	full := make([]time.Duration, 0, b.N)
	empty := make([]time.Duration, 0, b.N)
	untagged := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, _, _, d := get("/mobile/v1/tasks", "")
		if s != 200 {
			b.Fatalf("full = %d", s)
		}
		full = append(full, d)
		s, _, _, d = get("/mobile/v1/tasks?since="+cursor, etag)
		if s != http.StatusNotModified {
			b.Fatalf("empty delta = %d, want 304", s)
		}
		empty = append(empty, d)
		s, _, _, d = get("/mobile/v1/tasks?since="+cursor, "")
		if s != 200 {
			b.Fatalf("empty delta without ETag = %d", s)
		}
		untagged = append(untagged, d)
	}
	b.StopTimer()
	pct := func(ds []time.Duration, q float64) float64 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return float64(ds[int(float64(len(ds)-1)*q)].Microseconds()) / 1000
	}
	f50, e50 := pct(full, 0.5), pct(empty, 0.5)
	b.ReportMetric(f50, "full_p50_ms")
	b.ReportMetric(pct(full, 0.99), "full_p99_ms")
	b.ReportMetric(e50, "delta_p50_ms")
	b.ReportMetric(pct(empty, 0.99), "delta_p99_ms")
	b.ReportMetric(f50/e50, "cheaper_x")
	b.ReportMetric(pct(untagged, 0.5), "untagged_p50_ms")
}

// pairPhoneB pairs a specialist's phone in Oosseld and returns its token.
func pairPhoneB(b *testing.B, env *apptest.Env) string {
	b.Helper()
	ctx := b.Context()
	var team int64
	env.DB.Raw(`SELECT id FROM teams WHERE code = 'doetinchem-oosseld'`).Scan(&team)
	ws := worker.NewStore(env.DB.DB)
	w, err := ws.Create(ctx, team, worker.Specialist, "Bench")
	if err != nil {
		b.Fatal(err)
	}
	pc, err := ws.IssuePairingCode(ctx, w.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	tok, _, err := ws.Pair(ctx, pc.Code, "")
	if err != nil {
		b.Fatal(err)
	}
	return tok
}
