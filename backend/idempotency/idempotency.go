// Package idempotency remembers the first answer to a request sent with an
// Idempotency-Key, so that a retried submit returns that answer instead of acting twice.
// Keys live in PostgreSQL, so every API replica sees them.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/problem"
)

// Hash fingerprints a request, so a key reused for a different request is caught.
func Hash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write(p)
	}
	return h.Sum(nil)
}

// Stored is the first answer given for a key.
type Stored struct {
	Status   int
	Response json.RawMessage
}

// Claim takes key in scope inside tx. It returns nil when the key is new: the caller does
// the work and calls Save in the same transaction. It returns the stored answer when the
// key was used before for the same request, and an idempotency-key-reused problem when it
// was used for another one. A concurrent request with the same key waits until the first
// one commits or rolls back.
func Claim(ctx context.Context, tx *gorm.DB, scope, key string, hash []byte) (*Stored, error) {
	res := tx.WithContext(ctx).Exec(`
INSERT INTO idempotency_keys (scope, key, request_hash) VALUES (?, ?, ?)
ON CONFLICT (scope, key) DO NOTHING`, scope, key, hash)
	if res.Error != nil {
		return nil, fmt.Errorf("idempotency: claim: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return nil, nil
	}
	stored, err := Lookup(ctx, tx, scope, key, hash)
	if err == nil && stored == nil {
		err = fmt.Errorf("idempotency: claim: key %q vanished", key)
	}
	return stored, err
}

// ReusedText is the detail of idempotency-key-reused: in plain words what happened and
// what to do, for whoever reads the problem (a developer, or a person an app shows it to).
var ReusedText = problem.T(
	"Deze sleutel (Idempotency-Key) is al eerder gebruikt, toen met andere gegevens. Een sleutel hoort bij één verzoek. Stuur dit verzoek opnieuw met een nieuwe sleutel.",
	"This key (Idempotency-Key) was used before, with other details. A key belongs to one request. Send this request again with a new key.")

// Lookup returns the answer stored for key in scope, nil if there is none, or an
// idempotency-key-reused problem when the key was used for another request.
func Lookup(ctx context.Context, db *gorm.DB, scope, key string, hash []byte) (*Stored, error) {
	var row struct {
		RequestHash []byte
		Status      int
		Response    []byte
	}
	err := db.WithContext(ctx).Raw(`SELECT request_hash, status, response FROM idempotency_keys WHERE scope = ? AND key = ?`, scope, key).
		Scan(&row).Error
	if err != nil {
		return nil, fmt.Errorf("idempotency: read: %w", err)
	}
	if row.RequestHash == nil {
		return nil, nil
	}
	if !bytes.Equal(row.RequestHash, hash) {
		return nil, problem.IdempotencyKeyReused.New(ReusedText)
	}
	return &Stored{Status: row.Status, Response: row.Response}, nil
}

// Taken reports whether err is the unique violation of a statement that inserted a key
// someone else had already stored: the caller rolls back and answers with Lookup.
func Taken(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == database.UniqueViolation && pgErr.ConstraintName == "idempotency_keys_pkey"
}

// Save stores the answer for a claimed key, in the transaction that did the work.
func Save(ctx context.Context, tx *gorm.DB, scope, key string, status int, response any) error {
	body, err := json.Marshal(response)
	if err != nil {
		return fmt.Errorf("idempotency: save: %w", err)
	}
	err = tx.WithContext(ctx).Exec(`UPDATE idempotency_keys SET status = ?, response = ? WHERE scope = ? AND key = ?`,
		status, body, scope, key).Error
	if err != nil {
		return fmt.Errorf("idempotency: save: %w", err)
	}
	return nil
}

// PruneBatch is how many keys one delete of Prune takes: a short statement that holds
// the locks of few rows.
const PruneBatch = 1000

// pruneSQL deletes up to a batch of keys created before a time, oldest first: found
// through the index on created_at (the order makes a prepared, generic plan use it too)
// and deleted by their physical address.
const pruneSQL = `
DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
	SELECT ctid FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?))`

// Prune deletes the keys created before olderThan, batch rows per statement (each its
// own transaction), and returns how many it deleted. A retry of a request whose key is
// gone is done again as a new request. Several servers may run it at once.
func Prune(ctx context.Context, db *gorm.DB, olderThan time.Time, batch int) (int64, error) {
	n, err := database.InBatches(ctx, batch, func() (int64, error) {
		res := db.WithContext(ctx).Exec(pruneSQL, olderThan, batch)
		return res.RowsAffected, res.Error
	})
	if err != nil {
		return n, fmt.Errorf("idempotency: prune: %w", err)
	}
	return n, nil
}
