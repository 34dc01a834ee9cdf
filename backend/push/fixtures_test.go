package push

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"firebase.google.com/go/v4/messaging"
	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/logtest"
	"wijkwerk/backend/push/fakefcm"
	"wijkwerk/backend/testdb"
)

// fixture is a database with one area and category, and a fake FCM with an SDK client
// pointed at it.
type fixture struct {
	t        testing.TB
	ctx      context.Context
	db       *testdb.DB
	fcm      *fakefcm.Server
	fcmURL   string
	client   *messaging.Client
	areaID   int64
	category string
	logs     *logtest.Buffer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, ctx: ctx, db: testdb.New(t), category: "zwerfafval", logs: &logtest.Buffer{}}
	f.fcm, f.fcmURL = fakefcm.Start(t)
	client, err := NewClient(ctx, f.fcmURL, "test-project")
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	f.client = client
	f.areaID = f.id(`INSERT INTO areas (code, name, kind, geom)
VALUES ('GM0226', 'Duiven', 'municipality', ST_Multi(ST_MakeEnvelope(6.2, 51.9, 6.4, 52.0, 4326)))
RETURNING id`)
	f.exec(`INSERT INTO categories (code, name_nl, name_en, department) VALUES (?, 'Zwerfafval', 'Litter', 'wijkbeheer')`, f.category)
	return f
}

// reset empties what the tests write (keeping the area and category), resets the fake
// FCM and returns the fixture for the subtest t.
func (f *fixture) reset(t *testing.T) *fixture {
	t.Helper()
	g := *f
	g.t = t
	g.logs = &logtest.Buffer{}
	g.exec(`TRUNCATE push_deliveries, push_outbox, devices, worker_teams, workers, jobs, teams CASCADE`)
	g.fcm.Reset()
	return &g
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if err := f.db.WithContext(f.ctx).Exec(q, args...).Error; err != nil {
		f.t.Fatalf("exec %q: %v", firstLine(q), err)
	}
}

func (f *fixture) id(q string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.WithContext(f.ctx).Raw(q, args...).Scan(&id).Error; err != nil {
		f.t.Fatalf("query %q: %v", firstLine(q), err)
	}
	return id
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i >= 0 {
		return q[:i]
	}
	return q
}

func (f *fixture) team(code string) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO teams (code, name) VALUES (?, ?) RETURNING id`, code, "Ploeg "+code)
}

// member adds an active worker to teams.
func (f *fixture) member(teams ...int64) int64 {
	f.t.Helper()
	w := f.id(`INSERT INTO workers (name, role) VALUES ('Test', 'trainee') RETURNING id`)
	for _, team := range teams {
		f.exec(`INSERT INTO worker_teams (worker_id, team_id) VALUES (?, ?)`, w, team)
	}
	return w
}

// device pairs a phone with FCM token for worker and returns the token.
func (f *fixture) device(worker int64, name string) string {
	f.t.Helper()
	token := "fcm-" + name + "-" + strings.Repeat("k", 24)
	f.exec(`INSERT INTO devices (worker_id, token_hash, fcm_token, platform) VALUES (?, sha256(?::bytea), ?, 'android')`,
		worker, token, token)
	return token
}

// teamWithDevices makes a team with n workers of one device each and returns the tokens.
func (f *fixture) teamWithDevices(code string, n int) (int64, []string) {
	f.t.Helper()
	team := f.team(code)
	var tokens []string
	for i := range n {
		tokens = append(tokens, f.device(f.member(team), fmt.Sprintf("%s%d", code, i)))
	}
	return team, tokens
}

func (f *fixture) job(team int64) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes)
VALUES (?, ST_SetSRID(ST_MakePoint(6.3, 51.95), 4326), ?, ?, 'assigned', current_date + 3, 30)
RETURNING id`, f.category, f.areaID, team)
}

// enqueue commits one push request and returns its outbox id.
func (f *fixture) enqueue(r Request, ttl time.Duration) int64 {
	f.t.Helper()
	err := database.Tx(f.ctx, f.db.DB, func(tx *gorm.DB) error {
		return Enqueue(f.ctx, tx, r, ttl)
	})
	if err != nil {
		f.t.Fatalf("Enqueue: %v", err)
	}
	return f.id(`SELECT max(id) FROM push_outbox`)
}

func (f *fixture) worker(opts Options) *Worker {
	f.t.Helper()
	if opts.BaseBackoff == 0 {
		opts.BaseBackoff = time.Minute
	}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(f.logs, f.t.Output()), &slog.HandlerOptions{Level: slog.LevelDebug}))
	return NewWorker(f.db.DB, f.client, log, opts)
}

func (f *fixture) runOnce(w *Worker, want int) {
	f.t.Helper()
	n, err := w.RunOnce(f.ctx)
	if err != nil {
		f.t.Fatalf("RunOnce: %v", err)
	}
	if n != want {
		f.t.Fatalf("RunOnce handled %d rows, want %d", n, want)
	}
}

// deliveries returns token → state for an outbox row.
func (f *fixture) deliveries(outboxID int64) map[string]string {
	f.t.Helper()
	var rows []struct{ Token, State string }
	if err := f.db.Raw(`SELECT token, state FROM push_deliveries WHERE outbox_id = ?`, outboxID).Scan(&rows).Error; err != nil {
		f.t.Fatal(err)
	}
	m := map[string]string{}
	for _, r := range rows {
		m[r.Token] = r.State
	}
	return m
}

type outboxState struct {
	Done        bool
	Attempts    int
	LastError   string
	DueInSecond float64 // until a worker may claim it (due and not leased), in seconds
}

func (f *fixture) outbox(id int64) outboxState {
	f.t.Helper()
	var s outboxState
	err := f.db.Raw(`SELECT done_at IS NOT NULL AS done, attempts, last_error,
	extract(epoch FROM GREATEST(next_attempt_at, leased_until) - now())::float8 AS due_in_second
FROM push_outbox WHERE id = ?`, id).Scan(&s).Error
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// sentTo counts the recorded messages per token.
func (f *fixture) sentTo() map[string]int {
	m := map[string]int{}
	for _, msg := range f.fcm.Messages() {
		m[msg.Token]++
	}
	return m
}
