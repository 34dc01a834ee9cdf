package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/demo/demotest"
	"wijkwerk/backend/testdb"
	"wijkwerk/backend/worker"
)

// An operator adds the team of another municipality from the command line: it takes
// that municipality's jobs of the departments named; bad input is refused with a clear
// message and changes nothing.
func TestTeamCreate(t *testing.T) {
	db := demotest.DB(t)
	t.Setenv("WIJKWERK_DATABASE_URL", db.URL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	out := captureStdout(t, func() {
		// A hidden character in the name (residents read it on the tracking page) is taken out.
		if err := run([]string{"team", "create", "--code", "zevenaar-centrum", "--name", "Ploeg\u202e Zevenaar\a",
			"--serves", "GM0299:wijkbeheer, GM0299:afval"}, log); err != nil {
			t.Fatal(err)
		}
	})
	id, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		t.Fatalf("output %q is not a team id", out)
	}
	var name string
	db.Raw(`SELECT name FROM teams WHERE id = ?`, id).Scan(&name)
	if name != "Ploeg Zevenaar" {
		t.Errorf("team name %q", name)
	}
	var serves []string
	db.Raw(`SELECT a.code || ':' || ta.department FROM team_areas ta JOIN areas a ON a.id = ta.area_id
WHERE ta.team_id = ? ORDER BY 1`, id).Scan(&serves)
	if strings.Join(serves, ",") != "GM0299:afval,GM0299:wijkbeheer" {
		t.Errorf("team %d serves %v", id, serves)
	}
	for _, tt := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--code", "x", "--name", "X", "--serves", "GM0299:groen"}, "is not AREA:DEPARTMENT"},
		{[]string{"--code", "x", "--name", "X", "--serves", "GM0299"}, "is not AREA:DEPARTMENT"},
		{[]string{"--code", "x", "--name", "X"}, "at least one AREA:DEPARTMENT"},
		{[]string{"--code", "x", "--name", "X", "--serves", "GM9999:afval"}, "area GM9999 does not exist"},
		{[]string{"--name", "X", "--serves", "GM0299:afval"}, "usage: wijkwerk team create"},
	} {
		err := run(append([]string{"team", "create"}, tt.args...), log)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("team create %v: err = %v, want %q", tt.args, err, tt.wantErr)
		}
	}
	var n int64
	db.Raw(`SELECT count(*) FROM teams WHERE code = 'x'`).Scan(&n)
	if n != 0 {
		t.Error("a refused team create left a team")
	}
	// A second team for work that a team has: the work moves, and the operator is told.
	said := captureStderr(t, func() {
		captureStdout(t, func() {
			if err := run([]string{"team", "create", "--code", "zevenaar-afval", "--name", "Ploeg Afval Zevenaar", "--serves", "GM0299:afval"}, log); err != nil {
				t.Fatal(err)
			}
		})
	})
	if !strings.Contains(said, "GM0299:afval was served by Ploeg Zevenaar (zevenaar-centrum); new jobs there now go to Ploeg Afval Zevenaar") {
		t.Errorf("taking over work: stderr %q", said)
	}
	if said := captureStderr(t, func() {
		captureStdout(t, func() {
			run([]string{"team", "create", "--code", "zevenaar-afval", "--name", "Ploeg Afval Zevenaar", "--serves", "GM0299:afval"}, log)
		})
	}); said != "" {
		t.Errorf("the same again: stderr %q", said)
	}
}

func captureStdout(t *testing.T, fn func()) string { return capture(t, &os.Stdout, fn) }

func captureStderr(t *testing.T, fn func()) string { return capture(t, &os.Stderr, fn) }

// capture returns what fn writes to *f (os.Stdout or os.Stderr), up to 64 KiB.
func capture(t *testing.T, f **os.File, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := *f
	*f = w
	defer func() { *f = old }()
	fn()
	w.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}

// An operator lists the Open311 clients' keys (never the keys themselves) and revokes a
// leaked one, which stops working at once.
func TestOpen311KeyListAndRevoke(t *testing.T) {
	db := demotest.DB(t)
	t.Setenv("WIJKWERK_DATABASE_URL", db.URL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	key := strings.TrimSpace(captureStdout(t, func() {
		if err := run([]string{"open311-key", "create", "Meldapp"}, log); err != nil {
			t.Fatal(err)
		}
	}))
	list := captureStdout(t, func() {
		if err := run([]string{"open311-key", "list"}, log); err != nil {
			t.Fatal(err)
		}
	})
	if !strings.Contains(list, "\tMeldapp\t") || !strings.Contains(list, "\tactive") || strings.Contains(list, key) {
		t.Fatalf("list = %q", list)
	}
	id := strings.SplitN(list, "\t", 2)[0]
	if err := run([]string{"open311-key", "revoke", id}, log); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"open311-key", "revoke", id}, log); err != nil {
		t.Errorf("revoking again: %v", err)
	}
	list = captureStdout(t, func() { run([]string{"open311-key", "list"}, log) })
	if !strings.Contains(list, "\trevoked ") {
		t.Errorf("list after revoke = %q", list)
	}
	var live int64
	db.Raw(`SELECT count(*) FROM open311_keys WHERE revoked_at IS NULL`).Scan(&live)
	if live != 0 {
		t.Errorf("%d keys still work", live)
	}
	for _, args := range [][]string{{"revoke", "999999"}, {"revoke", "x"}, {"revoke"}, {"list", "extra"}, {"delete", "1"}} {
		if err := run(append([]string{"open311-key"}, args...), log); err == nil {
			t.Errorf("open311-key %v: no error", args)
		}
	}
}

// A desk user who leaves loses access at once: the open session stops working and
// signing in fails.
func TestUserDeactivate(t *testing.T) {
	db := demotest.DB(t)
	t.Setenv("WIJKWERK_DATABASE_URL", db.URL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	users := access.NewStore(db.DB)
	ctx := context.Background()
	const pw = "lang-genoeg-wachtwoord"
	if _, err := users.CreateUser(ctx, "vertrokken@doetinchem.nl", pw, access.Planner, []string{"GM0222"}); err != nil {
		t.Fatal(err)
	}
	token, _, err := users.Login(ctx, "vertrokken@doetinchem.nl", pw)
	if err != nil {
		t.Fatal(err)
	}
	// A new password (a leaked one) ends the open sessions too.
	if _, err := users.CreateUser(ctx, "vertrokken@doetinchem.nl", pw+"-nieuw", access.Planner, []string{"GM0222"}); err != nil {
		t.Fatal(err)
	}
	if _, err := users.Authenticate(ctx, token); err == nil {
		t.Error("the session opened before the new password still works")
	}
	if token, _, err = users.Login(ctx, "vertrokken@doetinchem.nl", pw+"-nieuw"); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"user", "deactivate", "--email", " Vertrokken@Doetinchem.nl "}, log); err != nil {
		t.Fatal(err)
	}
	if _, err := users.Authenticate(ctx, token); err == nil {
		t.Error("the open session still works")
	}
	if _, _, err := users.Login(ctx, "vertrokken@doetinchem.nl", pw); err == nil {
		t.Error("signing in still works")
	}
	if err := run([]string{"user", "deactivate", "--email", "onbekend@doetinchem.nl"}, log); err == nil || !strings.Contains(err.Error(), "no desk user") {
		t.Errorf("unknown user: err = %v", err)
	}
}

// An operator ends a crew member's access from the command line: the phone is refused
// and unpaired; the worker stays, with their hours.
func TestWorkerDeactivate(t *testing.T) {
	db := demotest.DB(t)
	t.Setenv("WIJKWERK_DATABASE_URL", db.URL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	workers := worker.NewStore(db.DB)
	var teamID int64
	db.Raw(`SELECT id FROM teams ORDER BY id LIMIT 1`).Scan(&teamID)
	w, err := workers.Create(ctx, teamID, worker.Specialist, "Vertrokken Vakman")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := workers.IssuePairingCode(ctx, w.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := workers.Pair(ctx, pc.Code, "android")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := workers.Authenticate(ctx, token); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"deactivated", "was already inactive"} {
		out := captureStdout(t, func() {
			if err := run([]string{"worker", "deactivate", strconv.FormatInt(w.ID, 10)}, log); err != nil {
				t.Fatal(err)
			}
		})
		if !strings.Contains(out, want) {
			t.Errorf("deactivate %d: %q, want %q", i, out, want)
		}
	}
	if _, err := workers.Authenticate(ctx, token); err == nil {
		t.Error("the phone still works")
	}
	var state struct {
		Active  bool
		Revoked bool
	}
	db.Raw(`SELECT w.active, d.revoked_at IS NOT NULL AS revoked FROM workers w JOIN devices d ON d.worker_id = w.id WHERE w.id = ?`, w.ID).Scan(&state)
	if state.Active || !state.Revoked {
		t.Errorf("after deactivating: %+v", state)
	}
	// And back: the worker is active again; the old phone stays unpaired.
	out := captureStdout(t, func() {
		if err := run([]string{"worker", "reactivate", strconv.FormatInt(w.ID, 10)}, log); err != nil {
			t.Fatal(err)
		}
	})
	var active bool
	db.Raw(`SELECT active FROM workers WHERE id = ?`, w.ID).Scan(&active)
	if !strings.Contains(out, "reactivated") || !active {
		t.Errorf("reactivate: %q, active %v", out, active)
	}
	if _, err := workers.Authenticate(ctx, token); err == nil {
		t.Error("the old phone works again")
	}
	if err := run([]string{"worker", "resume", "1"}, log); err == nil || !strings.Contains(err.Error(), "create|deactivate|reactivate") {
		t.Errorf("worker resume: %v", err)
	}
	for args, want := range map[string]string{"999999": "no worker 999999", "x": "must be a worker id", "": "usage: wijkwerk worker deactivate"} {
		cmd := []string{"worker", "deactivate"}
		if args != "" {
			cmd = append(cmd, args)
		}
		if err := run(cmd, log); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("worker deactivate %q: err = %v, want %q", args, err, want)
		}
	}
}

func TestRetireAreas(t *testing.T) {
	db := demotest.DB(t)
	t.Setenv("WIJKWERK_DATABASE_URL", db.URL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := run([]string{"retire-areas"}, log); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no codes: err = %v", err)
	}
	if err := run([]string{"retire-areas", "WK022209", "GM9999"}, log); err == nil || !strings.Contains(err.Error(), "GM9999") {
		t.Errorf("unknown code: err = %v", err)
	}
	if err := run([]string{"retire-areas", " WK022209 "}, log); err != nil {
		t.Fatal(err)
	}
	var live int
	if err := db.Raw(`SELECT count(*) FROM areas c LEFT JOIN areas p ON p.id = c.parent_id
	                  WHERE (c.code = 'WK022209' OR p.code = 'WK022209') AND c.retired_at IS NULL`).Scan(&live).Error; err != nil {
		t.Fatal(err)
	}
	if live != 0 {
		t.Errorf("%d areas of Wehl are still in use", live)
	}
}

// TestCategoriesLoad: a municipality's own database (no demo) gets the categories without
// the demo; loading again keeps what an admin changed, --replace sets it back.
func TestCategoriesLoad(t *testing.T) {
	db := testdb.New(t)
	t.Setenv("WIJKWERK_DATABASE_URL", db.URL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	count := func() (n int) {
		t.Helper()
		if err := db.Raw(`SELECT count(*) FROM categories WHERE active`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("%d active categories before loading", n)
	}
	if err := run([]string{"categories", "load"}, log); err != nil {
		t.Fatal(err)
	}
	loaded := count()
	if loaded < 20 {
		t.Fatalf("%d active categories after loading", loaded)
	}
	days := func() (d int) {
		t.Helper()
		db.Raw(`SELECT handling_days FROM categories WHERE code = 'wegen.tegel'`).Scan(&d)
		return d
	}
	want := days()
	if err := db.Exec(`UPDATE categories SET handling_days = 99 WHERE code = 'wegen.tegel'`).Error; err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"categories", "load"}, log); err != nil || count() != loaded || days() != 99 {
		t.Errorf("loading again: %v, %d categories, handling days %d; want %d and the admin's 99", err, count(), days(), loaded)
	}
	if err := run([]string{"categories", "load", "--replace"}, log); err != nil || days() != want {
		t.Errorf("--replace: %v, handling days %d, want %d", err, days(), want)
	}
	for _, args := range [][]string{{"categories"}, {"categories", "drop"}, {"categories", "load", "a.json", "b.json"}} {
		if err := run(args, log); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("%v: err = %v", args, err)
		}
	}
	if err := run([]string{"categories", "load", filepath.Join(t.TempDir(), "missing.json")}, log); err == nil {
		t.Error("a missing file loaded")
	}
}

// TestCommandsNeedMigrations: an operator's command on a database whose migrations are
// pending says to run migrate, instead of failing on a missing table.
func TestCommandsNeedMigrations(t *testing.T) {
	db := testdb.New(t)
	t.Setenv("WIJKWERK_DATABASE_URL", db.URL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := db.Exec(`DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`).Error; err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"erase-contacts"}, {"categories", "load"}, {"retire-areas", "GM0222"}, {"open311-key", "list"},
		{"import-areas", filepath.Join("..", "..", "demo", "data", "doetinchem-wijken-buurten.geojson")},
	} {
		if err := run(args, log); err == nil || !strings.Contains(err.Error(), "run `wijkwerk migrate` first") {
			t.Errorf("%v: err = %v", args, err)
		}
	}
}
