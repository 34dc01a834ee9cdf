package push

import (
	"context"
	"sync"
	"time"

	"wijkwerk/backend/database"
)

// channel is the NOTIFY channel that wakes the workers at once.
const channel = "push_outbox"

// Run sends outbox rows until ctx ends. It listens on the push_outbox channel through
// its own connection to dsn (database.Listen), so a NOTIFY push_outbox wakes it at once,
// and it looks every PollInterval, which finds new rows, retries that came due and
// anything it missed while the listening connection was down. Errors are logged, not
// returned: the next wake-up tries again. Run returns after the batch in hand.
func (w *Worker) Run(ctx context.Context, dsn string) {
	wake := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		database.Listen(ctx, dsn, w.log, database.Listener{
			Channel: channel,
			// After a (re)connect too: notifications may have been missed meanwhile.
			Connected: func(context.Context) error { signal(wake); return nil },
			Notified:  func(context.Context) { signal(wake) },
		})
	})
	defer wg.Wait()

	tick := time.NewTicker(w.opts.PollInterval)
	defer tick.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("push: worker round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
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
