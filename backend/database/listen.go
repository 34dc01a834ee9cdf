package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Listener says what Listen does with a NOTIFY channel. Its callbacks run one at a time,
// in order, in a goroutine of the listener's own, so a slow or failing one holds up no
// other listener.
type Listener struct {
	// Channel is the channel to LISTEN on.
	Channel string
	// Settle, if set, lets a burst of notifications pass: Notified is called once no
	// further notification came for this long, or at the latest 10 × Settle after the
	// first, so that a steady stream cannot hold it off.
	Settle time.Duration
	// Connected (required) is called after each (re)connect, once the LISTEN is in
	// place. What was notified while no connection listened is lost, so this is where a
	// listener catches up. If it fails, it is logged and called again after a backoff
	// (1 s doubling to 30 s) until it succeeds; the connection, which the other listeners
	// share, stays.
	Connected func(ctx context.Context) error
	// Notified (required) is called after a notification (or a settled burst of them).
	Notified func(ctx context.Context)
	// Lost, if set, is called when the connection fails, before the reconnect, and when
	// Listen returns: from then on, notifications may be missed.
	Lost func()
	// Heartbeat is how often a quiet connection is asked whether it still answers
	// (SELECT 1); 0 means every 10 s. The connection goes by its listeners' shortest.
	Heartbeat time.Duration
}

// Reconnect backoff of Listen, and how it finds out that a quiet connection is dead.
const (
	listenMinBackoff = time.Second
	listenMaxBackoff = 30 * time.Second
	listenHeartbeat  = 10 * time.Second // Listener.Heartbeat's default
	listenPingWait   = 5 * time.Second  // a connection that takes longer to answer is lost
)

// Listen keeps one connection to dsn listening on the channels of ls until ctx ends, so
// a process needs one listening connection however many listeners it has. It reconnects
// after a failure with a jittered backoff (1 s doubling to 30 s) and logs each failure
// as a warning. A connection that stays quiet is checked every 10 s, so one that died
// without a word (a half-open TCP connection) counts as lost within about 15 s. dsn must
// reach PostgreSQL itself, or a pooler in session mode: LISTEN does not work through
// transaction pooling. Every API instance runs its listeners, so replicas stay in step
// through NOTIFY.
func Listen(ctx context.Context, dsn string, log *slog.Logger, ls ...Listener) {
	heartbeat := listenHeartbeat
	channels := make([]string, len(ls))
	runs := make(map[string]*listenerRun, len(ls))
	var wg sync.WaitGroup
	for i, l := range ls {
		if l.Heartbeat > 0 && l.Heartbeat < heartbeat {
			heartbeat = l.Heartbeat
		}
		channels[i] = l.Channel
		r := &listenerRun{Listener: l, log: log, notify: make(chan struct{}, 1), events: make(chan bool, 8)}
		runs[l.Channel] = r
		wg.Go(func() { r.run(ctx) })
	}
	defer func() {
		// Ending: the listeners' goroutines first, then each is told it hears nothing now.
		wg.Wait()
		for _, l := range ls {
			if l.Lost != nil {
				l.Lost()
			}
		}
	}()
	lost := func() {
		for _, r := range runs {
			r.event(ctx, false)
		}
	}
	backoff := listenMinBackoff
	for {
		err := listenOnce(ctx, dsn, runs, channels, heartbeat, func() { backoff = listenMinBackoff })
		if ctx.Err() != nil {
			return
		}
		lost()
		wait := time.Duration(float64(backoff) * (0.8 + 0.4*rand.Float64()))
		log.Warn("database: listening failed, reconnecting", "channels", strings.Join(channels, ","), "err", err,
			"in", wait.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(2*backoff, listenMaxBackoff)
	}
}

// listenerRun calls one listener's callbacks, one at a time.
type listenerRun struct {
	Listener
	log    *slog.Logger
	notify chan struct{} // a notification came (a pending one absorbs the next)
	events chan bool     // the connection: true connected, false lost; in order
}

// event hands the listener a change of the connection, in the order they happen.
func (r *listenerRun) event(ctx context.Context, connected bool) {
	select {
	case r.events <- connected:
	case <-ctx.Done(): // Listen is ending, and says so itself
	}
}

func (r *listenerRun) run(ctx context.Context) {
	var retry <-chan time.Time // a failed Connected, to be tried again
	backoff := listenMinBackoff
	catchUp := func() {
		err := r.Connected(ctx)
		if err == nil || ctx.Err() != nil {
			retry, backoff = nil, listenMinBackoff
			return
		}
		r.log.Warn("database: catching up after connecting failed, trying again", "channel", r.Channel, "err", err, "in", backoff)
		retry = time.After(backoff)
		backoff = min(2*backoff, listenMaxBackoff)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case connected := <-r.events:
			if connected {
				catchUp()
				continue
			}
			retry = nil // no connection: nothing to catch up with until the next
			if r.Lost != nil {
				r.Lost()
			}
		case <-retry:
			catchUp()
		case <-r.notify:
			r.settle(ctx)
			if ctx.Err() != nil {
				return
			}
			r.Notified(ctx)
		}
	}
}

// settle waits until no notification came for Settle, at most 10 × Settle.
func (r *listenerRun) settle(ctx context.Context) {
	if r.Settle <= 0 {
		return
	}
	until := time.After(10 * r.Settle)
	for {
		quiet := time.NewTimer(r.Settle)
		select {
		case <-ctx.Done():
		case <-until:
		case <-quiet.C:
		case <-r.notify:
			quiet.Stop()
			continue
		}
		quiet.Stop()
		return
	}
}

func listenOnce(ctx context.Context, dsn string, runs map[string]*listenerRun, channels []string, heartbeat time.Duration, connected func()) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	stmts := make([]string, len(channels))
	for i, c := range channels {
		stmts[i] = "LISTEN " + pgx.Identifier{c}.Sanitize()
	}
	if _, err := conn.Exec(ctx, strings.Join(stmts, "; ")); err != nil {
		return err
	}
	for _, c := range channels {
		runs[c].event(ctx, true) // each catches up in its own goroutine
	}
	connected()
	for {
		n, err := waitForNotification(ctx, conn, heartbeat)
		if err != nil {
			return err
		}
		if r := runs[n.Channel]; r != nil {
			select {
			case r.notify <- struct{}{}:
			default: // one is pending already: it covers this one
			}
		}
	}
}

// waitForNotification waits for the next notification on conn, checking every heartbeat
// that a quiet connection still answers.
func waitForNotification(ctx context.Context, conn *pgx.Conn, heartbeat time.Duration) (*pgconn.Notification, error) {
	for {
		wctx, cancel := context.WithTimeout(ctx, heartbeat)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err == nil {
			return n, nil
		}
		if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		pctx, cancel := context.WithTimeout(ctx, listenPingWait)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("no answer: %w", err)
		}
	}
}
