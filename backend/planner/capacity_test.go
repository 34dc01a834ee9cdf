package planner

import (
	"math"
	"testing"
	"time"
)

func TestFirstDay(t *testing.T) {
	registered := time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC) // the 25th in Amsterdam
	tests := []struct {
		name       string
		placement  Date
		registered time.Time
		want       Date
	}{
		{"placement start", date("2026-09-01"), registered, date("2026-09-01")},
		{"placement start after registering", date("2026-12-01"), registered, date("2026-12-01")},
		{"no placement start: the day registered, in Amsterdam", Date{}, registered, date("2026-11-25")},
		{"neither", Date{}, time.Time{}, Date{}},
	}
	for _, tt := range tests {
		if got := FirstDay(tt.placement, tt.registered); !got.Equal(tt.want.Time) {
			t.Errorf("%s: FirstDay = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAvailableDays(t *testing.T) {
	w48 := Week{2026, 48}   // 23–29 November 2026, five working days
	kings := Week{2026, 18} // 27 April – 3 May 2026, King's Day on Monday
	tests := []struct {
		name string
		week Week
		give Availability
		want int
	}{
		{"whole week", w48, Availability{}, 5},
		{"absent Tuesday and Wednesday", w48, Availability{Absences: []DateRange{{date("2026-11-24"), date("2026-11-25")}}}, 3},
		{"absence from last week into Monday", w48, Availability{Absences: []DateRange{{date("2026-11-16"), date("2026-11-23")}}}, 4},
		{"absent on the weekend only", w48, Availability{Absences: []DateRange{{date("2026-11-28"), date("2026-11-29")}}}, 5},
		{"overlapping absences", w48, Availability{Absences: []DateRange{
			{date("2026-11-23"), date("2026-11-24")}, {date("2026-11-24"), date("2026-11-25")}}}, 2},
		{"starts on Wednesday", w48, Availability{Start: date("2026-11-25")}, 3},
		{"starts next week", w48, Availability{Start: date("2026-11-30")}, 0},
		{"ends on Tuesday", w48, Availability{End: date("2026-11-24")}, 2},
		{"ended last week", w48, Availability{End: date("2026-11-20")}, 0},
		{"holiday week", kings, Availability{}, 4},
		{"absent on the holiday", kings, Availability{Absences: []DateRange{{date("2026-04-27"), date("2026-04-28")}}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AvailableDays(tt.week, tt.give); got != tt.want {
				t.Errorf("AvailableDays = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestWorkerEnd(t *testing.T) {
	tests := []struct {
		name       string
		start, end string
		outflows   []string
		want       string
	}{
		{"open", "", "", nil, ""},
		{"contract end", "2026-01-01", "2026-12-31", nil, "2026-12-31"},
		{"outflow before the contract ends", "2026-01-01", "2026-12-31", []string{"2026-11-25"}, "2026-11-24"},
		{"outflow after the contract ends", "2026-01-01", "2026-06-30", []string{"2026-11-25"}, "2026-06-30"},
		{"outflow of an earlier placement", "2026-01-01", "", []string{"2025-06-01"}, ""},
		{"two outflows", "", "", []string{"2026-12-01", "2026-11-01"}, "2026-10-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var start, end Date
			if tt.start != "" {
				start = date(tt.start)
			}
			if tt.end != "" {
				end = date(tt.end)
			}
			var outs []Date
			for _, o := range tt.outflows {
				outs = append(outs, date(o))
			}
			if got := WorkerEnd(start, end, outs).String(); got != tt.want {
				t.Errorf("WorkerEnd = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTeamCapacity(t *testing.T) {
	w48 := Week{2026, 48}
	workers := []Availability{
		{WorkerID: 1, ContractHours: 32, Teams: []int64{10}},                                                                  // 32
		{WorkerID: 2, ContractHours: 40, Teams: []int64{10, 20}},                                                              // 20 + 20
		{WorkerID: 3, ContractHours: 24, Teams: []int64{20}, Absences: []DateRange{{date("2026-11-23"), date("2026-11-24")}}}, // 24 × 3/5
		{WorkerID: 4, ContractHours: 36, Teams: nil},                                                                          // in no team
		{WorkerID: 5, ContractHours: 32, Teams: []int64{30}, End: date("2026-11-20")},                                         // gone
	}
	got := TeamCapacity(w48, workers)
	want := map[int64]float64{10: 52, 20: 34.4, 30: 0}
	for team, h := range want {
		if math.Abs(got[team]-h) > 1e-9 {
			t.Errorf("team %d capacity %v, want %v", team, got[team], h)
		}
	}
	if len(got) != len(want) {
		t.Errorf("capacity %v, want teams %v", got, want)
	}
	if c := WorkerCapacity(Week{2026, 18}, Availability{ContractHours: 32}); c != 25.6 {
		t.Errorf("holiday week capacity %v, want 25.6", c)
	}
}

func TestUtilisation(t *testing.T) {
	tests := []struct {
		hours, capacity float64
		want            *float64
	}{
		{10, 0, nil},
		{0, 0, nil},
		{0, 32, ptr(0)},
		{16, 32, ptr(0.5)},
		{40, 32, ptr(1.25)},
		{10, 3, ptr(3.333)},
	}
	for _, tt := range tests {
		got := Utilisation(tt.hours, tt.capacity)
		if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("Utilisation(%v, %v) = %v, want %v", tt.hours, tt.capacity, deref(got), deref(tt.want))
		}
	}
}

func ptr(f float64) *float64 { return &f }

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
