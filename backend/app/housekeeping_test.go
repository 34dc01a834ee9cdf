package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
)

// A server prunes idempotency keys older than WIJKWERK_IDEMPOTENCY_RETENTION_DAYS,
// pushes that finished longer ago than WIJKWERK_PUSH_RETENTION_DAYS (with their
// deliveries) and expired desk sessions as it starts, and keeps the rest: a retry within the retention still gets
// the first answer, a push still to be sent stays.
func TestServePrunesIdempotencyKeysAndPushes(t *testing.T) {
	// The test's own server prunes as it starts too, at a moment the test does not know:
	// with retentions of ten years it keeps everything this test makes old.
	env := apptest.Start(t, func(c *app.Config) { c.IdempotencyRetentionDays, c.PushRetentionDays = 3650, 3650 })
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if err := env.DB.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	count := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := env.DB.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	type receipt struct {
		ID    int64 `json:"id"`
		JobID int64 `json:"job_id"`
	}
	submit := func(body map[string]any, key string) (receipt, *apptest.Response) {
		t.Helper()
		res := env.Do(t, "POST", "/api/v1/reports", body, "Idempotency-Key", key)
		if res.Status != http.StatusCreated {
			t.Fatalf("POST /api/v1/reports = %d: %s", res.Status, res.Body)
		}
		var rc receipt
		res.JSON(t, &rc)
		return rc, res
	}
	report := func(lon float64) map[string]any {
		return map[string]any{
			"category":    "afval.zwerfvuil",
			"location":    map[string]any{"type": "Point", "coordinates": []float64{lon, 51.97}},
			"description": "Zwerfvuil langs de weg",
		}
	}

	// Two reports, whose keys are made 29 and 31 days old.
	keptBody, prunedBody := report(6.30), report(6.33)
	kept, _ := submit(keptBody, "kept-key")
	pruned, _ := submit(prunedBody, "pruned-key")
	exec(`UPDATE idempotency_keys SET created_at = now() - interval '29 days' WHERE key = 'kept-key'`)
	exec(`UPDATE idempotency_keys SET created_at = now() - interval '31 days' WHERE key = 'pruned-key'`)

	// Pushes about the first report's job: one done 8 days ago and one 6 days ago, each
	// with deliveries, and one created 40 days ago that is still to be sent (its next
	// attempt lies ahead, so the running worker leaves it alone).
	outbox := func(created, done, next string) int64 {
		t.Helper()
		var id int64
		err := env.DB.Raw(`INSERT INTO push_outbox (job_id, kind, version, title_nl, body_nl, created_at, expires_at, next_attempt_at, done_at)
VALUES (?, 'assigned', 1, 'Nieuwe taak', 'Test', now() - CAST(? AS interval), now() + interval '1 day',
	now() + CAST(? AS interval), now() - CAST(NULLIF(?, '') AS interval))
RETURNING id`, kept.JobID, created, next, done).Scan(&id).Error
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	oldDone := outbox("9 days", "8 days", "0")
	youngDone := outbox("7 days", "6 days", "0")
	waiting := outbox("40 days", "", "1 day")
	for _, d := range []struct {
		id     int64
		state  string
		tokens []string
	}{{oldDone, "sent", []string{"a", "b"}}, {youngDone, "sent", []string{"a"}}, {waiting, "retry", []string{"c"}}} {
		for _, tok := range d.tokens {
			exec(`INSERT INTO push_deliveries (outbox_id, token, state) VALUES (?, ?, ?)`, d.id, "fcm-test-"+tok, d.state)
		}
	}
	if n := count(`SELECT count(*) FROM idempotency_keys WHERE key IN ('kept-key', 'pruned-key')`); n != 2 {
		t.Fatalf("%d keys before pruning, want 2", n)
	}
	if n := count(`SELECT count(*) FROM push_outbox WHERE id IN (?, ?, ?)`, oldDone, youngDone, waiting); n != 3 {
		t.Fatalf("%d pushes before pruning, want 3", n)
	}
	if n := count(`SELECT count(*) FROM push_deliveries WHERE outbox_id IN (?, ?, ?)`, oldDone, youngDone, waiting); n != 4 {
		t.Fatalf("%d deliveries before pruning, want 4", n)
	}

	// A desk user with a session that expired and one that did not.
	users := access.NewStore(env.DB.DB)
	if _, err := users.CreateUser(ctx, "planner@doetinchem.nl", "lang-genoeg-wachtwoord", access.Planner, []string{"GM0222"}); err != nil {
		t.Fatal(err)
	}
	login := func() string {
		t.Helper()
		tok, _, err := users.Login(ctx, "planner@doetinchem.nl", "lang-genoeg-wachtwoord")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	login()
	exec(`UPDATE desk_sessions SET expires_at = now() - interval '1 minute'`)
	valid := login()

	// Another server starts on the same database and prunes.
	cfg := env.App.Config
	cfg.IdempotencyRetentionDays, cfg.PushRetentionDays = app.DefaultConfig().IdempotencyRetentionDays, app.DefaultConfig().PushRetentionDays
	other, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Start(ctx); err != nil {
		other.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if count(`SELECT count(*) FROM idempotency_keys WHERE key = 'pruned-key'`) == 0 &&
			count(`SELECT count(*) FROM push_outbox WHERE id = ?`, oldDone) == 0 &&
			count(`SELECT count(*) FROM desk_sessions WHERE expires_at < now()`) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not prune the old idempotency key and push")
		}
	}
	if _, err := users.Authenticate(ctx, valid); err != nil {
		t.Errorf("the valid session was pruned: %v", err)
	}
	if n := count(`SELECT count(*) FROM idempotency_keys WHERE key = 'kept-key'`); n != 1 {
		t.Errorf("%d kept keys after pruning, want 1", n)
	}
	if n := count(`SELECT count(*) FROM push_outbox WHERE id IN (?, ?)`, youngDone, waiting); n != 2 {
		t.Errorf("%d of the young and the waiting push left, want 2", n)
	}
	if n := count(`SELECT count(*) FROM push_deliveries WHERE outbox_id = ?`, oldDone); n != 0 {
		t.Errorf("%d deliveries of the pruned push left", n)
	}
	if n := count(`SELECT count(*) FROM push_deliveries WHERE outbox_id IN (?, ?)`, youngDone, waiting); n != 2 {
		t.Errorf("%d deliveries of the kept pushes left, want 2", n)
	}

	// A retry within the retention gets the first answer; one after it is a new request.
	reports := count(`SELECT count(*) FROM reports`)
	again, res := submit(keptBody, "kept-key")
	if again != kept || res.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry with the kept key = %+v (replayed %q), want the first answer %+v", again, res.Header.Get("Idempotent-Replayed"), kept)
	}
	if n := count(`SELECT count(*) FROM reports`); n != reports {
		t.Errorf("the replay filed a report: %d reports, want %d", n, reports)
	}
	anew, res := submit(prunedBody, "pruned-key")
	if anew.ID == pruned.ID || res.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("retry with the pruned key = %+v (replayed %q), want a new report", anew, res.Header.Get("Idempotent-Replayed"))
	}
}
