package database

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Pipeline runs fn on a pgx connection from db's pool, for a hot path that sends its
// statements in one round trip as a pgx batch instead of waiting for each one (intake:
// see report.Service.Submit). GORM stays the way to reach the database everywhere else.
//
// A batch that begins a transaction must end it. If fn leaves one open, or fails half
// way, Pipeline rolls it back; a connection that cannot be rolled back is dropped from
// the pool.
func Pipeline(ctx context.Context, db *gorm.DB, fn func(*pgx.Conn) error) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("database: connection: %w", err)
	}
	defer conn.Close()
	var fnErr error
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		fnErr = fn(pc)
		if pc.IsClosed() {
			return driver.ErrBadConn
		}
		if pc.PgConn().TxStatus() != 'I' {
			if _, err := pc.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
				return driver.ErrBadConn
			}
		}
		return nil
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil && !errors.Is(err, driver.ErrBadConn) {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

// Retry runs fn again, a few times, while it fails in a way that running the same
// transaction again can cure: a deadlock, a serialization failure, or ErrRetry wrapped by
// fn itself. fn must therefore have no effects outside its transaction.
func Retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = fn()
		if !IsCode(err, "40P01") && !IsCode(err, "40001") && !errors.Is(err, ErrRetry) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
	return err
}

// Named is a statement written with @name parameters (pgx.NamedArgs style), rewritten
// once to PostgreSQL's $1, $2 … so that a hot path does not scan the SQL on every call.
type Named struct {
	sql   string
	names []string // names[i] is parameter $i+1
}

var paramName = regexp.MustCompile(`@([A-Za-z_][A-Za-z0-9_]*)`)

// NewNamed rewrites sql with pgx's own rewriter, which knows about strings and comments.
func NewNamed(sql string) Named {
	names := pgx.NamedArgs{}
	for _, m := range paramName.FindAllStringSubmatch(sql, -1) {
		names[m[1]] = m[1]
	}
	q, args, err := names.RewriteQuery(context.Background(), nil, sql, nil)
	if err != nil {
		panic(fmt.Sprintf("database: named statement: %v", err))
	}
	n := Named{sql: q, names: make([]string, len(args))}
	for i, a := range args {
		n.names[i] = a.(string)
	}
	return n
}

// SQL is the statement with $n parameters.
func (n Named) SQL() string { return n.sql }

// Args puts the values of the named parameters in $n order. A name without a value is
// a programming error.
func (n Named) Args(values map[string]any) []any {
	args := make([]any, len(n.names))
	for i, name := range n.names {
		v, ok := values[name]
		if !ok {
			panic(fmt.Sprintf("database: no value for @%s", name))
		}
		args[i] = v
	}
	return args
}

// InBatches runs step, which deletes (or handles) at most batch rows in a short
// statement of its own, until a step takes fewer than batch or ctx ends, and returns the
// total. Housekeeping uses it, so that no statement holds many rows' locks for long.
func InBatches(ctx context.Context, batch int, step func() (int64, error)) (int64, error) {
	if batch <= 0 {
		return 0, errors.New("database: the batch must be positive")
	}
	var total int64
	for {
		n, err := step()
		total += n
		if err != nil || n < int64(batch) {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}
