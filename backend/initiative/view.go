package initiative

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/contact"
	"wijkwerk/backend/database"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/publiccode"
)

// Initiative is an initiative as a planner sees it, with the residents' contact while
// it is kept (in the detail only: a list holds Listed).
type Initiative struct {
	ID          int64      `json:"id"`
	Code        string     `json:"code"`
	Status      Status     `json:"status"`
	Theme       string     `json:"theme"`
	TargetLevel string     `json:"target_level"`
	BasicLevel  string     `json:"basic_level"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Area        AreaRef    `json:"area"`
	District    *AreaRef   `json:"district"`
	AreaM2      float64    `json:"area_m2"`
	Geometry    Polygon    `json:"geometry"`
	Commitment  Commitment `json:"commitment"`
	Requests    Requests   `json:"requests"`
	// Contact is nil once it was erased.
	Contact    *Contact   `json:"contact"`
	Team       *TeamRef   `json:"team"`
	Conditions string     `json:"conditions"`
	Reason     string     `json:"reason"`
	DecidedBy  string     `json:"decided_by,omitempty"`
	DecidedAt  *time.Time `json:"decided_at"`
	CreatedAt  time.Time  `json:"created_at"`
	// StatusAt is when the initiative came to its status: the last change that led to it
	// (paused on, ended on, rejected on), its proposal for one still proposed.
	StatusAt      time.Time     `json:"status_at"`
	Support       []SupportJob  `json:"support_jobs"`
	Contributions Contributions `json:"contributions"`
	// Log is what residents logged, newest first (the planner's detail only), so a
	// planner can see what the hours were for and spot a typo.
	Log    []LoggedContribution `json:"contribution_log,omitempty"`
	Events []PlannerEvent       `json:"events,omitempty"`
}

// LoggedContribution is a contribution as stored, its text without contact details.
type LoggedContribution struct {
	Contribution
	CreatedAt time.Time `json:"created_at"`
}

// TeamRef names a team in answers.
type TeamRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// SupportJob is a job the crew does for an initiative.
type SupportJob struct {
	JobID   int64  `json:"job_id"`
	Kind    string `json:"kind"` // materials or guidance
	Status  string `json:"status"`
	DueDate string `json:"due_date"`
	// ClosedAt is when the job ended (done, could not be done, cancelled); null while
	// it is open. A done task shows when it was done, not when it was due.
	ClosedAt *time.Time `json:"closed_at"`
	TeamID   int64      `json:"team_id,omitempty"`
}

// Contributions sums what residents logged.
type Contributions struct {
	Count int     `json:"count"`
	Hours float64 `json:"hours"`
}

// PlannerEvent is one change of an initiative, with who made it.
type PlannerEvent struct {
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	At     time.Time `json:"at"`
	Detail any       `json:"detail,omitempty"`
}

// Public is the status of an initiative for residents: no personal data, no
// workers' names.
type Public struct {
	Code          string        `json:"code"`
	Status        Status        `json:"status"`
	Theme         string        `json:"theme"`
	TargetLevel   string        `json:"target_level"`
	BasicLevel    string        `json:"basic_level"`
	Title         string        `json:"title"`
	Area          AreaRef       `json:"area"`
	AreaM2        float64       `json:"area_m2"`
	Geometry      Polygon       `json:"geometry"`
	Conditions    string        `json:"conditions,omitempty"`
	Reason        string        `json:"reason,omitempty"`
	Support       []PublicJob   `json:"support"`
	Contributions Contributions `json:"contributions"`
	CreatedAt     time.Time     `json:"created_at"`
	Timeline      []Step        `json:"timeline"`
}

// PublicJob is a support job as residents see it.
type PublicJob struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	DueDate string `json:"due_date"`
}

// Step is one public moment in an initiative's life.
type Step struct {
	Status string    `json:"status"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

const initiativeColumns = `
i.id, i.code, i.status, i.theme, i.target_level, i.basic_level, i.title, i.description, i.area_m2,
ST_AsBinary(i.geom) AS geom, i.tasks, i.hours_per_month, i.people, i.materials, i.guidance_hours,
i.conditions, i.reason, i.decided_by, i.decided_at, i.created_at, i.area_id,
a.code AS area_code, a.name AS area_name, a.kind AS area_kind,
COALESCE(d.code, '') AS district_code, COALESCE(d.name, '') AS district_name,
COALESCE(i.team_id, 0) AS team_id, COALESCE(t.name, '') AS team_name,
COALESCE((SELECT max(e.at) FROM initiative_events e WHERE e.initiative_id = i.id AND e.to_status = i.status),
         i.decided_at, i.created_at) AS status_at,
(SELECT count(*) FROM initiative_contributions c WHERE c.initiative_id = i.id) AS contribution_count,
(SELECT COALESCE(sum(c.hours), 0) FROM initiative_contributions c WHERE c.initiative_id = i.id) AS contribution_hours`

const initiativeFrom = `
FROM initiatives i
JOIN areas a ON a.id = i.area_id
LEFT JOIN areas d ON d.id = a.parent_id AND d.kind = 'district'
LEFT JOIN teams t ON t.id = i.team_id`

type initiativeRow struct {
	ID                int64
	Code              string
	Status            string
	Theme             string
	TargetLevel       string
	BasicLevel        string
	Title             string
	Description       string
	AreaM2            float64
	Geom              []byte
	Tasks             string
	HoursPerMonth     float64
	People            int
	Materials         []byte
	GuidanceHours     float64
	Conditions        string
	Reason            string
	DecidedBy         string
	DecidedAt         *time.Time
	CreatedAt         time.Time
	StatusAt          time.Time
	AreaID            int64
	AreaCode          string
	AreaName          string
	AreaKind          string
	DistrictCode      string
	DistrictName      string
	TeamID            int64
	TeamName          string
	ContributionCount int
	ContributionHours float64
}

func (r initiativeRow) initiative() (Initiative, error) {
	poly, err := polygonOf(r.Geom)
	if err != nil {
		return Initiative{}, err
	}
	in := Initiative{
		ID: r.ID, Code: r.Code, Status: Status(r.Status), Theme: r.Theme, TargetLevel: r.TargetLevel, BasicLevel: r.BasicLevel,
		Title: r.Title, Description: r.Description, AreaM2: r.AreaM2, Geometry: geoJSON(poly),
		Area:       AreaRef{Code: r.AreaCode, Name: r.AreaName, Kind: r.AreaKind},
		Commitment: Commitment{Tasks: r.Tasks, HoursPerMonth: r.HoursPerMonth, People: r.People},
		Requests:   Requests{GuidanceHours: r.GuidanceHours, Materials: []Material{}},
		Conditions: r.Conditions, Reason: r.Reason, DecidedBy: r.DecidedBy, DecidedAt: utc(r.DecidedAt), CreatedAt: r.CreatedAt.UTC(),
		StatusAt:      r.StatusAt.UTC(),
		Contributions: Contributions{Count: r.ContributionCount, Hours: round2(r.ContributionHours)},
		Support:       []SupportJob{},
	}
	_ = json.Unmarshal(r.Materials, &in.Requests.Materials)
	if r.DistrictCode != "" {
		in.District = &AreaRef{Code: r.DistrictCode, Name: r.DistrictName, Kind: "district"}
	}
	if r.TeamID != 0 {
		in.Team = &TeamRef{ID: r.TeamID, Name: r.TeamName}
	}
	return in, nil
}

func polygonOf(b []byte) (orb.Polygon, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("initiative: geometry: %w", err)
	}
	p, ok := g.(orb.Polygon)
	if !ok {
		return nil, fmt.Errorf("initiative: geometry is %T, want a polygon", g)
	}
	return p, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// supportJobs returns the support jobs of the initiatives ids, by initiative.
func supportJobs(ctx context.Context, db *gorm.DB, ids []int64) (map[int64][]SupportJob, error) {
	var rows []struct {
		InitiativeID int64
		JobID        int64
		Kind         string
		Status       string
		DueDate      time.Time
		ClosedAt     *time.Time
		TeamID       int64
	}
	err := db.WithContext(ctx).Raw(`
SELECT ij.initiative_id, ij.job_id, ij.kind, j.status, j.due_date, j.closed_at, COALESCE(j.team_id, 0) AS team_id
FROM initiative_jobs ij JOIN jobs j ON j.id = ij.job_id
WHERE ij.initiative_id = ANY(?::bigint[])
ORDER BY ij.initiative_id, ij.kind DESC`, database.Int64Array(ids)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("initiative: support jobs: %w", err)
	}
	out := map[int64][]SupportJob{}
	for _, r := range rows {
		out[r.InitiativeID] = append(out[r.InitiativeID], SupportJob{JobID: r.JobID, Kind: r.Kind, Status: r.Status,
			DueDate: r.DueDate.UTC().Format(time.DateOnly), ClosedAt: utc(r.ClosedAt), TeamID: r.TeamID})
	}
	return out, nil
}

// Track returns the public status of the initiative with code, in lang ("nl" or "en").
func (s *Service) Track(ctx context.Context, code, lang string) (Public, error) {
	code, ok := publiccode.Parse(code)
	if !ok {
		return Public{}, errNotFound()
	}
	var r initiativeRow
	err := s.db.WithContext(ctx).Raw(`SELECT `+initiativeColumns+initiativeFrom+` WHERE i.code = ?`, code).Scan(&r).Error
	if err != nil {
		return Public{}, fmt.Errorf("initiative: track: %w", err)
	}
	if r.ID == 0 {
		return Public{}, errNotFound()
	}
	in, err := r.initiative()
	if err != nil {
		return Public{}, err
	}
	jobs, err := supportJobs(ctx, s.db, []int64{r.ID})
	if err != nil {
		return Public{}, err
	}
	p := Public{
		Code: in.Code, Status: in.Status, Theme: in.Theme, TargetLevel: in.TargetLevel, BasicLevel: in.BasicLevel,
		Title: contact.Redact(in.Title), Area: in.Area, AreaM2: in.AreaM2, Geometry: in.Geometry,
		Conditions: contact.Redact(in.Conditions), Reason: contact.Redact(in.Reason),
		Contributions: in.Contributions, CreatedAt: in.CreatedAt, Support: []PublicJob{},
	}
	for _, j := range jobs[r.ID] {
		p.Support = append(p.Support, PublicJob{Kind: j.Kind, Name: supportNames[j.Kind].In(lang), Status: j.Status, DueDate: j.DueDate})
	}
	var events []struct {
		Action   string
		ToStatus string
		At       time.Time
	}
	err = s.db.WithContext(ctx).Raw(`SELECT action, to_status, at FROM initiative_events WHERE initiative_id = ? ORDER BY id`, r.ID).Scan(&events).Error
	if err != nil {
		return Public{}, fmt.Errorf("initiative: track events: %w", err)
	}
	p.Timeline = []Step{}
	for _, e := range events {
		if e.ToStatus == "" {
			continue
		}
		p.Timeline = append(p.Timeline, Step{Status: e.ToStatus, Text: stepText(e.Action, lang), At: e.At.UTC()})
	}
	return p, nil
}

var supportNames = map[string]problem.Text{
	"materials": problem.T("Materialen leveren", "Deliver materials"),
	"guidance":  problem.T("Eerste begeleide sessie met vakspecialist", "First session guided by a specialist"),
}

var stepTexts = map[string]problem.Text{
	"proposed": problem.T("Voorstel ontvangen", "Proposal received"),
	"approve":  problem.T("Goedgekeurd: het vlak heeft nu het hogere niveau", "Approved: the place now has the higher level"),
	"reject":   problem.T("Afgewezen", "Rejected"),
	"started":  problem.T("De bewoners zijn begonnen", "Residents have started"),
	"pause":    problem.T("Gepauzeerd: het vlak is terug op het basisniveau", "Paused: the place is back at the basic level"),
	"resume":   problem.T("Weer gestart", "Resumed"),
	"end":      problem.T("Beëindigd: het vlak is terug op het basisniveau", "Ended: the place is back at the basic level"),
}

func stepText(action, lang string) string {
	if t, ok := stepTexts[action]; ok {
		return t.In(lang)
	}
	return action
}

// MapFeature is one initiative on the public map: no personal data and no code.
type MapFeature struct {
	Type       string        `json:"type"`
	ID         int64         `json:"id"`
	Geometry   Polygon       `json:"geometry"`
	Properties MapProperties `json:"properties"`
}

// MapProperties are what the public map shows of an initiative: never its contact, code
// or the reason of a pause (planners may write names there).
type MapProperties struct {
	ID         int64     `json:"id"`
	Theme      string    `json:"theme"`
	Level      string    `json:"level"`
	BasicLevel string    `json:"basic_level"`
	Title      string    `json:"title"`
	Status     Status    `json:"status"`
	Area       string    `json:"area"`
	AreaM2     float64   `json:"area_m2"`
	Since      time.Time `json:"since"`
}

// FeatureCollection is a GeoJSON feature collection.
type FeatureCollection struct {
	Type     string       `json:"type"`
	Features []MapFeature `json:"features"`
}

// Map returns the initiatives that hold their place (HoldsPlace: approved, active, and
// paused ones, which may resume), as GeoJSON for the public map, each with its status.
// They are the ones a proposal of the same theme may not overlap (checkOverlap), so the
// number a refused proposal names is on the map.
func (s *Service) Map(ctx context.Context) (FeatureCollection, error) {
	var rows []struct {
		ID          int64
		Theme       string
		TargetLevel string
		BasicLevel  string
		Title       string
		Status      string
		AreaName    string
		AreaM2      float64
		DecidedAt   time.Time
		Geom        []byte
	}
	err := s.db.WithContext(ctx).Raw(`
SELECT i.id, i.theme, i.target_level, i.basic_level, i.title, i.status, a.name AS area_name, i.area_m2,
       COALESCE(i.decided_at, i.created_at) AS decided_at, ST_AsBinary(i.geom) AS geom
FROM initiatives i JOIN areas a ON a.id = i.area_id
WHERE ` + holdsPlaceSQL + `
ORDER BY i.id`).Scan(&rows).Error
	if err != nil {
		return FeatureCollection{}, fmt.Errorf("initiative: map: %w", err)
	}
	fc := FeatureCollection{Type: "FeatureCollection", Features: make([]MapFeature, 0, len(rows))}
	for _, r := range rows {
		poly, err := polygonOf(r.Geom)
		if err != nil {
			return FeatureCollection{}, err
		}
		fc.Features = append(fc.Features, MapFeature{Type: "Feature", ID: r.ID, Geometry: geoJSON(poly), Properties: MapProperties{
			ID: r.ID, Theme: r.Theme, Level: r.TargetLevel, BasicLevel: r.BasicLevel, Title: contact.Redact(r.Title), Status: Status(r.Status),
			Area: r.AreaName, AreaM2: r.AreaM2, Since: r.DecidedAt.UTC(),
		}})
	}
	return fc, nil
}

// MaxList is how many initiatives List returns at most.
const MaxList = 500

// ParseStatus accepts a status filter: empty (all) or one of Statuses.
func ParseStatus(s string) (Status, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, x := range Statuses {
		if string(x) == s {
			return x, nil
		}
	}
	return "", problem.Invalid("status", problem.T(
		"Kies een status: proposed, approved, active, paused, ended of rejected.",
		"Choose a status: proposed, approved, active, paused, ended or rejected."))
}

// Listed is an initiative in a list: without the proposer's contact, which only the
// detail (Get) shows, to the planner who opens that one initiative.
type Listed struct {
	Initiative
	// Contact hides Initiative.Contact: a list has no "contact" at all (null would
	// read as erased).
	Contact *struct{} `json:"contact,omitempty"`
}

// List returns the initiatives in u's part of the area tree, newest first, optionally
// only those with status. They hold no contact details.
func (s *Service) List(ctx context.Context, u access.User, status Status) ([]Listed, error) {
	scope, args := access.Scope(u, "i.area_id")
	where := scope
	if status != "" {
		where += " AND i.status = ?"
		args = append(args, string(status))
	}
	args = append(args, MaxList)
	var rows []initiativeRow
	err := s.db.WithContext(ctx).Raw(`SELECT `+initiativeColumns+initiativeFrom+` WHERE `+where+` ORDER BY i.created_at DESC, i.id DESC LIMIT ?`, args...).
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("initiative: list: %w", err)
	}
	list, err := completeRows(ctx, s.db, rows, false)
	if err != nil {
		return nil, err
	}
	out := make([]Listed, len(list))
	for i, in := range list {
		out[i] = Listed{Initiative: in}
	}
	return out, nil
}

// Get returns the initiative with id, with its history, if it is in u's part of the area tree.
func (s *Service) Get(ctx context.Context, u access.User, id int64) (Initiative, error) {
	in, err := get(ctx, s.db, u, id)
	if err != nil {
		return Initiative{}, err
	}
	var events []struct {
		Actor      string
		Action     string
		FromStatus string
		ToStatus   string
		Detail     []byte
		At         time.Time
	}
	err = s.db.WithContext(ctx).Raw(`SELECT actor, action, from_status, to_status, detail, at FROM initiative_events WHERE initiative_id = ? ORDER BY id`, id).
		Scan(&events).Error
	if err != nil {
		return Initiative{}, fmt.Errorf("initiative: events: %w", err)
	}
	for _, e := range events {
		pe := PlannerEvent{Actor: e.Actor, Action: e.Action, From: e.FromStatus, To: e.ToStatus, At: e.At.UTC()}
		var d map[string]any
		_ = json.Unmarshal(e.Detail, &d)
		// A rejection recorded before its event kept the reason: a rejection is final, so
		// the initiative's reason is still that rejection's.
		if e.Action == string(Reject) && in.Status == Rejected && in.Reason != "" && d["reason"] == nil {
			if d == nil {
				d = map[string]any{}
			}
			d["reason"] = in.Reason
		}
		// Likewise an approval recorded before its event kept the conditions: only an
		// approval sets them, and it happens once.
		if e.Action == string(Approve) && in.Conditions != "" && d["conditions"] == nil {
			if d == nil {
				d = map[string]any{}
			}
			d["conditions"] = in.Conditions
		}
		if len(d) > 0 {
			pe.Detail = d
		}
		in.Events = append(in.Events, pe)
	}
	var log []struct {
		Day       time.Time
		Hours     float64
		People    int
		What      string
		CreatedAt time.Time
	}
	err = s.db.WithContext(ctx).Raw(`SELECT day, hours, people, what, created_at FROM initiative_contributions
WHERE initiative_id = ? ORDER BY day DESC, id DESC`, id).Scan(&log).Error
	if err != nil {
		return Initiative{}, fmt.Errorf("initiative: contributions: %w", err)
	}
	for _, c := range log {
		in.Log = append(in.Log, LoggedContribution{Contribution: Contribution{Date: c.Day.Format(time.DateOnly), Hours: c.Hours,
			People: c.People, What: contact.Redact(c.What)}, CreatedAt: c.CreatedAt.UTC()})
	}
	return in, nil
}

func get(ctx context.Context, db *gorm.DB, u access.User, id int64) (Initiative, error) {
	scope, args := access.Scope(u, "i.area_id")
	var rows []initiativeRow
	err := db.WithContext(ctx).Raw(`SELECT `+initiativeColumns+initiativeFrom+` WHERE i.id = ? AND `+scope, append([]any{id}, args...)...).
		Scan(&rows).Error
	if err != nil {
		return Initiative{}, fmt.Errorf("initiative: get: %w", err)
	}
	if len(rows) == 0 {
		return Initiative{}, errNotFoundForDesk()
	}
	list, err := completeRows(ctx, db, rows, true)
	if err != nil {
		return Initiative{}, err
	}
	return list[0], nil
}

// completeRows turns rows into initiatives with their support jobs, and with their
// contacts when withContact (one initiative's detail, never a list).
func completeRows(ctx context.Context, db *gorm.DB, rows []initiativeRow, withContact bool) ([]Initiative, error) {
	out := make([]Initiative, 0, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		in, err := r.initiative()
		if err != nil {
			return nil, err
		}
		out = append(out, in)
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	jobs, err := supportJobs(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if j := jobs[out[i].ID]; j != nil {
			out[i].Support = j
		}
	}
	if !withContact {
		return out, nil
	}
	var contacts []struct {
		InitiativeID int64
		Name         string
		Email        string
		Phone        string
	}
	err = db.WithContext(ctx).Raw(`SELECT initiative_id, name, email, phone FROM initiative_contacts WHERE initiative_id = ANY(?::bigint[])`,
		database.Int64Array(ids)).Scan(&contacts).Error
	if err != nil {
		return nil, fmt.Errorf("initiative: contacts: %w", err)
	}
	byID := map[int64]*Contact{}
	for _, c := range contacts {
		byID[c.InitiativeID] = &Contact{Name: c.Name, Email: c.Email, Phone: c.Phone}
	}
	for i := range out {
		out[i].Contact = byID[out[i].ID]
	}
	return out, nil
}

func errNotFoundForDesk() error {
	return problem.NotFound.New(problem.T("Dit initiatief bestaat niet of valt buiten uw gebied.",
		"This initiative does not exist or is outside your areas."))
}
