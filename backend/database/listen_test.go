package database_test

import (
	"context"
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
	var connected, lost atomic.Int32
	notified := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		database.Listen(ctx, db.URL, slog.New(slog.NewTextHandler(io.Discard, nil)), database.Listener{
			Channel:   "listen_test",
			Heartbeat: 20 * time.Millisecond,
			Connected: func(context.Context) error { connected.Add(1); return nil },
			Notified:  func(context.Context) { notified <- struct{}{} },
			Lost:      func() { lost.Add(1) },
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

	// The server ends the connection: lost, and listening again after the backoff.
	db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND (query LIKE 'LISTEN %listen_test%' OR query = '-- ping') AND pid <> pg_backend_pid()`)
	waitFor("lost", func() bool { return lost.Load() == 1 })
	waitFor("connected again", func() bool { return connected.Load() == 2 })
	db.Exec(`NOTIFY listen_test`)
	select {
	case <-notified:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification after the reconnect")
	}
}
