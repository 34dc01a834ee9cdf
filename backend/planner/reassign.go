package planner

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/plaintext"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
)

// Limits on a reassignment.
const (
	MaxMoves  = 500
	MaxReason = 500
)

// Actor is how a desk user appears in audit events.
func Actor(u access.User) string { return fmt.Sprintf("desk:%d", u.ID) }

func validateMoves(moves []Move, reason string) (string, error) {
	reason = plaintext.Clean(reason)
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
			return "", problem.Invalid("team_id", problem.T("Kies een ploeg.", "Choose a crew."))
		case m.Version <= 0:
			return "", problem.Invalid("version", problem.T("De versie van de taak ontbreekt.", "The job's version is missing."))
		case seen[m.JobID]:
			return "", problem.Invalid("moves", problem.Sprintf("Taak %d staat er twee keer in.", "Job %d is in the list twice.", m.JobID))
		}
		seen[m.JobID] = true
	}
	return reason, nil
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
		b := Batch{
			Moves:  moves,
			Action: string(job.ActionReassign),
			Detail: func(int) map[string]any { return map[string]any{"reason": reason} },
		}
		if len(moves) > 1 {
			// A team's phones hear once about what it gained or lost, not once per job.
			b.Summary = reassignSummary
		}
		_, err := s.ApplyMoves(ctx, tx, u, b)
		var refused *Refused
		if errors.As(err, &refused) {
			r := refused.Moves[0]
			return withJob(refusalProblem(ctx, tx, r, now), r.JobID)
		}
		if err != nil {
			return err
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

// reassignSummary is the text of a bulk reassign's push to a team about jobs it gained
// or lost; for one job the push's own text (push.KindAssigned, KindReassigned).
func reassignSummary(kind push.Kind, jobs int) (title, body problem.Text) {
	switch {
	case jobs == 1:
		return problem.Text{}, problem.Text{}
	case kind == push.KindAssigned:
		return problem.T("Nieuwe taken", "New tasks"), problem.Sprintf(
			"Er zijn %d taken naar jullie ploeg gegaan. Kijk in de app wat er voor jullie klaarstaat.",
			"%d tasks moved to your crew. Look in the app to see what is ready for you.", jobs)
	default:
		return problem.T("Taken verplaatst", "Tasks moved"), problem.Sprintf(
			"%d taken zijn naar een andere ploeg gegaan. Kijk in de app welke taken nu voor jullie zijn.",
			"%d tasks moved to another crew. Look in the app to see which tasks are yours now.", jobs)
	}
}

// refusalProblem is the problem that tells the planner why move r was refused.
func refusalProblem(ctx context.Context, tx *gorm.DB, r Refusal, now time.Time) error {
	switch r.Cause {
	case JobGone:
		return errJobNotFound()
	case TeamGone:
		return errTeamNotFound()
	case Stale:
		return stale(ctx, tx, r.JobID, now)
	case Started:
		return errStarted()
	case NotMovable:
		return errClosed(string(r.Status))
	case SameTeam:
		return errSameTeam()
	case NotServed:
		return errNotServed()
	case NoSpecialist:
		return errNoSpecialist(r.Trainee)
	}
	return fmt.Errorf("planner: move of job %d refused: %s", r.JobID, r.Cause)
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

func stale(ctx context.Context, tx *gorm.DB, id int64, now time.Time) error {
	views, err := jobViews(ctx, tx, now, `j.id = ?`, id)
	if err != nil {
		return err
	}
	if len(views) == 0 {
		return errJobNotFound()
	}
	cur := views[0]
	l := job.Status(cur.Status).Label()
	p := problem.StaleVersion.New(problem.T(
		fmt.Sprintf("Deze werkorder is intussen gewijzigd (nu “%s”, versie %d). Bekijk hem opnieuw.", l.NL, cur.Version),
		fmt.Sprintf("This job changed in the meantime (now “%s”, version %d). Look at it again.", l.EN, cur.Version)))
	p.Extra = map[string]any{"current": cur}
	return p
}

// MaxEffortMinutes is the largest effort estimate a planner may give one job.
const MaxEffortMinutes = 6000

// SetEffort sets the planner's effort estimate of an open job in u's scope; nil returns
// it to the category default. It does not change the job's version: the crew's pending
// actions stay valid, since the estimate is the planner's business. A rebalance proposal
// that weighed the job at its old estimate is stale all the same: applying it compares
// the efforts (rebalance.Recheck).
func (s *Store) SetEffort(ctx context.Context, u access.User, id int64, minutes *int, now time.Time) (JobView, error) {
	if minutes != nil && (*minutes < 1 || *minutes > MaxEffortMinutes) {
		return JobView{}, problem.Invalid("minutes", problem.Sprintf(
			"Geef de minuten als een getal van 1 tot %d, of null voor de standaard van de categorie.",
			"Give the minutes as a number from 1 to %d, or null for the category default.", MaxEffortMinutes))
	}
	var out JobView
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		cond, args := jobScope(u)
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
			return errEffortClosed(cur.Status)
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
