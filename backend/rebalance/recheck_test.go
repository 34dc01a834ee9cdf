package rebalance_test

import (
	"reflect"
	"strings"
	"testing"

	"wijkwerk/backend/rebalance"
)

func TestRecheck(t *testing.T) {
	proposal := rebalance.Result{
		Moves: []rebalance.Move{
			{JobID: 1, FromTeam: 1, ToTeam: 2, EffortHours: 0.5},
			{JobID: 2, FromTeam: 1, ToTeam: 2, EffortHours: 1.25},
			{JobID: 3, FromTeam: 1, ToTeam: 3, EffortHours: 2},
		},
		After: []rebalance.TeamLoad{
			{TeamID: 1, Name: "Ploeg Oosseld", CapacityHours: 32, LoadHours: 36, Utilisation: 1.125},
			{TeamID: 2, Name: "Ploeg Centrum", CapacityHours: 32, LoadHours: 28, Utilisation: 0.875},
			// Past its hours already when the proposal was made (work shared among full teams).
			{TeamID: 3, Name: "Ploeg De Huet", CapacityHours: 16, LoadHours: 17, Utilisation: 1.0625},
		},
	}
	efforts := map[int64]int64{1: 30, 2: 75, 3: 120}
	teams := func(centrum, huet rebalance.TeamLoad) map[int64]rebalance.TeamLoad {
		return map[int64]rebalance.TeamLoad{2: centrum, 3: huet}
	}
	asProposed := teams(rebalance.TeamLoad{CapacityHours: 32, LoadHours: 28}, rebalance.TeamLoad{CapacityHours: 16, LoadHours: 17})
	tests := []struct {
		name       string
		give       rebalance.Now
		wantStale  []rebalance.Stale
		wantTeams  []int64
		wantDetail string
	}{
		{
			name: "nothing changed",
			give: rebalance.Now{EffortMinutes: efforts, Teams: asProposed},
		},
		{
			name:       "one job's effort changed",
			give:       rebalance.Now{EffortMinutes: map[int64]int64{1: 30, 2: 90, 3: 120}, Teams: asProposed},
			wantStale:  []rebalance.Stale{{JobID: 2, Reason: "effort"}},
			wantDetail: "De geschatte tijd van een werkorder in dit voorstel is veranderd. Er is niets verplaatst. Vraag een nieuw voorstel aan.",
		},
		{
			name:       "two jobs' efforts changed",
			give:       rebalance.Now{EffortMinutes: map[int64]int64{1: 45, 2: 75, 3: 60}, Teams: asProposed},
			wantStale:  []rebalance.Stale{{JobID: 1, Reason: "effort"}, {JobID: 3, Reason: "effort"}},
			wantDetail: "De geschatte tijd van 2 werkorders in dit voorstel is veranderd.",
		},
		{
			name: "fewer hours, still room",
			give: rebalance.Now{EffortMinutes: efforts, Teams: teams(rebalance.TeamLoad{CapacityHours: 28, LoadHours: 28}, rebalance.TeamLoad{CapacityHours: 16, LoadHours: 17})},
		},
		{
			name:      "a worker left: the team would go past its hours",
			give:      rebalance.Now{EffortMinutes: efforts, Teams: teams(rebalance.TeamLoad{CapacityHours: 25.6, LoadHours: 28}, rebalance.TeamLoad{CapacityHours: 16, LoadHours: 17})},
			wantStale: []rebalance.Stale{{JobID: 1, Reason: "capacity"}, {JobID: 2, Reason: "capacity"}},
			wantTeams: []int64{2},
			wantDetail: "Ploeg Centrum heeft deze week minder uren: nu 25,6 uur, in het voorstel 32 uur. Met dit voorstel krijgt de ploeg 109% van de uren. " +
				"Er is niets verplaatst. Vraag een nieuw voorstel aan.",
		},
		{
			name:       "the team has no hours left",
			give:       rebalance.Now{EffortMinutes: efforts, Teams: teams(rebalance.TeamLoad{CapacityHours: 0, LoadHours: 28}, rebalance.TeamLoad{CapacityHours: 16, LoadHours: 17})},
			wantStale:  []rebalance.Stale{{JobID: 1, Reason: "capacity"}, {JobID: 2, Reason: "capacity"}},
			wantTeams:  []int64{2},
			wantDetail: "Ploeg Centrum heeft deze week geen uren meer. In het voorstel waren dat er 32 uur.",
		},
		{
			name:       "a team past its hours in the proposal gets more work since",
			give:       rebalance.Now{EffortMinutes: efforts, Teams: teams(rebalance.TeamLoad{CapacityHours: 32, LoadHours: 28}, rebalance.TeamLoad{CapacityHours: 16, LoadHours: 18.5})},
			wantStale:  []rebalance.Stale{{JobID: 3, Reason: "capacity"}},
			wantTeams:  []int64{3},
			wantDetail: "Ploeg De Huet heeft intussen meer werk: nu 18,5 uur, in het voorstel 17 uur. Met dit voorstel krijgt de ploeg 116% van de uren.",
		},
		{
			name:       "no one works in the team for the rest of the week, hours or not",
			give:       rebalance.Now{EffortMinutes: efforts, Teams: asProposed, NoDaysLeft: map[int64]bool{3: true}},
			wantStale:  []rebalance.Stale{{JobID: 3, Reason: "capacity"}},
			wantTeams:  []int64{3},
			wantDetail: "Bij Ploeg De Huet werkt deze week niemand meer. Er is niets verplaatst. Vraag een nieuw voorstel aan.",
		},
		{
			name:      "a changed effort is named once, as effort",
			give:      rebalance.Now{EffortMinutes: map[int64]int64{1: 30, 2: 60, 3: 120}, Teams: teams(rebalance.TeamLoad{CapacityHours: 24, LoadHours: 27.75}, rebalance.TeamLoad{CapacityHours: 16, LoadHours: 17})},
			wantStale: []rebalance.Stale{{JobID: 1, Reason: "capacity"}, {JobID: 2, Reason: "effort"}},
			wantTeams: []int64{2},
			wantDetail: "De geschatte tijd van een werkorder in dit voorstel is veranderd. " +
				"Ploeg Centrum heeft deze week minder uren: nu 24 uur, in het voorstel 32 uur.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stale, changed, why := rebalance.Recheck(proposal, tt.give)
			if !reflect.DeepEqual(stale, tt.wantStale) {
				t.Errorf("stale = %+v, want %+v", stale, tt.wantStale)
			}
			var got []int64
			for _, c := range changed {
				got = append(got, c.TeamID)
			}
			if !reflect.DeepEqual(got, tt.wantTeams) {
				t.Errorf("teams = %+v, want %v", changed, tt.wantTeams)
			}
			if !strings.Contains(why.NL, tt.wantDetail) || (tt.wantStale != nil && why.EN == "") {
				t.Errorf("detail = %q / %q, want %q", why.NL, why.EN, tt.wantDetail)
			}
		})
	}
}
