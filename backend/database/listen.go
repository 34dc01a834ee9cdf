package database

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listener says what Listen does with a NOTIFY channel.
type Listener struct {
	// Channel is the channel to LISTEN on.
	Channel string
	// Settle, if set, lets a burst of notifications pass: Notified is called once no
	// further notification came for this long, or at the latest 10 × Settle after the
	// first, so that a steady stream cannot hold it off.
	Settle time.Duration
	// Connected (required) is called after each (re)connect, once the LISTEN is in
	// place. What was notified while no connection listened is lost, so this is where a
	// listener catches up. If it fails, the connection is dropped and made again.
	Connected func(ctx context.Context) error
	// Notified (required) is called after a notification (or a settled burst of them).
	Notified func(ctx context.Context)
	// Lost, if set, is called when the connection fails, before the reconnect.
	Lost func()
	// Heartbeat is how often a quiet connection is asked whether it still answers
	// (SELECT 1); 0 means every 10 s.
	Heartbeat time.Duration
}

// Reconnect backoff of Listen, and how it finds out that a quiet connection is dead.
const (
	listenMinBackoff = time.Second
	listenMaxBackoff = 30 * time.Second
	listenHeartbeat  = 10 * time.Second // Listener.Heartbeat's default
	listenPingWait   = 5 * time.Second  // a connection that takes longer to answer is lost
)

// Listen keeps a connection to dsn listening on l.Channel until ctx ends. It reconnects
// after a failure with a jittered backoff (1 s doubling to 30 s) and logs each failure as
// a warning. A connection that stays quiet is checked every 10 s, so one that died
// without a word (a half-open TCP connection) counts as lost within about 15 s. dsn must
// reach PostgreSQL itself, or a pooler in session mode: LISTEN does not work through
// transaction pooling. Every API instance runs its listeners, so replicas stay in step
// through NOTIFY.
func Listen(ctx context.Context, dsn string, log *slog.Logger, l Listener) {
	backoff := listenMinBackoff
	for {
		err := listenOnce(ctx, dsn, l, func() { backoff = listenMinBackoff })
		if ctx.Err() != nil {
			return
		}
		if l.Lost != nil {
			l.Lost()
		}
		wait := time.Duration(float64(backoff) * (0.8 + 0.4*rand.Float64()))
		log.Warn("database: listening failed, reconnecting", "channel", l.Channel, "err", err, "in", wait.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(2*backoff, listenMaxBackoff)
	}
}

func listenOnce(ctx context.Context, dsn string, l Listener, connected func()) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.Channel}.Sanitize()); err != nil {
		return err
	}
	if err := l.Connected(ctx); err != nil {
		return err
	}
	connected()
	for {
		if err := waitForNotification(ctx, conn, cmp.Or(l.Heartbeat, listenHeartbeat)); err != nil {
			return err
		}
		for until := time.Now().Add(10 * l.Settle); l.Settle > 0 && time.Now().Before(until); {
			wctx, cancel := context.WithTimeout(ctx, l.Settle)
			_, err := conn.WaitForNotification(wctx)
			cancel()
			if err != nil {
				break
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		l.Notified(ctx)
	}
}

// waitForNotification waits for the next notification on conn, checking every heartbeat
// that a quiet connection still answers.
func waitForNotification(ctx context.Context, conn *pgx.Conn, heartbeat time.Duration) error {
	for {
		wctx, cancel := context.WithTimeout(ctx, heartbeat)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		pctx, cancel := context.WithTimeout(ctx, listenPingWait)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return fmt.Errorf("no answer: %w", err)
		}
	}
}
