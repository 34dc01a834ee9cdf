package planner

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
	"wijkwerk/backend/worker"
)

// Jobs change team at the desk in one way: ApplyMoves. A planner's own reassignment
// (Reassign) and an accepted rebalance proposal both go through it, so both follow the
// rules of rules.go, check the versions the planner saw, and write the same audit events
// and pushes. The task feed follows by itself: triggers on jobs keep it.

// Move asks for one job to go to a team. Version is the job version the planner saw.
type Move struct {
	JobID   int64 `json:"job_id"`
	Version int   `json:"version"`
	TeamID  int64 `json:"team_id"`
}

// Batch is moves to make together, all or none. Each job appears in it once.
type Batch struct {
	Moves []Move
	// UnclaimedOnly moves only jobs that no crew has taken on (open or assigned);
	// otherwise any open job may move, and a job its crew could not complete goes back
	// to work.
	UnclaimedOnly bool
	// Action names the audit events, e.g. "reassign".
	Action string
	// Detail returns what the audit event of Moves[i] records besides from_team and
	// to_team, e.g. the planner's reason.
	Detail func(i int) map[string]any
	// Summary, when set, gives each team one push about all the jobs it gained (kind
	// assigned) or lost (kind reassigned), about its first job and with the text Summary
	// returns for their number. When nil, each move pushes to the team the job left and
	// the team it joins, with the default texts. Empty texts are the defaults for kind.
	Summary func(kind push.Kind, jobs int) (title, body problem.Text)
}

// Moved is a move as made.
type Moved struct {
	JobID    int64
	FromTeam int64 // 0: the job came from the planner queue
	ToTeam   int64
	Version  int // the job's new version
}

// Cause is why a move may not be made.
type Cause string

// The causes, in the order the rules are checked.
const (
	JobGone      Cause = "job_gone"      // the job does not exist or is outside the user's scope
	TeamGone     Cause = "team_gone"     // the team does not exist or is outside the user's scope
	Started      Cause = "started"       // a crew has started the job (in progress)
	Stale        Cause = "stale"         // the job's version is not the one the planner saw
	NotMovable   Cause = "not_movable"   // the job's status does not allow the move
	SameTeam     Cause = "same_team"     // the job is with that team already, and taken on
	NotServed    Cause = "not_served"    // the team does not do this work in the job's municipality
	NoSpecialist Cause = "no_specialist" // the work needs a specialist and the team has none
)

// Refusal is a move the rules forbid.
type Refusal struct {
	JobID   int64
	Cause   Cause
	Status  job.Status           // the job's status (for NotMovable)
	Trainee category.TraineeRule // the trainee rule of the job's category (for NoSpecialist)
}

// Refused is the error of a batch with moves the rules forbid; nothing of the batch has
// changed. It lists every refused move, in the order of the batch.
type Refused struct {
	Moves []Refusal
}

func (e *Refused) Error() string {
	causes := make([]string, len(e.Moves))
	for i, r := range e.Moves {
		causes[i] = fmt.Sprintf("job %d: %s", r.JobID, r.Cause)
	}
	return "planner: moves refused: " + strings.Join(causes, ", ")
}

// ApplyMoves makes the moves of b in tx for u, or none of them. It locks the jobs, checks
// every move against the rules (a *Refused error if any fails), and then gives the jobs
// their new team, status assigned and a new version, writes an audit event for each and
// queues the pushes, each with one statement for the whole batch. The moves come back in
// the order of b.
func (s *Store) ApplyMoves(ctx context.Context, tx *gorm.DB, u access.User, b Batch) ([]Moved, error) {
	if len(b.Moves) == 0 {
		return nil, nil
	}
	seen := make(map[int64]bool, len(b.Moves))
	for _, m := range b.Moves {
		if seen[m.JobID] {
			// The callers refuse this (a planner's request) or never make it (a proposal).
			return nil, fmt.Errorf("planner: move: job %d twice in one batch", m.JobID)
		}
		seen[m.JobID] = true
	}
	teams, servings, err := targets(ctx, tx, u, b.Moves)
	if err != nil {
		return nil, err
	}
	jobs, err := lockJobs(ctx, tx, u, b.Moves)
	if err != nil {
		return nil, err
	}
	var refused []Refusal
	for _, m := range b.Moves {
		j := jobs[m.JobID]
		if cause := check(m, j, teams[m.TeamID], servings, b.UnclaimedOnly); cause != "" {
			refused = append(refused, Refusal{JobID: m.JobID, Cause: cause, Status: job.Status(j.Status), Trainee: category.TraineeRule(j.Trainee)})
		}
	}
	if len(refused) > 0 {
		return nil, &Refused{Moves: refused}
	}

	versions, err := moveJobs(ctx, tx, b.Moves)
	if err != nil {
		return nil, err
	}
	moved := make([]Moved, len(b.Moves))
	events := make([]job.Event, len(b.Moves))
	actor := Actor(u)
	for i, m := range b.Moves {
		j := jobs[m.JobID]
		moved[i] = Moved{JobID: m.JobID, FromTeam: j.TeamID, ToTeam: m.TeamID, Version: versions[m.JobID]}
		detail := map[string]any{"to_team": m.TeamID}
		if j.TeamID != 0 {
			detail["from_team"] = j.TeamID
		}
		if b.Detail != nil {
			for k, v := range b.Detail(i) {
				detail[k] = v
			}
		}
		events[i] = job.Event{JobID: m.JobID, Actor: actor, Action: b.Action, From: job.Status(j.Status), To: job.Assigned, Detail: detail}
	}
	if err := job.RecordAll(ctx, tx, events); err != nil {
		return nil, err
	}
	if err := push.EnqueueAll(ctx, tx, movePushes(moved, b.Summary), s.updates.PushTTL); err != nil {
		return nil, err
	}
	// Residents were told the work could not be done: tell them it is tried again (one
	// query for all the moved jobs).
	var retries []push.Request
	for _, m := range moved {
		if job.Status(jobs[m.JobID].Status) == job.CannotComplete {
			retries = append(retries, push.Request{JobID: m.JobID, Kind: push.KindRetry, Version: m.Version})
		}
	}
	if err := job.TellResidents(ctx, tx, s.updates, retries...); err != nil {
		return nil, err
	}
	return moved, nil
}

// check applies the rules of rules.go to one move, with the job as locked and the target
// team as loaded (zero when not found). It returns the first rule the move breaks, or "".
func check(m Move, j lockedJob, t targetTeam, servings []Serving, unclaimedOnly bool) Cause {
	from := job.Status(j.Status)
	switch {
	case j.ID == 0 || !j.InScope:
		return JobGone
	case t.ID == 0:
		return TeamGone
	case from == job.InProgress:
		// Whatever version the planner saw: no version of a started job moves.
		return Started
	case j.Version != m.Version:
		return Stale
	case !movable(from, unclaimedOnly):
		return NotMovable
	case j.TeamID == t.ID && from != job.Open && from != job.CannotComplete:
		return SameTeam
	case !Serves(servings, t.ID, j.Department, j.RootID):
		return NotServed
	case category.TraineeRule(j.Trainee).NeedsSpecialist() && t.Specialists == 0:
		return NoSpecialist
	}
	return ""
}

// Unclaimed are the states of a job no crew has taken on; a rebalance moves only these
// (Batch.UnclaimedOnly). UnclaimedSQL is the same as an SQL condition on job j.
var (
	Unclaimed    = []job.Status{job.Open, job.Assigned}
	UnclaimedSQL = job.StatusInSQL(Unclaimed)
)

// movable reports whether a job in status from may move: when open, or back from a crew
// that could not complete it; with unclaimedOnly, only when no crew has taken it on. A
// started job check refuses before it asks (cause Started).
func movable(from job.Status, unclaimedOnly bool) bool {
	if unclaimedOnly {
		return slices.Contains(Unclaimed, from)
	}
	return from.IsOpen() || from == job.CannotComplete
}

// moveJobsSQL moves jobs to their new teams: the arrays are job ids and team ids. The
// jobs are locked since lockJobs and their versions checked, so it needs no condition on
// the version.
const moveJobsSQL = `
UPDATE jobs j SET team_id = m.team_id, status = 'assigned', version = j.version + 1, reason = '', reason_text = '', closed_at = NULL, desk_closed_at = NULL
FROM unnest(CAST(? AS bigint[]), CAST(? AS bigint[])) AS m(id, team_id)
WHERE j.id = m.id
RETURNING j.id, j.version`

// moveJobs moves the jobs with one statement and returns their new versions by job id.
func moveJobs(ctx context.Context, tx *gorm.DB, moves []Move) (map[int64]int, error) {
	ids, teams := make([]int64, len(moves)), make([]int64, len(moves))
	for i, m := range moves {
		ids[i], teams[i] = m.JobID, m.TeamID
	}
	var rows []struct {
		ID      int64
		Version int
	}
	if err := tx.WithContext(ctx).Raw(moveJobsSQL, database.Int64Array(ids), database.Int64Array(teams)).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("planner: move: %w", err)
	}
	versions := make(map[int64]int, len(rows))
	for _, r := range rows {
		versions[r.ID] = r.Version
	}
	return versions, nil
}

// movePushes returns the pushes about moved jobs: with summary nil, per move one to the
// team the job left (reassigned) and one to the team it joins (assigned); otherwise one
// per team that gained jobs and one per team that lost jobs (see Batch.Summary), in team
// order, gaining teams first.
func movePushes(moved []Moved, summary func(kind push.Kind, jobs int) (problem.Text, problem.Text)) []push.Request {
	left := func(m Moved) bool { return m.FromTeam != 0 && m.FromTeam != m.ToTeam }
	var out []push.Request
	if summary == nil {
		for _, m := range moved {
			if left(m) {
				out = append(out, push.Request{JobID: m.JobID, TeamID: m.FromTeam, Kind: push.KindReassigned, Version: m.Version})
			}
			out = append(out, push.Request{JobID: m.JobID, TeamID: m.ToTeam, Kind: push.KindAssigned, Version: m.Version})
		}
		return out
	}
	type teamPush struct {
		jobs  int
		first Moved // the team's job with the lowest id
	}
	gained, lost := map[int64]*teamPush{}, map[int64]*teamPush{}
	note := func(teams map[int64]*teamPush, team int64, m Moved) {
		tp := teams[team]
		if tp == nil {
			tp = &teamPush{first: m}
			teams[team] = tp
		}
		tp.jobs++
		if m.JobID < tp.first.JobID {
			tp.first = m
		}
	}
	for _, m := range moved {
		note(gained, m.ToTeam, m)
		if left(m) {
			note(lost, m.FromTeam, m)
		}
	}
	for _, side := range []struct {
		teams map[int64]*teamPush
		kind  push.Kind
	}{{gained, push.KindAssigned}, {lost, push.KindReassigned}} {
		ids := make([]int64, 0, len(side.teams))
		for t := range side.teams {
			ids = append(ids, t)
		}
		slices.Sort(ids)
		for _, t := range ids {
			tp := side.teams[t]
			title, body := summary(side.kind, tp.jobs)
			out = append(out, push.Request{JobID: tp.first.JobID, TeamID: t, Kind: side.kind, Version: tp.first.Version, Title: title, Body: body})
		}
	}
	return out
}

type lockedJob struct {
	ID         int64
	Status     string
	Version    int
	TeamID     int64
	Department string
	Trainee    string
	InScope    bool
	RootID     int64 `gorm:"-"`
}

type targetTeam struct {
	ID          int64
	Specialists int
}

// targets loads the target teams in u's scope, with the specialists with them today and what
// they serve per municipality. A team out of scope is not found.
func targets(ctx context.Context, tx *gorm.DB, u access.User, moves []Move) (map[int64]targetTeam, []Serving, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, m := range moves {
		if !seen[m.TeamID] {
			seen[m.TeamID] = true
			ids = append(ids, m.TeamID)
		}
	}
	cond, args := teamScope(u, "t.id")
	var teams []targetTeam
	err := tx.WithContext(ctx).Raw(`
SELECT t.id,
       (SELECT count(*) FROM worker_teams wt JOIN workers w ON w.id = wt.worker_id
        WHERE wt.team_id = t.id AND w.role = 'specialist'
          -- still with the team today: active, not past the contract's end, not flowed out
          AND `+worker.AccessSQL("w")+`) AS specialists
FROM teams t WHERE t.id = ANY(?::bigint[]) AND `+cond, append([]any{database.Int64Array(ids)}, args...)...).Scan(&teams).Error
	if err != nil {
		return nil, nil, fmt.Errorf("planner: move: %w", err)
	}
	out := make(map[int64]targetTeam, len(teams))
	for _, t := range teams {
		out[t.ID] = t
	}
	var servings []Serving
	err = tx.WithContext(ctx).Raw(`
WITH RECURSIVE up AS (
    SELECT ta.team_id, ta.department, a.id, a.parent_id
    FROM team_areas ta JOIN areas a ON a.id = ta.area_id WHERE ta.team_id = ANY(?::bigint[])
    UNION
    SELECT up.team_id, up.department, a.id, a.parent_id FROM up JOIN areas a ON a.id = up.parent_id)
SELECT DISTINCT team_id, department, id AS municipality_id FROM up WHERE parent_id IS NULL`, database.Int64Array(ids)).Scan(&servings).Error
	if err != nil {
		return nil, nil, fmt.Errorf("planner: move: %w", err)
	}
	return out, servings, nil
}

// lockJobs locks the jobs of moves in id order (so two batches cannot deadlock) and
// says for each whether it is in u's scope and which municipality it lies in.
func lockJobs(ctx context.Context, tx *gorm.DB, u access.User, moves []Move) (map[int64]lockedJob, error) {
	ids := make([]int64, len(moves))
	for i, m := range moves {
		ids[i] = m.JobID
	}
	slices.Sort(ids)
	cond, args := jobScope(u)
	var rows []lockedJob
	err := tx.WithContext(ctx).Raw(`
SELECT j.id, j.status, j.version, COALESCE(j.team_id, 0) AS team_id,
       COALESCE(c.department, '') AS department, c.trainee, (`+cond+`) AS in_scope
FROM jobs j JOIN categories c ON c.code = j.category_code
WHERE j.id = ANY(?::bigint[])
ORDER BY j.id
FOR UPDATE OF j`, append(args, database.Int64Array(ids))...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("planner: move: %w", err)
	}
	var roots []struct{ JobID, RootID int64 }
	err = tx.WithContext(ctx).Raw(`
WITH RECURSIVE up AS (
    SELECT j.id AS job_id, a.id, a.parent_id FROM jobs j JOIN areas a ON a.id = j.area_id WHERE j.id = ANY(?::bigint[])
    UNION
    SELECT up.job_id, a.id, a.parent_id FROM up JOIN areas a ON a.id = up.parent_id)
SELECT job_id, id AS root_id FROM up WHERE parent_id IS NULL`, database.Int64Array(ids)).Scan(&roots).Error
	if err != nil {
		return nil, fmt.Errorf("planner: move: %w", err)
	}
	out := make(map[int64]lockedJob, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	for _, r := range roots {
		j := out[r.JobID]
		j.RootID = r.RootID
		out[r.JobID] = j
	}
	return out, nil
}
