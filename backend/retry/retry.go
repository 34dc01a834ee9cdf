// Package retry holds what the outbox workers (push, mail) share: the wait before a row
// that failed is tried again, and the loop that runs a worker's rounds.
package retry

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Backoff is the wait after the given attempt (1 for the first): base doubled per
// attempt, at most most, with ±20% jitter (and still at most most), so that many rows
// failing together do not come back together.
func Backoff(base, most time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < most; i++ {
		d *= 2
	}
	d = time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	return min(d, most)
}

// failedRoundsWait is the longest wait between rounds that keep failing.
const failedRoundsWait = 30 * time.Second

// FailedWait is the wait after the given number of failed rounds in a row: poll doubled
// for each, at most failedRoundsWait (or poll, if that is longer).
func FailedWait(poll time.Duration, failures int) time.Duration {
	return min(poll<<min(failures, 10), max(failedRoundsWait, poll))
}

// Loop runs round until ctx ends: again after poll, or at once when wake fires (nil: no
// wake-up). Errors are logged, not returned: the next round tries again. While rounds
// keep failing (the database is down), it waits longer between them (FailedWait) and logs
// the failure once a minute, not every round; name starts its log lines ("push"). Loop
// returns after the round in hand.
func Loop(ctx context.Context, log *slog.Logger, name string, poll time.Duration, wake <-chan struct{}, round func(context.Context) error) {
	failures := 0
	var logged time.Time
	for {
		wait := poll
		err := round(ctx)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			failures++
			if failures == 1 || time.Since(logged) >= time.Minute {
				log.Warn(name+": worker round failed", "err", err, "failed_rounds", failures)
				logged = time.Now()
			}
			wait = FailedWait(poll, failures)
		case failures > 0:
			log.Info(name+": worker rounds succeed again", "failed_rounds", failures)
			failures = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(wait):
		}
	}
}
