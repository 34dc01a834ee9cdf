package planner

import (
	"testing"
	"time"

	"wijkwerk/backend/problem"
)

func date(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestParseWeek(t *testing.T) {
	tests := []struct {
		give       string
		want       Week
		wantMonday string
		wantErr    bool
	}{
		{give: "2026-W48", want: Week{2026, 48}, wantMonday: "2026-11-23"},
		{give: "2026w48", want: Week{2026, 48}, wantMonday: "2026-11-23"},
		{give: " 2026-W01 ", want: Week{2026, 1}, wantMonday: "2025-12-29"},
		{give: "2027-W01", want: Week{2027, 1}, wantMonday: "2027-01-04"},
		{give: "2026-W53", want: Week{2026, 53}, wantMonday: "2026-12-28"}, // 2026 starts on a Thursday
		{give: "2020-W53", want: Week{2020, 53}, wantMonday: "2020-12-28"},
		{give: "2025-W53", wantErr: true},
		{give: "2026-W00", wantErr: true},
		{give: "2026-W54", wantErr: true},
		{give: "2026-W4", wantErr: true},
		{give: "2026-48", wantErr: true},
		{give: "W48", wantErr: true},
		{give: "abcd-Wef", wantErr: true},
		{give: "", wantErr: true},
		{give: "1999-W10", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := ParseWeek(tt.give)
			if tt.wantErr {
				if err == nil || !problem.Of(err, problem.ValidationFailed) {
					t.Fatalf("ParseWeek(%q) = %v, %v; want a validation problem", tt.give, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseWeek(%q) = %v, %v; want %v", tt.give, got, err, tt.want)
			}
			if m := got.Monday().String(); m != tt.wantMonday {
				t.Errorf("Monday = %s, want %s", m, tt.wantMonday)
			}
			if y, w := got.Monday().ISOWeek(); y != tt.want.Year || w != tt.want.Number {
				t.Errorf("Monday %s is in %d-W%d", got.Monday(), y, w)
			}
			if got.Monday().Weekday() != time.Monday || got.Sunday().Weekday() != time.Sunday {
				t.Errorf("week runs %s to %s", got.Monday().Weekday(), got.Sunday().Weekday())
			}
			if got.String() != tt.want.String() {
				t.Errorf("String = %s", got)
			}
		})
	}
}

func TestWeekOf(t *testing.T) {
	tests := []struct {
		give string // an instant
		want string
	}{
		{"2026-11-26T06:00:00Z", "2026-W48"},
		{"2026-11-29T22:59:59Z", "2026-W48"}, // Sunday 23:59:59 in Amsterdam
		{"2026-11-29T23:00:00Z", "2026-W49"}, // Monday 00:00 in Amsterdam
		{"2027-01-01T12:00:00Z", "2026-W53"},
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.give)
		if got := WeekOf(at).String(); got != tt.want {
			t.Errorf("WeekOf(%s) = %s, want %s", tt.give, got, tt.want)
		}
	}
}

func TestWorkingDays(t *testing.T) {
	tests := []struct {
		week string
		want int
		why  string
	}{
		{"2026-W48", 5, "an ordinary week"},
		{"2026-W18", 4, "King's Day, Monday 27 April 2026"},
		{"2025-W19", 4, "Liberation Day 5 May 2025 (a lustrum year)"},
		{"2026-W19", 5, "5 May 2026 is a working day"},
		{"2026-W52", 4, "Christmas Friday 25 December (26th is a Saturday)"},
		{"2026-W15", 4, "Easter Monday 6 April 2026"},
		{"2026-W20", 4, "Ascension Day, Thursday 14 May 2026"},
	}
	for _, tt := range tests {
		w, err := ParseWeek(tt.week)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(w.WorkingDays()); got != tt.want {
			t.Errorf("%s (%s): %d working days, want %d", tt.week, tt.why, got, tt.want)
		}
	}
}
