package database_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"wijkwerk/backend/database"
	"wijkwerk/backend/testdb"
)

// TestListen: notifications arrive, the heartbeat on a quiet connection does not disturb
// it, and a connection that is lost is reported and made again.
func TestListen(t *testing.T) {
	db := testdb.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	var connected, lost, connectedB, triesC atomic.Int32
	notified := make(chan struct{}, 10)
	notifiedB := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		database.Listen(ctx, db.URL, slog.New(slog.NewTextHandler(io.Discard, nil)), database.Listener{
			Channel:   "listen_test",
			Heartbeat: 20 * time.Millisecond,
			Connected: func(context.Context) error { connected.Add(1); return nil },
			Notified:  func(context.Context) { notified <- struct{}{} },
			Lost:      func() { lost.Add(1) },
		}, database.Listener{ // a second channel on the same connection, slow to settle
			Channel:   "listen_test_b",
			Settle:    100 * time.Millisecond,
			Connected: func(context.Context) error { connectedB.Add(1); return nil },
			Notified:  func(context.Context) { notifiedB <- struct{}{} },
		}, database.Listener{ // a third whose catching up fails twice, then works
			Channel: "listen_test_c",
			Connected: func(context.Context) error {
				if triesC.Add(1) <= 2 {
					return errors.New("not yet")
				}
				return nil
			},
			Notified: func(context.Context) {},
		})
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Listen did not return after cancel")
		}
	}()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("not after 5 s: %s", what)
			}
		}
	}
	waitFor("connected", func() bool { return connected.Load() == 1 })
	// The third listener's failing catch-up is tried again on its own (after 1 s, then
	// 2 s), and does not drop the connection the others share.
	waitFor("the third caught up", func() bool { return triesC.Load() == 3 })
	if connected.Load() != 1 || lost.Load() != 0 {
		t.Fatalf("a listener's failed catch-up cost the others their connection: connected %d, lost %d", connected.Load(), lost.Load())
	}

	time.Sleep(300 * time.Millisecond) // about fifteen heartbeats
	if lost.Load() != 0 || connected.Load() != 1 {
		t.Fatalf("after heartbeats: lost %d, connected %d; want a connection that stayed", lost.Load(), connected.Load())
	}
	db.Exec(`NOTIFY listen_test`)
	select {
	case <-notified:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification after the heartbeats")
	}
	// One connection listens for both; each listener hears its own channel only, and
	// one settling does not hold up the other.
	var listening int
	db.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND (query LIKE 'LISTEN %' OR query = '-- ping')`).Scan(&listening)
	if listening != 1 || connectedB.Load() != 1 {
		t.Errorf("%d listening connections, second listener connected %d times; want 1 and 1", listening, connectedB.Load())
	}
	db.Exec(`NOTIFY listen_test_b`)
	db.Exec(`NOTIFY listen_test`)
	select {
	case <-notified:
	case <-notifiedB:
		t.Fatal("the settling listener was told before the other")
	case <-time.After(5 * time.Second):
		t.Fatal("no notification on listen_test while listen_test_b settles")
	}
	select {
	case <-notifiedB:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification on listen_test_b")
	}
	select {
	case <-notified:
		t.Fatal("listen_test was told twice")
	case <-time.After(150 * time.Millisecond):
	}

	// The server ends the connection: lost, and listening again after the backoff.
	db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND (query LIKE 'LISTEN %listen_test%' OR query = '-- ping') AND pid <> pg_backend_pid()`)
	waitFor("lost", func() bool { return lost.Load() == 1 })
	waitFor("connected again", func() bool { return connected.Load() == 2 && connectedB.Load() == 2 })
	db.Exec(`NOTIFY listen_test`)
	select {
	case <-notified:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification after the reconnect")
	}
}
