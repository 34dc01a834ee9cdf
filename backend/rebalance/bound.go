package rebalance

import "math"

// LowerBound returns a number that the highest utilisation cannot get below, whatever
// jobs are moved where (within their zones and trainee rules, any number of moves). It
// is the largest of three bounds:
//   - fixed work: a team's jobs that cannot move stay, so utilisation ≥ fixed / capacity;
//   - each job: it ends up somewhere it may be, so utilisation ≥ the smallest
//     (fixed + effort) / capacity over those places;
//   - closed groups: for each team, the teams its jobs can reach, and theirs, and so
//     on: no job leaves that group, so its highest utilisation is at least the group's
//     total load over its total capacity.
//
// It needs no optimisation solver and is exact in the common cases (one overloaded team
// with neighbours that have room, or a group where everything can flow everywhere).
func LowerBound(in Input) float64 { return prepare(in).lowerBound() }

func (p *prepared) lowerBound() float64 {
	n := len(p.teams)
	fixed := make([]float64, n)
	for i, t := range p.teams {
		fixed[i] = t.LoadHours
	}
	for ji, j := range p.jobs {
		if p.home[ji] >= 0 && len(p.opts[ji]) > 0 {
			fixed[p.home[ji]] -= j.EffortHours
		}
	}
	lb := 0.0
	for i, t := range p.teams {
		lb = math.Max(lb, Util(math.Max(fixed[i], 0), t.CapacityHours))
	}
	for ji, j := range p.jobs {
		s := p.home[ji]
		if s < 0 || len(p.opts[ji]) == 0 {
			continue
		}
		m := Util(math.Max(fixed[s], 0)+j.EffortHours, p.teams[s].CapacityHours)
		for _, o := range p.opts[ji] {
			m = math.Min(m, Util(math.Max(fixed[o.team], 0)+j.EffortHours, p.teams[o.team].CapacityHours))
		}
		lb = math.Max(lb, m)
	}
	// Closed groups, by a depth-first walk from every team (teams are few).
	seen := make([]int, n)
	for i := range seen {
		seen[i] = -1
	}
	stack := make([]int, 0, n)
	for x := range p.teams {
		stack = append(stack[:0], x)
		seen[x] = x
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for t := range p.reach[s] {
				if seen[t] != x {
					seen[t] = x
					stack = append(stack, t)
				}
			}
		}
		// Sum in team order, so the bound does not depend on the walk's order.
		var l, c float64
		for t := range p.teams {
			if seen[t] == x {
				l += p.teams[t].LoadHours
				c += p.teams[t].CapacityHours
			}
		}
		lb = math.Max(lb, Util(l, c))
	}
	return lb
}
