package report

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"wijkwerk/backend/database"
)

func TestGrouper(t *testing.T) {
	errBad := &pgconn.PgError{Code: database.UniqueViolation} // PostgreSQL refused it: rolled back
	tests := []struct {
		name    string
		reports int
		bad     map[string]bool // codes whose filing fails
	}{
		{"all fine", 200, nil},
		{"a bad report fails alone", 200, map[string]bool{"R7": true, "R150": true}},
		{"a single report", 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var sizes []int
			g := &grouper{file: func(ctx context.Context, group []filing) ([]filed, error) {
				mu.Lock()
				sizes = append(sizes, len(group))
				mu.Unlock()
				time.Sleep(2 * time.Millisecond) // a round trip, so others queue up
				out := make([]filed, len(group))
				for i, fl := range group {
					code := fl.code
					if tt.bad[code] {
						return nil, fmt.Errorf("%s: %w", code, errBad)
					}
					out[i] = filed{TrackingCode: code}
				}
				return out, nil
			}}
			var wg sync.WaitGroup
			errs := make([]error, tt.reports)
			got := make([]filed, tt.reports)
			for i := range tt.reports {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = g.do(context.Background(), filing{code: fmt.Sprintf("R%d", i)})
				}()
			}
			wg.Wait()
			for i := range tt.reports {
				code := fmt.Sprintf("R%d", i)
				switch {
				case tt.bad[code] && !errors.Is(errs[i], errBad):
					t.Errorf("%s: err = %v, want the bad report's error", code, errs[i])
				case !tt.bad[code] && (errs[i] != nil || got[i].TrackingCode != code):
					t.Errorf("%s: got %+v, %v", code, got[i], errs[i])
				}
			}
			largest := 0
			for _, n := range sizes {
				largest = max(largest, n)
				if n > maxGroup {
					t.Errorf("group of %d, more than %d", n, maxGroup)
				}
			}
			if tt.reports > 50 && largest < 2 {
				t.Errorf("no report was filed in company: groups %v", sizes)
			}
			// A leader that handed over may still be on its way out.
			for deadline := time.Now().Add(time.Second); ; time.Sleep(time.Millisecond) {
				g.mu.Lock()
				leaders, queued := g.leaders, len(g.queue)
				g.mu.Unlock()
				if leaders == 0 && queued == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("after all answers: %d leaders, %d queued", leaders, queued)
				}
			}
		})
	}
}

// A report whose client gives up while it waits for a leader is still filed with its
// group; the client hears that it gave up.
func TestGrouperCancelledWaiter(t *testing.T) {
	release := make(chan struct{})
	filedCodes := make(chan string, 2)
	g := &grouper{file: func(ctx context.Context, group []filing) ([]filed, error) {
		<-release
		out := make([]filed, len(group))
		for i, fl := range group {
			filedCodes <- fl.code
			out[i] = filed{TrackingCode: fl.code}
		}
		return out, nil
	}}
	// Two leaders are busy (blocked in file), so the third report waits in the queue.
	for _, code := range []string{"L1", "L2"} {
		go g.do(context.Background(), filing{code: code})
	}
	for deadline := time.Now().Add(time.Second); ; time.Sleep(time.Millisecond) {
		g.mu.Lock()
		busy := g.leaders == maxLeaders && len(g.queue) == 0
		g.mu.Unlock()
		if busy {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the leaders did not start")
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := g.do(ctx, filing{code: "A"})
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	close(release)
	seen := map[string]bool{}
	for len(seen) < 3 {
		select {
		case c := <-filedCodes:
			seen[c] = true
		case <-time.After(time.Second):
			t.Fatalf("filed only %v; the cancelled report must still be filed", seen)
		}
	}
	if !seen["A"] {
		t.Errorf("filed %v", seen)
	}
}

// A group whose fate is unknown (not refused by PostgreSQL: a timeout, a lost connection,
// perhaps after the commit) is not filed again, report by report: that could file its
// reports twice. Each of them gets the error.
func TestGrouperUnknownFateIsNotRefiled(t *testing.T) {
	errLost := errors.New("connection lost")
	var mu sync.Mutex
	calls := map[string]int{}
	release := make(chan struct{})
	g := &grouper{file: func(ctx context.Context, group []filing) ([]filed, error) {
		<-release
		mu.Lock()
		defer mu.Unlock()
		for _, fl := range group {
			calls[fl.code]++
		}
		return nil, errLost
	}}
	const n = 12
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := g.do(context.Background(), filing{code: fmt.Sprintf("R%d", i)})
			errs <- err
		}()
	}
	time.Sleep(20 * time.Millisecond) // let them queue behind the two leaders
	close(release)
	for range n {
		if err := <-errs; !errors.Is(err, errLost) {
			t.Errorf("err = %v, want the group's error", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for code, c := range calls {
		if c != 1 {
			t.Errorf("%s was sent %d times, want once", code, c)
		}
	}
	if len(calls) != n {
		t.Errorf("%d of %d reports were sent", len(calls), n)
	}
}
