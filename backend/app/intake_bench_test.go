package app_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
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
// and reports its tps and our ratio to it, measured in the same run. It also reports the
// CPU of PostgreSQL and of this process per report, and the WAL written per report and
// per pgbench transaction.
//
// BENCH_SQL (statements separated by ';') runs on the fresh database before the clock
// starts: for experiments such as dropping a constraint, measured without a migration.
func BenchmarkIntake(b *testing.B) {
	env := apptest.Start(b)
	for _, q := range strings.Split(os.Getenv("BENCH_SQL"), ";") {
		if strings.TrimSpace(q) == "" {
			continue
		}
		if err := env.DB.Exec(q).Error; err != nil {
			b.Fatal(err)
		}
	}
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
	// The load generator is lean, as pgbench's client is: each client has its own
	// connection and writes requests serialized before the clock starts, and reads the
	// answers with net/http's parser, without the Transport's two goroutines per
	// connection and their hand-offs (measured: they cost about a sixth of this
	// process's CPU, which the server and PostgreSQL share the two cores with).
	addr := env.Server.Listener.Addr().String()
	requests := make([][]byte, b.N)
	rng := rand.New(rand.NewPCG(1, 7))
	for i := range requests {
		p := points[rng.IntN(len(points))]
		body, _ := json.Marshal(map[string]any{
			"category":    categories[rng.IntN(len(categories))],
			"location":    map[string]any{"type": "Point", "coordinates": []float64{p[0], p[1]}},
			"description": "benchmark",
		})
		requests[i] = fmt.Appendf(nil, "POST /api/v1/reports HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
			"Idempotency-Key: bench-%d-%d\r\nContent-Length: %d\r\n\r\n%s", addr, b.N, i, len(body), body)
	}
	conns := make([]net.Conn, clients)
	for w := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		conns[w] = c
	}
	var next atomic.Int64
	latencies := make([]time.Duration, b.N)
	var failures atomic.Int64
	var firstFailure sync.Once
	b.ResetTimer()
	walBefore := walStats(b, env)
	pgBefore, goBefore := postgresCPU(), processCPU()
	start := time.Now()
	var wg sync.WaitGroup
	for _, conn := range conns {
		wg.Go(func() {
			br := bufio.NewReader(conn)
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				res, err := roundTrip(conn, br, requests[i])
				latencies[i] = time.Since(t0)
				if err != nil || res != http.StatusCreated {
					failures.Add(1)
					firstFailure.Do(func() { b.Logf("report %d: status %d, %v", i, res, err) })
					if err != nil {
						return
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	goUsed := processCPU() - goBefore // first: reading /proc takes this process's CPU too
	pgUsed := postgresCPU() - pgBefore
	walUsed := walStats(b, env).minus(walBefore)
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
	b.ReportMetric(walUsed.bytes/float64(b.N), "wal_B/report")
	b.ReportMetric(walUsed.fpi/float64(b.N), "wal_fpi/report")
	if b.N >= 2000 {
		walBefore := walStats(b, env)
		tps := pgbench(b, env.DB.URL, clients)
		walUsed := walStats(b, env).minus(walBefore)
		b.ReportMetric(walUsed.bytes/walUsed.xacts, "pgbench_wal_B/tx")
		b.ReportMetric(tps, "pgbench_tps")
		b.ReportMetric(rate/tps, "ratio")
	}
}

type wal struct{ bytes, fpi, xacts float64 }

func (w wal) minus(o wal) wal { return wal{w.bytes - o.bytes, w.fpi - o.fpi, w.xacts - o.xacts} }

// walStats reads the cluster's WAL counters and the database's commits.
func walStats(b *testing.B, env *apptest.Env) wal {
	var w wal
	err := env.DB.Raw(`SELECT wal_bytes::float8, wal_fpi::float8,
  (SELECT xact_commit::float8 FROM pg_stat_database WHERE datname = current_database()) FROM pg_stat_wal`).Row().Scan(&w.bytes, &w.fpi, &w.xacts)
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// roundTrip writes one serialized request and reads its answer, returning its status.
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte) (int, error) {
	if _, err := conn.Write(req); err != nil {
		return 0, err
	}
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, err
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
