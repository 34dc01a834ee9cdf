package push

import (
	"context"
	"time"

	"wijkwerk/backend/database"
)

// channel is the NOTIFY channel that wakes the workers at once.
const channel = "push_outbox"

// Listener wakes Run when a NOTIFY push_outbox comes (a commit that queued pushes), and
// after each (re)connect, since notifications may have been missed meanwhile. Give it
// to database.Listen.
func (w *Worker) Listener() database.Listener {
	return database.Listener{
		Channel:   channel,
		Connected: func(context.Context) error { signal(w.wake); return nil },
		Notified:  func(context.Context) { signal(w.wake) },
	}
}

// Run sends outbox rows until ctx ends: when its Listener wakes it, and every
// PollInterval, which finds new rows, retries that came due and anything missed while
// the listening connection was down. Errors are logged, not returned: the next round
// tries again. While rounds keep failing (the database is down), it waits longer between
// them, doubling up to failedRoundsWait, and logs the failure once a minute, not every
// round. Run returns after the batch in hand.
func (w *Worker) Run(ctx context.Context) {
	failures := 0
	var logged time.Time
	for {
		wait := w.opts.PollInterval
		_, err := w.RunOnce(ctx)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			failures++
			if failures == 1 || time.Since(logged) >= time.Minute {
				w.log.Warn("push: worker round failed", "err", err, "failed_rounds", failures)
				logged = time.Now()
			}
			wait = failedWait(w.opts.PollInterval, failures)
		case failures > 0:
			w.log.Info("push: worker rounds succeed again", "failed_rounds", failures)
			failures = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-time.After(wait):
		}
	}
}

// failedRoundsWait is the longest wait between rounds that keep failing.
const failedRoundsWait = 30 * time.Second

// failedWait is the wait after the given number of failed rounds in a row: poll doubled
// for each, at most failedRoundsWait (or poll, if that is longer).
func failedWait(poll time.Duration, failures int) time.Duration {
	return min(poll<<min(failures, 10), max(failedRoundsWait, poll))
}

// signal wakes the worker loop without blocking; one pending wake-up is enough.
func signal(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}
