package planner

import (
	"encoding/json"
	"strings"
	"testing"
)

// A small tree: municipality 1 with districts 2 and 3; neighbourhood 4 in district 2;
// municipality 9 without districts.
var testAreas = map[int64]AreaNode{
	1: {ID: 1, Kind: "municipality", Code: "GM1", Name: "Stad"},
	2: {ID: 2, ParentID: 1, Kind: "district", Code: "WK2", Name: "Noord"},
	3: {ID: 3, ParentID: 1, Kind: "district", Code: "WK1", Name: "Zuid"},
	4: {ID: 4, ParentID: 2, Kind: "neighbourhood", Code: "BU4", Name: "Noord 1"},
	9: {ID: 9, Kind: "municipality", Code: "GM9", Name: "Dorp"},
}

func TestDistrictOf(t *testing.T) {
	tests := []struct {
		give   int64
		want   int64
		wantOK bool
	}{
		{4, 2, true},  // neighbourhood → its district
		{2, 2, true},  // a district is its own
		{1, 0, false}, // a municipality has none
		{9, 0, false},
		{77, 0, false}, // unknown area
	}
	for _, tt := range tests {
		got, ok := DistrictOf(testAreas, tt.give)
		if ok != tt.wantOK || got.ID != tt.want {
			t.Errorf("DistrictOf(%d) = %d, %v; want %d, %v", tt.give, got.ID, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBuildBoard(t *testing.T) {
	in := BoardInput{
		Week:         Week{2026, 48},
		Today:        date("2026-11-26"),
		DueSoonUntil: date("2026-11-30"),
		Teams:        []TeamRef{{ID: 10, Code: "a", Name: "Ploeg A"}, {ID: 20, Code: "b", Name: "Ploeg B"}},
		Rows: []LoadRow{
			{TeamID: 10, AreaID: 4, Jobs: 3, Minutes: 90, Overdue: 1, DueSoon: 1},
			{TeamID: 10, AreaID: 3, Jobs: 2, Minutes: 150, Overdue: 0, DueSoon: 2},
			{TeamID: 0, AreaID: 4, Jobs: 1, Minutes: 30, Overdue: 1},
			{TeamID: 99, AreaID: 1, Jobs: 4, Minutes: 240, DueSoon: 1}, // a team out of scope, no district
		},
		Areas: testAreas,
		Workers: []Availability{
			{WorkerID: 1, Role: "specialist", ContractHours: 32, Teams: []int64{10}},
			{WorkerID: 2, Role: "trainee", ContractHours: 20, Teams: []int64{10, 20}},
			{WorkerID: 3, Role: "trainee", ContractHours: 32, Teams: []int64{20}, Start: date("2026-12-01")}, // not yet
			{WorkerID: 4, Role: "seconded", ContractHours: 32, Teams: []int64{20}},
		},
	}
	b := BuildBoard(in)
	if b.Week != "2026-W48" || b.From.String() != "2026-11-23" || b.To.String() != "2026-11-29" {
		t.Errorf("week = %s %s..%s", b.Week, b.From, b.To)
	}
	a, bb := b.Teams[0], b.Teams[1]
	if a.OpenJobs != 5 || a.Minutes() != 240 || a.EstimatedHours != 4 || a.Overdue != 1 || a.DueSoon != 3 {
		t.Errorf("team A load = %+v", a.Load)
	}
	if a.CapacityHours != 42 || a.Utilisation == nil || *a.Utilisation != 0.095 {
		t.Errorf("team A capacity %v utilisation %v", a.CapacityHours, deref(a.Utilisation))
	}
	if a.Workers != (RoleCounts{Specialist: 1, Trainee: 1}) {
		t.Errorf("team A workers = %+v", a.Workers)
	}
	if bb.OpenJobs != 0 || bb.CapacityHours != 42 || *bb.Utilisation != 0 || bb.Workers != (RoleCounts{Trainee: 1, Seconded: 1}) {
		t.Errorf("team B = %+v", bb)
	}
	if b.Unassigned.OpenJobs != 1 || b.Unassigned.Overdue != 1 {
		t.Errorf("unassigned = %+v", b.Unassigned)
	}
	if b.OutsideDistricts.OpenJobs != 4 || b.OutsideDistricts.EstimatedHours != 4 {
		t.Errorf("outside districts = %+v", b.OutsideDistricts)
	}
	if b.Total.OpenJobs != 10 || b.Total.Minutes() != 510 || b.Total.Overdue != 2 || b.Total.DueSoon != 4 {
		t.Errorf("total = %+v", b.Total)
	}
	if len(b.Districts) != 2 || b.Districts[0].Code != "WK1" || b.Districts[1].Code != "WK2" {
		t.Fatalf("districts = %+v", b.Districts)
	}
	if d := b.Districts[1]; d.OpenJobs != 4 || d.Minutes() != 120 || d.Overdue != 2 {
		t.Errorf("district Noord = %+v", d)
	}
	// The JSON has the load fields at the top of each team.
	j, _ := json.Marshal(b.Teams[0])
	for _, f := range []string{`"open_jobs":5`, `"estimated_hours":4`, `"capacity_hours":42`, `"utilisation":0.095`, `"workers":{"specialist":1`} {
		if !strings.Contains(string(j), f) {
			t.Errorf("team JSON %s lacks %s", j, f)
		}
	}
}

// Work of a team in scope that lies outside the user's areas counts in the team's load,
// and nowhere else on the board.
func TestBuildBoardWorkElsewhere(t *testing.T) {
	b := BuildBoard(BoardInput{
		Week: Week{2026, 48}, Teams: []TeamRef{{ID: 10}}, Areas: testAreas,
		Rows: []LoadRow{
			{TeamID: 10, AreaID: 4, Jobs: 2, Minutes: 60},
			{TeamID: 10, AreaID: 77, Jobs: 3, Minutes: 120, Overdue: 1, Elsewhere: true},
		},
	})
	if b.Teams[0].OpenJobs != 5 || b.Teams[0].Minutes() != 180 || b.Teams[0].Overdue != 1 {
		t.Errorf("team load = %+v, want all 5 jobs", b.Teams[0].Load)
	}
	if b.Total.OpenJobs != 2 || b.OutsideDistricts.OpenJobs != 0 || len(b.Districts) != 1 || b.Districts[0].OpenJobs != 2 {
		t.Errorf("total %+v, outside districts %+v, districts %+v: want only the 2 jobs in scope", b.Total, b.OutsideDistricts, b.Districts)
	}
}

func TestBuildBoardWithoutCapacity(t *testing.T) {
	b := BuildBoard(BoardInput{Week: Week{2026, 48}, Teams: []TeamRef{{ID: 1}}, Rows: []LoadRow{{TeamID: 1, AreaID: 5, Jobs: 1, Minutes: 60}}})
	if b.Teams[0].Utilisation != nil || b.Teams[0].EstimatedHours != 1 {
		t.Errorf("team without workers = %+v", b.Teams[0])
	}
	j, _ := json.Marshal(b)
	if !strings.Contains(string(j), `"utilisation":null`) || !strings.Contains(string(j), `"districts":[]`) {
		t.Errorf("board JSON = %s", j)
	}
}

// Stuck jobs (the crew could not complete them) are counted apart from the open work:
// per team, per district and in total, without adding to open jobs, hours or utilisation.
func TestBuildBoardCannotComplete(t *testing.T) {
	b := BuildBoard(BoardInput{
		Week: Week{2026, 48}, Teams: []TeamRef{{ID: 10}, {ID: 20}}, Areas: testAreas,
		Workers: []Availability{{WorkerID: 1, Role: "specialist", ContractHours: 32, Teams: []int64{10}}},
		Rows: []LoadRow{
			{TeamID: 10, AreaID: 4, Jobs: 2, Minutes: 60},
			{TeamID: 10, AreaID: 4, CannotComplete: 2},
			{TeamID: 20, AreaID: 3, CannotComplete: 1},
			{TeamID: 10, AreaID: 77, CannotComplete: 4, Elsewhere: true},
		},
	})
	tests := []struct {
		name string
		give Load
		want Load
	}{
		{"team with open work", b.Teams[0].Load, Load{OpenJobs: 2, EstimatedHours: 1, CannotComplete: 6, minutes: 60}},
		{"team with only stuck jobs", b.Teams[1].Load, Load{CannotComplete: 1}},
		{"total (in scope only)", b.Total, Load{OpenJobs: 2, EstimatedHours: 1, CannotComplete: 3, minutes: 60}},
		{"district Zuid", b.Districts[0].Load, Load{CannotComplete: 1}},
		{"district Noord", b.Districts[1].Load, Load{OpenJobs: 2, EstimatedHours: 1, CannotComplete: 2, minutes: 60}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.give != tt.want {
				t.Errorf("load = %+v, want %+v", tt.give, tt.want)
			}
		})
	}
	if u := b.Teams[0].Utilisation; u == nil || *u != round(1/b.Teams[0].CapacityHours, 3) {
		t.Errorf("utilisation %v counts stuck jobs (capacity %v)", deref(u), b.Teams[0].CapacityHours)
	}
	if j, _ := json.Marshal(b.Total); !strings.Contains(string(j), `"cannot_complete":3`) {
		t.Errorf("total JSON = %s", j)
	}
	// What the list holds for this user: their team's stuck job outside their areas too,
	// which the desk's notice counts (a tester saw a list of one under a notice of none).
	if b.CannotCompleteListed != 7 {
		t.Errorf("cannot_complete_listed = %d, want 7", b.CannotCompleteListed)
	}
}
