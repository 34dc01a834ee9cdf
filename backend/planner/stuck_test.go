package planner

import (
	"testing"
	"time"

	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
)

func TestWaitingDays(t *testing.T) {
	ams := func(s string) time.Time {
		loc, _ := time.LoadLocation("Europe/Amsterdam")
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name  string
		since time.Time
		today string
		want  int
	}{
		{"the same day", ams("2026-11-26 08:00"), "2026-11-26", 0},
		{"late yesterday", ams("2026-11-25 23:50"), "2026-11-26", 1},
		{"just after midnight in Amsterdam, still the day before in UTC", ams("2026-11-26 00:30"), "2026-11-26", 0},
		{"a week", ams("2026-11-19 12:00"), "2026-11-26", 7},
		{"across the change to winter time", ams("2026-10-24 12:00"), "2026-10-26", 2},
		{"across the change to summer time", ams("2026-03-28 12:00"), "2026-03-30", 2},
		{"in the future (clock skew)", ams("2026-11-27 09:00"), "2026-11-26", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WaitingDays(tt.since, date(tt.today)); got != tt.want {
				t.Errorf("WaitingDays(%s, %s) = %d, want %d", tt.since, tt.today, got, tt.want)
			}
		})
	}
}

func TestErrNotStuck(t *testing.T) {
	tests := []struct {
		name   string
		status string
		closed bool
		want   string
	}{
		{"closed already", "cannot_complete", true, "Deze werkorder is al afgesloten."},
		{"still open", "assigned", false, "U kunt alleen werkorders afsluiten die de ploeg niet kon afmaken. Deze staat op “Bij de ploeg”."},
		{"done", "done", false, "U kunt alleen werkorders afsluiten die de ploeg niet kon afmaken. Deze staat op “Klaar”."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := problem.As(errNotStuck(job.Status(tt.status), tt.closed))
			if !ok || p.Status != 409 || p.Detail.NL != tt.want {
				t.Errorf("errNotStuck = %+v, want 409 %q", p, tt.want)
			}
		})
	}
}

func TestFirstOf(t *testing.T) {
	for _, tt := range []struct {
		asked, rows, want int
		truncated         bool
	}{
		{asked: 2, rows: 3, want: 2, truncated: true},
		{asked: 2, rows: 2, want: 2},
		{asked: 2, rows: 0, want: 0},
		{asked: 0, rows: 1001, want: 1000, truncated: true}, // no limit asked: 1,000
		{asked: -1, rows: 5, want: 5},
	} {
		got, truncated := firstOf(make([]int, tt.rows), listLimit(tt.asked))
		if len(got) != tt.want || truncated != tt.truncated {
			t.Errorf("limit %d of %d rows = %d rows, truncated %v; want %d, %v", tt.asked, tt.rows, len(got), truncated, tt.want, tt.truncated)
		}
	}
}
