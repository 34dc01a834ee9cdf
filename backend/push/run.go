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
// the listening connection was down. Errors are logged, not returned: the next wake-up
// tries again. Run returns after the batch in hand.
func (w *Worker) Run(ctx context.Context) {
	tick := time.NewTicker(w.opts.PollInterval)
	defer tick.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("push: worker round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-tick.C:
		}
	}
}

// signal wakes the worker loop without blocking; one pending wake-up is enough.
func signal(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}
