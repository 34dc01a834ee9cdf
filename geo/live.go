package geo

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"wijkwerk/backend/database"
)

// Live holds the current Index and reloads it from PostGIS whenever the areas change.
// Every API instance runs one, so replicas stay in step through LISTEN/NOTIFY on the
// channel that the areas table's trigger notifies.
type Live struct {
	store *Store
	log   *slog.Logger
	cur   atomic.Pointer[Index]
}

// NotifyChannel is the PostgreSQL channel the areas trigger notifies.
const NotifyChannel = "areas_changed"

// NewLive returns a Live that loads from store; its Listener keeps it current.
func NewLive(store *Store, log *slog.Logger) *Live {
	return &Live{store: store, log: log}
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

// Listener reloads the index after every notification (a burst of them, as an import
// sends, once it has settled) and after every reconnect, since notifications sent while
// disconnected are lost. Give it to database.Listen.
func (l *Live) Listener() database.Listener {
	return database.Listener{
		Channel:   NotifyChannel,
		Settle:    200 * time.Millisecond,
		Connected: l.Reload,
		Notified: func(ctx context.Context) {
			if err := l.Reload(ctx); err != nil {
				l.log.Error("area index reload failed; keeping the old one", "err", err)
			}
		},
	}
}
