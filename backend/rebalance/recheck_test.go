package rebalance_test

import (
	"reflect"
	"strings"
	"testing"

	"wijkwerk/backend/rebalance"
)

func TestRecheck(t *testing.T) {
	proposal := rebalance.Result{Moves: []rebalance.Move{
		{JobID: 1, FromTeam: 1, ToTeam: 2, EffortHours: 0.5},
		{JobID: 2, FromTeam: 1, ToTeam: 2, EffortHours: 1.25},
		{JobID: 3, FromTeam: 1, ToTeam: 3, EffortHours: 2},
	}}
	tests := []struct {
		name       string
		give       rebalance.Now
		wantStale  []rebalance.Stale
		wantDetail string
	}{
		{
			name: "nothing changed",
			give: rebalance.Now{EffortMinutes: map[int64]int64{1: 30, 2: 75, 3: 120}},
		},
		{
			name:       "one job's effort changed",
			give:       rebalance.Now{EffortMinutes: map[int64]int64{1: 30, 2: 90, 3: 120}},
			wantStale:  []rebalance.Stale{{JobID: 2, Reason: "effort"}},
			wantDetail: "De geschatte tijd van een werkorder in dit voorstel is veranderd. Er is niets verplaatst. Vraag een nieuw voorstel aan.",
		},
		{
			name:       "two jobs' efforts changed",
			give:       rebalance.Now{EffortMinutes: map[int64]int64{1: 45, 2: 75, 3: 60}},
			wantStale:  []rebalance.Stale{{JobID: 1, Reason: "effort"}, {JobID: 3, Reason: "effort"}},
			wantDetail: "De geschatte tijd van 2 werkorders in dit voorstel is veranderd.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stale, why := rebalance.Recheck(proposal, tt.give)
			if !reflect.DeepEqual(stale, tt.wantStale) {
				t.Errorf("stale = %+v, want %+v", stale, tt.wantStale)
			}
			if !strings.Contains(why.NL, tt.wantDetail) || (tt.wantStale != nil && why.EN == "") {
				t.Errorf("detail = %q / %q, want %q", why.NL, why.EN, tt.wantDetail)
			}
		})
	}
}
