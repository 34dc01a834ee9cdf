package rebalance_test

import (
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"pgregory.net/rapid"

	"wijkwerk/backend/category"
	"wijkwerk/backend/rebalance"
)

// util is load over capacity, written out again so the checks do not trust the package.
func util(load, capacity float64) float64 {
	if capacity <= 0 {
		if load > 1e-9 {
			return math.Inf(1)
		}
		return 0
	}
	return load / capacity
}

// mayGo reports whether job j may end on team t: its own team, or a target of its zone
// whose team has a specialist when the category needs one.
func mayGo(in rebalance.Input, j rebalance.Job, t rebalance.Team) bool {
	if t.ID == j.TeamID {
		return true
	}
	if j.Rule != category.TraineeAlone && !t.HasSpecialist {
		return false
	}
	if j.Zone < 0 || j.Zone >= len(in.Zones) {
		return false
	}
	return slices.ContainsFunc(in.Zones[j.Zone].Targets, func(tg rebalance.Target) bool { return tg.TeamID == t.ID })
}

func threshold(in rebalance.Input) float64 {
	if in.Threshold <= 0 {
		return rebalance.DefaultThreshold
	}
	return in.Threshold
}

func near(a, b float64) bool {
	if math.IsInf(a, 1) || math.IsInf(b, 1) {
		return a == b
	}
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(a))
}

// tb is what checkResult needs of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkResult checks every rule of a suggestion against its input, recomputing the
// loads independently by replaying the moves in order.
func checkResult(t tb, in rebalance.Input, r rebalance.Result) {
	t.Helper()
	teams := map[int64]rebalance.Team{}
	load := map[int64]float64{}
	for _, tm := range in.Teams {
		teams[tm.ID] = tm
		load[tm.ID] = tm.LoadHours
	}
	jobs := map[int64]rebalance.Job{}
	for _, j := range in.Jobs {
		jobs[j.ID] = j
	}
	maxOf := func() float64 {
		m := 0.0
		for id, l := range load {
			m = math.Max(m, util(l, teams[id].CapacityHours))
		}
		return m
	}
	maxBefore := maxOf()
	if len(r.Before) != len(in.Teams) || len(r.After) != len(in.Teams) {
		t.Fatalf("before/after have %d/%d teams, want %d", len(r.Before), len(r.After), len(in.Teams))
	}
	for _, b := range r.Before {
		if !near(b.LoadHours, load[b.TeamID]) || !near(float64(b.Utilisation), util(load[b.TeamID], teams[b.TeamID].CapacityHours)) {
			t.Fatalf("before of team %d = %+v, input load %v", b.TeamID, b, load[b.TeamID])
		}
	}
	if !near(float64(r.MaxBefore), maxBefore) {
		t.Fatalf("max before = %v, want %v", r.MaxBefore, maxBefore)
	}
	maxMoves := in.MaxMoves
	if maxMoves <= 0 {
		maxMoves = rebalance.DefaultMaxMoves
	}
	if len(r.Moves) > maxMoves {
		t.Fatalf("%d moves, at most %d allowed", len(r.Moves), maxMoves)
	}
	seen := map[int64]bool{}
	prevMax := maxBefore
	for i, m := range r.Moves {
		j, ok := jobs[m.JobID]
		switch {
		case !ok:
			t.Fatalf("move %d: job %d is not in the input", i, m.JobID)
		case seen[m.JobID]:
			t.Fatalf("move %d: job %d moves twice", i, m.JobID)
		case m.FromTeam != j.TeamID || m.Version != j.Version || m.EffortHours != j.EffortHours:
			t.Fatalf("move %d: %+v does not match job %+v", i, m, j)
		case m.ToTeam == m.FromTeam:
			t.Fatalf("move %d: job %d stays on team %d", i, m.JobID, m.ToTeam)
		}
		seen[m.JobID] = true
		to, ok := teams[m.ToTeam]
		if !ok || !mayGo(in, j, to) {
			t.Fatalf("move %d: job %d (rule %s, zone %d) may not go to team %d (%+v)", i, m.JobID, j.Rule, j.Zone, m.ToTeam, to)
		}
		if j.Rule != category.TraineeAlone && !to.HasSpecialist {
			t.Fatalf("move %d: %s job %d to team %d without a specialist", i, j.Rule, j.ID, to.ID)
		}
		if m.Reason == "" {
			t.Fatalf("move %d has no reason", i)
		}
		from := teams[m.FromTeam]
		uFrom := util(load[m.FromTeam], from.CapacityHours)
		if !(uFrom > threshold(in)) {
			t.Fatalf("move %d: team %d gives work at %v, not above the threshold %v", i, from.ID, uFrom, threshold(in))
		}
		// Room: a team the job may go to that would end within 100% of its hours.
		room := false
		for _, o := range in.Teams {
			if o.ID != j.TeamID && mayGo(in, j, o) && util(load[o.ID]+j.EffortHours, o.CapacityHours) <= rebalance.ReceiveLimit+1e-9 {
				room = true
			}
		}
		uToBefore := util(load[m.ToTeam], to.CapacityHours)
		load[m.FromTeam] -= m.EffortHours
		load[m.ToTeam] += m.EffortHours
		uTo := util(load[m.ToTeam], to.CapacityHours)
		if !(uTo < uFrom) {
			t.Fatalf("move %d: team %d ends at %v, not below the giving team's %v", i, to.ID, uTo, uFrom)
		}
		// Never past 100% of the hours, unless the team was past it already, the job had
		// no room anywhere and the giving team has hours.
		if uTo > rebalance.ReceiveLimit+1e-9 {
			switch {
			case math.IsInf(uFrom, 1):
				t.Fatalf("move %d: work of team %d, which has no hours, takes team %d to %v", i, from.ID, to.ID, uTo)
			case uToBefore <= rebalance.ReceiveLimit+1e-9:
				t.Fatalf("move %d: team %d goes from %v past its hours to %v", i, to.ID, uToBefore, uTo)
			case room:
				t.Fatalf("move %d: team %d goes to %v while another team had room for job %d", i, to.ID, uTo, j.ID)
			}
		}
		cur := maxOf()
		if cur > prevMax+1e-9 {
			t.Fatalf("move %d raises the highest utilisation from %v to %v", i, prevMax, cur)
		}
		prevMax = cur
	}
	for _, a := range r.After {
		if !near(a.LoadHours, load[a.TeamID]) || !near(float64(a.Utilisation), util(load[a.TeamID], teams[a.TeamID].CapacityHours)) {
			t.Fatalf("after of team %d = %+v, replayed load %v", a.TeamID, a, load[a.TeamID])
		}
	}
	// More balanced, not less: the utilisations, highest first, fall (or stay), and no
	// team with hours ends fuller than the fullest was before, or 100%.
	if after, before := desc(in.Teams, load), desc(in.Teams, nil); slices.CompareFunc(after, before, cmpFull) > 0 {
		t.Fatalf("utilisations, highest first, rose from %v to %v", before, after)
	}
	if float64(r.PeakAfter) > math.Max(float64(r.PeakBefore), rebalance.ReceiveLimit)+1e-4 {
		t.Fatalf("peak among teams with hours rose from %v to %v", r.PeakBefore, r.PeakAfter)
	}
	maxAfter := maxOf()
	if !near(float64(r.MaxAfter), maxAfter) {
		t.Fatalf("max after = %v, replayed %v", r.MaxAfter, maxAfter)
	}
	if maxAfter > maxBefore+1e-9 {
		t.Fatalf("highest utilisation rose from %v to %v", maxBefore, maxAfter)
	}
	if float64(r.LowerBound) > maxAfter+1e-9 {
		t.Fatalf("result %v is below the lower bound %v", maxAfter, r.LowerBound)
	}
}

// fullness orders teams from fullest: utilisation, and among teams without hours (all
// +Inf) the hours of work they hold.
type fullness struct{ util, load float64 }

// desc returns the teams' fullness at load (nil: their own load), fullest first.
func desc(teams []rebalance.Team, load map[int64]float64) []fullness {
	out := make([]fullness, len(teams))
	for i, tm := range teams {
		l := tm.LoadHours
		if load != nil {
			l = load[tm.ID]
		}
		out[i] = fullness{util(l, tm.CapacityHours), 0}
		if math.IsInf(out[i].util, 1) {
			out[i].load = l
		}
	}
	slices.SortFunc(out, func(a, b fullness) int { return cmpFull(b, a) })
	return out
}

// cmpFull compares fullness, equal within rounding.
func cmpFull(a, b fullness) int {
	for _, p := range [][2]float64{{a.util, b.util}, {a.load, b.load}} {
		switch {
		case near(p[0], p[1]):
		case p[0] < p[1]:
			return -1
		default:
			return 1
		}
	}
	return 0
}

// optimum is the best possible highest utilisation, by trying every assignment of the
// movable jobs to the teams they may go to. For small inputs only.
func optimum(in rebalance.Input) float64 {
	teams := map[int64]rebalance.Team{}
	fixed := map[int64]float64{}
	for _, tm := range in.Teams {
		teams[tm.ID] = tm
		fixed[tm.ID] = tm.LoadHours
	}
	var jobs []rebalance.Job
	var choices [][]int64
	for _, j := range in.Jobs {
		tm, ok := teams[j.TeamID]
		if !ok || !(j.EffortHours > 0) {
			continue
		}
		c := []int64{j.TeamID}
		for _, other := range in.Teams {
			if other.ID != tm.ID && mayGo(in, j, other) {
				c = append(c, other.ID)
			}
		}
		if len(c) == 1 {
			continue
		}
		fixed[j.TeamID] -= j.EffortHours
		jobs = append(jobs, j)
		choices = append(choices, c)
	}
	best := math.Inf(1)
	load := map[int64]float64{}
	var walk func(i int)
	walk = func(i int) {
		if i == len(jobs) {
			m := 0.0
			for id, tm := range teams {
				m = math.Max(m, util(fixed[id]+load[id], tm.CapacityHours))
			}
			best = math.Min(best, m)
			return
		}
		for _, t := range choices[i] {
			load[t] += jobs[i].EffortHours
			walk(i + 1)
			load[t] -= jobs[i].EffortHours
		}
	}
	walk(0)
	return best
}

var rules = []category.TraineeRule{category.TraineeAlone, category.TraineePaired, category.TraineeNo}

// genInput draws a random instance: up to maxTeams teams, a few zones, up to maxJobs
// movable jobs, with loads that include the jobs, as the store builds them.
func genInput(t *rapid.T, maxTeams, maxJobs int) rebalance.Input {
	nTeams := rapid.IntRange(1, maxTeams).Draw(t, "teams")
	in := rebalance.Input{
		Threshold: rapid.SampledFrom([]float64{0, 0.5, 0.8, 1, 1.2}).Draw(t, "threshold"),
		MaxMoves:  rapid.IntRange(0, 40).Draw(t, "max_moves"),
	}
	for i := range nTeams {
		in.Teams = append(in.Teams, rebalance.Team{
			ID:            int64(i*7 + 3),
			Name:          "Ploeg",
			CapacityHours: rapid.SampledFrom([]float64{0, 8, 12.8, 24, 32, 64, 96}).Draw(t, "capacity"),
			LoadHours:     rapid.Float64Range(0, 80).Draw(t, "fixed"),
			HasSpecialist: rapid.Bool().Draw(t, "specialist"),
		})
	}
	nZones := rapid.IntRange(1, 4).Draw(t, "zones")
	for range nZones {
		var z rebalance.Zone
		for _, tm := range in.Teams {
			if rapid.Bool().Draw(t, "in_zone") {
				z.Targets = append(z.Targets, rebalance.Target{
					TeamID: tm.ID, Adjacent: rapid.Bool().Draw(t, "adjacent"),
					Centre: orb.Point{rapid.Float64Range(6.2, 6.4).Draw(t, "lon"), rapid.Float64Range(51.9, 52).Draw(t, "lat")},
				})
			}
		}
		// Now and then a target that is no team at all.
		if rapid.IntRange(0, 9).Draw(t, "stray") == 0 {
			z.Targets = append(z.Targets, rebalance.Target{TeamID: 999})
		}
		in.Zones = append(in.Zones, z)
	}
	nJobs := rapid.IntRange(0, maxJobs).Draw(t, "jobs")
	for i := range nJobs {
		tm := rapid.IntRange(0, nTeams-1).Draw(t, "job_team")
		j := rebalance.Job{
			ID:          int64(100 + i*3),
			Version:     rapid.IntRange(1, 5).Draw(t, "version"),
			TeamID:      in.Teams[tm].ID,
			EffortHours: rapid.SampledFrom([]float64{0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 8}).Draw(t, "effort"),
			Rule:        rapid.SampledFrom(rules).Draw(t, "rule"),
			Zone:        rapid.IntRange(0, nZones-1).Draw(t, "zone"),
			Location:    orb.Point{rapid.Float64Range(6.2, 6.4).Draw(t, "jlon"), rapid.Float64Range(51.9, 52).Draw(t, "jlat")},
		}
		in.Teams[tm].LoadHours += j.EffortHours
		in.Jobs = append(in.Jobs, j)
	}
	return in
}

// TestSuggestProperties: on random instances, every rule holds (checkResult), and the
// answer does not depend on the order of the input.
func TestSuggestProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t, 10, 60)
		got := rebalance.Suggest(in)
		checkResult(t, in, got)

		shuffled := in
		shuffled.Teams = slices.Clone(in.Teams)
		shuffled.Jobs = slices.Clone(in.Jobs)
		perm := rapid.Permutation(shuffled.Teams).Draw(t, "team_order")
		shuffled.Teams = perm
		shuffled.Jobs = rapid.Permutation(shuffled.Jobs).Draw(t, "job_order")
		again := rebalance.Suggest(shuffled)
		if !reflect.DeepEqual(got, again) {
			t.Fatalf("a shuffled input gave another result:\n%+v\n%+v", got, again)
		}
	})
}

// TestBoundsAgainstOptimum: on small random instances the lower bound never exceeds the
// true optimum (by brute force), and the greedy result never beats it.
func TestBoundsAgainstOptimum(t *testing.T) {
	var cases, exact int
	var worst float64 = 1
	rapid.Check(t, func(t *rapid.T) {
		in := genInput(t, 4, 8)
		in.MaxMoves = 100
		// Half the runs without a real threshold, so the ratio measures the greedy itself.
		free := rapid.Bool().Draw(t, "no_threshold")
		if free {
			in.Threshold = 1e-6
		}
		got := rebalance.Suggest(in)
		checkResult(t, in, got)
		opt := optimum(in)
		lb := float64(got.LowerBound)
		if lb > opt+1e-9 {
			t.Fatalf("lower bound %v above the optimum %v", lb, opt)
		}
		if float64(got.MaxAfter) < opt-1e-9 {
			t.Fatalf("greedy %v below the optimum %v: the optimum is wrong", got.MaxAfter, opt)
		}
		// Ratios of tiny utilisations say little; count the cases with real load.
		if !free || math.IsInf(opt, 0) || opt < 0.5 {
			return
		}
		cases++
		if near(float64(got.MaxAfter), opt) {
			exact++
		} else {
			worst = math.Max(worst, float64(got.MaxAfter)/opt)
		}
	})
	t.Logf("without threshold, optimum ≥ 50%%: greedy optimal in %d of %d cases; worst greedy/optimum %.3f", exact, cases, worst)
}
