package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"sync"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/contact"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
	"wijkwerk/backend/retry"
)

// Options tunes a Worker. Zero fields take the defaults named below.
type Options struct {
	// BatchSize is how many outbox rows one claim takes (default 20).
	BatchSize int
	// MaxAttempts is how often a row is tried before a temporary failure is given up
	// as 'failed' (default 10).
	MaxAttempts int
	// BaseBackoff is the wait before the second attempt; it doubles per attempt up to
	// MaxBackoff, with ±20% jitter (defaults 1 min and 1 h).
	BaseBackoff, MaxBackoff time.Duration
	// PollInterval is how often Run looks for due rows (default 2 s).
	PollInterval time.Duration
	// Concurrency is how many mails of a batch are being sent at the same time
	// (default 4).
	Concurrency int
}

func (o Options) withDefaults() Options {
	if o.BatchSize <= 0 {
		o.BatchSize = 20
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = time.Minute
	}
	if o.MaxBackoff < o.BaseBackoff {
		o.MaxBackoff = max(o.BaseBackoff, time.Hour)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	return o
}

// Time limits. A batch's sends are detached from the caller's context, so a shutdown
// lets the batch in hand finish instead of leaving its rows in 'sending'.
const (
	// dbTimeout bounds each database step.
	dbTimeout = 20 * time.Second
	// sendTimeout bounds one SMTP conversation.
	sendTimeout = 30 * time.Second
	// lease is how long a claimed row stays invisible to other workers: longer than a
	// batch takes at worst (BatchSize/Concurrency conversations of sendTimeout each,
	// with the defaults 5 × 30 s), so another worker takes a row over only once this
	// one is gone.
	lease = 5 * time.Minute
)

// Worker sends the rows of the mail outbox. Several workers, in one process or in many,
// may run at once: each row is claimed by one of them at a time.
type Worker struct {
	db           *gorm.DB
	sender       *Sender
	from         *netmail.Address
	trackingBase string
	log          *slog.Logger
	opts         Options
	now          func() time.Time
}

// NewWorker returns a Worker that reads the outbox in db and sends through sender, from
// the address from, with tracking links under trackingBase (the PWA's public URL). log
// may be nil.
func NewWorker(db *gorm.DB, sender *Sender, from *netmail.Address, trackingBase string, log *slog.Logger, opts Options) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{db: db, sender: sender, from: from, trackingBase: trackingBase, log: log, opts: opts.withDefaults(), now: time.Now}
}

// claimedRow is an outbox row this worker holds, with its recipient as the contact says
// now: Email is empty when the contact is gone or wants no updates any more.
type claimedRow struct {
	ID           int64
	JobID        int64
	Kind         string
	Supporter    bool
	ReasonNL     string
	ReasonEN     string
	Attempts     int
	Expired      bool
	Was          string // the row's state before this claim
	Email        string
	Lang         string
	TrackingCode string
}

// claimSQL takes up to a batch of due rows that no other worker holds, marks them
// 'sending' under a lease (next_attempt_at), and reads each one's recipient from its
// contact, in one statement, so the claim commits at once. Was is the state before: a
// row that was 'sending' was left by a worker that died mid-send.
const claimSQL = `
WITH due AS (
	SELECT id, state FROM mail_outbox
	WHERE done_at IS NULL AND next_attempt_at <= now()
	ORDER BY next_attempt_at
	LIMIT @batch
	FOR UPDATE SKIP LOCKED
), claimed AS (
	UPDATE mail_outbox o
	SET attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => @lease), state = 'sending'
	FROM due WHERE o.id = due.id
	RETURNING o.id, o.job_id, o.kind, o.report_id, o.supporter, o.reason_nl, o.reason_en, o.attempts,
		o.expires_at <= now() AS expired, due.state AS was
)
SELECT c.id, c.job_id, c.kind, c.supporter IS NOT NULL AS supporter, c.reason_nl, c.reason_en, c.attempts, c.expired, c.was,
	COALESCE(rc.email, sc.email, '') AS email, COALESCE(rc.lang, sc.lang, 'nl') AS lang, COALESCE(r.tracking_code, '') AS tracking_code
FROM claimed c
LEFT JOIN report_contacts rc ON rc.report_id = c.report_id AND rc.wants_updates
LEFT JOIN reports r ON r.id = rc.report_id
LEFT JOIN support_contacts sc ON sc.job_id = c.job_id AND sc.supporter = c.supporter`

// finishSQL records what an attempt did with a row: a final state (done_at set), or
// 'queued' again with the time of the next attempt.
const finishSQL = `
UPDATE mail_outbox SET state = @state, last_error = @error,
	next_attempt_at = CASE WHEN @state = 'queued' THEN CAST(@next AS timestamptz) ELSE next_attempt_at END,
	done_at = CASE WHEN @state = 'queued' THEN NULL ELSE now() END
WHERE id = @id`

// RunOnce sends the outbox rows that are due now, batch by batch until none is left, and
// returns how many rows it handled. A batch it has claimed is finished even if ctx ends
// meanwhile.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	handled := 0
	for {
		if err := ctx.Err(); err != nil {
			return handled, err
		}
		var rows []claimedRow
		err := w.db.WithContext(ctx).Raw(claimSQL, map[string]any{"batch": w.opts.BatchSize, "lease": lease.Seconds()}).Scan(&rows).Error
		if err != nil {
			return handled, fmt.Errorf("mail: claim: %w", err)
		}
		if len(rows) == 0 {
			return handled, nil
		}
		handled += len(rows)
		if err := w.process(context.WithoutCancel(ctx), rows); err != nil {
			return handled, err
		}
		if len(rows) < w.opts.BatchSize {
			return handled, nil
		}
	}
}

// outcome is what became of one row in one attempt.
type outcome struct {
	state string // queued (again), sent, failed, expired, no_recipient
	err   string // for last_error; never an address
	next  time.Time
}

func (w *Worker) process(ctx context.Context, rows []claimedRow) error {
	outcomes := make([]outcome, len(rows))
	sem := make(chan struct{}, w.opts.Concurrency)
	var wg sync.WaitGroup
	for i, r := range rows {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			outcomes[i] = w.handle(ctx, r)
		})
	}
	wg.Wait()
	var errs []error
	for i, r := range rows {
		o := outcomes[i]
		dbCtx, cancel := context.WithTimeout(ctx, dbTimeout)
		err := w.db.WithContext(dbCtx).Exec(finishSQL, map[string]any{"state": o.state, "error": o.err, "next": o.next, "id": r.ID}).Error
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("mail: record outbox %d: %w", r.ID, err))
			continue
		}
		attrs := []any{"outbox_id", r.ID, "job_id", r.JobID, "kind", r.Kind, "attempt", r.Attempts}
		switch o.state {
		case "sent":
			w.log.Info("mail: sent", attrs...)
		case "queued":
			w.log.Info("mail: will try again", append(attrs, "err", o.err, "at", o.next.Format(time.RFC3339))...)
		case "no_recipient":
			w.log.Info("mail: no recipient any more (contact erased or no updates wanted)", attrs...)
		case "expired":
			w.log.Info("mail: expired", attrs...)
		default:
			w.log.Warn("mail: failed", append(attrs, "err", o.err)...)
		}
	}
	return errors.Join(errs...)
}

// handle decides about one claimed row and, if it is to be sent, sends it.
func (w *Worker) handle(ctx context.Context, r claimedRow) outcome {
	switch {
	case r.Was == "sending":
		// Whether the last worker's conversation handed it over is unknown.
		return outcome{state: "failed", err: "interrupted"}
	case r.Expired:
		return outcome{state: "expired", err: "expired"}
	case r.Email == "":
		return outcome{state: "no_recipient"}
	}
	n := News{Kind: push.Kind(r.Kind), Supporter: r.Supporter, Reason: problem.T(r.ReasonNL, r.ReasonEN),
		Lang: r.Lang, TrackingCode: r.TrackingCode}
	m, err := Compose(n, w.from, r.Email, w.trackingBase, w.now())
	if err != nil {
		return outcome{state: "failed", err: "bad_address"}
	}
	sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
	err = w.sender.Send(sendCtx, m)
	cancel()
	if err == nil {
		return outcome{state: "sent"}
	}
	// A server's answer may repeat the address ("550 <x@y>: no such user").
	msg := contact.Redact(err.Error())
	var se *Error
	if errors.As(err, &se) && se.Temporary && r.Attempts < w.opts.MaxAttempts {
		return outcome{state: "queued", err: msg, next: w.now().Add(retry.Backoff(w.opts.BaseBackoff, w.opts.MaxBackoff, r.Attempts))}
	}
	return outcome{state: "failed", err: msg}
}

// Run sends outbox rows until ctx ends, every PollInterval (retry.Loop: a failing round
// is logged, and the next waits longer).
func (w *Worker) Run(ctx context.Context) {
	retry.Loop(ctx, w.log, "mail", w.opts.PollInterval, nil, func(ctx context.Context) error {
		_, err := w.RunOnce(ctx)
		return err
	})
}
