package database_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"wijkwerk/backend/database"
	"wijkwerk/backend/testdb"
)

// TestUnreachable: a connection the server refuses with a FATAL error (here a database
// that does not accept connections) is the database being unavailable (503), not a
// fault of the request (500); a constraint violation is neither.
func TestUnreachable(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	name := u.Path[1:]
	admin, err := database.Open(ctx, os.Getenv(testdb.EnvURL)) // a database may not close itself
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(admin) }) // after the line below (cleanups run last first)
	if err := admin.Exec(`ALTER DATABASE "` + name + `" ALLOW_CONNECTIONS false`).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`ALTER DATABASE "` + name + `" ALLOW_CONNECTIONS true`) })
	_, err = database.Open(ctx, db.URL)
	var pgErr *pgconn.PgError
	if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55000" {
		t.Fatalf("open a database that takes no connections: %v", err)
	}
	if !database.Unreachable(err) {
		t.Errorf("Unreachable(%v) = false", err)
	}
	if database.Unreachable(&pgconn.PgError{Code: database.UniqueViolation}) {
		t.Error("a unique violation counts as unreachable")
	}
	if !database.Unreachable(&pgconn.PgError{Code: "57P01"}) {
		t.Error("an admin shutdown does not count as unreachable")
	}
}
