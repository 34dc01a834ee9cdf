// Package demotest gives tests a database with the Doetinchem demo loaded.
package demotest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"testing"

	"gorm.io/gorm"

	"wijkwerk/backend/demo"
	"wijkwerk/backend/testdb"
)

// DB returns a fresh database with the demo loaded, dropped when the test ends. The
// seeded template is built once and rebuilt when the demo data changes.
func DB(tb testing.TB) *testdb.DB {
	tb.Helper()
	return testdb.NewSeeded(tb, "demo"+key(tb), func(ctx context.Context, db *gorm.DB) error {
		return demo.Seed(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	})
}

// key changes when the demo data changes.
func key(tb testing.TB) string {
	h := sha256.New()
	for _, name := range []string{"nl-gemeenten-2022.geojson", "doetinchem-wijken-buurten.geojson", "categories.json"} {
		b, err := demo.File(name)
		if err != nil {
			tb.Fatalf("demotest: %v", err)
		}
		h.Write(b)
	}
	h.Write([]byte(demo.SeedVersion))
	return hex.EncodeToString(h.Sum(nil))[:10]
}
