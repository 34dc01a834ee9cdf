package planner

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/job"
)

// JobView is a job as the planner sees it.
type JobView struct {
	ID             int64   `json:"id"`
	Version        int     `json:"version"`
	Status         string  `json:"status"`
	Category       string  `json:"category"`
	CategoryNameNL string  `json:"category_name_nl"`
	CategoryNameEN string  `json:"category_name_en"`
	Department     string  `json:"department"`
	Trainee        string  `json:"trainee"`
	TeamID         *int64  `json:"team_id"`
	TeamName       string  `json:"team_name"`
	AreaID         int64   `json:"area_id"`
	AreaName       string  `json:"area_name"`
	DueDate        Date    `json:"due_date"`
	Overdue        bool    `json:"overdue"`
	EffortMinutes  int     `json:"effort_minutes"`          // the category default
	EffortOverride *int    `json:"effort_override_minutes"` // the planner's estimate, if any
	Effective      int     `json:"effective_effort_minutes"`
	ReportCount    int     `json:"report_count"`
	Lon            float64 `json:"-"`
	Lat            float64 `json:"-"`
}

// jobViewSQL selects job views; a condition follows.
const jobViewSQL = `
SELECT j.id, j.version, j.status, j.category_code, c.name_nl, c.name_en, COALESCE(c.department, '') AS department,
       c.trainee, j.team_id, COALESCE(t.name, '') AS team_name, j.area_id, a.name AS area_name, j.due_date,
       j.effort_minutes, j.effort_override_minutes, j.report_count, ST_X(j.location) AS lon, ST_Y(j.location) AS lat
FROM jobs j
JOIN categories c ON c.code = j.category_code
JOIN areas a ON a.id = j.area_id
LEFT JOIN teams t ON t.id = j.team_id
WHERE `

type jobViewRow struct {
	ID                    int64
	Version               int
	Status                string
	CategoryCode          string
	NameNL                string `gorm:"column:name_nl"`
	NameEN                string `gorm:"column:name_en"`
	Department            string
	Trainee               string
	TeamID                *int64
	TeamName              string
	AreaID                int64
	AreaName              string
	DueDate               time.Time
	EffortMinutes         int
	EffortOverrideMinutes *int
	ReportCount           int
	Lon, Lat              float64
}

func (r jobViewRow) view(today Date) JobView {
	v := JobView{
		ID: r.ID, Version: r.Version, Status: r.Status, Category: r.CategoryCode, CategoryNameNL: r.NameNL,
		CategoryNameEN: r.NameEN, Department: r.Department, Trainee: r.Trainee, TeamID: r.TeamID, TeamName: r.TeamName,
		AreaID: r.AreaID, AreaName: r.AreaName, DueDate: DateOf(r.DueDate), EffortMinutes: r.EffortMinutes,
		EffortOverride: r.EffortOverrideMinutes, Effective: r.EffortMinutes, ReportCount: r.ReportCount, Lon: r.Lon, Lat: r.Lat,
	}
	if r.EffortOverrideMinutes != nil {
		v.Effective = *r.EffortOverrideMinutes
	}
	switch r.Status {
	case "open", "assigned", "accepted", "in_progress":
		v.Overdue = v.DueDate.Before(today.Time)
	}
	return v
}

func jobViews(ctx context.Context, db *gorm.DB, now time.Time, cond string, args ...any) ([]JobView, error) {
	var rows []jobViewRow
	if err := db.WithContext(ctx).Raw(jobViewSQL+cond, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("planner: jobs: %w", err)
	}
	today := Today(now)
	out := make([]JobView, len(rows))
	for i, r := range rows {
		out[i] = r.view(today)
	}
	return out, nil
}

// Which open jobs a list holds.
type Which int

// The lists of open jobs.
const (
	AllOpen Which = iota // every open job (the map)
	Overdue              // due before today
	DueSoon              // due today up to two working days ahead
)

// JobFilter narrows a list of open jobs.
type JobFilter struct {
	Which  Which
	TeamID int64 // 0: every team
	Limit  int   // at most this many; the rest is cut off
}

// OpenJobs lists open jobs in u's scope (in its areas, or of its teams), earliest due
// first. truncated says that more
// jobs matched than Limit.
func (s *Store) OpenJobs(ctx context.Context, u access.User, f JobFilter, now time.Time) (jobs []JobView, truncated bool, err error) {
	today := Today(now)
	cond, args, _, err := s.workScope(ctx, u)
	if err != nil {
		return nil, false, err
	}
	where := job.OpenSQL + ` AND ` + cond
	switch f.Which {
	case Overdue:
		where += ` AND j.due_date < ?`
		args = append(args, today.Time)
	case DueSoon:
		where += ` AND j.due_date >= ? AND j.due_date <= ?`
		args = append(args, today.Time, DueSoonUntil(today).Time)
	}
	if f.TeamID != 0 {
		where += ` AND j.team_id = ?`
		args = append(args, f.TeamID)
	}
	f.Limit = listLimit(f.Limit)
	where += ` ORDER BY j.due_date, j.id LIMIT ?`
	args = append(args, f.Limit+1)
	jobs, err = jobViews(ctx, s.db, now, where, args...)
	if err != nil {
		return nil, false, err
	}
	jobs, truncated = firstOf(jobs, f.Limit)
	return jobs, truncated, nil
}

// listLimit is the number of jobs a list gives: the one asked for, or 1,000. A list
// reads one row more than that, so firstOf can tell whether there were more.
func listLimit(asked int) int {
	if asked <= 0 {
		return 1000
	}
	return asked
}

// firstOf cuts a list read with one row more than limit to limit rows, and says whether
// it had to (the list was truncated).
func firstOf[T any](rows []T, limit int) ([]T, bool) {
	if len(rows) > limit {
		return rows[:limit], true
	}
	return rows, false
}
