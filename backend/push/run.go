package push

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// channel is the NOTIFY channel that wakes the workers at once.
const channel = "push_outbox"

// Listener reconnect backoff.
const (
	listenMinBackoff = time.Second
	listenMaxBackoff = 30 * time.Second
)

// Run sends outbox rows until ctx ends. It listens on the push_outbox channel through
// its own connection to dsn, so a NOTIFY push_outbox wakes it at once, and it looks every
// PollInterval, which finds new rows, retries that came due and anything it missed while
// the listening connection was down (it reconnects with backoff). Errors are logged,
// not returned: the next wake-up tries again. Run returns after the batch in hand.
func (w *Worker) Run(ctx context.Context, dsn string) {
	wake := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() { w.listen(ctx, dsn, wake) })
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

// listen keeps a LISTEN connection open and signals wake on every notification, and
// once after each (re)connect since notifications may have been missed meanwhile.
func (w *Worker) listen(ctx context.Context, dsn string, wake chan<- struct{}) {
	backoff := listenMinBackoff
	for {
		err := w.listenOnce(ctx, dsn, wake, func() { backoff = listenMinBackoff })
		if ctx.Err() != nil {
			return
		}
		wait := time.Duration(float64(backoff) * (0.8 + 0.4*rand.Float64()))
		w.log.Warn("push: listening for the outbox failed, reconnecting", "err", err, "in", wait.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(2*backoff, listenMaxBackoff)
	}
}

func (w *Worker) listenOnce(ctx context.Context, dsn string, wake chan<- struct{}, connected func()) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return err
	}
	connected()
	w.log.Debug("push: listening", "channel", channel)
	signal(wake)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		signal(wake)
	}
}

// signal wakes the worker loop without blocking; one pending wake-up is enough.
func signal(wake chan<- struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}
