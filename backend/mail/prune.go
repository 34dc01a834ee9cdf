package mail

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
)

// PruneBatch is how many outbox rows one delete of Prune takes.
const PruneBatch = 1000

// pruneSQL deletes up to a batch of finished rows, like push's: those done before
// @cutoff (mail_outbox_done_idx), and those that expired before @cutoff without a worker
// ever finishing them (none ran: mail was turned off after they were queued) and that no
// worker holds (a held row's lease, next_attempt_at, lies ahead). Locked rows are skipped.
var pruneSQL = [...]string{
	pruneStatement(`done_at < @cutoff ORDER BY done_at`),
	pruneStatement(`done_at IS NULL AND expires_at < @cutoff AND next_attempt_at <= now() ORDER BY next_attempt_at`),
}

func pruneStatement(where string) string {
	return `
WITH old AS MATERIALIZED (
	SELECT id FROM mail_outbox WHERE ` + where + `
	LIMIT @batch
	FOR UPDATE SKIP LOCKED
)
DELETE FROM mail_outbox WHERE id IN (SELECT id FROM old)`
}

// Prune deletes the outbox rows that finished (or expired unhandled) before olderThan,
// batch rows per statement, and returns how many it deleted. Rows still waiting are never
// deleted. Several servers may run it at once, and workers may run meanwhile.
func Prune(ctx context.Context, db *gorm.DB, olderThan time.Time, batch int) (int64, error) {
	var total int64
	for _, q := range pruneSQL {
		n, err := database.InBatches(ctx, batch, func() (int64, error) {
			r := db.WithContext(ctx).Exec(q, map[string]any{"cutoff": olderThan, "batch": batch})
			return r.RowsAffected, r.Error
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("mail: prune: %w", err)
		}
	}
	return total, nil
}
