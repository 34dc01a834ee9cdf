// Package database opens the PostgreSQL connection pool shared by all stores.
package database

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Open connects to PostgreSQL at dsn and checks that it answers.
func Open(ctx context.Context, dsn string) (*gorm.DB, error) {
	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		PrepareStmt:            true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("database: open: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	sqlDB.SetMaxOpenConns(32)
	sqlDB.SetMaxIdleConns(32)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("database: connect: %w", err)
	}
	return db, nil
}

// Close closes the pool behind db.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// IsCode reports whether err is a PostgreSQL error with the given SQLSTATE code.
func IsCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}

// RolledBack reports whether a failed transaction certainly left nothing behind:
// PostgreSQL refused a statement (so it rolled the transaction back), or the caller
// asked for a retry (ErrRetry) before committing. After any other error (a timeout, a
// lost connection) the commit may have happened.
func RolledBack(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) || errors.Is(err, ErrRetry)
}

// Unreachable reports whether err says that PostgreSQL could not be reached or went away
// (a refused or lost connection, a server shutting down or full, a timeout): the
// service is unavailable for a while, and the request may be tried again.
func Unreachable(err error) bool {
	// Any failure to connect, also one the server refused with a FATAL error (a database
	// that does not accept connections, 55000; one being dropped; too many clients).
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-03: shutting down or starting; 53300:
		// too many connections.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" ||
			pgErr.Code == "57P03" || pgErr.Code == "53300"
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)
}

// SQLSTATE codes the stores translate into domain errors.
const (
	UniqueViolation     = "23505"
	ForeignKeyViolation = "23503"
	// Text PostgreSQL cannot store: a NUL character, or bytes that are not UTF-8.
	UntranslatableCharacter  = "22P05"
	CharacterNotInRepertoire = "22021"
)

// ErrRetry, wrapped in an error from a Tx function, asks Tx to run the transaction again.
var ErrRetry = errors.New("database: retry transaction")

// Tx runs fn in one transaction and commits it when fn returns nil. A transaction that
// PostgreSQL aborts for a deadlock or a serialization failure, or whose fn asks for it
// with ErrRetry, is run again, a few times; fn must therefore have no effects outside
// the transaction.
func Tx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return Retry(ctx, func() error { return db.WithContext(ctx).Transaction(fn) })
}
