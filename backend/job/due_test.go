package job

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDueDate(t *testing.T) {
	tests := []struct {
		name string
		give string // Amsterdam local time
		days int
		want string
	}{
		{"same day", "2026-11-26T10:00", 0, "2026-11-26"},
		{"thursday plus one", "2026-11-26T10:00", 1, "2026-11-27"},
		{"thursday plus two skips weekend", "2026-11-26T10:00", 2, "2026-11-30"},
		{"friday plus one", "2026-11-27T23:30", 1, "2026-11-30"},
		{"saturday plus one", "2026-11-28T09:00", 1, "2026-11-30"},
		{"christmas", "2026-12-24T09:00", 1, "2026-12-28"},
		{"new year", "2026-12-31T09:00", 1, "2027-01-04"},
		{"easter monday 2027", "2027-03-26T09:00", 1, "2027-03-30"},
		{"kings day 2027 on tuesday", "2027-04-26T09:00", 1, "2027-04-28"},
		{"ascension 2026", "2026-05-13T09:00", 1, "2026-05-15"},
		{"whit monday 2026", "2026-05-22T09:00", 1, "2026-05-26"},
		{"liberation day lustrum 2025", "2025-05-02T09:00", 1, "2025-05-06"},
		{"liberation day 2026 is a working day", "2026-05-04T09:00", 1, "2026-05-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, err := time.ParseInLocation("2006-01-02T15:04", tt.give, Amsterdam)
			if err != nil {
				t.Fatal(err)
			}
			got := DueDate(from, tt.days)
			if want := date(tt.want); !got.Equal(want) {
				t.Errorf("DueDate(%s, %d) = %s, want %s", tt.give, tt.days, got.Format("2006-01-02"), tt.want)
			}
		})
	}
}

func TestDueDateUsesAmsterdamDay(t *testing.T) {
	// 23:30 UTC on a Thursday is already Friday in Amsterdam.
	from := time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC)
	if got := DueDate(from, 0); !got.Equal(date("2026-11-27")) {
		t.Errorf("got %s, want 2026-11-27", got.Format("2006-01-02"))
	}
}

func TestEaster(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{2024, "2024-03-31"}, {2025, "2025-04-20"}, {2026, "2026-04-05"}, {2027, "2027-03-28"}, {2038, "2038-04-25"},
	}
	for _, tt := range tests {
		if got := easterSunday(tt.year); !got.Equal(date(tt.want)) {
			t.Errorf("easter %d = %s, want %s", tt.year, got.Format("2006-01-02"), tt.want)
		}
	}
}
