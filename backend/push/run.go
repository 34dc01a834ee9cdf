package push

import (
	"context"

	"wijkwerk/backend/database"
	"wijkwerk/backend/retry"
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
// the listening connection was down (retry.Loop: a failing round is logged, and the
// next waits longer). Run returns after the batch in hand.
func (w *Worker) Run(ctx context.Context) {
	retry.Loop(ctx, w.log, "push", w.opts.PollInterval, w.wake, func(ctx context.Context) error {
		_, err := w.RunOnce(ctx)
		return err
	})
}

// signal wakes the worker loop without blocking; one pending wake-up is enough.
func signal(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}
