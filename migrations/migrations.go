// Package migrations holds the database schema as numbered goose SQL files, embedded in
// the binary so `wijkwerk migrate` needs nothing beside it.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// Up applies every pending migration. Several `migrate` at once (replicas that each
// migrate as they roll out) take turns on a PostgreSQL advisory lock.
func Up(ctx context.Context, db *sql.DB) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// Check says whether the database's schema is the one this binary needs: an error
// naming `wijkwerk migrate` when migrations are pending (or none ran yet). A schema
// newer than the binary's passes: an older binary may run while a rollout is undone.
func Check(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectPostgres, db, files)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if current < target {
		return fmt.Errorf("migrations: the database schema is at version %d and this wijkwerk needs %d: run `wijkwerk migrate` first", current, target)
	}
	return nil
}

// Files exposes the embedded SQL, for tests that fingerprint the schema.
func Files() embed.FS { return files }
