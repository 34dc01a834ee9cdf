package planner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
)

// NextWorkingDay is the first working day after today: on a Friday the Monday (or the
// Tuesday after Easter Monday, and so on).
func NextWorkingDay(today Date) Date { return Date{job.DueDate(today.Time, 1)} }

var weekdayNL = [...]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"}

var weekdayEN = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// DueTomorrowText is the push text, in Dutch and English, for n open tasks due on day,
// seen from today.
func DueTomorrowText(today, day Date, n int) (title, body problem.Text) {
	when := problem.T("morgen", "tomorrow")
	forWhen := problem.T("morgen", "tomorrow")
	if !day.Equal(today.AddDays(1).Time) {
		when = problem.T(weekdayNL[day.Weekday()], "on "+weekdayEN[day.Weekday()])
		forWhen = problem.T(weekdayNL[day.Weekday()], weekdayEN[day.Weekday()])
	}
	if n == 1 {
		return problem.T("Taak voor "+forWhen.NL, "Task for "+forWhen.EN),
			problem.T("Er moet "+when.NL+" 1 taak klaar zijn. Kijk in de app welke.",
				"1 task must be done "+when.EN+". Look in the app to see which.")
	}
	return problem.T("Taken voor "+forWhen.NL, "Tasks for "+forWhen.EN),
		problem.T(fmt.Sprintf("Er moeten %s %d taken klaar zijn. Kijk in de app welke.", when.NL, n),
			fmt.Sprintf("%d tasks must be done %s. Look in the app to see which.", n, when.EN))
}

// dueTomorrowSQL claims the teams with open tasks due on a day that have not had their
// reminder for it: the insert into due_tomorrow_pushes is the claim, so two replicas or a
// restart cannot remind a team twice. It returns each claimed team with the task it
// names in the push (the one due first by id) and that task's version.
const dueTomorrowSQL = `
WITH due AS (
    SELECT j.team_id, count(*) AS n, min(j.id) AS job_id
    FROM jobs j
    WHERE j.status IN ('assigned', 'accepted', 'in_progress') AND j.team_id IS NOT NULL AND j.due_date = ?
    GROUP BY j.team_id
), claimed AS (
    INSERT INTO due_tomorrow_pushes (team_id, due_date, jobs)
    SELECT team_id, ?, n FROM due
    ON CONFLICT (team_id, due_date) DO NOTHING
    RETURNING team_id
)
SELECT d.team_id, d.n, d.job_id, j.version
FROM due d JOIN claimed c ON c.team_id = d.team_id JOIN jobs j ON j.id = d.job_id
ORDER BY d.team_id`

// DueTomorrow queues one push per team that has open tasks due on the next working day,
// once per team and day. It does nothing on a day off (weekend or holiday): the crews
// had their reminder on the last working day. It returns how many teams it reminded.
func DueTomorrow(ctx context.Context, db *gorm.DB, now time.Time, ttl time.Duration) (int, error) {
	today := Today(now)
	if !job.IsWorkingDay(today.Time) {
		return 0, nil
	}
	day := NextWorkingDay(today)
	var n int
	err := database.Tx(ctx, db, func(tx *gorm.DB) error {
		var rows []struct {
			TeamID  int64
			N       int
			JobID   int64
			Version int
		}
		if err := tx.WithContext(ctx).Raw(dueTomorrowSQL, day.Time, day.Time).Scan(&rows).Error; err != nil {
			return fmt.Errorf("planner: due tomorrow: %w", err)
		}
		reqs := make([]push.Request, len(rows))
		for i, r := range rows {
			title, body := DueTomorrowText(today, day, r.N)
			reqs[i] = push.Request{JobID: r.JobID, TeamID: r.TeamID, Kind: push.KindDueTomorrow,
				Version: r.Version, Title: title, Body: body}
		}
		if err := push.EnqueueAll(ctx, tx, reqs, ttl); err != nil {
			return err
		}
		// Claims older than a month help nobody.
		if err := tx.WithContext(ctx).Exec(`DELETE FROM due_tomorrow_pushes WHERE due_date < ?`, today.AddDays(-31).Time).Error; err != nil {
			return fmt.Errorf("planner: due tomorrow: %w", err)
		}
		n = len(rows)
		return nil
	})
	return n, err
}

// DailyHour is the hour (Amsterdam time) of the daily due-tomorrow reminder: before the
// crews start.
const DailyHour = 7

// RunDaily sends the due-tomorrow reminders every day at DailyHour Amsterdam time, until
// ctx ends. Started after DailyHour (a restart, a new replica), it sends at once what
// was not sent yet today; DueTomorrow's claims make that safe on every replica. Between
// runs it only sleeps.
func RunDaily(ctx context.Context, db *gorm.DB, log *slog.Logger, ttl time.Duration) {
	runDaily(ctx, log, time.Now, time.After, func(now time.Time) (int, error) { return DueTomorrow(ctx, db, now, ttl) })
}

func runDaily(ctx context.Context, log *slog.Logger, clock func() time.Time, after func(time.Duration) <-chan time.Time,
	run func(time.Time) (int, error)) {
	var done Date // the last day the reminders went out from this process
	for {
		now := clock()
		today := Today(now)
		wait := untilDaily(now)
		if !today.Equal(done.Time) && now.In(job.Amsterdam).Hour() >= DailyHour {
			n, err := run(now)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("due-tomorrow reminders failed", "err", err)
				wait = 5 * time.Minute
			case err == nil:
				done = today
				log.Info("due-tomorrow reminders", "teams", n)
			}
		}
		// Sleep in steps of at most an hour, so a suspended machine or a clock change
		// does not make us miss a day.
		wait = min(wait, time.Hour)
		select {
		case <-ctx.Done():
			return
		case <-after(wait):
		}
	}
}

// untilDaily is how long from now until the next DailyHour in Amsterdam.
func untilDaily(now time.Time) time.Duration {
	t := now.In(job.Amsterdam)
	next := time.Date(t.Year(), t.Month(), t.Day(), DailyHour, 0, 0, 0, job.Amsterdam)
	if !next.After(t) {
		next = time.Date(t.Year(), t.Month(), t.Day()+1, DailyHour, 0, 0, 0, job.Amsterdam)
	}
	return next.Sub(now)
}
