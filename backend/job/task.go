package job

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"wijkwerk/backend/contact"
	"wijkwerk/backend/database"
)

// Task is a job as a crew member sees it on the phone. It holds no personal data of
// residents.
type Task struct {
	ID           int64       `json:"id"`
	Version      int         `json:"version"`
	Status       Status      `json:"status"`
	TeamID       int64       `json:"team_id"`
	Removed      bool        `json:"removed,omitempty"` // no longer for this worker's teams
	Category     TaskCat     `json:"category"`
	Location     GeoPoint    `json:"location"`
	Area         string      `json:"area"`
	Address      string      `json:"address"`
	Description  string      `json:"description"`
	ReportCount  int         `json:"report_count"`
	DueDate      string      `json:"due_date"`
	QualityLevel string      `json:"quality_level"`
	Photos       []TaskPhoto `json:"photos"`
	Note         string      `json:"note,omitempty"`
	Reason       string      `json:"reason,omitempty"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

// MarshalJSON writes a removed task as only what a phone needs to drop it (its id,
// version and status), not an empty category and a pin at 0,0.
func (t Task) MarshalJSON() ([]byte, error) {
	if t.Removed {
		return json.Marshal(struct {
			ID      int64  `json:"id"`
			Version int    `json:"version"`
			Status  Status `json:"status"`
			Removed bool   `json:"removed"`
		}{t.ID, t.Version, t.Status, true})
	}
	type plain Task // without this method
	return json.Marshal(plain(t))
}

// TaskCat is the category of a task.
type TaskCat struct {
	Code    string `json:"code"`
	NameNL  string `json:"name_nl"`
	NameEN  string `json:"name_en"`
	Icon    string `json:"icon"`
	Trainee string `json:"trainee"`
}

// GeoPoint is a GeoJSON point.
type GeoPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// TaskPhoto is a photo of a task, before or after the work, or sent with a report.
type TaskPhoto struct {
	Hash string `json:"hash"`
	Kind string `json:"kind"`
	URL  string `json:"url"`
}

// taskColumns are a task's columns; its photos are read after it (see tasks). Read in
// the statement, as a JSON list per task, they made a full sync of 2,000 tasks half as
// slow again (31 against 20 ms).
const taskColumns = `j.id, j.version, j.status, COALESCE(j.team_id, 0) AS team_id, j.description, j.report_count,
       j.due_date, j.quality_level, j.note, j.reason, j.updated_at, ST_X(j.location) AS lon, ST_Y(j.location) AS lat,
       c.code AS cat_code, c.name_nl, c.name_en, c.icon, c.trainee, a.name AS area, j.address`

// taskFrom follows taskColumns (and any further columns); the condition follows it.
const taskFrom = `
FROM jobs j
JOIN categories c ON c.code = j.category_code
JOIN areas a ON a.id = j.area_id
WHERE `

// taskSQL reads the tasks that the condition after it selects.
const taskSQL = `SELECT ` + taskColumns + taskFrom

type taskRow struct {
	ID           int64
	Version      int
	Status       string
	TeamID       int64
	Description  string
	ReportCount  int
	DueDate      time.Time
	QualityLevel string
	Note         string
	Reason       string
	UpdatedAt    time.Time
	Lon, Lat     float64
	CatCode      string
	NameNL       string
	NameEN       string
	Icon         string
	Trainee      string
	Area         string
	Address      string // the address the job's first report gave (Open311 address_string)
	// Horizon is the pruned feed's horizon, read in the same statement: in a delta
	// sync only (see Changed).
	Horizon int64
}

func (r taskRow) task() Task {
	return Task{
		ID: r.ID, Version: r.Version, Status: Status(r.Status), TeamID: r.TeamID, Description: contact.Redact(r.Description),
		ReportCount: r.ReportCount, DueDate: r.DueDate.UTC().Format(time.DateOnly), QualityLevel: r.QualityLevel,
		Note: r.Note, Reason: r.Reason, UpdatedAt: r.UpdatedAt.UTC(),
		Location: GeoPoint{Type: "Point", Coordinates: [2]float64{r.Lon, r.Lat}},
		Category: TaskCat{Code: r.CatCode, NameNL: r.NameNL, NameEN: r.NameEN, Icon: r.Icon, Trainee: r.Trainee},
		Area:     r.Area, Address: contact.Redact(r.Address), Photos: []TaskPhoto{},
	}
}

// Task returns one job as a task.
func (s *Store) Task(ctx context.Context, id int64) (Task, error) {
	tasks, err := s.tasks(ctx, taskSQL+`j.id = ?`, id)
	if err != nil {
		return Task{}, err
	}
	if len(tasks) == 0 {
		return Task{}, ErrNotFound
	}
	return tasks[0], nil
}

func (s *Store) tasks(ctx context.Context, query string, args ...any) ([]Task, error) {
	rows, err := s.taskRows(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return s.withPhotos(ctx, rows)
}

func (s *Store) taskRows(ctx context.Context, query string, args ...any) ([]taskRow, error) {
	var rows []taskRow
	if err := s.db.WithContext(ctx).Raw(query, args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("job: tasks: %w", err)
	}
	return rows, nil
}

// withPhotos makes tasks of rows, with their photos, oldest first (one statement for all).
func (s *Store) withPhotos(ctx context.Context, rows []taskRow) ([]Task, error) {
	out := make([]Task, len(rows))
	byID := make(map[int64]int, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.task()
		byID[r.ID] = i
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var photos []struct {
		JobID int64
		Hash  string
		Kind  string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT job_id, hash, kind FROM job_photos WHERE job_id = ANY(?::bigint[]) ORDER BY created_at`,
		database.Int64Array(ids)).Scan(&photos).Error
	if err != nil {
		return nil, fmt.Errorf("job: task photos: %w", err)
	}
	for _, p := range photos {
		t := &out[byID[p.JobID]]
		t.Photos = append(t.Photos, TaskPhoto{Hash: p.Hash, Kind: p.Kind, URL: "/mobile/v1/photos/" + p.Hash})
	}
	return out, nil
}

// Changes is a page of the task feed.
type Changes struct {
	Tasks []Task
	// Cursor is where the next sync starts: the Xmin of the FeedHead taken before it.
	Cursor int64
	Full   bool
}

// FeedHead is where the feed of some teams stands, for a sync from a cursor.
type FeedHead struct {
	// Xmin is the oldest transaction still running: every feed row written by an older
	// one is committed (or gone), so a sync that read the feed after this moment has
	// seen all of them. It is the cursor of that sync.
	Xmin int64
	// Since is the cursor the head was taken for, and Changes how many feed rows of the
	// teams are visible from it on. Rows are only added from a cursor on: pruning
	// deletes rows of older transactions only (below its horizon), and makes a cursor it
	// passes a full sync. So the same count for the same cursor means the same changes:
	// nothing new for a phone that has them (its ETag). For a full sync Since is 0, also
	// when the cursor was older than the pruned feed or newer than any transaction, and
	// Changes is not counted.
	Since, Changes int64
}

// Head returns where the feed of teams stands now, for a sync from cursor since. Take
// it before reading the changes, so the cursor never passes a change the sync did not
// see.
func (s *Store) Head(ctx context.Context, teams []int64, since int64) (FeedHead, error) {
	const xmin = `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin`
	q := s.db.WithContext(ctx).Raw(xmin)
	if since > 0 {
		// The horizon and the count in one statement (one snapshot): the count is of
		// rows that pruning has not touched unless the horizon says so.
		q = s.db.WithContext(ctx).Raw(xmin+`,
  pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax,
  (SELECT xid::text::bigint FROM task_feed_horizon) AS horizon,
  (SELECT count(*) FROM task_feed WHERE team_id = ANY(?::bigint[]) AND xid >= ?::text::xid8) AS changes`,
			database.Int64Array(teams), strconv.FormatInt(since, 10))
	}
	var row struct {
		Xmin, Xmax int64
		Horizon    *int64
		Changes    int64
	}
	if err := q.Scan(&row).Error; err != nil {
		return FeedHead{}, fmt.Errorf("job: feed head: %w", err)
	}
	h := FeedHead{Xmin: row.Xmin, Since: since, Changes: row.Changes}
	if since > 0 {
		if row.Horizon == nil {
			return FeedHead{}, fmt.Errorf("job: feed head: table task_feed_horizon has no row")
		}
		// A cursor no transaction has reached yet was not made by this database (one
		// restored from a dump, say): the phone's tasks may be anything, so a full sync.
		if cursorExpired(since, *row.Horizon) || since > row.Xmax {
			h.Since, h.Changes = 0, 0
		}
	}
	return h, nil
}

// Changed returns the tasks of teams that changed in transactions from head.Since on (a
// cursor: an earlier FeedHead's Xmin), with head's Xmin as the next cursor. Changes
// already sent may come again; none is missed. From cursor 0 it returns every open task
// of the teams (a full sync), and so it does when the feed was pruned past the cursor
// while it read. Tasks that left the teams come back with Removed set, so a phone can
// drop them.
func (s *Store) Changed(ctx context.Context, teams []int64, head FeedHead) (Changes, error) {
	since := head.Since
	arr := database.Int64Array(teams)
	tasks := []Task{}
	// A delta whose head counted no changes is empty, and needs no statement: every
	// transaction older than the head's Xmin had ended when the head was counted, so
	// none of them can add a row from the cursor on later; newer ones are for the next
	// sync, from Xmin.
	if since > 0 && head.Changes > 0 {
		// The horizon is read with the tasks (one snapshot): Head saw it below the
		// cursor, but a prune may have deleted rows since; if the horizon has passed the
		// cursor now, what was read may lack them.
		rows, err := s.taskRows(ctx, `SELECT `+taskColumns+`, (SELECT xid::text::bigint FROM task_feed_horizon) AS horizon`+taskFrom+`
j.id IN (SELECT job_id FROM task_feed WHERE team_id = ANY(?::bigint[]) AND xid >= ?::text::xid8)
ORDER BY j.due_date, j.id`, arr, strconv.FormatInt(since, 10))
		if err != nil {
			return Changes{}, err
		}
		horizon := int64(0)
		if len(rows) > 0 {
			horizon = rows[0].Horizon
		} else if horizon, err = s.feedHorizon(ctx); err != nil { // pruned meanwhile: rare
			return Changes{}, err
		}
		if cursorExpired(since, horizon) {
			since = 0
		} else if tasks, err = s.withPhotos(ctx, rows); err != nil {
			return Changes{}, err
		}
	}
	if since == 0 {
		var err error
		tasks, err = s.tasks(ctx, taskSQL+`j.team_id = ANY(?::bigint[]) AND `+OpenSQL+`
ORDER BY j.due_date, j.id`, arr)
		if err != nil {
			return Changes{}, err
		}
	}
	mine := make(map[int64]bool, len(teams))
	for _, t := range teams {
		mine[t] = true
	}
	for i := range tasks {
		if !mine[tasks[i].TeamID] {
			tasks[i] = Task{ID: tasks[i].ID, Removed: true, Version: tasks[i].Version, Status: tasks[i].Status, Photos: []TaskPhoto{}}
		}
	}
	return Changes{Tasks: tasks, Cursor: head.Xmin, Full: since == 0}, nil
}
