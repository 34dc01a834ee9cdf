package report

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"gorm.io/gorm"

	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/publiccode"
)

// What Open311 (GeoReport v2) needs from reports: the public listing of requests and the
// keys of the clients that may file them. The HTTP encoding lives in mobile-api/open311.

// MaxPublicRequests is the most reports one PublicRequests call returns: the Open311
// spec's "first 1000 requests".
const MaxPublicRequests = 1000

// RequestFilter selects reports for the public listing.
type RequestFilter struct {
	// TrackingCodes, when not empty, selects these reports and overrides every other
	// filter, as the spec says of service_request_id.
	TrackingCodes []string
	// Categories keeps reports of these category codes; empty keeps all.
	Categories []string
	// Open keeps reports whose job still needs work (true) or is closed (false); nil
	// keeps both.
	Open *bool
	// From and To bound the report's creation time, both inclusive.
	From, To time.Time
	// Limit is at most MaxPublicRequests; Offset skips that many of the newest first.
	Limit, Offset int
	// Near, when not nil, keeps the reports within Radius metres of this point (lon,
	// lat), measured on the sphere. It leaves protected reports out, as Nearby does: a
	// radius around a point anyone chooses would find their exact place again, whatever
	// place the answer showed (see protected).
	Near   *orb.Point
	Radius float64
	// Jurisdiction, when not 0, keeps the reports in the area tree under this
	// municipality's area id (Jurisdiction.AreaID); unlike the filters above it also
	// narrows TrackingCodes, since it says which municipality the client speaks to.
	Jurisdiction int64
}

// PublicRequest is a report as anyone may see it: no contact details, no workers' names,
// and the job's state rather than the crew's notes.
type PublicRequest struct {
	TrackingCode string
	Status       job.Status
	// StatusNote says in words where the report is; for a job that could not be done it
	// gives the public reason.
	StatusNote   problem.Text
	Category     string
	CategoryName problem.Text
	// Description and Address are the resident's text without contact details; empty
	// for a protected report (enforcement, see protected).
	Description string
	Address     string
	// Open is whether residents see it as open (job.PublicOpen): it still needs work or
	// waits for the desk's decision after the crew could not do it.
	Open bool
	// TeamName is the crew that handles it, empty while it waits in the planner queue.
	TeamName string
	// Notice says what residents may expect: that it is closed; that the municipality
	// decides what happens next, after the crew could not do it; the category's
	// handling time once a team has it; no time while no team serves it.
	Notice problem.Text
	// Location is the report's place; for a protected report the centre of its grid
	// cell (publicLocation).
	Location  orb.Point
	CreatedAt time.Time
	UpdatedAt time.Time
	DueDate   time.Time // a date, at midnight UTC
	// PhotoURL is the path of the crew's first after-photo (PublicPhotoURL), which the
	// tracking page shows too; empty without one. Residents' own photos are not public.
	PhotoURL string
}

// publicRequestsSQL selects reports newest first. The filters are added to the WHERE
// clause; a time window walks reports_created_idx backwards and stops at the limit.
const publicRequestsSQL = `
SELECT r.tracking_code, r.created_at, r.description, r.address, ST_X(r.location) AS lon, ST_Y(r.location) AS lat,
       r.category_code, c.name_nl, c.name_en, c.handling_days, COALESCE(c.department, '') AS department,
       j.status, j.desk_closed_at IS NOT NULL AS desk_closed, j.reason, j.due_date, GREATEST(j.updated_at, r.created_at) AS updated_at,
       COALESCE(t.name, '') AS team_name,
       COALESCE((SELECT p.hash FROM job_photos p WHERE p.job_id = j.id AND ` + publicPhoto + `
                 ORDER BY p.created_at, p.hash LIMIT 1), '') AS after_photo
FROM reports r
JOIN jobs j ON j.id = r.job_id
JOIN categories c ON c.code = r.category_code
LEFT JOIN teams t ON t.id = j.team_id
WHERE `

type publicRequestRow struct {
	TrackingCode string
	CreatedAt    time.Time
	Description  string
	Address      string
	Lon, Lat     float64
	CategoryCode string
	NameNL       string
	NameEN       string
	HandlingDays int
	Department   string
	Status       string
	DeskClosed   bool
	Reason       string
	DueDate      time.Time
	UpdatedAt    time.Time
	TeamName     string
	AfterPhoto   string
}

// PublicRequests returns the reports that f selects, newest first.
func (s *Service) PublicRequests(ctx context.Context, f RequestFilter) ([]PublicRequest, error) {
	// GORM ends a named parameter only at a space, comma, ")" or quote; hence CAST(@x AS
	// text[]) rather than @x::text[].
	var where []string
	args := map[string]any{}
	if len(f.TrackingCodes) > 0 {
		var codes []string
		for _, c := range f.TrackingCodes {
			if c, ok := publiccode.Parse(c); ok {
				codes = append(codes, c)
			}
		}
		if len(codes) == 0 {
			return nil, nil
		}
		where = append(where, "r.tracking_code = ANY(CAST(@codes AS text[]))")
		args["codes"] = database.TextArray(codes)
	} else {
		where = append(where, "r.created_at BETWEEN @from AND @to")
		args["from"], args["to"] = f.From, f.To
		if len(f.Categories) > 0 {
			var cats []string
			for _, c := range f.Categories {
				if database.Text(c) {
					cats = append(cats, c)
				}
			}
			if len(cats) == 0 {
				return nil, nil
			}
			where = append(where, "r.category_code = ANY(CAST(@categories AS text[]))")
			args["categories"] = database.TextArray(cats)
		}
		if f.Open != nil {
			if *f.Open {
				where = append(where, job.PublicOpenSQL)
			} else {
				where = append(where, "NOT "+job.PublicOpenSQL)
			}
		}
		if f.Near != nil {
			if err := ValidLocation(*f.Near); err != nil {
				return nil, err
			}
			// The expression of reports_location_idx, so the index can answer it.
			where = append(where, `ST_DWithin(r.location::geography,
  ST_SetSRID(ST_MakePoint(CAST(@lon AS float8), CAST(@lat AS float8)), 4326)::geography, CAST(@radius AS float8))`,
				notProtectedSQL)
			args["lon"], args["lat"], args["radius"] = f.Near[0], f.Near[1], f.Radius
		}
	}
	if f.Jurisdiction != 0 {
		// Retired areas stay in the tree: their reports are still the municipality's.
		where = append(where, `r.area_id IN (
  WITH RECURSIVE sub AS (
    SELECT CAST(@jurisdiction AS bigint) AS id
    UNION ALL SELECT a.id FROM areas a JOIN sub ON a.parent_id = sub.id)
  SELECT id FROM sub)`)
		args["jurisdiction"] = f.Jurisdiction
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxPublicRequests {
		limit = MaxPublicRequests
	}
	args["limit"], args["offset"] = limit, max(f.Offset, 0)
	q := publicRequestsSQL + strings.Join(where, " AND ") + `
ORDER BY r.created_at DESC, r.id DESC
LIMIT @limit OFFSET @offset`

	// Scanned by hand: GORM's reflection costs more than the query on a full page.
	rows, err := s.db.WithContext(ctx).Raw(q, args).Rows()
	if err != nil {
		return nil, fmt.Errorf("report: public requests: %w", err)
	}
	defer rows.Close()
	out := make([]PublicRequest, 0, min(limit, 64))
	for rows.Next() {
		var r publicRequestRow
		err := rows.Scan(&r.TrackingCode, &r.CreatedAt, &r.Description, &r.Address, &r.Lon, &r.Lat, &r.CategoryCode, &r.NameNL, &r.NameEN,
			&r.HandlingDays, &r.Department, &r.Status, &r.DeskClosed, &r.Reason, &r.DueDate, &r.UpdatedAt, &r.TeamName, &r.AfterPhoto)
		if err != nil {
			return nil, fmt.Errorf("report: public requests: %w", err)
		}
		out = append(out, r.public())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: public requests: %w", err)
	}
	return out, nil
}

func (r publicRequestRow) public() PublicRequest {
	st := job.Status(r.Status)
	return PublicRequest{
		TrackingCode: r.TrackingCode,
		Status:       st,
		StatusNote:   statusNote(st, r.Reason),
		Open:         job.PublicOpen(st, r.DeskClosed),
		Category:     r.CategoryCode,
		CategoryName: problem.T(r.NameNL, r.NameEN),
		Description:  publicText(category.Department(r.Department), r.Description),
		Address:      publicText(category.Department(r.Department), r.Address),
		TeamName:     r.TeamName,
		Notice:       publicNotice(st, r.DeskClosed, r.Reason, r.TeamName, r.HandlingDays),
		Location:     publicLocation(category.Department(r.Department), orb.Point{r.Lon, r.Lat}),
		CreatedAt:    r.CreatedAt,
		UpdatedAt:    r.UpdatedAt,
		DueDate:      r.DueDate.UTC(),
		PhotoURL:     publicPhotoURL(r.AfterPhoto),
	}
}

func publicPhotoURL(hash string) string {
	if hash == "" {
		return ""
	}
	return PublicPhotoURL(hash)
}

// statusNote is the public sentence for a job's state. The crew's own note and free-text
// reason stay private: they may name people. Only the reason from the fixed list shows.
func statusNote(st job.Status, reason string) problem.Text {
	switch st {
	case job.Open:
		return problem.T("Ontvangen, wordt ingepland", "Received, being planned")
	case job.CannotComplete:
		if r, ok := job.Reasons[reason]; ok && reason != "other" {
			return problem.Text{NL: "Het lukte niet. Reden: " + r.NL + ".", EN: "It could not be done. Reason: " + r.EN + "."}
		}
	}
	if t, ok := stepTexts[string(st)]; ok {
		return t
	}
	return problem.T(string(st), string(st))
}

// DuePromised says whether residents are promised a report's due date: only while its
// job still needs work and a crew has it. A closed job promises nothing more; one that no
// team has (it waits in the planner queue, or no team serves its place) has a due date
// that nobody may be able to keep. Every public answer follows it: the tracking page
// (Track), a report's receipt, and Open311's expected_datetime and service_notice.
func DuePromised(st job.Status, hasTeam bool) bool {
	return st.IsOpen() && hasTeam
}

// promisedDate is due as a date (YYYY-MM-DD) when DuePromised, else nil (JSON null).
func promisedDate(st job.Status, hasTeam bool, due string) *string {
	if !DuePromised(st, hasTeam) || due == "" {
		return nil
	}
	return &due
}

// Expected is the date by which r's job is promised done, and whether one is promised
// (DuePromised).
func (r PublicRequest) Expected() (time.Time, bool) {
	if !DuePromised(r.Status, r.TeamName != "") {
		return time.Time{}, false
	}
	return r.DueDate, true
}

// publicNotice is what a report's state lets us promise (DuePromised): nothing more for
// a closed report (job.PublicOpen), and for one the municipality closed after its crew
// could not do it, that and why, as the tracking page says it (ClosedNote); for one its
// crew could not do, that the municipality decides what happens next (NextStep); no
// handling time for one that no team has.
func publicNotice(st job.Status, deskClosed bool, reason, team string, handlingDays int) problem.Text {
	switch {
	case job.AwaitingDecision(st, deskClosed):
		next := NextStep(st, deskClosed)
		return problem.Text{NL: "De ploeg kon dit niet doen. " + next.NL, EN: "The crew could not do this. " + next.EN}
	case !job.PublicOpen(st, deskClosed):
		if note := ClosedNote(st, deskClosed, reason); note != (problem.Text{}) {
			return note
		}
		return problem.T("Deze melding is afgesloten.", "This request is closed.")
	case !DuePromised(st, team != ""):
		return problem.T("Er is nog geen ploeg voor deze melding. We weten nog niet wanneer we dit oppakken.",
			"No crew has this request yet. We do not know yet when it will be handled.")
	}
	return HandlingNotice(handlingDays)
}

// NextStep is what happens next to a report whose crew could not do it and that waits
// for the desk's decision (job.AwaitingDecision); empty otherwise. The tracking page
// shows it, and Open311's service_notice says it.
func NextStep(st job.Status, deskClosed bool) problem.Text {
	if !job.AwaitingDecision(st, deskClosed) {
		return problem.Text{}
	}
	return problem.T("De gemeente beslist nu wat er verder gebeurt.", "The municipality now decides what happens next.")
}

// ClosedNote says that the municipality closed a report its crew could not do (the
// desk's decision, job.ActionClose), with the reason the crew gave if it is one from the
// fixed list (job.Reasons; "other" stands for the crew's own words, which stay inside).
// The planner's note with the decision is for the desk only: it is never part of it.
// Empty while the desk has not closed it. The tracking page shows it.
func ClosedNote(st job.Status, deskClosed bool, reason string) problem.Text {
	if st != job.CannotComplete || !deskClosed {
		return problem.Text{}
	}
	if r, ok := job.Reasons[reason]; ok && reason != "other" {
		return problem.Text{NL: "De gemeente heeft deze melding afgesloten. Reden: " + r.NL + ".",
			EN: "The municipality has closed this report. Reason: " + r.EN + "."}
	}
	return problem.T("De gemeente heeft deze melding afgesloten.", "The municipality has closed this report.")
}

// HandlingNotice tells residents how soon a category is usually handled.
func HandlingNotice(workingDays int) problem.Text {
	switch workingDays {
	case 0:
		return problem.T("We pakken dit dezelfde dag op.", "We handle this the same day.")
	case 1:
		return problem.T("We pakken dit binnen 1 werkdag op.", "We handle this within 1 working day.")
	}
	return problem.Sprintf("We pakken dit binnen %d werkdagen op.", "We handle this within %d working days.", workingDays)
}

// Open311Client is a client that may file reports through Open311.
type Open311Client struct {
	ID   int64
	Name string
}

// ErrUnknownKey means an Open311 key is not known or was revoked.
var ErrUnknownKey = errors.New("report: unknown or revoked open311 key")

// CreateOpen311Key adds a client named name and returns its key: 32 random bytes in
// base64url. Only the key's SHA-256 is stored, so the key is shown this once.
func CreateOpen311Key(ctx context.Context, db *gorm.DB, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		return "", errors.New("report: an open311 key needs a name of 1 to 100 characters")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("report: open311 key: %w", err)
	}
	key := base64.RawURLEncoding.EncodeToString(b[:])
	// name comes first: GORM would spread a []byte right after "(" as a list.
	err := db.WithContext(ctx).Exec(`INSERT INTO open311_keys (name, key_hash) VALUES (?, ?)`, name, keyHash(key)).Error
	if err != nil {
		return "", fmt.Errorf("report: create open311 key: %w", err)
	}
	return key, nil
}

// Open311ClientKey is an Open311 client's key as an operator sees it: never the key
// itself.
type Open311ClientKey struct {
	ID        int64
	Name      string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// ListOpen311Keys returns every Open311 client's key, oldest first.
func ListOpen311Keys(ctx context.Context, db *gorm.DB) ([]Open311ClientKey, error) {
	var keys []Open311ClientKey
	if err := db.WithContext(ctx).Raw(`SELECT id, name, created_at, revoked_at FROM open311_keys ORDER BY id`).Scan(&keys).Error; err != nil {
		return nil, fmt.Errorf("report: open311 keys: %w", err)
	}
	return keys, nil
}

// RevokeOpen311Key stops the key with id from working at once (a leaked key, a client
// that left). Revoking it again changes nothing; an unknown id is an error.
func RevokeOpen311Key(ctx context.Context, db *gorm.DB, id int64) error {
	res := db.WithContext(ctx).Exec(`UPDATE open311_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ?`, id)
	if res.Error != nil {
		return fmt.Errorf("report: revoke open311 key: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("report: no open311 key %d", id)
	}
	return nil
}

// Open311Client returns the client whose key is key, or ErrUnknownKey.
func (s *Service) Open311Client(ctx context.Context, key string) (Open311Client, error) {
	if key == "" || len(key) > 200 {
		return Open311Client{}, ErrUnknownKey
	}
	var c Open311Client
	err := s.db.WithContext(ctx).Raw(`SELECT id, name FROM open311_keys WHERE key_hash = ? AND revoked_at IS NULL`, keyHash(key)).
		Scan(&c).Error
	if err != nil {
		return Open311Client{}, fmt.Errorf("report: open311 key: %w", err)
	}
	if c.ID == 0 {
		return Open311Client{}, ErrUnknownKey
	}
	return c, nil
}

func keyHash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}
