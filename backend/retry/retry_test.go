package retry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 8 * time.Second, 12 * time.Second},
		{2, 16 * time.Second, 24 * time.Second},
		{3, 32 * time.Second, 48 * time.Second},
		{4, 48 * time.Second, time.Minute},
		{60, 48 * time.Second, time.Minute},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.attempt), func(t *testing.T) {
			for range 100 {
				if d := Backoff(10*time.Second, time.Minute, tt.attempt); d < tt.min || d > tt.max {
					t.Fatalf("Backoff(%d) = %v, want in [%v, %v]", tt.attempt, d, tt.min, tt.max)
				}
			}
		})
	}
}

func TestFailedWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		poll     time.Duration
		failures int
		want     time.Duration
	}{
		{time.Second, 1, 2 * time.Second},
		{time.Second, 2, 4 * time.Second},
		{time.Second, 4, 16 * time.Second},
		{time.Second, 5, 30 * time.Second},
		{time.Second, 500, 30 * time.Second},
		{10 * time.Millisecond, 3, 80 * time.Millisecond},
		{time.Minute, 3, time.Minute}, // a poll longer than the cap stays as it is
	}
	for _, tt := range tests {
		if got := FailedWait(tt.poll, tt.failures); got != tt.want {
			t.Errorf("FailedWait(%v, %d) = %v, want %v", tt.poll, tt.failures, got, tt.want)
		}
	}
}

// Loop runs rounds at once when woken, logs a run of failures once and its end once, and
// returns when its context ends.
func TestLoop(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	wake := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var rounds atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		Loop(ctx, log, "test", time.Hour, wake, func(context.Context) error {
			switch n := rounds.Add(1); {
			case n <= 3:
				return errors.New("database is down")
			case n == 5:
				cancel()
			}
			return nil
		})
	}()
	// The first round fails and waits FailedWait(1 h, 1), far beyond the test: only the
	// wake-ups move it on.
	for rounds.Load() < 5 {
		select {
		case wake <- struct{}{}:
		case <-done:
			t.Fatal("Loop returned early")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Loop did not return after its context ended")
	}
	logs := buf.String()
	if n := strings.Count(logs, "test: worker round failed"); n != 1 {
		t.Errorf("failure logged %d times, want once (within a minute):\n%s", n, logs)
	}
	if !strings.Contains(logs, "failed_rounds=1") || strings.Count(logs, "test: worker rounds succeed again") != 1 ||
		!strings.Contains(logs, `succeed again" failed_rounds=3`) {
		t.Errorf("logs:\n%s", logs)
	}
}
