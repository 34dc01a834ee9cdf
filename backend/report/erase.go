package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/publiccode"
)

// EraseContacts deletes residents' contact details (of reports and of supports) for jobs
// that closed more than retention ago, and with them the keys that counted each
// supporter once (hashes of a device id, e-mail address or phone number: pseudonymous,
// and of no use once the job is closed, since a closed job takes no support). The job's
// support count stays. It returns how many contact details it erased. Running it twice
// is harmless, so every replica may run it. An e-mail update still waiting for an erased
// contact is then not sent: mail_outbox rows name their contact, not its address, and the
// mail worker finishes them as 'no_recipient'.
//
// A job the crew could not complete is closed for this only once the desk has decided
// (job.ActionClose), counted from that decision: until then a planner may send it back
// to work, and its residents still want to hear how it ends.
func EraseContacts(ctx context.Context, db *gorm.DB, retention time.Duration) (int64, error) {
	cutoff := time.Now().Add(-retention)
	closed := `j.closed_at IS NOT NULL AND j.closed_at < @cutoff AND NOT (` + job.AwaitingDecisionSQL + `)
AND (j.desk_closed_at IS NULL OR j.desk_closed_at < @cutoff)`
	args := map[string]any{"cutoff": cutoff}
	var n int64
	err := database.Tx(ctx, db, func(tx *gorm.DB) error {
		r := tx.Exec(`
DELETE FROM report_contacts rc USING reports r, jobs j
WHERE rc.report_id = r.id AND r.job_id = j.id AND `+closed, args)
		if r.Error != nil {
			return r.Error
		}
		n = r.RowsAffected
		r = tx.Exec(`
DELETE FROM support_contacts sc USING jobs j
WHERE sc.job_id = j.id AND `+closed, args)
		if r.Error != nil {
			return r.Error
		}
		n += r.RowsAffected
		return tx.Exec(`
DELETE FROM job_supports js USING jobs j
WHERE js.job_id = j.id AND `+closed, args).Error
	})
	if err != nil {
		return 0, fmt.Errorf("report: erase contacts: %w", err)
	}
	return n, nil
}

// sameResidentSQL is the condition that contact row c (report_contacts or
// support_contacts) is of the resident known by @email (lower case), @phone (its digits,
// as phoneDigits) and @token (an app token): any one of them that is given and matches.
const sameResidentSQL = `((@email <> '' AND lower(c.email) = @email)
  OR (@phone <> '' AND regexp_replace(c.phone, '[^0-9]', '', 'g') = @phone)
  OR (@token <> '' AND c.app_token = @token))`

// resident is how a resident who left contact details is known, to find what they left:
// the hashed keys that count them as a supporter (supporterKeys, as \x hex), their e-mail
// address, phone number and app token. Any of them may be empty.
type resident struct {
	keys                []string
	email, phone, token string
}

func (r resident) args(jobID int64) map[string]any {
	return map[string]any{"job": jobID, "keys": database.TextArray(r.keys),
		"email": strings.ToLower(r.email), "phone": phoneDigits(r.phone), "token": r.token}
}

// forgetSupporter deletes the contact details resident r left on job jobID as a
// supporter (to hear how it ends), found by any of the ways r is known: the row's key
// is the first way they gave then, so an e-mail address given now may be stored in a
// row keyed by their device. The keys that count them once stay, and so does the count.
func forgetSupporter(tx *gorm.DB, jobID int64, r resident) (int64, error) {
	res := tx.Exec(`DELETE FROM support_contacts c WHERE c.job_id = @job
AND (c.supporter = ANY(CAST(@keys AS bytea[])) OR `+sameResidentSQL+`)`, r.args(jobID))
	return res.RowsAffected, res.Error
}

// StopUpdates erases the contact details of the report with tracking code code (e-mail
// address, phone number, app token: personal data, so deleted, not flagged), for a
// resident who no longer wants to hear about it. With them go the details the same
// resident (the same e-mail address, phone number or app token) left on that job in
// another report or as a supporter: else a push about the job would still reach them.
// Nothing else changes: the report, its job and the counts stay. Stopping again is
// harmless; an unknown code is a not-found problem.
func (s *Service) StopUpdates(ctx context.Context, code string) error {
	code, ok := publiccode.Parse(code)
	if !ok {
		return errTrackingNotFound()
	}
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var rep struct{ ID, JobID int64 }
		if err := tx.Raw(`SELECT id, job_id FROM reports WHERE tracking_code = ?`, code).Scan(&rep).Error; err != nil {
			return fmt.Errorf("report: stop updates: %w", err)
		}
		if rep.ID == 0 {
			return errTrackingNotFound()
		}
		var gone []struct{ Email, Phone, AppToken string }
		if err := tx.Raw(`DELETE FROM report_contacts WHERE report_id = ? RETURNING email, phone, app_token`, rep.ID).
			Scan(&gone).Error; err != nil {
			return fmt.Errorf("report: stop updates: %w", err)
		}
		for _, c := range gone {
			r := resident{email: c.Email, phone: c.Phone, token: c.AppToken}
			if err := tx.Exec(`DELETE FROM report_contacts c USING reports r
WHERE c.report_id = r.id AND r.job_id = @job AND `+sameResidentSQL, r.args(rep.JobID)).Error; err != nil {
				return fmt.Errorf("report: stop updates: %w", err)
			}
			if _, err := forgetSupporter(tx, rep.JobID, r); err != nil {
				return fmt.Errorf("report: stop updates: %w", err)
			}
		}
		return nil
	})
}
