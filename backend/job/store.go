package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/problem"
)

// ErrNotFound means no job has that id.
var ErrNotFound = errors.New("job: not found")

// Store reads and writes jobs and their audit events. Methods that change jobs take the
// transaction of the use case they belong to.
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// createdRow is what insertJobSQL returns.
type createdRow struct {
	ID          int64
	ReportCount int
	Version     int
	ChangeSeq   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DuplicateRadius is how close (in metres) an open job of the same category must be for a
// new report to join it instead of starting a job of its own.
const DuplicateRadius = 30.0

// LockNearSQL serialises intake of one category around one place: the transaction takes
// advisory locks on the grid cells that a circle of DuplicateRadius around the point
// touches (@lock_keys, from LockKeys), in a fixed order, so two reports of the same issue
// cannot both miss each other and start two jobs, while reports elsewhere never wait. It
// must be a statement of its own, before NearestOpenSQL: under READ COMMITTED a statement
// sees the data as it was when it began, so a search in the same statement as the lock
// wait would miss the job that the lock's previous holder just committed.
const LockNearSQL = `SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(CAST(@lock_keys AS bigint[])) AS k ORDER BY 1) keys`

// LockKeys returns the @lock_keys argument of LockNearSQL for a report of category at p.
func LockKeys(category string, p orb.Point) []int64 { return lockKeys(category, p, DuplicateRadius) }

// NearestOpenSQL is a scalar subquery: the id of the nearest open job of category within
// DuplicateRadius metres of point, or NULL, for a report to join. category and point are
// SQL expressions (a text and a geometry in WGS84) of the query it goes into.
func NearestOpenSQL(category, point string) string {
	return `(SELECT j.id FROM jobs j
  WHERE j.category_code = ` + category + ` AND ` + OpenSQL + `
    AND ST_DWithin(j.location::geography, (` + point + `)::geography, ` + duplicateRadiusSQL + `)
  ORDER BY j.location::geography <-> (` + point + `)::geography
  LIMIT 1)`
}

var duplicateRadiusSQL = strconv.FormatFloat(DuplicateRadius, 'f', -1, 64)

const insertJobSQL = `
INSERT INTO jobs (category_code, location, area_id, team_id, status, description, due_date, effort_minutes, report_count)
VALUES (?, ST_SetSRID(ST_MakePoint(?, ?), 4326), ?, NULLIF(?, 0), ?, ?, ?, ?, 0)
RETURNING id, report_count, version, change_seq, created_at, updated_at`

// Create inserts j in tx and fills in its id, version and timestamps. It makes a job
// that no resident reported (a support job of an initiative), so its report count is 0;
// report intake inserts the jobs that reports make itself.
func Create(ctx context.Context, tx *gorm.DB, j *Job) error {
	var r createdRow
	err := tx.WithContext(ctx).Raw(insertJobSQL, j.CategoryCode, j.Location[0], j.Location[1], j.AreaID, j.TeamID,
		string(j.Status), j.Description, j.DueDate, j.EffortMinutes).Scan(&r).Error
	if err != nil {
		return fmt.Errorf("job: create: %w", err)
	}
	j.ID, j.ReportCount, j.Version, j.ChangeSeq, j.CreatedAt, j.UpdatedAt = r.ID, r.ReportCount, r.Version, r.ChangeSeq, r.CreatedAt, r.UpdatedAt
	return nil
}

// Events returns the audit events of job id, oldest first.
func (s *Store) Events(ctx context.Context, id int64) ([]Event, error) {
	var rows []struct {
		JobID      int64
		Actor      string
		Action     string
		FromStatus string
		ToStatus   string
		Detail     []byte
		At         time.Time
	}
	err := s.db.WithContext(ctx).Raw(`
SELECT job_id, actor, action, from_status, to_status, detail, at FROM audit_events WHERE job_id = ? ORDER BY id`, id).
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("job: events: %w", err)
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = Event{JobID: r.JobID, Actor: r.Actor, Action: r.Action, From: Status(r.FromStatus), To: Status(r.ToStatus), At: r.At}
		_ = json.Unmarshal(r.Detail, &out[i].Detail)
	}
	return out, nil
}

// Photo is a stored photo attached to a job.
type Photo struct {
	Hash          string
	Kind          string // before, after or report
	Width, Height int
	Bytes         int64
}

// AddPhoto attaches a stored photo to job id. The same photo twice is one photo. The
// job's change sequence moves, so the crew's other phones see it.
//
// A job takes at most MaxTaskPhotos photos of each kind (before, after): each goes to the
// crew's phones in every sync, and after the job is done its after-photos are public. The
// same photo again is no new one. A closed job takes none (photoFits). The crew of
// teams adds it: whether they still may is checked again under the job's lock
// (CheckPhoto), so a planner's move or the new team's start in between counts.
func (s *Store) AddPhoto(ctx context.Context, id int64, teams []int64, p Photo) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := crewMayPhoto(ctx, tx, id, teams, true); err != nil {
			return err
		}
		// The job's row lock makes two uploads at once count one after the other.
		if err := photoLimit(ctx, tx, id, p, true); err != nil {
			return err
		}
		return AttachPhoto(ctx, tx, id, p)
	})
}

// CheckPhotoLimit says whether job id could take p now (as AddPhoto counts), without
// locking anything: asked before a photo is written, so that one refused leaves no file.
// AddPhoto asks again, and its answer counts.
func (s *Store) CheckPhotoLimit(ctx context.Context, id int64, p Photo) error {
	return photoLimit(ctx, s.db, id, p, false)
}

// photoLimit refuses p when job id is closed (photoFits) or has MaxTaskPhotos of its kind
// already, other than p itself; lock locks the job's row, so an upload also waits for a
// crew's complete that is under way.
func photoLimit(ctx context.Context, db *gorm.DB, id int64, p Photo, lock bool) error {
	var n struct {
		Status string
		Kind   int64
		Same   bool
	}
	q := `SELECT j.status,
  (SELECT count(*) FROM job_photos WHERE job_id = j.id AND kind = ?) AS kind,
  EXISTS (SELECT 1 FROM job_photos WHERE job_id = j.id AND kind = ? AND hash = ?) AS same
FROM jobs j WHERE j.id = ?`
	if lock {
		q += " FOR UPDATE"
	}
	if err := db.WithContext(ctx).Raw(q, p.Kind, p.Kind, p.Hash, id).Scan(&n).Error; err != nil {
		return fmt.Errorf("job: add photo: %w", err)
	}
	if err := photoFits(Status(n.Status)); err != nil {
		return err
	}
	if !n.Same && n.Kind >= MaxTaskPhotos {
		return errTooManyPhotos(p.Kind)
	}
	return nil
}

// MaxTaskPhotos is how many photos of one kind (before, after) a crew adds to a job.
const MaxTaskPhotos = 5

func errTooManyPhotos(kind string) error {
	nl, en := "foto's van vóór het werk", "photos from before the work"
	if kind == "after" {
		nl, en = "foto's van na het werk", "photos from after the work"
	}
	return problem.Invalid("photo", problem.T(
		fmt.Sprintf("Deze taak heeft al %d %s. Meer kan niet.", MaxTaskPhotos, nl),
		fmt.Sprintf("This task already has %d %s. You cannot add more.", MaxTaskPhotos, en)))
}

// PhotosInUse reports which of hashes some job has as a photo.
func (s *Store) PhotosInUse(ctx context.Context, hashes []string) (map[string]bool, error) {
	var used []string
	if err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT hash FROM job_photos WHERE hash = ANY(?::text[])`, database.TextArray(hashes)).Scan(&used).Error; err != nil {
		return nil, fmt.Errorf("job: photos in use: %w", err)
	}
	in := make(map[string]bool, len(used))
	for _, h := range used {
		in[h] = true
	}
	return in, nil
}

// AttachPhoto attaches a stored photo to job id inside tx.
func AttachPhoto(ctx context.Context, tx *gorm.DB, id int64, p Photo) error {
	res := tx.WithContext(ctx).Exec(`INSERT INTO job_photos (job_id, hash, kind, width, height, bytes) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING`, id, p.Hash, p.Kind, p.Width, p.Height, p.Bytes)
	if res.Error != nil {
		return fmt.Errorf("job: add photo: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	return tx.WithContext(ctx).Exec(`UPDATE jobs SET updated_at = now() WHERE id = ?`, id).Error
}

// DetachPhoto takes the photo hash of kind off job id inside tx and reports whether the
// job had it. The job's row is touched, so its change sequence moves and the task feed
// gets a row (triggers jobs_touch and jobs_feed): the crew's phones see the photo go at
// their next sync, and the ETag they hold no longer matches. Its version stays, as it
// does for a new report's count: a photo taken off says nothing about the task's state,
// and a crew's action queued against the version they had (start, done) must not come
// back stale for it; the phone takes the task from the sync whatever its version. The
// file stays: other jobs may have the same photo (photo.Store.Discard removes it when
// none do).
func DetachPhoto(ctx context.Context, tx *gorm.DB, id int64, kind, hash string) (bool, error) {
	res := tx.WithContext(ctx).Exec(`DELETE FROM job_photos WHERE job_id = ? AND kind = ? AND hash = ?`, id, kind, hash)
	if res.Error != nil {
		return false, fmt.Errorf("job: remove photo: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	// Not version = version + 1: see above.
	if err := tx.WithContext(ctx).Exec(`UPDATE jobs SET updated_at = now() WHERE id = ?`, id).Error; err != nil {
		return false, fmt.Errorf("job: remove photo: %w", err)
	}
	return true, nil
}

// PhotoVisible reports whether a photo belongs to a job of one of teams.
func (s *Store) PhotoVisible(ctx context.Context, hash string, teams []int64) (bool, error) {
	var ok bool
	err := s.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM job_photos p JOIN jobs j ON j.id = p.job_id
WHERE p.hash = ? AND j.team_id = ANY(?::bigint[]))`, hash, database.Int64Array(teams)).Scan(&ok).Error
	if err != nil {
		return false, fmt.Errorf("job: photo visible: %w", err)
	}
	return ok, nil
}
