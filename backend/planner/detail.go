package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
)

// JobDetail is one job as a planner opens it: what it is about (the residents' reports
// and photos, the crew's photos and closing note) and what happened to it (its history).
// It holds no contact details of residents (ReporterContacts gives them, only when asked,
// and records that) and no hours per worker (the participation view has those, for the
// roles that may read them).
type JobDetail struct {
	JobView
	Lon         float64     `json:"lon"`
	Lat         float64     `json:"lat"`
	Description string      `json:"description"`
	CreatedAt   time.Time   `json:"created_at"`
	ClosedAt    *time.Time  `json:"closed_at"`
	Note        string      `json:"note"`        // the crew's note at completion
	Reason      string      `json:"reason"`      // why the crew could not complete it (a code)
	ReasonText  string      `json:"reason_text"` // and in their words
	Reports     []JobReport `json:"reports"`
	Photos      []JobPhoto  `json:"photos"`
	History     []JobEvent  `json:"history"`
}

// JobReport is one resident's report on a job.
type JobReport struct {
	TrackingCode string            `json:"tracking_code"`
	CreatedAt    time.Time         `json:"created_at"`
	Channel      string            `json:"channel"`
	Description  string            `json:"description"`
	Answers      map[string]string `json:"answers"`
}

// JobPhoto is a photo of a job: a resident's (report) or the crew's (before, after).
type JobPhoto struct {
	Hash      string    `json:"hash"` // names the photo to remove (RemovePhoto)
	Kind      string    `json:"kind"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
}

// JobEvent is one step in a job's history. By says who took it (resident, crew, desk or
// system), ByName names the crew member or desk user.
type JobEvent struct {
	At       time.Time `json:"at"`
	Action   string    `json:"action"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	By       string    `json:"by"`
	ByName   string    `json:"by_name,omitempty"`
	Reason   string    `json:"reason,omitempty"`    // a code (cannot_complete) or a planner's words (a move)
	ReasonEN string    `json:"reason_en,omitempty"` // a rebalance's reason in English
	FromTeam string    `json:"from_team,omitempty"` // a move between teams
	ToTeam   string    `json:"to_team,omitempty"`
	// PhotoKind is the kind of photo a desk user removed (ActionRemovePhoto).
	PhotoKind string `json:"photo_kind,omitempty"`
	// Contacts is how many reporters' contact details a desk user was shown
	// (ActionContactsViewed); the details themselves are in no event.
	Contacts *int `json:"contacts,omitempty"`
	// UnbookedHours are the hours, all workers together, of work a crew reported that
	// could not be booked (job.EventLateWork): the desk asks the crew about them.
	UnbookedHours float64 `json:"unbooked_hours,omitempty"`
}

// DeskPhotoURL is where a desk user sees a job's photo.
func DeskPhotoURL(hash string) string { return "/api/v1/planner/photos/" + hash }

// JobDetail returns job id as planner u may see it (in u's scope), or a not-found
// problem.
func (s *Store) JobDetail(ctx context.Context, u access.User, id int64, now time.Time) (JobDetail, error) {
	scope, args := jobScope(u)
	views, err := jobViews(ctx, s.db, now, `j.id = ? AND `+scope, append([]any{id}, args...)...)
	if err != nil {
		return JobDetail{}, err
	}
	if len(views) == 0 {
		return JobDetail{}, problem.NotFound.New(problem.T("Deze werkorder bestaat niet of valt buiten uw gebied.",
			"This job does not exist or is outside your areas."))
	}
	d := JobDetail{JobView: views[0], Lon: views[0].Lon, Lat: views[0].Lat,
		Reports: []JobReport{}, Photos: []JobPhoto{}, History: []JobEvent{}}
	db := s.db.WithContext(ctx)
	var row struct {
		Description string
		CreatedAt   time.Time
		ClosedAt    *time.Time
		Note        string
		Reason      string
		ReasonText  string
	}
	if err := db.Raw(`SELECT description, created_at, closed_at, note, reason, reason_text FROM jobs WHERE id = ?`, id).
		Scan(&row).Error; err != nil {
		return JobDetail{}, fmt.Errorf("planner: job detail: %w", err)
	}
	d.Description, d.CreatedAt, d.ClosedAt, d.Note, d.Reason, d.ReasonText =
		row.Description, row.CreatedAt, row.ClosedAt, row.Note, row.Reason, row.ReasonText

	var reports []struct {
		TrackingCode string
		CreatedAt    time.Time
		Channel      string
		Description  string
		Answers      []byte
	}
	if err := db.Raw(`SELECT tracking_code, created_at, channel, description, answers FROM reports WHERE job_id = ? ORDER BY id`, id).
		Scan(&reports).Error; err != nil {
		return JobDetail{}, fmt.Errorf("planner: job reports: %w", err)
	}
	for _, r := range reports {
		answers := map[string]string{}
		_ = json.Unmarshal(r.Answers, &answers) // written by intake from a map of strings
		d.Reports = append(d.Reports, JobReport{TrackingCode: r.TrackingCode, CreatedAt: r.CreatedAt, Channel: r.Channel,
			Description: r.Description, Answers: answers})
	}

	var photos []struct {
		Hash      string
		Kind      string
		CreatedAt time.Time
	}
	if err := db.Raw(`SELECT hash, kind, created_at FROM job_photos WHERE job_id = ? ORDER BY created_at, kind, hash`, id).
		Scan(&photos).Error; err != nil {
		return JobDetail{}, fmt.Errorf("planner: job photos: %w", err)
	}
	for _, p := range photos {
		d.Photos = append(d.Photos, JobPhoto{Hash: p.Hash, Kind: p.Kind, URL: DeskPhotoURL(p.Hash), CreatedAt: p.CreatedAt})
	}

	events, err := job.NewStore(s.db).Events(ctx, id)
	if err != nil {
		return JobDetail{}, err
	}
	if d.History, err = s.history(ctx, events); err != nil {
		return JobDetail{}, err
	}
	return d, nil
}

// history turns audit events into JobEvents: actors and teams by name, and of the
// details only the reason (never the hours per worker: of work that could not be
// booked, the hours of all together).
func (s *Store) history(ctx context.Context, events []job.Event) ([]JobEvent, error) {
	var workerIDs, deskIDs, teamIDs []int64
	actor := func(a string) (string, int64) {
		kind, n, ok := strings.Cut(a, ":")
		id, err := strconv.ParseInt(n, 10, 64)
		if !ok || err != nil {
			return a, 0
		}
		return kind, id
	}
	for _, e := range events {
		switch kind, id := actor(e.Actor); kind {
		case "worker":
			workerIDs = append(workerIDs, id)
		case "desk":
			deskIDs = append(deskIDs, id)
		}
		for _, k := range []string{"from_team", "to_team"} {
			if id, ok := number(e.Detail[k]); ok {
				teamIDs = append(teamIDs, id)
			}
		}
	}
	names := func(sql string, ids []int64) (map[int64]string, error) {
		out := map[int64]string{}
		if len(ids) == 0 {
			return out, nil
		}
		var rows []struct {
			ID   int64
			Name string
		}
		if err := s.db.WithContext(ctx).Raw(sql, ids).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("planner: job history: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = r.Name
		}
		return out, nil
	}
	workers, err := names(`SELECT id, name FROM workers WHERE id IN ?`, workerIDs)
	if err != nil {
		return nil, err
	}
	desk, err := names(`SELECT id, email AS name FROM desk_users WHERE id IN ?`, deskIDs)
	if err != nil {
		return nil, err
	}
	teams, err := names(`SELECT id, name FROM teams WHERE id IN ?`, teamIDs)
	if err != nil {
		return nil, err
	}
	out := make([]JobEvent, len(events))
	for i, e := range events {
		ev := JobEvent{At: e.At, Action: e.Action, From: string(e.From), To: string(e.To)}
		switch kind, id := actor(e.Actor); kind {
		case "worker":
			ev.By, ev.ByName = "crew", workers[id]
		case "desk":
			ev.By, ev.ByName = "desk", desk[id]
		case "resident":
			ev.By = "resident"
		default:
			ev.By = "system"
		}
		if r, ok := e.Detail["reason"].(string); ok {
			ev.Reason = r
		}
		if r, ok := e.Detail["reason_en"].(string); ok {
			ev.ReasonEN = r
		}
		if k, ok := e.Detail["photo_kind"].(string); ok {
			ev.PhotoKind = k
		}
		if n, ok := e.Detail["contacts"].(float64); ok && e.Action == ActionContactsViewed {
			c := int(n)
			ev.Contacts = &c
		}
		if e.Action == job.EventLateWork {
			ev.UnbookedHours = totalHours(e.Detail["hours"])
		}
		if id, ok := number(e.Detail["from_team"]); ok {
			ev.FromTeam = teams[id]
		}
		if id, ok := number(e.Detail["to_team"]); ok {
			ev.ToTeam = teams[id]
		}
		out[i] = ev
	}
	return out, nil
}

// totalHours adds up the hours of a JSON detail's list of hours per worker (job.Hours),
// to the hundredth as they are stored.
func totalHours(v any) float64 {
	list, _ := v.([]any)
	var sum float64
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			h, _ := m["hours"].(float64)
			sum += h
		}
	}
	return math.Round(sum*100) / 100
}

// number reads an id from a JSON detail (a float64 once decoded).
func number(v any) (int64, bool) {
	f, ok := v.(float64)
	return int64(f), ok && f > 0
}

// PhotoVisible reports whether hash is a photo of a job in planner u's scope.
func (s *Store) PhotoVisible(ctx context.Context, u access.User, hash string) (bool, error) {
	scope, args := jobScope(u)
	var ok bool
	err := s.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM job_photos p JOIN jobs j ON j.id = p.job_id WHERE p.hash = ? AND `+scope+`)`,
		append([]any{hash}, args...)...).Scan(&ok).Error
	if err != nil {
		return false, fmt.Errorf("planner: photo: %w", err)
	}
	return ok, nil
}
