package planner

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"wijkwerk/backend/problem"
)

func TestNextWorkingDay(t *testing.T) {
	tests := []struct{ give, want string }{
		{"2026-11-26", "2026-11-27"}, // Thursday → Friday
		{"2026-11-27", "2026-11-30"}, // Friday → Monday
		{"2027-03-26", "2027-03-30"}, // Friday before Easter Monday → Tuesday
		{"2026-12-24", "2026-12-28"}, // Thursday before Christmas → Monday
		{"2026-05-13", "2026-05-15"}, // Wednesday before Ascension Day → Friday
	}
	for _, tt := range tests {
		if got := NextWorkingDay(date(tt.give)).String(); got != tt.want {
			t.Errorf("NextWorkingDay(%s) = %s, want %s", tt.give, got, tt.want)
		}
	}
}

func TestDueTomorrowText(t *testing.T) {
	tests := []struct {
		today, day  string
		n           int
		title, body problem.Text
	}{
		{"2026-11-26", "2026-11-27", 1,
			problem.T("Taak voor morgen", "Task for tomorrow"),
			problem.T("Er moet morgen 1 taak klaar zijn. Kijk in de app welke.", "1 task must be done tomorrow. Look in the app to see which.")},
		{"2026-11-26", "2026-11-27", 3,
			problem.T("Taken voor morgen", "Tasks for tomorrow"),
			problem.T("Er moeten morgen 3 taken klaar zijn. Kijk in de app welke.", "3 tasks must be done tomorrow. Look in the app to see which.")},
		{"2026-11-27", "2026-11-30", 2,
			problem.T("Taken voor maandag", "Tasks for Monday"),
			problem.T("Er moeten maandag 2 taken klaar zijn. Kijk in de app welke.", "2 tasks must be done on Monday. Look in the app to see which.")},
	}
	for _, tt := range tests {
		title, body := DueTomorrowText(date(tt.today), date(tt.day), tt.n)
		if title != tt.title || body != tt.body {
			t.Errorf("DueTomorrowText(%s, %s, %d) = %q, %q", tt.today, tt.day, tt.n, title, body)
		}
	}
}

func TestUntilDaily(t *testing.T) {
	tests := []struct {
		give string
		want time.Duration
	}{
		{"2026-11-26T05:00:00Z", 1 * time.Hour},  // 06:00 in Amsterdam (CET)
		{"2026-11-26T06:00:00Z", 24 * time.Hour}, // exactly 07:00: the next is tomorrow
		{"2026-06-26T04:30:00Z", 30 * time.Minute},
		{"2026-03-28T07:00:00Z", 22 * time.Hour}, // Saturday 08:00 CET → Sunday 07:00 CEST
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.give)
		if got := untilDaily(at); got != tt.want {
			t.Errorf("untilDaily(%s) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

// runDaily runs once a day after 07:00 Amsterdam time, also when it wakes up often.
func TestRunDaily(t *testing.T) {
	now, _ := time.Parse(time.RFC3339, "2026-11-26T04:00:00Z") // 05:00 in Amsterdam
	var runs []string
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock := func() time.Time { return now }
	after := func(d time.Duration) <-chan time.Time {
		if d > time.Hour || d <= 0 {
			t.Errorf("sleeps %v", d)
		}
		now = now.Add(d)
		if now.After(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
			// The end: a timer that never fires, so the loop sees the cancellation. (With
			// both ready, select picks either, and the loop could run on to the 29th.)
			cancel()
			return nil
		}
		c := make(chan time.Time, 1)
		c <- now
		return c
	}
	runDaily(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), clock, after, func(at time.Time) (int, error) {
		runs = append(runs, at.In(time.UTC).Format(time.RFC3339))
		return 1, nil
	})
	want := []string{"2026-11-26T06:00:00Z", "2026-11-27T06:00:00Z", "2026-11-28T06:00:00Z"}
	if len(runs) != len(want) {
		t.Fatalf("runs = %v, want %v", runs, want)
	}
	for i := range want {
		if runs[i] != want[i] {
			t.Errorf("run %d at %s, want %s", i, runs[i], want[i])
		}
	}
}
