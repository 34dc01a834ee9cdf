package rebalance

import (
	"math"
	"slices"

	"wijkwerk/backend/problem"
)

// Now is what a proposal is checked against when it is applied, read in the apply's
// transaction after its moves were made.
type Now struct {
	// EffortMinutes is each moved job's effort estimate now, by job id.
	EffortMinutes map[int64]int64
	// Teams are the receiving teams by id: their capacity in the proposal's week as it is
	// now (a worker may have left, or fallen ill) and their load with the moves made.
	Teams map[int64]TeamLoad
	// NoDaysLeft are the receiving teams no one works in on the days left of the week
	// (see Team.NoDaysLeft).
	NoDaysLeft map[int64]bool
}

// TeamChange is a receiving team for which a proposal no longer holds: with its moves
// the team would now be fuller than the proposal said and past its hours.
type TeamChange struct {
	TeamID                int64       `json:"team_id"`
	Name                  string      `json:"name"`
	CapacityHours         float64     `json:"capacity_hours"`
	ProposedCapacityHours float64     `json:"proposed_capacity_hours"`
	LoadHours             float64     `json:"load_hours"`
	ProposedLoadHours     float64     `json:"proposed_load_hours"`
	Utilisation           Utilisation `json:"utilisation"`
	ProposedUtilisation   Utilisation `json:"proposed_utilisation"`
	// NoDaysLeft: no one of the team works on the days left of the week any more.
	NoDaysLeft bool `json:"no_days_left,omitempty"`
}

// Recheck compares a proposal with now. It returns the moves the proposal no longer
// holds for, in its order (none: it holds), the receiving teams that changed, and
// sentences that name what changed. A proposal no longer holds when
//   - a job's effort estimate changed ("effort"): the proposal weighed the old one, and
//     the job's version does not change with the estimate (crews' pending actions stay
//     valid, see planner.Store.SetEffort);
//   - a receiving team would end past ReceiveLimit and fuller than the proposal said
//     ("capacity", every move to that team): it lost hours, or got more work, since.
//     Suggest never takes a team past its hours, so neither may its proposal later;
//   - no one of a receiving team works on the days left of the week any more
//     ("capacity"): Suggest gives such a team nothing either.
func Recheck(r Result, now Now) ([]Stale, []TeamChange, problem.Text) {
	proposed := make(map[int64]TeamLoad, len(r.After))
	for _, l := range r.After {
		proposed[l.TeamID] = l
	}
	var changes []TeamChange
	full := map[int64]bool{}
	for _, m := range r.Moves {
		cur, ok := now.Teams[m.ToTeam]
		if !ok || full[m.ToTeam] || slices.ContainsFunc(changes, func(c TeamChange) bool { return c.TeamID == m.ToTeam }) {
			continue
		}
		was := proposed[m.ToTeam]
		u := Util(cur.LoadHours, cur.CapacityHours)
		gone := now.NoDaysLeft[m.ToTeam]
		// The proposal's utilisation has four decimals.
		if !gone && u <= math.Max(ReceiveLimit, float64(was.Utilisation))+1e-4 {
			continue
		}
		full[m.ToTeam] = true
		changes = append(changes, TeamChange{
			TeamID: m.ToTeam, Name: was.Name,
			CapacityHours: cur.CapacityHours, ProposedCapacityHours: was.CapacityHours,
			LoadHours: cur.LoadHours, ProposedLoadHours: was.LoadHours,
			Utilisation: Utilisation(u), ProposedUtilisation: was.Utilisation, NoDaysLeft: gone,
		})
	}
	var stale []Stale
	efforts := 0
	for _, m := range r.Moves {
		switch cur, ok := now.EffortMinutes[m.JobID]; {
		case ok && cur != minutes(m.EffortHours):
			stale = append(stale, Stale{JobID: m.JobID, Reason: "effort"})
			efforts++
		case full[m.ToTeam]:
			stale = append(stale, Stale{JobID: m.JobID, Reason: "capacity"})
		}
	}
	if len(stale) == 0 {
		return nil, nil, problem.Text{}
	}
	return stale, changes, changedText(efforts, changes)
}

// minutes turns a move's effort back into the whole minutes it was read from.
func minutes(hours float64) int64 { return int64(math.Round(hours * 60)) }
