package idempotency_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/idempotency"
	"wijkwerk/backend/testdb"
)

// keys returns the stored keys, in order.
func keys(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	var ks []string
	if err := db.Raw(`SELECT key FROM idempotency_keys ORDER BY key`).Scan(&ks).Error; err != nil {
		t.Fatal(err)
	}
	return ks
}

// Prune deletes the keys older than the cutoff, in batches, and keeps the younger ones:
// a retry with a kept key still gets the first answer, one with a pruned key is new.
func TestPrune(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	hash := idempotency.Hash([]byte("request"))
	ages := map[string]string{
		"old-1": "40 days", "old-2": "31 days", "old-3": "30 days 1 minute",
		"young-1": "29 days 23 hours", "young-2": "1 day", "young-3": "0",
	}
	for key, age := range ages {
		err := db.Exec(`INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at)
VALUES ('test', ?, ?, 201, '{"id": 1}', now() - CAST(? AS interval))`, key, hash, age).Error
		if err != nil {
			t.Fatal(err)
		}
	}
	var cutoff time.Time
	if err := db.Raw(`SELECT now() - interval '30 days'`).Scan(&cutoff).Error; err != nil {
		t.Fatal(err)
	}
	if got := keys(t, db.DB); len(got) != 6 {
		t.Fatalf("keys before pruning = %v", got)
	}

	// Batches of 2: a full one, then one with the last old key, which ends the run.
	n, err := idempotency.Prune(ctx, db.DB, cutoff, 2)
	if err != nil || n != 3 {
		t.Fatalf("Prune deleted %d keys (err %v), want 3", n, err)
	}
	if got, want := keys(t, db.DB), []string{"young-1", "young-2", "young-3"}; !slices.Equal(got, want) {
		t.Errorf("keys left %v, want %v", got, want)
	}
	if n, err := idempotency.Prune(ctx, db.DB, cutoff, idempotency.PruneBatch); err != nil || n != 0 {
		t.Errorf("second Prune deleted %d keys (err %v), want 0", n, err)
	}
	if _, err := idempotency.Prune(ctx, db.DB, cutoff, 0); err == nil {
		t.Error("a batch of 0 pruned")
	}

	claim := func(key string) *idempotency.Stored {
		t.Helper()
		var stored *idempotency.Stored
		err := database.Tx(ctx, db.DB, func(tx *gorm.DB) (err error) {
			stored, err = idempotency.Claim(ctx, tx, "test", key, hash)
			return err
		})
		if err != nil {
			t.Fatalf("Claim %s: %v", key, err)
		}
		return stored
	}
	if s := claim("young-1"); s == nil || s.Status != 201 || string(s.Response) != `{"id": 1}` {
		t.Errorf("retry with a kept key = %+v, want the first answer", s)
	}
	if s := claim("old-1"); s != nil {
		t.Errorf("retry with a pruned key = %+v, want a new request", s)
	}
}
