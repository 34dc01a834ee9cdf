package planner

import (
	"math"
	"sort"
	"time"
)

// DateRange is a span of whole days, both ends included.
type DateRange struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// Contains reports whether d lies in r.
func (r DateRange) Contains(d Date) bool { return !d.Before(r.From.Time) && !d.After(r.To.Time) }

// Availability is what capacity needs to know about one active worker.
type Availability struct {
	WorkerID      int64
	Role          string
	ContractHours float64 // per week of five working days
	// Teams are all the worker's teams. A worker in two teams gives each half.
	Teams []int64
	// Start is the first day the worker counts (see FirstDay); zero: always did.
	Start Date
	// End is the last day the worker counts (see WorkerEnd); zero: no end.
	End      Date
	Absences []DateRange
}

// FirstDay is the first day a worker counts, for capacity and participation alike: their
// placement start, else the day they were registered (in Amsterdam). A week before it
// does not count their hours. worker.FirstDaySQL is the same day for phone access.
func FirstDay(placementStart Date, registeredAt time.Time) Date {
	if !placementStart.IsZero() || registeredAt.IsZero() {
		return placementStart
	}
	return Today(registeredAt)
}

// WorkerEnd is the last day a worker counts for capacity: the contract end, or the day
// before the first outflow on or after start, whichever comes first. Zero means no end.
func WorkerEnd(start, contractEnd Date, outflows []Date) Date {
	end := contractEnd
	for _, o := range outflows {
		if !start.IsZero() && o.Before(start.Time) {
			continue // an outflow before this placement began belongs to an earlier one
		}
		last := o.AddDays(-1)
		if end.IsZero() || last.Before(end.Time) {
			end = last
		}
	}
	return end
}

// AvailableDays counts the working days of week w on which a is under contract and not
// absent.
func AvailableDays(w Week, a Availability) int { return AvailableDaysFrom(w, a, Date{}) }

// AvailableDaysFrom is AvailableDays counting only the days on or after from: what is
// left of the week for work given now.
func AvailableDaysFrom(w Week, a Availability, from Date) int {
	n := 0
	for _, d := range w.WorkingDays() {
		if !from.IsZero() && d.Before(from.Time) {
			continue
		}
		if !a.Start.IsZero() && d.Before(a.Start.Time) {
			continue
		}
		if !a.End.IsZero() && d.After(a.End.Time) {
			continue
		}
		absent := false
		for _, r := range a.Absences {
			if r.Contains(d) {
				absent = true
				break
			}
		}
		if !absent {
			n++
		}
	}
	return n
}

// WorkerCapacity is the hours a worker can give in week w: contract hours times the share
// of the five working days of a normal week on which they are available. A week with a
// national holiday therefore has less capacity.
func WorkerCapacity(w Week, a Availability) float64 {
	return a.ContractHours * float64(AvailableDays(w, a)) / 5
}

// TeamCapacity sums worker capacity per team for week w. A worker in several teams is
// split evenly between them, so nobody's hours count twice.
func TeamCapacity(w Week, workers []Availability) map[int64]float64 {
	out := map[int64]float64{}
	for _, a := range workers {
		if len(a.Teams) == 0 {
			continue
		}
		share := WorkerCapacity(w, a) / float64(len(a.Teams))
		for _, t := range a.Teams {
			out[t] += share
		}
	}
	for t, h := range out {
		out[t] = round(h, 2)
	}
	return out
}

// Utilisation is hours of work per hour of capacity; nil when there is no capacity
// (a team without available workers cannot be "x% full").
func Utilisation(hours, capacity float64) *float64 {
	if capacity <= 0 {
		return nil
	}
	u := round(hours/capacity, 3)
	return &u
}

func round(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}

// sortedIDs returns the keys of m in ascending order.
func sortedIDs[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
