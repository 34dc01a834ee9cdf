package planner

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
)

// Move asks for one job to go to a team. Version is the job version the planner saw.
type Move struct {
	JobID   int64 `json:"job_id"`
	Version int   `json:"version"`
	TeamID  int64 `json:"team_id"`
}

// Limits on a reassignment.
const (
	MaxMoves  = 500
	MaxReason = 500
)

// Actor is how a desk user appears in audit events.
func Actor(u access.User) string { return fmt.Sprintf("desk:%d", u.ID) }

func validateMoves(moves []Move, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", problem.Invalid("reason", problem.T("Geef een reden op.", "Give a reason."))
	}
	if utf8.RuneCountInString(reason) > MaxReason {
		return "", problem.Invalid("reason", problem.Sprintf("De reden is te lang (hoogstens %d tekens).",
			"The reason is too long (at most %d characters).", MaxReason))
	}
	if len(moves) == 0 {
		return "", problem.Invalid("moves", problem.T("Kies ten minste één taak.", "Choose at least one job."))
	}
	if len(moves) > MaxMoves {
		return "", problem.Invalid("moves", problem.Sprintf("Hoogstens %d taken tegelijk.", "At most %d jobs at once.", MaxMoves))
	}
	seen := map[int64]bool{}
	for _, m := range moves {
		switch {
		case m.JobID <= 0:
			return "", problem.Invalid("job_id", problem.T("Een taak ontbreekt.", "A job is missing."))
		case m.TeamID <= 0:
			return "", problem.Invalid("team_id", problem.T("Kies een ploeg.", "Choose a team."))
		case m.Version <= 0:
			return "", problem.Invalid("version", problem.T("De versie van de taak ontbreekt.", "The job's version is missing."))
		case seen[m.JobID]:
			return "", problem.Invalid("moves", problem.Sprintf("Taak %d staat er twee keer in.", "Job %d is in the list twice.", m.JobID))
		}
		seen[m.JobID] = true
	}
	return reason, nil
}

type lockedJob struct {
	ID         int64
	Status     string
	Version    int
	TeamID     int64
	AreaID     int64
	Department string
	Trainee    string
	InScope    bool
	RootID     int64 `gorm:"-"`
}

type targetTeam struct {
	ID          int64
	Name        string
	Specialists int
}

// Reassign moves jobs to other teams, all or none: one bad move fails them all, with a
// problem that names its job_id. Each moved job gets status assigned, a new version, an
// audit event with the reason, and pushes to the team it left (reassigned) and the team
// it joins (assigned), all in one transaction. See the rules in rules.go.
func (s *Store) Reassign(ctx context.Context, u access.User, moves []Move, reason string, now time.Time) ([]JobView, error) {
	reason, err := validateMoves(moves, reason)
	if err != nil {
		return nil, err
	}
	var out []JobView
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		out = nil
		targets, servings, err := s.targets(ctx, tx, u, moves)
		if err != nil {
			return err
		}
		jobs, err := lockJobs(ctx, tx, u, moves)
		if err != nil {
			return err
		}
		for _, m := range moves {
			if err := s.move(ctx, tx, u, m, jobs[m.JobID], targets[m.TeamID], servings, reason, now); err != nil {
				return withJob(err, m.JobID)
			}
		}
		ids := make([]int64, len(moves))
		for i, m := range moves {
			ids[i] = m.JobID
		}
		out, err = jobViews(ctx, tx, now, `j.id = ANY(?::bigint[]) ORDER BY array_position(?::bigint[], j.id)`, database.Int64Array(ids), database.Int64Array(ids))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// withJob adds the job id to a problem, so the planner knows which move failed.
func withJob(err error, id int64) error {
	p, ok := problem.As(err)
	if !ok {
		return err
	}
	c := *p
	c.Extra = map[string]any{"job_id": id}
	for k, v := range p.Extra {
		c.Extra[k] = v
	}
	return &c
}

// targets loads the target teams in u's scope, with their active specialists and what
// they serve per municipality. A team out of scope is not found.
func (s *Store) targets(ctx context.Context, tx *gorm.DB, u access.User, moves []Move) (map[int64]targetTeam, []Serving, error) {
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
SELECT t.id, t.name,
       (SELECT count(*) FROM worker_teams wt JOIN workers w ON w.id = wt.worker_id
        WHERE wt.team_id = t.id AND w.active AND w.role = 'specialist') AS specialists
FROM teams t WHERE t.id = ANY(?::bigint[]) AND `+cond, append([]any{database.Int64Array(ids)}, args...)...).Scan(&teams).Error
	if err != nil {
		return nil, nil, fmt.Errorf("planner: reassign: %w", err)
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
		return nil, nil, fmt.Errorf("planner: reassign: %w", err)
	}
	return out, servings, nil
}

// lockJobs locks the jobs of moves in id order (so two bulk moves cannot deadlock) and
// says for each whether it is in u's scope and which municipality it lies in.
func lockJobs(ctx context.Context, tx *gorm.DB, u access.User, moves []Move) (map[int64]lockedJob, error) {
	ids := make([]int64, len(moves))
	for i, m := range moves {
		ids[i] = m.JobID
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	cond, args := access.Scope(u, "j.area_id")
	var rows []lockedJob
	err := tx.WithContext(ctx).Raw(`
SELECT j.id, j.status, j.version, COALESCE(j.team_id, 0) AS team_id, j.area_id,
       COALESCE(c.department, '') AS department, c.trainee, (`+cond+`) AS in_scope
FROM jobs j JOIN categories c ON c.code = j.category_code
WHERE j.id = ANY(?::bigint[])
ORDER BY j.id
FOR UPDATE OF j`, append(args, database.Int64Array(ids))...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("planner: reassign: %w", err)
	}
	var roots []struct{ JobID, RootID int64 }
	err = tx.WithContext(ctx).Raw(`
WITH RECURSIVE up AS (
    SELECT j.id AS job_id, a.id, a.parent_id FROM jobs j JOIN areas a ON a.id = j.area_id WHERE j.id = ANY(?::bigint[])
    UNION
    SELECT up.job_id, a.id, a.parent_id FROM up JOIN areas a ON a.id = up.parent_id)
SELECT job_id, id AS root_id FROM up WHERE parent_id IS NULL`, database.Int64Array(ids)).Scan(&roots).Error
	if err != nil {
		return nil, fmt.Errorf("planner: reassign: %w", err)
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

func (s *Store) move(ctx context.Context, tx *gorm.DB, u access.User, m Move, j lockedJob, t targetTeam,
	servings []Serving, reason string, now time.Time) error {
	if j.ID == 0 || !j.InScope {
		return errJobNotFound()
	}
	if t.ID == 0 {
		return errTeamNotFound()
	}
	if j.Version != m.Version {
		return stale(ctx, tx, j.ID, now)
	}
	from := job.Status(j.Status)
	if !from.IsOpen() && from != job.CannotComplete {
		return errClosed(j.Status)
	}
	if j.TeamID == t.ID && from != job.Open && from != job.CannotComplete {
		return problem.Invalid("team_id", problem.T("Deze taak is al van deze ploeg.", "This job is already with this team."))
	}
	if !Serves(servings, t.ID, j.Department, j.RootID) {
		return errNotServed()
	}
	if err := CheckAssignment(j.Trainee, t.Specialists); err != nil {
		return err
	}
	var version int
	err := tx.WithContext(ctx).Raw(`
UPDATE jobs SET team_id = ?, status = 'assigned', version = version + 1, reason = '', reason_text = '', closed_at = NULL
WHERE id = ? RETURNING version`, t.ID, j.ID).Scan(&version).Error
	if err != nil {
		return fmt.Errorf("planner: reassign: %w", err)
	}
	detail := map[string]any{"reason": reason, "to_team": t.ID}
	if j.TeamID != 0 {
		detail["from_team"] = j.TeamID
	}
	err = job.Record(ctx, tx, job.Event{JobID: j.ID, Actor: Actor(u), Action: string(job.ActionReassign),
		From: from, To: job.Assigned, Detail: detail})
	if err != nil {
		return err
	}
	if j.TeamID != 0 && j.TeamID != t.ID {
		err := push.Enqueue(ctx, tx, push.Request{JobID: j.ID, TeamID: j.TeamID, Kind: push.KindReassigned, Version: version}, s.pushTTL)
		if err != nil {
			return err
		}
	}
	return push.Enqueue(ctx, tx, push.Request{JobID: j.ID, TeamID: t.ID, Kind: push.KindAssigned, Version: version}, s.pushTTL)
}

func stale(ctx context.Context, tx *gorm.DB, id int64, now time.Time) error {
	views, err := jobViews(ctx, tx, now, `j.id = ?`, id)
	if err != nil {
		return err
	}
	if len(views) == 0 {
		return errJobNotFound()
	}
	cur := views[0]
	p := problem.StaleVersion.New(problem.Sprintf(
		"Deze taak is intussen gewijzigd (nu versie %d, status %q). Bekijk de taak opnieuw.",
		"This job changed in the meantime (now version %d, status %q). Look at it again.", cur.Version, cur.Status))
	p.Extra = map[string]any{"current": cur}
	return p
}

// MaxEffortMinutes is the largest effort estimate a planner may give one job.
const MaxEffortMinutes = 6000

// SetEffort sets the planner's effort estimate of an open job in u's scope; nil returns
// it to the category default. It does not change the job's version: the crew's pending
// actions stay valid, since the estimate is the planner's business.
func (s *Store) SetEffort(ctx context.Context, u access.User, id int64, minutes *int, now time.Time) (JobView, error) {
	if minutes != nil && (*minutes < 1 || *minutes > MaxEffortMinutes) {
		return JobView{}, problem.Invalid("minutes", problem.Sprintf(
			"Geef de minuten als een getal van 1 tot %d, of null voor de standaard van de categorie.",
			"Give the minutes as a number from 1 to %d, or null for the category default.", MaxEffortMinutes))
	}
	var out JobView
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		cond, args := access.Scope(u, "j.area_id")
		var cur struct {
			ID                    int64
			Status                string
			EffortOverrideMinutes *int
			InScope               bool
		}
		err := tx.WithContext(ctx).Raw(`SELECT j.id, j.status, j.effort_override_minutes, (`+cond+`) AS in_scope
FROM jobs j WHERE j.id = ? FOR UPDATE`, append(args, id)...).Scan(&cur).Error
		if err != nil {
			return fmt.Errorf("planner: effort: %w", err)
		}
		if cur.ID == 0 || !cur.InScope {
			return errJobNotFound()
		}
		if !job.Status(cur.Status).IsOpen() {
			return problem.InvalidTransition.New(problem.Sprintf(
				"Deze taak is al afgesloten (status %q).", "This job is closed (status %q).", cur.Status))
		}
		if err := tx.WithContext(ctx).Exec(`UPDATE jobs SET effort_override_minutes = ? WHERE id = ?`, minutes, id).Error; err != nil {
			return fmt.Errorf("planner: effort: %w", err)
		}
		err = job.Record(ctx, tx, job.Event{JobID: id, Actor: Actor(u), Action: "effort",
			From: job.Status(cur.Status), To: job.Status(cur.Status),
			Detail: map[string]any{"from_minutes": cur.EffortOverrideMinutes, "to_minutes": minutes}})
		if err != nil {
			return err
		}
		views, err := jobViews(ctx, tx, now, `j.id = ?`, id)
		if err != nil {
			return err
		}
		out = views[0]
		return nil
	})
	return out, err
}
