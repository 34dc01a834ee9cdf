// Package testdb gives each test a fresh PostGIS database built from the migrations.
//
// It needs WIJKWERK_TEST_DATABASE_URL, the URL of a database on a cluster where it may
// create databases (`make test` provisions one). A migrated template database is built once
// per schema version; every New clones it, which takes milliseconds.
//
// A test's database is named for the host and process that made it (wwt_HOST_PID_RANDOM)
// and dropped when the test ends. What a killed test run left behind, and templates of
// other schema versions that no test used for a day (another branch's that is still in
// use stays), are dropped the first time a process builds or finds a template (sweep), so
// a developer's cluster does not fill up.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/migrations"
)

// EnvURL names the environment variable with the admin database URL.
const EnvURL = "WIJKWERK_TEST_DATABASE_URL"

// DB is a fresh database for one test.
type DB struct {
	*gorm.DB
	// URL connects to this database; give it to code that opens its own connections.
	URL string
}

// New creates a database from the migrated template and drops it when the test ends.
func New(tb testing.TB) *DB {
	tb.Helper()
	return NewSeeded(tb, "", nil)
}

// NewSeeded is New with data: seed runs once on a copy of the migrated template, which
// becomes a template of its own named by key (change key when the seed changes), and the
// test gets a clone of that. Loading the demo once instead of per test saves seconds.
func NewSeeded(tb testing.TB, key string, seed func(ctx context.Context, db *gorm.DB) error) *DB {
	tb.Helper()
	ctx := context.Background()
	adm, admin := openAdmin(tb)
	defer adm.Close()

	tpl := ensureTemplate(tb, ctx, adm, admin, "", nil)
	if seed != nil {
		tpl = ensureTemplate(tb, ctx, adm, admin, key, func(dsn string) error {
			db, err := database.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer database.Close(db)
			return seed(ctx, db)
		})
	}
	return create(tb, ctx, adm, admin, fmt.Sprintf(`TEMPLATE %q`, tpl))
}

// Empty returns a fresh database without a schema and without PostGIS, dropped when the
// test ends: for tests of migrating itself.
func Empty(tb testing.TB) *DB {
	tb.Helper()
	adm, admin := openAdmin(tb)
	defer adm.Close()
	return create(tb, context.Background(), adm, admin, `TEMPLATE template0`)
}

// openAdmin connects to the cluster's admin database (WIJKWERK_TEST_DATABASE_URL).
func openAdmin(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	admin := adminURL(tb)
	adm, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	return adm, admin
}

// create makes a database named for this process (see sweep) with the CREATE DATABASE
// options given, and drops it when the test ends.
func create(tb testing.TB, ctx context.Context, adm *sql.DB, admin, options string) *DB {
	tb.Helper()
	name := fmt.Sprintf("%s%d_%s", clonePrefix(), os.Getpid(), randomHex(6))
	if _, err := adm.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %q %s`, name, options)); err != nil {
		tb.Fatalf("testdb: create %s: %v", name, err)
	}
	dsn := withDatabase(tb, admin, name)
	db, err := database.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	tb.Cleanup(func() {
		_ = database.Close(db)
		adm, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer adm.Close()
		if _, err := adm.ExecContext(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, name)); err != nil {
			tb.Logf("testdb: drop %s: %v", name, err)
		}
	})
	return &DB{DB: db, URL: dsn}
}

func adminURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		tb.Fatalf("testdb: %s is not set; run the tests with `make test`, which provisions PostGIS", EnvURL)
	}
	return u
}

// ensureTemplate builds a template once per schema version (and seed key): the migrated
// schema when build is nil, else a copy of it on which build ran. An advisory lock keeps
// parallel test packages from building it twice.
func ensureTemplate(tb testing.TB, ctx context.Context, adm *sql.DB, admin, key string, build func(dsn string) error) string {
	tb.Helper()
	base := "wwt_template_" + schemaHash(tb)
	tpl := base
	if build != nil {
		tpl = base + "_" + key
	}
	conn, err := adm.Conn(ctx)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(774411)`); err != nil {
		tb.Fatalf("testdb: lock: %v", err)
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(774411)`)
	swept.Do(func() { sweep(tb, ctx, conn, base) })

	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tpl).Scan(&exists); err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	if exists {
		touch(tb, ctx, conn, tpl)
		return tpl
	}
	building := tpl + "_building"
	conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, building))
	if build == nil {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %q`, building)); err != nil {
			tb.Fatalf("testdb: create template: %v", err)
		}
		stamp(tb, ctx, conn, building)
		db, err := sql.Open("pgx", withDatabase(tb, admin, building))
		if err != nil {
			tb.Fatalf("testdb: %v", err)
		}
		err = migrations.Up(ctx, db)
		db.Close()
		if err != nil {
			tb.Fatalf("testdb: migrate template: %v", err)
		}
	} else {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %q TEMPLATE %q`, building, base)); err != nil {
			tb.Fatalf("testdb: create template: %v", err)
		}
		stamp(tb, ctx, conn, building)
		if err := build(withDatabase(tb, admin, building)); err != nil {
			conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, building))
			tb.Fatalf("testdb: seed template: %v", err)
		}
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %q RENAME TO %q`, building, tpl)); err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	touch(tb, ctx, conn, tpl)
	return tpl
}

var (
	swept   sync.Once
	touched sync.Map // template name → true once this process stamped it
)

// templateIdle is how long a template of another schema version is kept unused.
const templateIdle = 24 * time.Hour

// touch stamps template tpl as used now (its database comment), once per process.
func touch(tb testing.TB, ctx context.Context, conn *sql.Conn, tpl string) {
	if _, done := touched.LoadOrStore(tpl, true); done {
		return
	}
	stamp(tb, ctx, conn, tpl)
}

// stamp marks database name as used now (its database comment). A template being built
// is stamped too: the advisory lock that keeps builders apart holds within one database
// only, so a test process that connects to another database of the cluster (a second
// checkout with its own WIJKWERK_TEST_DATABASE_URL, whose schema differs) would otherwise
// take it for an idle template of another schema and sweep it mid-build.
func stamp(tb testing.TB, ctx context.Context, conn *sql.Conn, name string) {
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`COMMENT ON DATABASE %q IS 'wijkwerk test template, used %d'`, name, time.Now().Unix())); err != nil {
		tb.Logf("testdb: %v", err)
	}
}

// sweep drops, without force (a database in use stays), the test databases of this
// host's processes that have ended, and templates of other schema versions than base
// that were not used for templateIdle. Test databases of other hosts on a shared
// cluster are left alone.
func sweep(tb testing.TB, ctx context.Context, conn *sql.Conn, base string) {
	rows, err := conn.QueryContext(ctx, `
SELECT datname, COALESCE(substring(shobj_description(oid, 'pg_database') FROM 'used ([0-9]+)$'), '0')::bigint
FROM pg_database WHERE datname LIKE 'wwt\_%'`)
	if err != nil {
		tb.Logf("testdb: sweep: %v", err)
		return
	}
	type db struct {
		name string
		used int64
	}
	var dbs []db
	for rows.Next() {
		var d db
		if rows.Scan(&d.name, &d.used) == nil {
			dbs = append(dbs, d)
		}
	}
	rows.Close()
	for _, d := range dbs {
		if !stale(d.name, base, time.Since(time.Unix(d.used, 0))) {
			continue
		}
		n := d.name
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q`, n)); err != nil {
			tb.Logf("testdb: sweep: %v", err)
		}
	}
}

// stale tells whether sweep may drop database name: a template (or one being built) of
// another schema version than base, unused for templateIdle (idle), or a test database
// of an ended process of this host.
func stale(name, base string, idle time.Duration) bool {
	if strings.HasPrefix(name, "wwt_template_") {
		return !strings.HasPrefix(name, base) && idle >= templateIdle
	}
	rest, ok := strings.CutPrefix(name, clonePrefix())
	if !ok {
		return false
	}
	pid, _, ok := strings.Cut(rest, "_")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 || n == os.Getpid() {
		return false
	}
	return errors.Is(syscall.Kill(n, 0), syscall.ESRCH)
}

// clonePrefix starts the names of this host's test databases.
func clonePrefix() string {
	host, _ := os.Hostname()
	h := sha256.Sum256([]byte(host))
	return "wwt_" + hex.EncodeToString(h[:3]) + "_"
}

func schemaHash(tb testing.TB) string {
	tb.Helper()
	files := migrations.Files()
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(files, n)
		if err != nil {
			tb.Fatalf("testdb: %v", err)
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withDatabase(tb testing.TB, dsn, name string) string {
	tb.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("testdb: bad %s: %v", EnvURL, err)
	}
	u.Path = "/" + strings.TrimPrefix(name, "/")
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
