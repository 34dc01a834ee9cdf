package planner

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/plaintext"
	"wijkwerk/backend/problem"
)

// A job its crew could not complete (cannot_complete, with a reason) has left the open
// work: it is on no board sum, no overdue list and no map. It is "stuck" until a planner
// decides what happens to it (job.AwaitingDecisionSQL):
//
//   - send it back to work: Reassign, to the same team (now with a specialist, the
//     equipment, access) or another one; the job is assigned again and its crew hears;
//   - close it: CloseStuck, when the crew's reason settles it (already fixed, not the
//     municipality's). The status stays cannot_complete, which the residents were told.

// StuckJob is a job the crew could not complete, waiting for a planner's decision.
type StuckJob struct {
	JobView
	Reason     string `json:"reason"`      // the crew's reason, a code of job.Reasons
	ReasonText string `json:"reason_text"` // in the crew's words (always with "other")
	// ReportedBy is the crew member who said it could not be done (nil when unknown).
	ReportedBy     *int64    `json:"reported_by"`
	ReportedByName string    `json:"reported_by_name"`
	WaitingSince   time.Time `json:"waiting_since"` // when the crew said so
	WaitingDays    int       `json:"waiting_days"`  // calendar days since then, in Amsterdam
}

// StuckFilter narrows the list of stuck jobs.
type StuckFilter struct {
	TeamID int64  // 0: every team
	Reason string // "": every reason
	Limit  int    // at most this many; the rest is cut off
}

// WaitingDays is the number of calendar days from since to today, both in Amsterdam: 0
// on the day itself, never less.
func WaitingDays(since time.Time, today Date) int {
	d := int(today.Sub(DateOf(since.In(job.Amsterdam)).Time).Hours()) / 24 // both midnight UTC: whole days
	return max(d, 0)
}

// stuckSQL selects stuck job views (jobViewSQL's columns) with the crew's reason and who
// gave it: the last cannot-complete event's actor. A condition follows.
const stuckSQL = `
SELECT j.id, j.version, j.status, j.category_code, c.name_nl, c.name_en, COALESCE(c.department, '') AS department,
       c.trainee, j.team_id, COALESCE(t.name, '') AS team_name, j.area_id, a.name AS area_name, j.due_date,
       j.effort_minutes, j.effort_override_minutes, j.report_count, ST_X(j.location) AS lon, ST_Y(j.location) AS lat,
       j.reason, j.reason_text, COALESCE(j.closed_at, j.updated_at) AS waiting_since, w.id AS reported_by,
       COALESCE(w.name, '') AS reported_by_name
FROM jobs j
JOIN categories c ON c.code = j.category_code
JOIN areas a ON a.id = j.area_id
LEFT JOIN teams t ON t.id = j.team_id
LEFT JOIN LATERAL (
    SELECT e.actor FROM audit_events e
    WHERE e.job_id = j.id AND e.action = 'cannot-complete' ORDER BY e.id DESC LIMIT 1) ce ON true
LEFT JOIN workers w ON ce.actor LIKE 'worker:%' AND w.id = substr(ce.actor, 8)::bigint
WHERE `

type stuckRow struct {
	Job            jobViewRow `gorm:"embedded"`
	Reason         string
	ReasonText     string
	WaitingSince   time.Time
	ReportedBy     *int64
	ReportedByName string
}

func stuckJobs(ctx context.Context, db *gorm.DB, now time.Time, cond string, args ...any) ([]StuckJob, error) {
	var rows []stuckRow
	if err := db.WithContext(ctx).Raw(stuckSQL+cond, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("planner: cannot-complete jobs: %w", err)
	}
	today := Today(now)
	out := make([]StuckJob, len(rows))
	for i, r := range rows {
		out[i] = StuckJob{JobView: r.Job.view(today), Reason: r.Reason, ReasonText: r.ReasonText,
			ReportedBy: r.ReportedBy, ReportedByName: r.ReportedByName,
			WaitingSince: r.WaitingSince, WaitingDays: WaitingDays(r.WaitingSince, today)}
	}
	return out, nil
}

// StuckJobs lists the jobs in u's scope (as OpenJobs: in its areas, or of its teams)
// that the crew could not complete and that wait for a planner's decision, the longest
// waiting first. truncated says that more jobs matched than Limit.
func (s *Store) StuckJobs(ctx context.Context, u access.User, f StuckFilter, now time.Time) (jobs []StuckJob, truncated bool, err error) {
	if f.Reason != "" {
		if _, ok := job.Reasons[f.Reason]; !ok {
			return nil, false, problem.Invalid("reason", problem.T(
				"Kies een reden uit de lijst van de ploegen.", "Choose a reason from the crews' list."))
		}
	}
	cond, args, _, err := s.workScope(ctx, u)
	if err != nil {
		return nil, false, err
	}
	where := job.AwaitingDecisionSQL + ` AND ` + cond
	if f.TeamID != 0 {
		where += ` AND j.team_id = ?`
		args = append(args, f.TeamID)
	}
	if f.Reason != "" {
		where += ` AND j.reason = ?`
		args = append(args, f.Reason)
	}
	f.Limit = listLimit(f.Limit)
	where += ` ORDER BY j.closed_at, j.id LIMIT ?`
	args = append(args, f.Limit+1)
	jobs, err = stuckJobs(ctx, s.db, now, where, args...)
	if err != nil {
		return nil, false, err
	}
	jobs, truncated = firstOf(jobs, f.Limit)
	return jobs, truncated, nil
}

// stuckCountsSQL counts the stuck jobs per team and area; %s is the scope condition
// (workScope).
var stuckCountsSQL = `
SELECT j.team_id, j.area_id, count(*) AS cannot_complete
FROM jobs j
WHERE ` + job.AwaitingDecisionSQL + ` AND %s
GROUP BY j.team_id, j.area_id`

// MaxCloseNote is the longest note a planner may give when closing a stuck job.
const MaxCloseNote = MaxReason

// CloseStuck closes job id, which its crew could not complete, for planner u: the desk
// accepts that it ends there. version is the job version the planner saw. The job keeps
// its status (residents were told it could not be done), gets a new version and an audit
// event (action close) with the planner's note, and leaves the list of stuck jobs.
// A job that is not stuck (any more) is an invalid-transition problem.
func (s *Store) CloseStuck(ctx context.Context, u access.User, id int64, version int, note string, now time.Time) (JobView, error) {
	note = plaintext.Clean(note)
	if utf8.RuneCountInString(note) > MaxCloseNote {
		return JobView{}, problem.Invalid("note", problem.Sprintf("De toelichting is te lang (hoogstens %d tekens).",
			"The note is too long (at most %d characters).", MaxCloseNote))
	}
	if version <= 0 {
		return JobView{}, problem.Invalid("version", problem.T("De versie van de taak ontbreekt.", "The job's version is missing."))
	}
	var out JobView
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		cond, args := jobScope(u)
		var cur struct {
			ID           int64
			Status       string
			Version      int
			DeskClosedAt *time.Time
			InScope      bool
		}
		err := tx.WithContext(ctx).Raw(`SELECT j.id, j.status, j.version, j.desk_closed_at, (`+cond+`) AS in_scope
FROM jobs j WHERE j.id = ? FOR UPDATE`, append(args, id)...).Scan(&cur).Error
		if err != nil {
			return fmt.Errorf("planner: close: %w", err)
		}
		if cur.ID == 0 || !cur.InScope {
			return errJobNotFound()
		}
		if cur.Version != version {
			return stale(ctx, tx, id, now)
		}
		from := job.Status(cur.Status)
		to, err := job.Next(from, job.ActionClose)
		if err != nil || cur.DeskClosedAt != nil {
			return errNotStuck(from, cur.DeskClosedAt != nil)
		}
		if err := tx.WithContext(ctx).Exec(`UPDATE jobs SET desk_closed_at = now(), version = version + 1 WHERE id = ?`, id).Error; err != nil {
			return fmt.Errorf("planner: close: %w", err)
		}
		detail := map[string]any{}
		if note != "" {
			detail["reason"] = note
		}
		if err := job.Record(ctx, tx, job.Event{JobID: id, Actor: Actor(u), Action: string(job.ActionClose), From: from, To: to, Detail: detail}); err != nil {
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

// errNotStuck explains a close of a job that does not wait for a decision: a planner
// closed it already, or it is not a job its crew could not complete.
func errNotStuck(status job.Status, closed bool) error {
	if closed {
		return problem.InvalidTransition.New(problem.T(
			"Deze werkorder is al afgesloten.", "This job has been closed already."))
	}
	l := status.Label()
	return problem.InvalidTransition.New(problem.T(
		fmt.Sprintf("U kunt alleen werkorders afsluiten die de ploeg niet kon afmaken. Deze staat op “%s”.", l.NL),
		fmt.Sprintf("You can only close jobs the crew could not complete. This one is “%s”.", l.EN)))
}
