package push

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
)

// PruneBatch is how many outbox rows (with their deliveries) one delete of Prune takes:
// a short statement that holds the locks of few rows.
const PruneBatch = 1000

// pruneSQL deletes up to a batch of finished outbox rows and their deliveries, one
// statement per kind of finished row, each ordered by an index that finds them by age:
//   - rows done before @cutoff (push_outbox_done_idx, migration 00014);
//   - rows that expired before @cutoff without ever being finished by a worker (none ran,
//     say, for lack of a push client) and that no worker holds (push_outbox_pending_idx):
//     a worker locks a row while it claims it, and its lease (leased_until, migration
//     00028) lies ahead until it has recorded the row, so the prune leaves it alone.
//
// A row locked by a worker or another pruner is skipped, and a pruned row is locked, so
// workers skip it. A row that is not done and has not expired is never taken.
var pruneSQL = [...]string{
	pruneStatement(`done_at < @cutoff ORDER BY done_at`),
	pruneStatement(`done_at IS NULL AND expires_at < @cutoff AND next_attempt_at <= now()
	AND (leased_until IS NULL OR leased_until <= now()) ORDER BY next_attempt_at`),
}

func pruneStatement(where string) string {
	return `
WITH old AS MATERIALIZED (
	SELECT id FROM push_outbox WHERE ` + where + `
	LIMIT @batch
	FOR UPDATE SKIP LOCKED
), deliveries AS (
	-- The foreign key would delete them too (ON DELETE CASCADE); here they are counted.
	DELETE FROM push_deliveries WHERE outbox_id IN (SELECT id FROM old) RETURNING 1
), outbox AS (
	DELETE FROM push_outbox WHERE id IN (SELECT id FROM old) RETURNING 1
)
SELECT (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM deliveries) AS deliveries`
}

// Pruned counts the rows Prune deleted.
type Pruned struct {
	Outbox, Deliveries int64
}

// Prune deletes the outbox rows that finished before olderThan (done, or expired without
// being handled) with their deliveries, batch outbox rows per statement (each its own
// transaction), and returns how many rows it deleted. Rows still waiting to be sent are
// never deleted. Several servers may run it at once, and workers may run meanwhile.
func Prune(ctx context.Context, db *gorm.DB, olderThan time.Time, batch int) (Pruned, error) {
	var total Pruned
	for _, q := range pruneSQL {
		n, err := database.InBatches(ctx, batch, func() (int64, error) {
			var n Pruned
			err := db.WithContext(ctx).Raw(q, map[string]any{"cutoff": olderThan, "batch": batch}).Scan(&n).Error
			total.Deliveries += n.Deliveries
			return n.Outbox, err
		})
		total.Outbox += n
		if err != nil {
			return total, fmt.Errorf("push: prune: %w", err)
		}
	}
	return total, nil
}
