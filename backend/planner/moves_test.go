package planner

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
)

// TestCheck runs the rules of rules.go on single moves, for a planner's reassignment and
// for a rebalance (unclaimed only): both refuse alike, except that a rebalance leaves
// jobs a crew has taken on or could not complete where they are. Neither moves a job
// its crew has started.
func TestCheck(t *testing.T) {
	const municipality, team, other = 100, 7, 8
	servings := []Serving{{TeamID: team, Department: "wijkbeheer", MunicipalityID: municipality}}
	base := lockedJob{ID: 1, Status: "assigned", Version: 3, TeamID: other, Department: "wijkbeheer",
		Trainee: "alone", InScope: true, RootID: municipality}
	withSpecialist := targetTeam{ID: team, Specialists: 1}
	move := Move{JobID: 1, Version: 3, TeamID: team}
	tests := []struct {
		name            string
		edit            func(j *lockedJob, t *targetTeam, m *Move)
		reassign, rebal Cause
	}{
		{"fine", func(*lockedJob, *targetTeam, *Move) {}, "", ""},
		{"no such job", func(j *lockedJob, _ *targetTeam, _ *Move) { *j = lockedJob{} }, JobGone, JobGone},
		{"job out of scope", func(j *lockedJob, _ *targetTeam, _ *Move) { j.InScope = false }, JobGone, JobGone},
		{"team out of scope", func(_ *lockedJob, t *targetTeam, _ *Move) { *t = targetTeam{} }, TeamGone, TeamGone},
		{"other version", func(_ *lockedJob, _ *targetTeam, m *Move) { m.Version = 2 }, Stale, Stale},
		{"open", func(j *lockedJob, _ *targetTeam, _ *Move) { j.Status, j.TeamID = "open", 0 }, "", ""},
		{"accepted", func(j *lockedJob, _ *targetTeam, _ *Move) { j.Status = "accepted" }, "", NotMovable},
		{"in progress", func(j *lockedJob, _ *targetTeam, _ *Move) { j.Status = "in_progress" }, Started, Started},
		{"in progress, seen before it started", func(j *lockedJob, _ *targetTeam, m *Move) { j.Status, m.Version = "in_progress", 2 }, Started, Started},
		{"cannot complete", func(j *lockedJob, _ *targetTeam, _ *Move) { j.Status = "cannot_complete" }, "", NotMovable},
		{"done", func(j *lockedJob, _ *targetTeam, _ *Move) { j.Status = "done" }, NotMovable, NotMovable},
		{"cancelled", func(j *lockedJob, _ *targetTeam, _ *Move) { j.Status = "cancelled" }, NotMovable, NotMovable},
		{"with the team already", func(j *lockedJob, _ *targetTeam, _ *Move) { j.TeamID = team }, SameTeam, SameTeam},
		{"open with the team", func(j *lockedJob, _ *targetTeam, _ *Move) { j.Status, j.TeamID = "open", team }, "", ""},
		{"other department", func(j *lockedJob, _ *targetTeam, _ *Move) { j.Department = "afval" }, NotServed, NotServed},
		{"other municipality", func(j *lockedJob, _ *targetTeam, _ *Move) { j.RootID = 200 }, NotServed, NotServed},
		{"paired, no specialist", func(j *lockedJob, t *targetTeam, _ *Move) { j.Trainee, t.Specialists = "paired", 0 }, NoSpecialist, NoSpecialist},
		{"no, no specialist", func(j *lockedJob, t *targetTeam, _ *Move) { j.Trainee, t.Specialists = "no", 0 }, NoSpecialist, NoSpecialist},
		{"no, a specialist", func(j *lockedJob, _ *targetTeam, _ *Move) { j.Trainee = "no" }, "", ""},
		{"alone, no specialist", func(_ *lockedJob, t *targetTeam, _ *Move) { t.Specialists = 0 }, "", ""},
	}
	for _, tt := range tests {
		j, tm, m := base, withSpecialist, move
		tt.edit(&j, &tm, &m)
		if got := check(m, j, tm, servings, false); got != tt.reassign {
			t.Errorf("%s: reassign refuses for %q, want %q", tt.name, got, tt.reassign)
		}
		if got := check(m, j, tm, servings, true); got != tt.rebal {
			t.Errorf("%s: rebalance refuses for %q, want %q", tt.name, got, tt.rebal)
		}
	}
}

// TestMovePushes: a reassignment pushes per job to both teams; a summary pushes once
// per team, about the team's lowest job id.
func TestMovePushes(t *testing.T) {
	moved := []Moved{
		{JobID: 12, FromTeam: 1, ToTeam: 2, Version: 5},
		{JobID: 11, FromTeam: 1, ToTeam: 3, Version: 2},
		{JobID: 13, FromTeam: 0, ToTeam: 2, Version: 4}, // from the queue
		{JobID: 14, FromTeam: 2, ToTeam: 2, Version: 7}, // back to work with its own team
	}
	str := func(rs []push.Request) string {
		s := ""
		for _, r := range rs {
			s += fmt.Sprintf("%s:t%d:j%d:v%d:%s%s|", r.Kind, r.TeamID, r.JobID, r.Version, r.Title.NL, r.Title.EN)
		}
		return s
	}
	want := "reassigned:t1:j12:v5:|assigned:t2:j12:v5:|reassigned:t1:j11:v2:|assigned:t3:j11:v2:|" +
		"assigned:t2:j13:v4:|assigned:t2:j14:v7:|"
	if got := str(movePushes(moved, nil)); got != want {
		t.Errorf("per job:\n got %s\nwant %s", got, want)
	}
	summary := func(kind push.Kind, n int) (problem.Text, problem.Text) {
		return problem.T(fmt.Sprintf("%s%d", kind, n), fmt.Sprintf("/en%d", n)), problem.Text{}
	}
	want = "assigned:t2:j12:v5:assigned3/en3|assigned:t3:j11:v2:assigned1/en1|reassigned:t1:j11:v2:reassigned2/en2|"
	if got := str(movePushes(moved, summary)); got != want {
		t.Errorf("summary:\n got %s\nwant %s", got, want)
	}
}

// A batch names each job once: a job twice is refused before anything is read.
func TestApplyMovesRefusesAJobTwice(t *testing.T) {
	b := Batch{Moves: []Move{{JobID: 7, Version: 1, TeamID: 2}, {JobID: 8, Version: 1, TeamID: 2}, {JobID: 7, Version: 1, TeamID: 3}}}
	if _, err := (&Store{}).ApplyMoves(context.Background(), nil, access.User{}, b); err == nil || !strings.Contains(err.Error(), "job 7 twice") {
		t.Errorf("err = %v, want job 7 refused as twice in the batch", err)
	}
}
