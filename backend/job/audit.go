package job

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
)

// recordAllSQL writes audit events, one row each, with one statement: the arrays are
// their fields, in the order of the events.
const recordAllSQL = `
INSERT INTO audit_events (job_id, actor, action, from_status, to_status, detail)
SELECT e.job_id, e.actor, e.action, e.from_status, e.to_status, e.detail
FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS jsonb[]))
  AS e(job_id, actor, action, from_status, to_status, detail)`

// Record writes an audit event in tx.
func Record(ctx context.Context, tx *gorm.DB, e Event) error { return RecordAll(ctx, tx, []Event{e}) }

// RecordAll writes audit events in tx, with one statement for all of them.
func RecordAll(ctx context.Context, tx *gorm.DB, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	ids := make([]int64, len(events))
	actors, actions := make([]string, len(events)), make([]string, len(events))
	froms, tos, details := make([]string, len(events)), make([]string, len(events)), make([]string, len(events))
	for i, e := range events {
		ids[i], actors[i], actions[i], froms[i], tos[i] = e.JobID, e.Actor, e.Action, string(e.From), string(e.To)
		details[i] = "{}"
		if len(e.Detail) > 0 {
			b, err := json.Marshal(e.Detail)
			if err != nil {
				return fmt.Errorf("job: audit: %w", err)
			}
			details[i] = string(b)
		}
	}
	err := tx.WithContext(ctx).Exec(recordAllSQL, database.Int64Array(ids), database.TextArray(actors), database.TextArray(actions),
		database.TextArray(froms), database.TextArray(tos), database.TextArray(details)).Error
	if err != nil {
		return fmt.Errorf("job: audit: %w", err)
	}
	return nil
}
