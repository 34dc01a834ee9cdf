package migrations_test

import (
	"context"
	"sync"
	"testing"

	"wijkwerk/backend/database"
	"wijkwerk/backend/testdb"
	"wijkwerk/migrations"
)

// TestUpTakesTurns: three `migrate` at once on an empty database (replicas rolling out)
// all succeed, one after another, and leave the schema current.
func TestUpTakesTurns(t *testing.T) {
	db := testdb.Empty(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			g, err := database.Open(ctx, db.URL)
			if err == nil {
				defer database.Close(g)
				sqlDB, _ := g.DB()
				err = migrations.Up(ctx, sqlDB)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrate %d: %v", i, err)
		}
	}
	sqlDB, _ := db.DB.DB()
	if err := migrations.Check(ctx, sqlDB); err != nil {
		t.Error(err)
	}
}
