package report

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
)

// EraseContacts deletes residents' contact details (of reports and of supports) for jobs
// that closed more than retention ago, and with them the keys that counted each
// supporter once (hashes of a device id, e-mail address or phone number: pseudonymous,
// and of no use once the job is closed, since a closed job takes no support). The job's
// support count stays. It returns how many contact details it erased. Running it twice
// is harmless, so every replica may run it.
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
