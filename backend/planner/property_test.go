package planner

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// genAvailability draws a worker around weeks 2026-W47..W50.
func genAvailability(t *rapid.T, id int64) Availability {
	base := date("2026-11-09")
	day := func(label string) Date { return base.AddDays(rapid.IntRange(0, 40).Draw(t, label)) }
	a := Availability{
		WorkerID:      id,
		Role:          rapid.SampledFrom([]string{"specialist", "trainee", "seconded", "enforcement"}).Draw(t, "role"),
		ContractHours: float64(rapid.IntRange(0, 120).Draw(t, "halfHours")) / 2,
	}
	teams := rapid.SliceOfNDistinct(rapid.Int64Range(1, 5), 0, 3, func(x int64) int64 { return x }).Draw(t, "teams")
	a.Teams = teams
	if rapid.Bool().Draw(t, "hasStart") {
		a.Start = day("start")
	}
	if rapid.Bool().Draw(t, "hasEnd") {
		a.End = day("end")
	}
	for range rapid.IntRange(0, 3).Draw(t, "absences") {
		from := day("from")
		a.Absences = append(a.Absences, DateRange{From: from, To: from.AddDays(rapid.IntRange(0, 9).Draw(t, "length"))})
	}
	return a
}

// Capacity is conserved: what the teams get adds up to what the workers give, nobody
// gives more than their contract, and an absence never adds capacity.
func TestCapacityProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		week := Week{2026, rapid.IntRange(47, 50).Draw(t, "week")}
		n := rapid.IntRange(0, 12).Draw(t, "workers")
		workers := make([]Availability, n)
		var given float64
		for i := range workers {
			workers[i] = genAvailability(t, int64(i+1))
			c := WorkerCapacity(week, workers[i])
			if c < 0 || c > workers[i].ContractHours+1e-9 {
				t.Fatalf("worker %+v gives %v of %v hours", workers[i], c, workers[i].ContractHours)
			}
			if len(workers[i].Teams) > 0 {
				given += c
			}
			more := workers[i]
			more.Absences = append(append([]DateRange{}, more.Absences...), DateRange{From: week.Monday(), To: week.Monday().AddDays(rapid.IntRange(0, 6).Draw(t, "extra"))})
			if WorkerCapacity(week, more) > c+1e-9 {
				t.Fatalf("an absence raised capacity: %+v", more)
			}
		}
		var got float64
		caps := TeamCapacity(week, workers)
		for _, h := range caps {
			got += h
		}
		if math.Abs(got-given) > 0.005*float64(len(caps))+1e-9 {
			t.Fatalf("teams get %v hours, workers give %v", got, given)
		}
	})
}

// The board neither loses nor invents work: teams in scope, the queue and teams out of
// scope add up to the total, and so do the districts with what lies outside them.
func TestBoardConservesWork(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rows := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) LoadRow {
			jobs := rapid.IntRange(1, 50).Draw(t, "jobs")
			overdue := rapid.IntRange(0, jobs).Draw(t, "overdue")
			return LoadRow{
				TeamID:  rapid.Int64Range(0, 6).Draw(t, "team"), // 0: queue; 6: out of scope
				AreaID:  rapid.SampledFrom([]int64{1, 2, 3, 4, 9, 77}).Draw(t, "area"),
				Jobs:    jobs,
				Minutes: int64(rapid.IntRange(0, 100*jobs).Draw(t, "minutes")),
				Overdue: overdue,
				DueSoon: rapid.IntRange(0, jobs-overdue).Draw(t, "soon"),
			}
		}), 0, 40).Draw(t, "rows")
		teams := []TeamRef{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}, {ID: 5}}
		b := BuildBoard(BoardInput{Week: Week{2026, 48}, Teams: teams, Rows: rows, Areas: testAreas})
		var outOfScope Load
		for _, r := range rows {
			if r.TeamID == 6 {
				outOfScope.add(r)
			}
		}
		byTeam := []Load{b.Unassigned, outOfScope}
		for _, tm := range b.Teams {
			byTeam = append(byTeam, tm.Load)
		}
		byDistrict := []Load{b.OutsideDistricts}
		for _, d := range b.Districts {
			byDistrict = append(byDistrict, d.Load)
		}
		for name, parts := range map[string][]Load{"teams": byTeam, "districts": byDistrict} {
			var sum Load
			for _, l := range parts {
				sum.OpenJobs += l.OpenJobs
				sum.minutes += l.minutes
				sum.Overdue += l.Overdue
				sum.DueSoon += l.DueSoon
			}
			if sum.OpenJobs != b.Total.OpenJobs || sum.minutes != b.Total.minutes || sum.Overdue != b.Total.Overdue || sum.DueSoon != b.Total.DueSoon {
				t.Fatalf("%s add up to %+v, total is %+v", name, sum, b.Total)
			}
		}
	})
}
