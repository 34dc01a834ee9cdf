package rebalance

import (
	"testing"
	"time"

	"wijkwerk/backend/planner"
)

func TestCountsAsSpecialist(t *testing.T) {
	w, err := planner.ParseWeek("2026-W48") // Monday 23 to Sunday 29 November
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) planner.Date { return planner.DateOf(time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC)) }
	friday := day(27)
	for _, tt := range []struct {
		name string
		a    planner.Availability
		want bool
	}{
		{"specialist all week", planner.Availability{Role: "specialist"}, true},
		{"trainee", planner.Availability{Role: "trainee"}, false},
		{"last day today", planner.Availability{Role: "specialist", End: friday}, true},
		// Worked Monday to Thursday, flowed out today: the proposal counted them, every
		// apply refused the move.
		{"left yesterday", planner.Availability{Role: "specialist", End: day(26)}, false},
		{"absent all week", planner.Availability{Role: "specialist", Absences: []planner.DateRange{{From: day(23), To: day(29)}}}, false},
	} {
		if got := countsAsSpecialist(w, tt.a, friday); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
