// Package ratelimit counts public writes per client in fixed one-minute windows. The
// counters live in PostgreSQL (an unlogged table), so all API replicas share them.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Limiter allows at most PerMinute hits per bucket per minute. PerMinute 0 allows all.
type Limiter struct {
	db        *gorm.DB
	perMinute int
	now       func() time.Time
}

// New returns a Limiter.
func New(db *gorm.DB, perMinute int) *Limiter {
	return &Limiter{db: db, perMinute: perMinute, now: time.Now}
}

// Enabled reports whether the limiter limits anything.
func (l *Limiter) Enabled() bool { return l.perMinute > 0 }

// Allow counts a hit on bucket. When the bucket is over its limit it returns false and
// how long until the window ends.
func (l *Limiter) Allow(ctx context.Context, bucket string) (bool, time.Duration, error) {
	if l.perMinute <= 0 {
		return true, 0, nil
	}
	now := l.now().UTC()
	window := now.Truncate(time.Minute)
	var hits int
	err := l.db.WithContext(ctx).Raw(`
INSERT INTO rate_limits (bucket, window_start, hits) VALUES (?, ?, 1)
ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
RETURNING hits`, bucket, window).Scan(&hits).Error
	if err != nil {
		return false, 0, fmt.Errorf("ratelimit: %w", err)
	}
	if hits > l.perMinute {
		return false, window.Add(time.Minute).Sub(now), nil
	}
	return true, 0, nil
}

// Prune deletes windows that ended before now, so the table stays small.
func (l *Limiter) Prune(ctx context.Context) error {
	return l.db.WithContext(ctx).Exec(`DELETE FROM rate_limits WHERE window_start < ?`, l.now().UTC().Add(-2*time.Minute)).Error
}
