package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
)

// BenchmarkIntake measures sustained report intake through the real HTTP server with 8
// concurrent clients (load generator, server and PostgreSQL share this machine). It
// reports reports/s and p50/p99 latency. In the final round (b.N ≥ 2000) it also runs
// pgbench with a one-row point insert per transaction on the same database, 8 clients,
// and reports its tps and our ratio to it, measured in the same run.
func BenchmarkIntake(b *testing.B) {
	env := apptest.Start(b)
	var points [][2]float64
	rows, err := env.DB.Raw(`
SELECT ST_X(g), ST_Y(g) FROM (
  SELECT (ST_Dump(ST_GeneratePoints(geom, 5000, 42))).geom AS g FROM areas WHERE code = 'GM0222') p`).Rows()
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var p [2]float64
		rows.Scan(&p[0], &p[1])
		points = append(points, p)
	}
	rows.Close()
	categories := []string{"afval.zwerfvuil", "wegen.tegel", "groen.onkruid", "afval.hondenpoep", "wegen.gat", "overlast.graffiti"}

	const clients = 8
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	// The requests are made before the clock starts, as pgbench's are, so the load
	// generator spends its share of the two cores on sending only.
	type request struct {
		body []byte
		key  string
	}
	requests := make([]request, b.N)
	rng := rand.New(rand.NewPCG(1, 7))
	for i := range requests {
		p := points[rng.IntN(len(points))]
		body, _ := json.Marshal(map[string]any{
			"category":    categories[rng.IntN(len(categories))],
			"location":    map[string]any{"type": "Point", "coordinates": []float64{p[0], p[1]}},
			"description": "benchmark",
		})
		requests[i] = request{body: body, key: fmt.Sprintf("bench-%d-%d", b.N, i)}
	}
	var next atomic.Int64
	latencies := make([]time.Duration, b.N)
	var failures atomic.Int64
	b.ResetTimer()
	pgBefore, goBefore := postgresCPU(), processCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				req, _ := http.NewRequest("POST", env.URL+"/api/v1/reports", bytes.NewReader(requests[i].body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", requests[i].key)
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					failures.Add(1)
					continue
				}
				var sink bytes.Buffer
				sink.ReadFrom(res.Body)
				res.Body.Close()
				latencies[i] = time.Since(t0)
				if res.StatusCode != http.StatusCreated {
					failures.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	goUsed := processCPU() - goBefore // first: reading /proc takes this process's CPU too
	pgUsed := postgresCPU() - pgBefore
	b.StopTimer()
	if f := failures.Load(); f > 0 {
		b.Fatalf("%d of %d reports failed", f, b.N)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "reports/s")
	b.ReportMetric(ms(latencies[len(latencies)/2]), "p50_ms")
	b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99_ms")
	// CPU per report is steadier than throughput on a shared machine: what PostgreSQL's
	// processes (on this machine) and this process (server and load generator) used.
	if pgBefore > 0 {
		b.ReportMetric(ms(pgUsed)/float64(b.N), "pg_cpu_ms/report")
	}
	b.ReportMetric(ms(goUsed)/float64(b.N), "go_cpu_ms/report")
	if b.N >= 2000 {
		tps := pgbench(b, env.DB.URL, clients)
		b.ReportMetric(tps, "pgbench_tps")
		b.ReportMetric(rate/tps, "ratio")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pgbench runs a one-row insert of a point per transaction for 10 s and returns its tps.
func pgbench(b *testing.B, url string, clients int) float64 {
	b.Helper()
	bin := "/usr/lib/postgresql/15/bin/pgbench"
	if _, err := os.Stat(bin); err != nil {
		b.Logf("pgbench not found: %v", err)
		return 0
	}
	script := filepath.Join(b.TempDir(), "insert.sql")
	os.WriteFile(script, []byte(
		"\\set x random(620000, 640000)\n"+
			"\\set y random(5190000, 5200000)\n"+
			"INSERT INTO bench_points (geom) VALUES (ST_SetSRID(ST_MakePoint(:x / 100000.0, :y / 100000.0), 4326));\n"), 0o644)
	if err := execSQL(url, `CREATE TABLE IF NOT EXISTS bench_points (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, geom geometry(Point, 4326))`); err != nil {
		b.Fatal(err)
	}
	out, err := exec.Command(bin, "-n", "-c", strconv.Itoa(clients), "-j", "2", "-T", "10", "-f", script, url).CombinedOutput()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("pgbench: no tps in output:\n%s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	return tps
}

func execSQL(url, sql string) error {
	out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql).CombinedOutput()
	if err != nil {
		return fmt.Errorf("psql: %v: %s", err, out)
	}
	return nil
}

// postgresCPU is the CPU time used so far by the PostgreSQL processes on this machine,
// including backends that have exited (counted in their parent's children times); zero
// where /proc cannot tell. Linux reports it in ticks of 1/100 s (USER_HZ).
func postgresCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, f := range stats {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(raw)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || !strings.HasSuffix(s[:i], "(postgres") {
			continue
		}
		fields := strings.Fields(s[i+1:]) // from field 3, the state
		if len(fields) < 15 {
			continue
		}
		for _, n := range fields[11:15] { // utime, stime, cutime, cstime
			v, _ := strconv.ParseInt(n, 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// processCPU is the CPU time this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
