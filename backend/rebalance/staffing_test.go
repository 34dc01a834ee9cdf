package rebalance

import (
	"testing"
	"time"

	"wijkwerk/backend/planner"
)

// TestStaffing: who counts for the rest of the week, seen on Friday of week 48.
func TestStaffing(t *testing.T) {
	w, err := planner.ParseWeek("2026-W48") // Monday 23 to Sunday 29 November
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) planner.Date { return planner.DateOf(time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC)) }
	friday := day(27)
	worker := func(role string, team int64, a planner.Availability) planner.Availability {
		a.Role, a.ContractHours, a.Teams = role, 32, []int64{team}
		return a
	}
	for _, tt := range []struct {
		name                 string
		a                    planner.Availability
		working, specialists bool
	}{
		{"specialist all week", worker("specialist", 1, planner.Availability{}), true, true},
		{"trainee all week", worker("trainee", 1, planner.Availability{}), true, false},
		{"specialist whose last day is today", worker("specialist", 1, planner.Availability{End: friday}), true, true},
		// Worked Monday to Thursday, flowed out today: the team had hours this week, and a
		// proposal counted the specialist, but no one can do the work now.
		{"specialist who left yesterday", worker("specialist", 1, planner.Availability{End: day(26)}), false, false},
		{"ill from today", worker("trainee", 1, planner.Availability{Absences: []planner.DateRange{{From: friday, To: day(29)}}}), false, false},
		{"ill until yesterday", worker("specialist", 1, planner.Availability{Absences: []planner.DateRange{{From: day(23), To: day(26)}}}), true, true},
		{"no contract hours", planner.Availability{Role: "specialist", Teams: []int64{1}}, false, false},
	} {
		working, specialists := staffing(w, []planner.Availability{tt.a}, friday)
		if working[1] != tt.working || specialists[1] != tt.specialists {
			t.Errorf("%s: working %v, specialist %v; want %v, %v", tt.name, working[1], specialists[1], tt.working, tt.specialists)
		}
	}
	// On the week's Saturday no working day is left: the week counts whole, as on the
	// board, or every team would have no one on a weekend.
	saturday := day(28)
	if working, specialists := staffing(w, []planner.Availability{worker("specialist", 1, planner.Availability{End: day(26)})}, saturday); !working[1] || !specialists[1] {
		t.Error("on Saturday, a specialist who worked until Thursday does not count for the week")
	}
	// A future week counts from its Monday.
	next, _ := planner.ParseWeek("2026-W49")
	if working, _ := staffing(next, []planner.Availability{worker("trainee", 1, planner.Availability{End: day(30)})}, friday); !working[1] {
		t.Error("a worker whose last day is next Monday does not count for next week")
	}
}
