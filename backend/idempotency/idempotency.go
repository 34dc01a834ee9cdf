// Package idempotency remembers the first answer to a request sent with an
// Idempotency-Key, so that a retried submit returns that answer instead of acting twice.
// Keys live in PostgreSQL, so every API replica sees them.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

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
	var row struct {
		RequestHash []byte
		Status      int
		Response    []byte
	}
	err := tx.WithContext(ctx).Raw(`SELECT request_hash, status, response FROM idempotency_keys WHERE scope = ? AND key = ?`, scope, key).
		Scan(&row).Error
	if err != nil {
		return nil, fmt.Errorf("idempotency: read: %w", err)
	}
	if !bytes.Equal(row.RequestHash, hash) {
		return nil, problem.IdempotencyKeyReused.New(problem.T(
			"Deze Idempotency-Key is al gebruikt voor een ander verzoek. Gebruik een nieuwe sleutel.",
			"This Idempotency-Key was already used for a different request. Use a new key."))
	}
	return &Stored{Status: row.Status, Response: row.Response}, nil
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
