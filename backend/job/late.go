package job

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
)

// A planner may move a task to another team while its crew works offline: the crew's
// phone then sends the work it did (photos, then complete with hours) for a job that is
// no longer theirs. Work that is done is done: when the team the job went to has not
// begun it, the crew's complete closes the job and their photos are kept (fateTaken).
// Otherwise the crew's work cannot be booked: the phone hears that the task moved, as
// before, and the desk reads in the job's history what the crew reported (EventLateWork).

// The audit actions of a crew's work that arrived after a planner moved its job away.
const (
	// EventCompleteAfterMove is a complete that closed a job the crew did while it
	// moved: the job goes back to their team (detail from_team, to_team), with the hours.
	EventCompleteAfterMove = "complete_after_move"
	// EventLateWork is a complete that could not be booked, since the team the job moved
	// to had begun it or it was closed: the detail keeps the hours, for the desk.
	EventLateWork = "late_work"
)

// fate is what becomes of a crew's action or photo on a job that is not their team's now.
type fate int

const (
	fateNotFound fate = iota // never their task (or a version the phone cannot have seen): not found
	fateRefused              // it moved away: a conflict with the task marked removed
	fateTaken                // the work counts: the complete closes the job, the photo is kept
)

// notStartedAfterMove reports whether the team a job moved to has not begun it: the
// move leaves it assigned (or in the planner queue, open), and accepted is only a plan
// (the crew's "Ingepland"). A crew that begins, begins with start (in_progress); a job
// that is done, could not be done or was cancelled is closed, and stays so.
func notStartedAfterMove(st Status) bool {
	return st == Open || st == Assigned || st == Accepted
}

// movedFate decides about an action a (or a photo, when a is "") that a crew sends for a
// job that is not their team's now, in status st at version version. ours says the job
// was their team's (the task feed says so); seen is the version the phone saw (If-Match,
// not used for a photo, which has none). A complete based on what the crew saw while it
// was theirs (seen is at most the version now) is taken while the new team has not begun;
// a photo too, as it comes before its complete. Anything else that was theirs and changed
// since the phone saw it is refused; an action at the version of now was not seen by a
// phone of this crew (it only sees a moved task as removed): not found, as before.
func movedFate(ours bool, a Action, seen, version int, st Status) fate {
	switch {
	case !ours:
		return fateNotFound
	case (a == "" || a == Complete && seen <= version) && notStartedAfterMove(st):
		return fateTaken
	case a == "" || seen != version:
		return fateRefused
	}
	return fateNotFound
}

// formerTeam returns the team of teams that job id was with last (the task feed says
// so), or 0 when it never was with any of them.
func formerTeam(ctx context.Context, db *gorm.DB, id int64, teams []int64) (int64, error) {
	var team int64
	err := db.WithContext(ctx).Raw(`SELECT team_id FROM task_feed WHERE job_id = ? AND team_id = ANY(CAST(? AS bigint[]))
ORDER BY seq DESC LIMIT 1`, id, database.Int64Array(teams)).Scan(&team).Error
	if err != nil {
		return 0, fmt.Errorf("job: former team: %w", err)
	}
	return team, nil
}

// recordLateWork writes, for the desk, the audit event of a complete of a that was
// refused because its job moved away from team and the new team had begun it (or it
// was closed): who reported it, with the hours, so the hours are not lost unseen. It
// commits on its own (the refused action's transaction is rolled back), once per
// Idempotency-Key: a phone that sends the same complete again adds nothing.
func (s *Service) recordLateWork(ctx context.Context, a Act, team int64) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var cur struct {
			Status string
			TeamID int64
			Known  bool
		}
		err := tx.WithContext(ctx).Raw(`SELECT status, COALESCE(team_id, 0) AS team_id,
  EXISTS (SELECT 1 FROM audit_events WHERE job_id = j.id AND action = ? AND detail->>'key' = ?) AS known
FROM jobs j WHERE id = ? FOR UPDATE`, EventLateWork, a.Key, a.JobID).Scan(&cur).Error
		if err != nil {
			return fmt.Errorf("job: late work: %w", err)
		}
		if cur.Known {
			return nil
		}
		detail := map[string]any{"key": a.Key, "from_team": team, "hours": a.Hours}
		if cur.TeamID != 0 {
			detail["to_team"] = cur.TeamID
		}
		if a.Note != "" {
			detail["note"] = a.Note
		}
		return Record(ctx, tx, Event{JobID: a.JobID, Actor: a.Actor, Action: EventLateWork,
			From: Status(cur.Status), To: Status(cur.Status), Detail: detail})
	})
}
