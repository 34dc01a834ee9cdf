package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"firebase.google.com/go/v4/messaging"
	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/retry"
	"wijkwerk/backend/worker"
)

// Options tunes a Worker. Zero fields take the defaults named below.
type Options struct {
	// BatchSize is how many outbox rows one claim takes (default 100).
	BatchSize int
	// MaxAttempts is how often a row is tried before its tokens still waiting for a
	// retry are given up as 'failed' (default 10).
	MaxAttempts int
	// BaseBackoff is the wait before the second attempt; it doubles per attempt up to
	// MaxBackoff, with ±20% jitter (defaults 30 s and 30 min). A longer Retry-After
	// from FCM wins.
	BaseBackoff, MaxBackoff time.Duration
	// PollInterval is how often Run looks for due rows (default 1 s). Enqueue does not
	// NOTIFY (see migration 00009), so this is how new rows are found; a NOTIFY
	// push_outbox after a commit wakes Run at once.
	PollInterval time.Duration
	// Concurrency is how many rows of a batch are being sent at the same time
	// (default 8). A worker has two batches in hand, so up to twice as many rows are
	// in flight. Each row's SendEachForMulticast sends to its tokens in parallel on
	// its own (up to 50 at once), so this mostly matters for small teams.
	Concurrency int
}

func (o Options) withDefaults() Options {
	if o.BatchSize <= 0 {
		o.BatchSize = 100
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 30 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Minute
	}
	if o.MaxBackoff < o.BaseBackoff {
		o.MaxBackoff = o.BaseBackoff
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	return o
}

// Time limits for one claimed batch. They are detached from the caller's context, so a
// shutdown lets the batch in hand finish instead of leaving its tokens in 'sending'.
const (
	// dbTimeout bounds each database step of a batch: reserving tokens, recording.
	dbTimeout = 20 * time.Second
	// sendTimeout bounds the sending of a batch. A send cut off by it counts as
	// 'failed', never 'retry': it may have reached FCM.
	sendTimeout = time.Minute
	// lease is how long a claimed row stays invisible to other workers. It exceeds
	// the time limits of all steps together, so another worker only takes a row over
	// once this one has given up on it.
	lease = 2 * time.Minute
)

// Worker sends the rows of the push outbox. Several workers, in one process or in
// many, may run at once: each row is claimed by one of them at a time.
type Worker struct {
	db     *gorm.DB
	client *messaging.Client
	log    *slog.Logger
	opts   Options

	sdk  busyClock     // wall time during which at least one SDK call was running
	wake chan struct{} // Run's wake-up (Listener); one pending is enough
}

// NewWorker returns a Worker that reads the outbox in db and sends through client.
// log may be nil.
func NewWorker(db *gorm.DB, client *messaging.Client, log *slog.Logger, opts Options) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{db: db, client: client, log: log, opts: opts.withDefaults(), wake: make(chan struct{}, 1)}
}

// claimedRow is an outbox row this worker holds the lease on.
type claimedRow struct {
	ID         int64
	JobID      int64
	TeamID     int64
	Kind       string
	Version    int
	Title      string // Dutch, or the residents' language for a row without team; empty: the kind's default (fillDefaultText)
	Body       string
	TitleEN    string // English; empty: as Title (see migration 00026)
	BodyEN     string
	ExpiresAt  time.Time
	Attempts   int
	TTLSeconds float64
	Expired    bool
}

// claimSQL takes up to a batch of due rows that no other worker holds and leases them
// (leased_until), in one statement, so the claim commits at once. The lease is a column
// that no index holds, so the claim is a HOT update (migration 00028); the rows leased
// now are the first the index of due rows yields, and the next claim skips them.
const claimSQL = `
WITH due AS (
	SELECT id FROM push_outbox
	WHERE done_at IS NULL AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until <= now())
	ORDER BY next_attempt_at
	LIMIT ?
	FOR UPDATE SKIP LOCKED
)
UPDATE push_outbox o
SET attempts = o.attempts + 1, leased_until = now() + make_interval(secs => ?)
WHERE o.id = ANY (ARRAY(SELECT id FROM due))
RETURNING o.id, o.job_id, COALESCE(o.team_id, 0) AS team_id, o.kind, o.version,
	o.title_nl AS title, o.body_nl AS body, o.title_en, o.body_en, o.expires_at, o.attempts,
	extract(epoch FROM o.expires_at - now())::float8 AS ttl_seconds,
	o.expires_at <= now() AS expired`

// RunOnce processes the outbox rows that are due now, batch by batch until none is
// left, and returns how many rows it handled (sent, scheduled for a retry, or expired).
// A batch it has claimed is finished even if ctx ends meanwhile.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	// Two lanes claim and send batches independently, like two workers would, so that
	// one lane's database work overlaps the other's sending.
	var handled [lanes]int
	var errs [lanes]error
	var wg sync.WaitGroup
	for i := range lanes {
		wg.Go(func() { handled[i], errs[i] = w.drain(ctx) })
	}
	wg.Wait()
	total := 0
	for _, n := range handled {
		total += n
	}
	// Both lanes usually fail for the same reason (the database is gone): say it once.
	if errs[0] != nil && errs[1] != nil && errs[0].Error() == errs[1].Error() {
		return total, errs[0]
	}
	return total, errors.Join(errs[:]...)
}

// lanes is how many batches one worker has in hand at a time.
const lanes = 2

func (w *Worker) drain(ctx context.Context) (int, error) {
	handled := 0
	for {
		if err := ctx.Err(); err != nil {
			return handled, err
		}
		rows, err := w.claim(ctx, w.opts.BatchSize)
		if err != nil {
			return handled, err
		}
		if len(rows) == 0 {
			return handled, nil
		}
		handled += len(rows)
		if err := w.process(ctx, rows); err != nil {
			return handled, err
		}
		if len(rows) < w.opts.BatchSize {
			return handled, nil
		}
	}
}

// claim leases up to n due rows (claimSQL) and fills in the text of those that keep
// none.
func (w *Worker) claim(ctx context.Context, n int) ([]claimedRow, error) {
	var rows []claimedRow
	if err := w.db.WithContext(ctx).Raw(claimSQL, n, lease.Seconds()).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("push: claim: %w", err)
	}
	for i := range rows {
		rows[i].fillDefaultText()
	}
	return rows, nil
}

// fillDefaultText gives a crew row that keeps no text (see Request.OutboxText) its
// kind's default, in Dutch and English.
func (r *claimedRow) fillDefaultText() {
	if r.TeamID == 0 || r.Title != "" || r.Body != "" {
		return
	}
	title, body := Request{Kind: Kind(r.Kind), TeamID: r.TeamID}.Text()
	r.Title, r.Body, r.TitleEN, r.BodyEN = title.In("nl"), body.In("nl"), title.In("en"), body.In("en")
}

func (w *Worker) process(ctx context.Context, rows []claimedRow) error {
	base := context.WithoutCancel(ctx)
	var live, expired []claimedRow
	for _, r := range rows {
		if r.Expired {
			expired = append(expired, r)
		} else {
			live = append(live, r)
		}
	}
	if len(expired) > 0 {
		dbCtx, cancel := context.WithTimeout(base, dbTimeout)
		err := w.expire(dbCtx, expired)
		cancel()
		if err != nil {
			return err
		}
	}
	if len(live) == 0 {
		return nil
	}

	// All the batch's tokens are reserved ('sending') before the first send: should this
	// worker die, they are never sent to (at most once) and the next attempt says so
	// (interruptedSQL). Reserving a few rows at a time, right before their send, lost
	// less in a crash but cost 27–38% of the pushes per second (BENCHMARKS.md).
	return w.attempt(base, live)
}

// attempt reserves the tokens of rows, sends to them and records what happened.
func (w *Worker) attempt(base context.Context, rows []claimedRow) error {
	dbCtx, cancel := context.WithTimeout(base, dbTimeout)
	targets, err := w.target(dbCtx, rows)
	cancel()
	if err != nil {
		return err
	}

	sendCtx, cancel := context.WithTimeout(base, sendTimeout)
	results := w.send(sendCtx, rows, targets)
	cancel()

	dbCtx, cancel = context.WithTimeout(base, dbTimeout)
	defer cancel()
	return w.record(dbCtx, results)
}

// teamTokensSQL selects the current tokens of the outbox rows and their language: for a
// team, its devices that are not revoked, of workers who are with the crew
// (worker.AccessSQL), each in its language; for residents, the tokens the row names, whose
// text the row holds in their language ('nl' here: the row's title_nl).
var teamTokensSQL = `
FROM (
	SELECT po.id, d.fcm_token AS token, d.lang
	FROM push_outbox po
	JOIN worker_teams wt ON wt.team_id = po.team_id
	JOIN workers w ON w.id = wt.worker_id AND ` + worker.AccessSQL("w") + `
	JOIN devices d ON d.worker_id = w.id AND d.fcm_token IS NOT NULL AND d.revoked_at IS NULL
	WHERE po.id = ANY(CAST(@ids AS bigint[]))
	UNION ALL
	SELECT po.id, t, 'nl' FROM push_outbox po CROSS JOIN unnest(po.tokens) t
	WHERE po.id = ANY(CAST(@ids AS bigint[])) AND t <> ''
) tt`

// expireSQL gives up expired rows: tokens still waiting for a retry, and tokens never
// tried, get 'expired'; the row is done. The rows are looked up by key only, as in
// recordRowsSQL: a worker whose lease ran out meanwhile can only find the row expired by
// its next owner, which does the same.
var expireSQL = []string{`
UPDATE push_deliveries SET state = 'expired', last_error = 'expired', updated_at = now()
WHERE outbox_id = ANY(CAST(@ids AS bigint[])) AND state = 'retry'`, `
INSERT INTO push_deliveries (outbox_id, token, state, last_error)
SELECT DISTINCT tt.id, tt.token, 'expired', 'expired'` + teamTokensSQL + `
ON CONFLICT (outbox_id, token) DO NOTHING`, `
UPDATE push_outbox SET done_at = now(), last_error = 'expired'
WHERE id = ANY(CAST(@ids AS bigint[]))`}

func (w *Worker) expire(ctx context.Context, rows []claimedRow) error {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	arr := database.Int64Array(ids)
	err := database.Tx(ctx, w.db, func(tx *gorm.DB) error {
		for _, q := range expireSQL {
			if err := tx.Exec(q, map[string]any{"ids": arr}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("push: expire: %w", err)
	}
	for _, r := range rows {
		w.log.Info("push: expired", "outbox_id", r.ID, "job_id", r.JobID, "kind", r.Kind, "attempt", r.Attempts)
	}
	return nil
}

// targetSQL reserves the tokens this attempt sends to, with their language: every current
// team token that has no delivery yet, and those whose delivery waits for a retry. They
// are committed as 'sending' before anything is sent; a token in any other state is never
// sent to again. The language comes from the tokens read (t), which RETURNING cannot see.
var targetSQL = `
WITH t AS (
	SELECT DISTINCT ON (tt.id, tt.token) tt.id, tt.token, tt.lang` + teamTokensSQL + `
), reserved AS (
	INSERT INTO push_deliveries (outbox_id, token, state, attempts)
	SELECT t.id, t.token, 'sending', 1 FROM t
	ON CONFLICT (outbox_id, token) DO UPDATE
	SET state = 'sending', attempts = push_deliveries.attempts + 1, last_error = '', updated_at = now()
	WHERE push_deliveries.state = 'retry'
	RETURNING outbox_id, token
)
SELECT r.outbox_id, r.token, t.lang FROM reserved r JOIN t ON t.id = r.outbox_id AND t.token = r.token`

// interruptedSQL fails the tokens a worker reserved and then never recorded: it stopped
// (a crash, a kill) while sending. Whether they got the message is unknown, and they are
// never sent to again; that is worth a warning, not a quiet "done".
const interruptedSQL = `
UPDATE push_deliveries SET state = 'failed', last_error = 'interrupted', updated_at = now()
WHERE outbox_id = ANY(?::bigint[]) AND state = 'sending'
RETURNING outbox_id`

// dropGoneSQL fails the retries of tokens that left the team (device revoked, token
// removed, worker inactive) since the last attempt: targetSQL did not take them.
const dropGoneSQL = `
UPDATE push_deliveries SET state = 'failed', last_error = 'token_gone', updated_at = now()
WHERE outbox_id = ANY(?::bigint[]) AND state = 'retry'`

type target struct {
	OutboxID int64
	Token    string
	Lang     string
}

// targets are the tokens each row is sent to in this attempt, and how many of its
// tokens an earlier, interrupted attempt left unknown. The tokens of a row are in
// order, and english holds those of devices that read English.
type targets struct {
	tokens      map[int64][]string
	english     map[string]bool
	interrupted map[int64]int
}

func (w *Worker) target(ctx context.Context, rows []claimedRow) (targets, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	arr := database.Int64Array(ids)
	var got []target
	var interrupted []int64
	err := database.Tx(ctx, w.db, func(tx *gorm.DB) error {
		got, interrupted = got[:0], interrupted[:0]
		if err := tx.Raw(interruptedSQL, arr).Scan(&interrupted).Error; err != nil {
			return err
		}
		if err := tx.Raw(targetSQL, map[string]any{"ids": arr}).Scan(&got).Error; err != nil {
			return err
		}
		return tx.Exec(dropGoneSQL, arr).Error
	})
	if err != nil {
		return targets{}, fmt.Errorf("push: reserve tokens: %w", err)
	}
	t := targets{tokens: make(map[int64][]string, len(rows)), english: map[string]bool{}, interrupted: map[int64]int{}}
	for _, g := range got {
		t.tokens[g.OutboxID] = append(t.tokens[g.OutboxID], g.Token)
		if g.Lang == "en" {
			t.english[g.Token] = true
		}
	}
	for _, toks := range t.tokens {
		slices.Sort(toks)
	}
	for _, id := range interrupted {
		t.interrupted[id]++
	}
	return t, nil
}

// rowResult is what one attempt at one row did.
type rowResult struct {
	row         claimedRow
	tokens      []string
	outcomes    []outcome
	interrupted int // tokens an earlier attempt reserved and never recorded
}

// send sends every row to its reserved tokens, Concurrency rows at a time.
func (w *Worker) send(ctx context.Context, rows []claimedRow, t targets) []rowResult {
	results := make([]rowResult, len(rows))
	sem := make(chan struct{}, w.opts.Concurrency)
	var wg sync.WaitGroup
	for i, r := range rows {
		results[i] = rowResult{row: r, tokens: t.tokens[r.ID], interrupted: t.interrupted[r.ID]}
		if len(results[i].tokens) == 0 {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			results[i].outcomes = w.sendRow(ctx, r, results[i].tokens, t.english)
		})
	}
	wg.Wait()
	return results
}

// sendRow sends row r to tokens, each device in its language: the tokens of english
// devices get the row's English text when it has one, the others its Dutch text. A row
// whose texts are the same in both languages goes out as before, in calls of up to
// maxTokensPerCall tokens.
func (w *Worker) sendRow(ctx context.Context, r claimedRow, tokens []string, english map[string]bool) []outcome {
	out := make([]outcome, len(tokens))
	en := r.english()
	// idx[0] are the indexes of tokens that get the Dutch text, idx[1] the English.
	var idx [2][]int
	for i, tok := range tokens {
		lang := 0
		if en != nil && english[tok] {
			lang = 1
		}
		idx[lang] = append(idx[lang], i)
	}
	for lang, all := range idx {
		if len(all) == 0 {
			continue
		}
		row := r
		if lang == 1 {
			row = *en
		}
		for start := 0; start < len(all); start += maxTokensPerCall {
			part := all[start:min(start+maxTokensPerCall, len(all))]
			chunk := make([]string, len(part))
			for i, j := range part {
				chunk[i] = tokens[j]
			}
			w.sendChunk(ctx, row, chunk, part, len(tokens), out)
		}
	}
	return out
}

// english returns r with its English texts, or nil when they are none of their own.
func (r claimedRow) english() *claimedRow {
	if r.TitleEN == "" || (r.TitleEN == r.Title && r.BodyEN == r.Body) {
		return nil
	}
	en := r
	en.Title, en.Body = r.TitleEN, r.BodyEN
	return &en
}

// sendChunk sends r to chunk, whose tokens are those at idx of the row's n tokens, and
// puts their outcomes at those indexes of out.
func (w *Worker) sendChunk(ctx context.Context, r claimedRow, chunk []string, idx []int, n int, out []outcome) {
	w.sdk.start()
	br, err := w.client.SendEachForMulticast(ctx, r.message(chunk))
	w.sdk.stop()
	if err != nil {
		// The SDK refused the message before sending anything.
		w.log.Error("push: message rejected by the SDK", "outbox_id", r.ID, "job_id", r.JobID, "err", err)
		for _, j := range idx {
			out[j] = outcome{state: stateFailed, code: "invalid_message"}
		}
		return
	}
	for i, resp := range br.Responses {
		o := classify(resp.Error)
		out[idx[i]] = o
		if o.state != stateSent {
			// A crew device's token may show its prefix; a resident's token (a row
			// without team) shows nothing of itself, not even that.
			who := "token_prefix"
			what := tokenPrefix(chunk[i])
			if r.TeamID == 0 {
				who, what = "resident_token", fmt.Sprintf("%d of %d", idx[i]+1, n)
			}
			w.log.Debug("push: token not delivered", "outbox_id", r.ID, who, what, "state", o.state, "code", o.code)
		}
	}
}

// The results of a batch are written with one statement per table; the rows travel as
// JSON so that the statements' text, and thereby their prepared plans, stay the same.
// Each also gets the batch's outbox ids as an array: PostgreSQL cannot tell how many rows
// a JSON document holds (it guesses 100), and with that guess it preferred reading the
// whole table to looking up a handful of rows by key, for as long as the table was not
// large.
const (
	recordDeliveriesSQL = `
UPDATE push_deliveries d
SET state = v.state, last_error = v.code, updated_at = now()
FROM jsonb_to_recordset(?::jsonb) AS v(outbox_id bigint, token text, state text, code text)
WHERE d.outbox_id = v.outbox_id AND d.token = v.token AND d.state = 'sending'
  AND d.outbox_id = ANY (CAST(? AS bigint[]))`

	// An unregistered token will never work again; the phone registers a new one.
	forgetTokensSQL = `
WITH gone AS (SELECT jsonb_array_elements_text(CAST(@tokens AS jsonb)) AS token),
residents AS (
	UPDATE report_contacts SET app_token = '' WHERE app_token IN (SELECT token FROM gone) RETURNING 1
), supporters AS (
	UPDATE support_contacts SET app_token = '' WHERE app_token IN (SELECT token FROM gone) RETURNING 1
)
UPDATE devices SET fcm_token = NULL
WHERE fcm_token IN (SELECT token FROM gone)`

	// attempts = v.attempts fences a worker that overran its lease: the row's newer
	// owner decides about it then. That also leaves out a row that is done, since only
	// the worker that holds a row's lease finishes it; the statement does not say
	// done_at IS NULL, which would let PostgreSQL read the partial index of all waiting
	// rows instead of the batch's rows by key (test RecordReadsRowsByKey).
	recordRowsSQL = `
UPDATE push_outbox o
SET done_at = CASE WHEN v.done THEN now() END,
	next_attempt_at = CASE WHEN v.done THEN o.next_attempt_at ELSE now() + make_interval(secs => v.delay) END,
	leased_until = NULL,
	last_error = v.code
FROM jsonb_to_recordset(?::jsonb) AS v(id bigint, attempts int, done boolean, delay float8, code text)
WHERE o.id = v.id AND o.attempts = v.attempts
  AND o.id = ANY (CAST(? AS bigint[]))`
)

type deliveryUpdate struct {
	OutboxID int64  `json:"outbox_id"`
	Token    string `json:"token"`
	State    string `json:"state"`
	Code     string `json:"code"`
}

type rowUpdate struct {
	ID       int64   `json:"id"`
	Attempts int     `json:"attempts"`
	Done     bool    `json:"done"`
	Delay    float64 `json:"delay"`
	Code     string  `json:"code"`
}

func (w *Worker) record(ctx context.Context, results []rowResult) error {
	var deliveries []deliveryUpdate
	var forget []string
	rows := make([]rowUpdate, 0, len(results))
	summaries := make([]rowSummary, 0, len(results))
	for _, res := range results {
		u, s := w.decide(res)
		rows = append(rows, u)
		summaries = append(summaries, s)
		for i, tok := range res.tokens {
			o := res.outcomes[i]
			if o.state == stateRetry && s.gaveUp {
				o.state = stateFailed
			}
			deliveries = append(deliveries, deliveryUpdate{OutboxID: res.row.ID, Token: tok, State: o.state, Code: o.code})
			if o.state == stateUnregistered {
				forget = append(forget, tok)
			}
		}
	}
	slices.Sort(forget) // a fixed lock order across workers
	forget = slices.Compact(forget)

	deliveriesJSON, err := json.Marshal(deliveries)
	if err != nil {
		return fmt.Errorf("push: record: %w", err)
	}
	rowsJSON, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("push: record: %w", err)
	}
	forgetJSON, err := json.Marshal(forget)
	if err != nil {
		return fmt.Errorf("push: record: %w", err)
	}
	outboxIDs := make([]int64, len(rows))
	for i, r := range rows {
		outboxIDs[i] = r.ID
	}
	ids := database.Int64Array(outboxIDs)
	err = database.Tx(ctx, w.db, func(tx *gorm.DB) error {
		if len(deliveries) > 0 {
			if err := tx.Exec(recordDeliveriesSQL, string(deliveriesJSON), ids).Error; err != nil {
				return err
			}
		}
		if len(forget) > 0 {
			if err := tx.Exec(forgetTokensSQL, map[string]any{"tokens": string(forgetJSON)}).Error; err != nil {
				return err
			}
		}
		return tx.Exec(recordRowsSQL, string(rowsJSON), ids).Error
	})
	if err != nil {
		// The tokens stay in 'sending' and the row comes back after its lease, so
		// nothing is sent twice; what was sent is only not recorded.
		return fmt.Errorf("push: record results: %w", err)
	}
	for _, s := range summaries {
		s.log(w.log)
	}
	return nil
}

// rowSummary is the log line of one handled row: counts only, no tokens or texts.
type rowSummary struct {
	row                                  claimedRow
	sent, failed, unregistered, retrying int
	gaveUp                               bool
	next                                 time.Duration
	code                                 string // the first error code, if any
}

func (s rowSummary) log(l *slog.Logger) {
	status := "done"
	switch {
	case s.gaveUp:
		status = "gave_up"
	case s.retrying > 0:
		status = "retry"
	}
	// A push that failed for good (other than a phone that is gone) is worth a look: a
	// wrong credential or project fails every push the same way.
	level := slog.LevelInfo
	if s.failed > 0 || s.gaveUp {
		level = slog.LevelWarn
	}
	l.Log(context.Background(), level, "push: row handled",
		"outbox_id", s.row.ID, "job_id", s.row.JobID, "kind", s.row.Kind, "attempt", s.row.Attempts,
		"sent", s.sent, "failed", s.failed, "unregistered", s.unregistered, "retry", s.retrying,
		"status", status, "next_in", s.next.Round(time.Second), "error", s.code)
}

// decide turns one attempt's outcomes into the row's next state: done, or due again
// after a backoff (or FCM's Retry-After, if longer), or given up after MaxAttempts.
func (w *Worker) decide(res rowResult) (rowUpdate, rowSummary) {
	s := rowSummary{row: res.row, failed: res.interrupted}
	var firstErr, retryCode string
	if res.interrupted > 0 {
		firstErr = "interrupted"
	}
	var wait time.Duration
	for _, o := range res.outcomes {
		switch o.state {
		case stateSent:
			s.sent++
		case stateUnregistered:
			s.unregistered++
		case stateRetry:
			s.retrying++
			wait = max(wait, o.retryAfter)
			if retryCode == "" {
				retryCode = o.code
			}
		default:
			s.failed++
		}
		if o.code != "" && firstErr == "" {
			firstErr = o.code
		}
	}
	s.code = firstErr
	u := rowUpdate{ID: res.row.ID, Attempts: res.row.Attempts, Done: true, Code: firstErr}
	if s.retrying == 0 {
		return u, s
	}
	if res.row.Attempts >= w.opts.MaxAttempts {
		s.gaveUp = true
		s.failed += s.retrying
		u.Code = "max_attempts"
		return u, s
	}
	s.next = max(retry.Backoff(w.opts.BaseBackoff, w.opts.MaxBackoff, res.row.Attempts), wait)
	// Not past the row's expiry: then it is claimed once more, and closed as expired.
	if left := time.Until(res.row.ExpiresAt); s.next > left {
		s.next = max(left, 0)
	}
	u.Done = false
	u.Delay = s.next.Seconds()
	u.Code = retryCode
	return u, s
}

// busyClock measures the wall time during which at least one of possibly many
// concurrent calls was running.
type busyClock struct {
	mu     sync.Mutex
	active int
	since  time.Time
	total  time.Duration
}

func (c *busyClock) start() {
	c.mu.Lock()
	if c.active == 0 {
		c.since = time.Now()
	}
	c.active++
	c.mu.Unlock()
}

func (c *busyClock) stop() {
	c.mu.Lock()
	c.active--
	if c.active == 0 {
		c.total += time.Since(c.since)
	}
	c.mu.Unlock()
}

func (c *busyClock) busy() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}
