package geo

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Live holds the current Index and reloads it from PostGIS whenever the areas change.
// Every API instance runs one, so replicas stay in step through LISTEN/NOTIFY on the
// channel that the areas table's trigger notifies.
type Live struct {
	store *Store
	dsn   string
	log   *slog.Logger
	cur   atomic.Pointer[Index]
}

// NotifyChannel is the PostgreSQL channel the areas trigger notifies.
const NotifyChannel = "areas_changed"

// NewLive returns a Live that loads from store and listens on a connection to dsn.
func NewLive(store *Store, dsn string, log *slog.Logger) *Live {
	return &Live{store: store, dsn: dsn, log: log}
}

// Index returns the current index; nil until the first load.
func (l *Live) Index() *Index { return l.cur.Load() }

// Reload builds a new index from the database and swaps it in.
func (l *Live) Reload(ctx context.Context) error {
	ix, err := l.store.LoadIndex(ctx)
	if err != nil {
		return err
	}
	l.cur.Store(ix)
	l.log.Info("area index loaded", "areas", ix.Len())
	return nil
}

// Run listens for changes until ctx ends. It reloads after every notification and after
// every reconnect, since notifications sent while disconnected are lost.
func (l *Live) Run(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := l.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		l.log.Warn("area listener stopped; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (l *Live) listen(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, l.dsn)
	if err != nil {
		return fmt.Errorf("geo: listen: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		return fmt.Errorf("geo: listen: %w", err)
	}
	if err := l.Reload(ctx); err != nil {
		return err
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("geo: listen: %w", err)
		}
		// An import changes many rows in one statement or transaction; let a burst of
		// notifications settle and reload once.
		for {
			wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			_, err := conn.WaitForNotification(wctx)
			cancel()
			if err != nil {
				break
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := l.Reload(ctx); err != nil {
			l.log.Error("area index reload failed; keeping the old one", "err", err)
		}
	}
}
