package report

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"wijkwerk/backend/category"
)

// The one rule for enforcement reports: per department, what public answers show of a
// report's text and place.
func TestProtectedReports(t *testing.T) {
	exact := orb.Point{6.2920, 51.9660}
	const text = "Buurman op nr 14 parkeert altijd op de stoep, bel 06 12345678"
	for _, tt := range []struct {
		dept      category.Department
		protected bool
	}{
		{category.Handhaving, true},
		{category.Wijkbeheer, false},
		{category.Afval, false},
		{category.Accommodaties, false},
		{category.StedelijkBeheer, false},
		{"", false}, // a category without a department
	} {
		if got := protected(tt.dept); got != tt.protected {
			t.Errorf("protected(%q) = %v, want %v", tt.dept, got, tt.protected)
		}
		loc, txt := publicLocation(tt.dept, exact), publicText(tt.dept, text)
		switch {
		case tt.protected && (loc == exact || loc != Coarsen(exact) || txt != ""):
			t.Errorf("%q: public place %v, text %q; want the cell's centre and no text", tt.dept, loc, txt)
		case !tt.protected && (loc != exact || txt != "Buurman op nr 14 parkeert altijd op de stoep, bel [verwijderd]"):
			t.Errorf("%q: public place %v, text %q; want the exact place and the text without the phone number", tt.dept, loc, txt)
		}
	}
	if notProtectedSQL != "COALESCE(c.department, '') NOT IN ('handhaving')" {
		t.Errorf("notProtectedSQL = %s", notProtectedSQL)
	}
}

// Coarsen snaps to the centre of a fixed grid of about 100 m: the same answer every time
// and for every point in a cell, never more than 71 m off, and the next cell 100 m on.
func TestCoarsen(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    orb.Point
	}{
		{"Doetinchem, Stationsplein", orb.Point{6.2900, 51.9650}},
		{"Doetinchem, the tester's pin", orb.Point{6.292, 51.966}},
		{"Vlissingen (south-west)", orb.Point{3.5736, 51.4427}},
		{"Delfzijl (north-east)", orb.Point{6.9272, 53.3302}},
		{"on a grid line", orb.Point{0, 0}},
		{"west of Greenwich, south of the equator", orb.Point{-0.1, -0.1}},
	} {
		c := Coarsen(tt.p)
		inNL := tt.p[1] > 50 && tt.p[1] < 54 // the grid's cells are square there
		if d := geo.Distance(tt.p, c); inNL && d > 72 {
			t.Errorf("%s: %v is %.0f m from %v", tt.name, c, d, tt.p)
		}
		if Coarsen(tt.p) != c || Coarsen(c) != c {
			t.Errorf("%s: not the same point again", tt.name)
		}
		// Anywhere in the cell gives the same point.
		for _, q := range []orb.Point{
			{c[0] - 0.45*cellLon, c[1] - 0.45*cellLat}, {c[0] + 0.45*cellLon, c[1] + 0.45*cellLat},
			{c[0] - 0.45*cellLon, c[1] + 0.45*cellLat}, {c[0] + 0.45*cellLon, c[1] - 0.45*cellLat},
		} {
			if got := Coarsen(q); got != c {
				t.Errorf("%s: %v in the cell of %v gives %v", tt.name, q, c, got)
			}
		}
		// The neighbouring cells' centres are about 100 m away.
		if inNL {
			east := Coarsen(orb.Point{c[0] + cellLon, c[1]})
			north := Coarsen(orb.Point{c[0], c[1] + cellLat})
			for _, n := range []orb.Point{east, north} {
				if d := geo.Distance(c, n); d < 95 || d > 105 {
					t.Errorf("%s: the next cell's centre %v is %.1f m away, want about %v m", tt.name, n, d, CoarseGrid)
				}
			}
		}
	}
	// Two pins 150 m apart are in different cells.
	a := orb.Point{6.2900, 51.9650}
	b := geo.PointAtBearingAndDistance(a, 0, 150)
	if Coarsen(a) == Coarsen(b) {
		t.Errorf("%v and %v, 150 m apart, share a cell", a, b)
	}
}
