package job

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
)

// The task feed (table task_feed, written by triggers on jobs) is pruned: rows older than
// a retention period are deleted. Table task_feed_horizon holds the newest transaction id
// whose rows may have been deleted (the horizon), raised in the transaction that deletes
// them. A cursor covers the transactions older than it and asks for the rows of the
// others, so a cursor above the horizon has lost nothing, and one at or below it may have:
// that phone gets a full sync and replaces its list.

// feedPruneBatch is how many feed rows one delete takes: a short transaction that holds
// the locks of few rows.
const feedPruneBatch = 1000

// cursorExpired reports whether a sync from cursor since must be a full sync because feed
// rows it needs may be gone: since is at or below the horizon. Cursor 0 is a full sync
// anyway.
func cursorExpired(since, horizon int64) bool {
	return since > 0 && since <= horizon
}

// feedHorizon returns the horizon of the pruned feed.
func (s *Store) feedHorizon(ctx context.Context) (int64, error) {
	var h sql.NullInt64
	if err := s.db.WithContext(ctx).Raw(`SELECT xid::text::bigint FROM task_feed_horizon`).Row().Scan(&h); err != nil {
		return 0, fmt.Errorf("job: feed horizon: %w", err)
	}
	return h.Int64, nil
}

// PruneFeed deletes task feed rows written more than retention ago (by the database's
// clock), oldest first, in batches of their own transactions, and returns how many it
// deleted. It stops at the first row (in feed order) that is still young; rows after it
// wait for a later run. Several servers may run it at once: they take turns per batch.
func PruneFeed(ctx context.Context, db *gorm.DB, retention time.Duration) (int64, error) {
	return pruneFeed(ctx, db, retention, feedPruneBatch)
}

func pruneFeed(ctx context.Context, db *gorm.DB, retention time.Duration, batch int) (int64, error) {
	if retention <= 0 {
		return 0, errors.New("job: prune feed: the retention must be positive")
	}
	// Where to stop: the first row in seq order that is not old. Found once, so a batch
	// does not walk the old rows again.
	var bound struct {
		Cutoff time.Time
		Stop   sql.NullInt64
	}
	err := db.WithContext(ctx).Raw(`SELECT now() - make_interval(secs => ?) AS cutoff,
  (SELECT seq FROM task_feed WHERE at >= now() - make_interval(secs => ?) ORDER BY seq LIMIT 1) AS stop`,
		retention.Seconds(), retention.Seconds()).Scan(&bound).Error
	if err != nil {
		return 0, fmt.Errorf("job: prune feed: %w", err)
	}
	stop := int64(math.MaxInt64)
	if bound.Stop.Valid {
		stop = bound.Stop.Int64
	}
	var after int64
	total, err := database.InBatches(ctx, batch, func() (int64, error) {
		var res struct{ Deleted, Last int64 }
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			// Take the horizon's row first: pruners wait for each other here, not on
			// each other's feed rows.
			var locked []bool
			if err := tx.Raw(`SELECT one FROM task_feed_horizon FOR UPDATE`).Scan(&locked).Error; err != nil {
				return err
			}
			if len(locked) != 1 {
				return errors.New("table task_feed_horizon has no row")
			}
			// A row that commits late (its seq taken before stop) may be young: the
			// at filter keeps it.
			return tx.Raw(`WITH gone AS (
  DELETE FROM task_feed WHERE seq IN (
    SELECT seq FROM task_feed WHERE seq > ? AND seq < ? AND at < ? ORDER BY seq LIMIT ?)
  RETURNING seq, xid)
UPDATE task_feed_horizon h SET xid = greatest(h.xid, (SELECT max(g.xid) FROM gone g)), pruned_at = now()
RETURNING (SELECT count(*) FROM gone) AS deleted, (SELECT coalesce(max(g.seq), 0) FROM gone g) AS last`,
				after, stop, bound.Cutoff, batch).Scan(&res).Error
		})
		after = res.Last
		return res.Deleted, err
	})
	if err != nil {
		return total, fmt.Errorf("job: prune feed: %w", err)
	}
	return total, nil
}
