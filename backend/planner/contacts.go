package planner

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
)

// ActionContactsViewed is the audit action of a desk user looking up how the reporters
// of a job may be reached (ReporterContacts).
const ActionContactsViewed = "contacts_viewed"

// ReporterContact is how the reporter of one report on a job may be reached, as they
// gave it with their report. PERSONAL DATA: residents leave an e-mail address or a
// phone number so that someone can come back to them; the one purpose it is read for
// here is a planner asking the reporter about the job ("where exactly is the loose
// tile?"). It is in no list, job detail, export or log line, and is never cached.
type ReporterContact struct {
	TrackingCode string    `json:"tracking_code"` // which of the job's reports
	ReportedAt   time.Time `json:"reported_at"`
	Email        string    `json:"email"` // "" when none was given
	Phone        string    `json:"phone"` // "" when none was given
	WantsUpdates bool      `json:"wants_updates"`
}

// mayReadContacts guards residents' contact details here too, not only in the HTTP
// layer: planners and admins handle jobs and may need to ask a reporter something; job
// coaches work with workers, not residents, so they never get them.
func mayReadContacts(u access.User) error {
	if !u.Is(access.Planner, access.Admin) {
		return problem.Forbidden.New(problem.T(
			"Alleen planners zien de contactgegevens van melders.", "Only planners see the contact details of reporters."))
	}
	return nil
}

// ReporterContacts returns the e-mail addresses and phone numbers the reporters of job
// id (in u's scope) gave, one per report that still has either, in the order the
// reports came in. Each lookup is a deliberate act that is accounted for: it writes an
// audit event on the job (ActionContactsViewed, with u as the actor and how many
// contacts were shown, never the values) in the same transaction, so no details leave
// without the event. Contact details that were erased (the resident stopped updates,
// or the retention period passed) are gone from the answer. A job outside u's scope is
// not found, as one that does not exist.
func (s *Store) ReporterContacts(ctx context.Context, u access.User, id int64) ([]ReporterContact, error) {
	if err := mayReadContacts(u); err != nil {
		return nil, err
	}
	out := []ReporterContact{}
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		tx = tx.WithContext(ctx)
		cond, args := jobScope(u)
		var cur struct {
			ID      int64
			Status  string
			InScope bool
		}
		err := tx.Raw(`SELECT j.id, j.status, (`+cond+`) AS in_scope FROM jobs j WHERE j.id = ?`,
			append(args, id)...).Scan(&cur).Error
		if err != nil {
			return fmt.Errorf("planner: reporter contacts: %w", err)
		}
		if cur.ID == 0 || !cur.InScope {
			return errJobNotFound()
		}
		err = tx.Raw(`
SELECT r.tracking_code, r.created_at AS reported_at, rc.email, rc.phone, rc.wants_updates
FROM reports r JOIN report_contacts rc ON rc.report_id = r.id
WHERE r.job_id = ? AND (rc.email <> '' OR rc.phone <> '')
ORDER BY r.id`, id).Scan(&out).Error
		if err != nil {
			return fmt.Errorf("planner: reporter contacts: %w", err)
		}
		// The status does not change: the same from and to keep the event off the
		// residents' public timeline, as for a removed photo.
		st := job.Status(cur.Status)
		return job.Record(ctx, tx, job.Event{JobID: id, Actor: Actor(u), Action: ActionContactsViewed, From: st, To: st,
			Detail: map[string]any{"contacts": len(out)}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
