package report

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/publiccode"
)

// filed is what the intake statements return.
type filed struct {
	jobID        int64
	version      int
	status       string
	teamID       int64
	teamName     string
	reportCount  int
	dueDate      time.Time
	reportID     int64
	trackingCode string
	createdAt    time.Time
}

type filedRow struct {
	JobID       int64
	Version     int
	Status      string
	TeamID      int64
	TeamName    string
	ReportCount int
	DueDate     time.Time
	ReportID    int64
	CreatedAt   time.Time
}

// fileNewSQL writes a new job, its first report and the audit event in one statement.
const fileNewSQL = `
WITH j AS (
  INSERT INTO jobs (category_code, location, area_id, team_id, status, description, due_date, effort_minutes, quality_level)
  VALUES (@cat, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326), @area, NULLIF(@team, 0), @status, @descr, @due, @effort, @level)
  RETURNING id, version, status, COALESCE(team_id, 0) AS team_id, report_count, due_date
), r AS (
  INSERT INTO reports (tracking_code, job_id, category_code, location, area_id, description, answers, channel, duplicate)
  SELECT @code, j.id, @cat, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326), @area, @descr, @answers, @channel, false FROM j
  RETURNING id, created_at
), a AS (
  INSERT INTO audit_events (job_id, actor, action, from_status, to_status, detail)
  SELECT j.id, 'resident', 'created', '', j.status,
         jsonb_build_object('report_id', r.id, 'channel', CAST(@channel AS text), 'team_id', NULLIF(j.team_id, 0))
  FROM j, r
)
SELECT j.id AS job_id, j.version, j.status, j.team_id, j.report_count, j.due_date, r.id AS report_id, r.created_at
FROM j, r`

// fileDuplicateSQL adds a report to an open job, with its audit event, in one statement.
// The job's version stays (a crew's pending action must not go stale because a neighbour
// reported too); its change sequence moves, so phones see the new count.
const fileDuplicateSQL = `
WITH j AS (
  UPDATE jobs SET report_count = report_count + 1 WHERE id = @job
  RETURNING id, version, status, COALESCE(team_id, 0) AS team_id, report_count, due_date
), r AS (
  INSERT INTO reports (tracking_code, job_id, category_code, location, area_id, description, answers, channel, duplicate)
  SELECT @code, j.id, @cat, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326), @area, @descr, @answers, @channel, true FROM j
  RETURNING id, created_at
), a AS (
  INSERT INTO audit_events (job_id, actor, action, from_status, to_status, detail)
  SELECT j.id, 'resident', 'report_added', j.status, j.status, jsonb_build_object('report_id', r.id, 'channel', CAST(@channel AS text))
  FROM j, r
)
SELECT j.id AS job_id, j.version, j.status, j.team_id, COALESCE(t.name, '') AS team_name, j.report_count, j.due_date,
       r.id AS report_id, r.created_at
FROM j CROSS JOIN r LEFT JOIN teams t ON t.id = NULLIF(j.team_id, 0)`

func reportArgs(sub Submission, areaID int64, code string) map[string]any {
	answers := []byte("{}")
	if len(sub.Answers) > 0 {
		answers, _ = json.Marshal(sub.Answers)
	}
	return map[string]any{
		"cat": sub.Category, "lon": sub.Location[0], "lat": sub.Location[1], "area": areaID,
		"descr": sub.Description, "answers": string(answers), "channel": sub.Channel, "code": code,
	}
}

func fileNew(ctx context.Context, tx *gorm.DB, sub Submission, j job.Job, teamName, level string) (filed, error) {
	code := publiccode.New()
	args := reportArgs(sub, j.AreaID, code)
	args["level"] = level
	args["team"], args["status"], args["due"], args["effort"] = j.TeamID, string(j.Status), j.DueDate, j.EffortMinutes
	f, err := scanFiled(ctx, tx, fileNewSQL, args, code)
	f.teamName = teamName
	return f, err
}

func fileDuplicate(ctx context.Context, tx *gorm.DB, sub Submission, jobID, areaID int64) (filed, error) {
	code := publiccode.New()
	args := reportArgs(sub, areaID, code)
	args["job"] = jobID
	return scanFiled(ctx, tx, fileDuplicateSQL, args, code)
}

func scanFiled(ctx context.Context, tx *gorm.DB, query string, args map[string]any, code string) (filed, error) {
	var r filedRow
	err := tx.WithContext(ctx).Raw(query, args).Scan(&r).Error
	if database.IsCode(err, database.UniqueViolation) {
		// A tracking code collision (about 49 bits of randomness): run the whole
		// transaction again with a fresh code.
		return filed{}, fmt.Errorf("report: tracking code taken: %w", database.ErrRetry)
	}
	if err != nil {
		return filed{}, fmt.Errorf("report: file: %w", err)
	}
	if r.JobID == 0 {
		return filed{}, fmt.Errorf("report: file: job vanished")
	}
	return filed{
		jobID: r.JobID, version: r.Version, status: r.Status, teamID: r.TeamID, teamName: r.TeamName,
		reportCount: r.ReportCount, dueDate: r.DueDate, reportID: r.ReportID, trackingCode: code, createdAt: r.CreatedAt,
	}, nil
}

func insertContact(ctx context.Context, tx *gorm.DB, reportID int64, c Contact) error {
	err := tx.WithContext(ctx).Exec(`INSERT INTO report_contacts (report_id, email, phone, wants_updates, app_token) VALUES (?, ?, ?, ?, ?)`,
		reportID, c.Email, c.Phone, c.WantsUpdates, c.AppToken).Error
	if err != nil {
		return fmt.Errorf("report: insert contact: %w", err)
	}
	return nil
}
