package geo_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wijkwerk/backend/demo/demotest"
	"wijkwerk/backend/team"
	"wijkwerk/geo"
)

// TestRetire: a retired district leaves routing with its neighbourhoods (a point there
// is routed by the municipality), an unknown code retires nothing, a team cannot be set
// to serve a retired area, and importing the areas again brings them back.
func TestRetire(t *testing.T) {
	db := demotest.DB(t)
	ctx := context.Background()
	s := geo.NewStore(db.DB)
	station := orb.Point{6.2967, 51.9590}
	locate := func() (string, int) {
		t.Helper()
		ix, err := s.LoadIndex(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, a := range ix.Locate(station) {
			codes = append(codes, a.Code)
		}
		return strings.Join(codes, " "), ix.Len()
	}
	before, n := locate()
	if !strings.HasPrefix(before, "BU022201") || !strings.HasSuffix(before, " WK022201 GM0222") {
		t.Fatalf("Locate(station) = %q before retiring", before)
	}
	var children int
	if err := db.Raw(`SELECT count(*) FROM areas c JOIN areas p ON p.id = c.parent_id WHERE p.code = 'WK022201'`).Scan(&children).Error; err != nil {
		t.Fatal(err)
	}
	if children == 0 {
		t.Fatal("the demo's Centrum has no neighbourhoods")
	}

	if _, err := s.Retire(ctx, []string{"WK022201", "WK999999"}); err == nil || !strings.Contains(err.Error(), "WK999999") {
		t.Errorf("unknown code: err = %v", err)
	}
	if got, _ := locate(); got != before {
		t.Errorf("a failed retire changed routing: %q", got)
	}

	retired, err := s.Retire(ctx, []string{"WK022201"})
	if err != nil {
		t.Fatal(err)
	}
	if len(retired) != 1+children || !strings.Contains(strings.Join(retired, " "), strings.Fields(before)[0]) || retired[len(retired)-1] != "WK022201" {
		t.Errorf("retired %v, want WK022201 and its %d neighbourhoods", retired, children)
	}
	if got, m := locate(); got != "GM0222" || m != n-1-children {
		t.Errorf("after retiring: Locate(station) = %q over %d areas; want GM0222 over %d", got, m, n-1-children)
	}
	if again, err := s.Retire(ctx, []string{"WK022201"}); err != nil || len(again) != 0 {
		t.Errorf("retiring again: %v, %v; want nothing", again, err)
	}
	_, err = team.NewStore(db.DB).Ensure(ctx, team.Team{Code: "x", Name: "X"}, []team.Service{{AreaCode: strings.Fields(before)[0], Department: "afval"}})
	if err == nil || !strings.Contains(err.Error(), "retired") {
		t.Errorf("a team serving a retired area: err = %v", err)
	}

	f, err := os.Open(filepath.Join("..", "backend", "demo", "data", "doetinchem-wijken-buurten.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := s.Import(ctx, f, geo.ImportOptions{Schematic: true}); err != nil {
		t.Fatal(err)
	}
	if got, m := locate(); got != before || m != n {
		t.Errorf("after importing again: Locate(station) = %q over %d areas; want %q over %d", got, m, before, n)
	}
}
