// Package mail tells residents by e-mail what happened to the job they reported or
// supported, when they gave an e-mail address and asked for updates: the same news their
// app gets as a push (done, could not be done, tried again).
//
// It is a transactional outbox like package push: [Enqueue] writes one mail_outbox row
// per contact in the transaction that changes the job, and a [Worker] sends them later
// through an SMTP server with Go's net/smtp. A row names its contact (the report, or the
// supporter), never the address: the worker reads the address when it sends, so erasing
// the contact, or a resident who stops the updates, also stops a mail that has not gone
// yet (the row finishes as 'no_recipient'). E-mail addresses are personal data: they are
// never logged, and the outbox never copies them.
//
// Sending is at most once per row: the claim marks a row 'sending' before the SMTP
// conversation, and a row found still 'sending' by a later claim (its worker died
// mid-send) is failed, not sent again. A 4xx answer or a server that cannot be reached
// is tried again with backoff; a 5xx answer fails the row.
package mail

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/push"
)

// TTL is how long a mail may wait unsent before it expires: news of a job done days ago
// is better read on the tracking page than in a late e-mail.
const TTL = 72 * time.Hour

// enqueueSQL writes one row per piece of news and contact of its job that gave an e-mail
// address and wants updates: the reporters (report_contacts, wants_updates) and the
// supporters (support_contacts, kept only for those who want updates), the same residents
// job.TellResidents finds the app tokens of. An address that reported and supported, or
// reported twice, gets one mail: as a reporter, about its latest report. The addresses
// are read to tell them apart, not copied.
const enqueueSQL = `
INSERT INTO mail_outbox (job_id, kind, report_id, supporter, reason_nl, reason_en, expires_at)
SELECT n.job_id, n.kind, c.report_id, c.supporter, n.reason_nl, n.reason_en, now() + make_interval(secs => @ttl)
FROM unnest(CAST(@jobs AS bigint[]), CAST(@kinds AS text[]), CAST(@reasons_nl AS text[]), CAST(@reasons_en AS text[]))
  AS n(job_id, kind, reason_nl, reason_en)
JOIN (
  SELECT DISTINCT ON (job_id, lower(email)) job_id, report_id, supporter FROM (
    SELECT r.job_id, rc.report_id, CAST(NULL AS bytea) AS supporter, rc.email, rc.created_at
    FROM report_contacts rc JOIN reports r ON r.id = rc.report_id
    WHERE r.job_id = ANY(CAST(@jobs AS bigint[])) AND rc.email <> '' AND rc.wants_updates
    UNION ALL
    SELECT job_id, NULL, supporter, email, created_at FROM support_contacts
    WHERE job_id = ANY(CAST(@jobs AS bigint[])) AND email <> ''
  ) t
  ORDER BY job_id, lower(email), supporter IS NOT NULL, created_at DESC
) c ON c.job_id = n.job_id`

// Enqueue queues, in the caller's transaction tx, an e-mail of each piece of news (a
// resident push request: JobID, Kind and Reason count) to every resident of its job who
// gave an e-mail address and wants updates; nothing where there are none. A mail may
// wait ttl unsent. One statement, however many jobs.
func Enqueue(ctx context.Context, tx *gorm.DB, ttl time.Duration, news ...push.Request) error {
	if len(news) == 0 {
		return nil
	}
	jobs := make([]int64, len(news))
	kinds, reasonsNL, reasonsEN := make([]string, len(news)), make([]string, len(news)), make([]string, len(news))
	for i, n := range news {
		jobs[i], kinds[i], reasonsNL[i], reasonsEN[i] = n.JobID, string(n.Kind), n.Reason.In("nl"), n.Reason.In("en")
	}
	err := tx.WithContext(ctx).Exec(enqueueSQL, map[string]any{"ttl": ttl.Seconds(),
		"jobs": database.Int64Array(jobs), "kinds": database.TextArray(kinds),
		"reasons_nl": database.TextArray(reasonsNL), "reasons_en": database.TextArray(reasonsEN)}).Error
	if err != nil {
		return fmt.Errorf("mail: enqueue: %w", err)
	}
	return nil
}
