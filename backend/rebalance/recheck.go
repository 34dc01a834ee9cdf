package rebalance

import (
	"math"

	"wijkwerk/backend/problem"
)

// Now is what a proposal is checked against when it is applied, read in the apply's
// transaction after its moves were made: the current effort of its jobs.
type Now struct {
	// EffortMinutes is each moved job's effort estimate now, by job id.
	EffortMinutes map[int64]int64
}

// Recheck compares a proposal with now and returns the moves it no longer holds for, in
// the order of the proposal (none: it holds), and a sentence that names what changed.
// A job whose effort estimate changed since the proposal is stale ("effort"): the
// proposal weighed the job at its old effort, and its version does not change with the
// estimate (crews' pending actions stay valid, see planner.Store.SetEffort).
func Recheck(r Result, now Now) ([]Stale, problem.Text) {
	var stale []Stale
	efforts := 0
	for _, m := range r.Moves {
		if cur, ok := now.EffortMinutes[m.JobID]; ok && cur != minutes(m.EffortHours) {
			stale = append(stale, Stale{JobID: m.JobID, Reason: "effort"})
			efforts++
		}
	}
	if len(stale) == 0 {
		return nil, problem.Text{}
	}
	return stale, changedText(efforts)
}

// minutes turns a move's effort back into the whole minutes it was read from.
func minutes(hours float64) int64 { return int64(math.Round(hours * 60)) }
