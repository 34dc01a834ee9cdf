package database_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"wijkwerk/backend/database"
	"wijkwerk/backend/testdb"
)

func TestPipeline(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	sqlDB, _ := db.DB.DB()
	sqlDB.SetMaxOpenConns(1) // every step below reuses the one connection
	if err := db.Exec(`CREATE TABLE pipeline_t (x integer PRIMARY KEY)`).Error; err != nil {
		t.Fatal(err)
	}
	send := func(queries ...string) error {
		return database.Pipeline(ctx, db.DB, func(c *pgx.Conn) error {
			var b pgx.Batch
			for _, q := range queries {
				b.Queue(q)
			}
			return c.SendBatch(ctx, &b).Close()
		})
	}
	count := func() int {
		var n int
		if err := db.Raw(`SELECT count(*) FROM pipeline_t`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}

	tests := []struct {
		name    string
		queries []string
		wantErr bool
		want    int
	}{
		{"committed batch", []string{"BEGIN", "INSERT INTO pipeline_t VALUES (1)", "COMMIT"}, false, 1},
		{"failed statement rolls back the batch", []string{"BEGIN", "INSERT INTO pipeline_t VALUES (2)", "INSERT INTO pipeline_t VALUES (1)", "COMMIT"}, true, 1},
		{"transaction left open is rolled back", []string{"BEGIN", "INSERT INTO pipeline_t VALUES (3)"}, false, 1},
		{"the connection still works", []string{"INSERT INTO pipeline_t VALUES (4)"}, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := send(tt.queries...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if got := count(); got != tt.want {
				t.Errorf("rows = %d, want %d", got, tt.want)
			}
		})
	}

	stop := errors.New("stop")
	if err := database.Pipeline(ctx, db.DB, func(*pgx.Conn) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("Pipeline returned %v, want fn's error", err)
	}
}

func TestNamed(t *testing.T) {
	tests := []struct {
		give     string
		values   map[string]any
		wantSQL  string
		wantArgs []any
	}{
		{"SELECT @a, @b, @a", map[string]any{"a": 1, "b": "x"}, "SELECT $1, $2, $1", []any{1, "x"}},
		{"SELECT CAST(@key AS text) -- the user's @note\n, 'mail@example.org'", map[string]any{"key": "k"},
			"SELECT CAST($1 AS text) -- the user's @note\n, 'mail@example.org'", []any{"k"}},
		{"SELECT 1", map[string]any{}, "SELECT 1", []any{}},
	}
	for _, tt := range tests {
		n := database.NewNamed(tt.give)
		args := n.Args(tt.values)
		if n.SQL() != tt.wantSQL || fmt.Sprint(args) != fmt.Sprint(tt.wantArgs) {
			t.Errorf("NewNamed(%q) = %q %v, want %q %v", tt.give, n.SQL(), args, tt.wantSQL, tt.wantArgs)
		}
	}
}
