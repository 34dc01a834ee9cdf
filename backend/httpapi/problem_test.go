package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"wijkwerk/backend/problem"
)

// A database that cannot be reached is a 503 with Retry-After (try again), not a 500
// (a bug); other database errors stay internal.
func TestToProblemUnreachable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name string
		err  error
		want problem.Kind
	}{
		{"connection refused", fmt.Errorf("report: file: %w", refused), problem.Unavailable},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, problem.Unavailable},
		{"connection exception", &pgconn.PgError{Code: "08006"}, problem.Unavailable},
		{"too many connections", &pgconn.PgError{Code: "53300"}, problem.Unavailable},
		{"statement timeout of ours", fmt.Errorf("x: %w", context.DeadlineExceeded), problem.Unavailable},
		{"unique violation", &pgconn.PgError{Code: "23505"}, problem.Internal},
		{"a bug", errors.New("nil map"), problem.Internal},
	}
	for _, tt := range tests {
		p := toProblem(tt.err)
		if p.Kind != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, p.Type, tt.want.Type)
		}
		if tt.want == problem.Unavailable && p.Headers["Retry-After"] == "" {
			t.Errorf("%s: no Retry-After", tt.name)
		}
	}
}
