package geo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func rect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func area(id, parent int64, code string, kind Kind, polys ...orb.Polygon) Shape {
	return Shape{Area: Area{ID: id, Code: code, Name: code, Kind: kind, ParentID: parent}, Geom: orb.MultiPolygon(polys)}
}

func TestIndexLocate(t *testing.T) {
	// A municipality (0..10) with a district (2..8) with a neighbourhood (4..6); a second
	// municipality with a hole (12..20, hole 14..16) holding a district in two parts.
	shapes := []Shape{
		area(1, 0, "GM1", Municipality, orb.Polygon{rect(0, 0, 10, 10)}),
		area(2, 1, "WK1", District, orb.Polygon{rect(2, 2, 8, 8)}),
		area(3, 2, "BU1", Neighbourhood, orb.Polygon{rect(4, 4, 6, 6)}),
		area(4, 0, "GM2", Municipality, orb.Polygon{rect(12, 0, 20, 10), rect(14, 4, 16, 6)}),
		area(5, 4, "WK2", District, orb.Polygon{rect(12, 0, 13, 1)}, orb.Polygon{rect(19, 9, 20, 10)}),
		area(6, 99, "WK9", District, orb.Polygon{rect(30, 0, 31, 1)}), // parent not loaded
		area(7, 0, "EMPTY", Municipality),                             // skipped
	}
	ix := NewIndex(shapes)
	if ix.Len() != 6 {
		t.Errorf("Len() = %d, want 6", ix.Len())
	}
	tests := []struct {
		name string
		give orb.Point
		want string
	}{
		{"innermost of nested squares", orb.Point{5, 5}, "BU1 WK1 GM1"},
		{"middle of nested squares", orb.Point{3, 3}, "WK1 GM1"},
		{"outer of nested squares", orb.Point{1, 1}, "GM1"},
		{"on the neighbourhood's border", orb.Point{6, 5}, "BU1 WK1 GM1"},
		{"on a neighbourhood corner", orb.Point{4, 4}, "BU1 WK1 GM1"},
		{"on the district's border", orb.Point{2, 5}, "WK1 GM1"},
		{"on the index's lower corner", orb.Point{0, 0}, "GM1"},
		{"on the index's upper edge", orb.Point{10, 10}, "GM1"},
		{"in a hole", orb.Point{15, 5}, ""},
		{"on a hole's edge", orb.Point{14, 5}, "GM2"},
		{"on a hole's corner", orb.Point{16, 6}, "GM2"},
		{"first part of a multipolygon", orb.Point{12.5, 0.5}, "WK2 GM2"},
		{"second part of a multipolygon", orb.Point{19.5, 9.5}, "WK2 GM2"},
		{"between the parts of a multipolygon", orb.Point{13.5, 0.5}, "GM2"},
		{"between municipalities", orb.Point{11, 5}, ""},
		{"parent not in the index", orb.Point{30.5, 0.5}, "WK9"},
		{"left of the bounds", orb.Point{-1, 5}, ""},
		{"above the bounds", orb.Point{5, 11}, ""},
		{"far away", orb.Point{1e9, -1e9}, ""},
		{"NaN", orb.Point{math.NaN(), 5}, ""},
		{"infinity", orb.Point{math.Inf(1), 5}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codes(ix.Locate(tt.give)); got != tt.want {
				t.Errorf("Locate(%v) = %q, want %q", tt.give, got, tt.want)
			}
		})
	}
	if a, ok := ix.Area(3); !ok || a.Code != "BU1" || a.Kind != Neighbourhood {
		t.Errorf("Area(3) = %+v, %v", a, ok)
	}
	if _, ok := ix.Area(7); ok {
		t.Error("Area(7) found an area without geometry")
	}
}

func TestIndexEmpty(t *testing.T) {
	for _, ix := range []*Index{NewIndex(nil), NewIndex([]Shape{area(1, 0, "X", Municipality)})} {
		if ix.Len() != 0 || ix.Locate(orb.Point{5, 52}) != nil {
			t.Errorf("empty index: Len %d, Locate %v", ix.Len(), ix.Locate(orb.Point{5, 52}))
		}
		if _, ok := ix.Area(1); ok {
			t.Error("empty index has area 1")
		}
	}
}

func TestIndexAncestorCycle(t *testing.T) {
	ix := NewIndex([]Shape{
		area(1, 2, "A", District, orb.Polygon{rect(0, 0, 1, 1)}),
		area(2, 1, "B", District, orb.Polygon{rect(0, 0, 2, 2)}),
	})
	if got := ix.Locate(orb.Point{0.5, 0.5}); len(got) == 0 || len(got) > 17 || got[0].Code != "A" {
		t.Errorf("Locate in a parent cycle = %d areas starting %v", len(got), got)
	}
}

func TestIndexDegenerate(t *testing.T) {
	// A zero-width index (all areas on one vertical line) still answers.
	ix := NewIndex([]Shape{area(1, 0, "LINE", Municipality, orb.Polygon{{{1, 0}, {1, 2}, {1, 1}, {1, 0}}})})
	if got := codes(ix.Locate(orb.Point{1, 1.5})); got != "LINE" {
		t.Errorf("Locate on a degenerate polygon = %q", got)
	}
	if got := codes(ix.Locate(orb.Point{1.5, 1})); got != "" {
		t.Errorf("Locate beside a degenerate polygon = %q", got)
	}
}

// TestIndexMatchesBruteForce checks the grid against testing every area, and the
// point-in-polygon test against orb's on points off the borders, where they agree.
func TestIndexMatchesBruteForce(t *testing.T) {
	shapes := syntheticNL(40, 30, 6, 5)
	ix := NewIndex(shapes)
	sizes := make([]float64, len(shapes))
	bounds := make([]orb.Bound, len(shapes))
	for i, s := range shapes {
		sizes[i], bounds[i] = polygonArea(s.Geom), s.Geom.Bound()
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		p := orb.Point{2.9 + rnd.Float64()*4.8, 50.5 + rnd.Float64()*3.4}
		var want *Shape
		wantSize := 0.0
		for i := range shapes {
			if bounds[i].Contains(p) && planar.MultiPolygonContains(shapes[i].Geom, p) && (want == nil || sizes[i] < wantSize) {
				want, wantSize = &shapes[i], sizes[i]
			}
		}
		got := ix.Locate(p)
		switch {
		case want == nil && got != nil:
			t.Fatalf("Locate(%v) = %s, want nothing", p, codes(got))
		case want != nil && (got == nil || got[0].ID != want.ID):
			t.Fatalf("Locate(%v) = %s, want %s", p, codes(got), want.Code)
		case want != nil && want.ParentID != 0 && (len(got) != 2 || got[1].ID != want.ParentID):
			t.Fatalf("Locate(%v) = %s, want %s and its parent", p, codes(got), want.Code)
		}
	}
}

// TestRingBands checks that the band index of a large ring answers like a scan of all
// its edges, on random points, on the vertices and on the edges' midpoints.
func TestRingBands(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	star := func(spike float64) orb.Ring {
		var r orb.Ring
		for i := range 1000 {
			a := 2 * math.Pi * float64(i) / 1000
			rad := 1 + spike*rnd.Float64()
			r = append(r, orb.Point{6 + rad*math.Cos(a), 52 + rad*math.Sin(a)})
		}
		return append(r, r[0])
	}
	for _, tt := range []struct {
		name      string
		give      orb.Ring
		wantBands bool
	}{
		{"jagged circle", star(0.05), true},
		{"comb of long edges", star(1), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.give
			banded := newRing(r)
			if (banded.start != nil) != tt.wantBands {
				t.Fatalf("band index: %v, want %v", banded.start != nil, tt.wantBands)
			}
			plain := ring{pts: banded.pts}
			check := func(p orb.Point) {
				t.Helper()
				if got, want := banded.locate(p), plain.locate(p); got != want {
					t.Fatalf("locate(%v) = %d with bands, %d without", p, got, want)
				}
			}
			for range 20000 {
				check(orb.Point{3.9 + 4.2*rnd.Float64(), 49.9 + 4.2*rnd.Float64()})
			}
			for i := 0; i+1 < len(r); i++ {
				check(r[i])
				check(orb.Point{(r[i][0] + r[i+1][0]) / 2, (r[i][1] + r[i+1][1]) / 2})
				if banded.locate(r[i]) != onBoundary {
					t.Fatalf("vertex %v is not on the boundary", r[i])
				}
			}
		})
	}
}

// syntheticNL covers the Netherlands' bounding box with nx×ny irregular 12-vertex
// polygons (jittered corners, two jittered points per edge, shared by neighbours so they
// tile without gaps) nested under px×py parents that follow the same edges.
func syntheticNL(nx, ny, px, py int) []Shape {
	const x0, y0, x1, y1 = 3.3, 50.75, 7.25, 53.55
	rnd := rand.New(rand.NewPCG(15000, 345))
	cw, ch := (x1-x0)/float64(nx), (y1-y0)/float64(ny)
	node := make([]orb.Point, (nx+1)*(ny+1))
	for j := 0; j <= ny; j++ {
		for i := 0; i <= nx; i++ {
			p := orb.Point{x0 + float64(i)*cw, y0 + float64(j)*ch}
			if i > 0 && i < nx {
				p[0] += (rnd.Float64() - 0.5) * 0.4 * cw
			}
			if j > 0 && j < ny {
				p[1] += (rnd.Float64() - 0.5) * 0.4 * ch
			}
			node[j*(nx+1)+i] = p
		}
	}
	at := func(i, j int) orb.Point { return node[j*(nx+1)+i] }
	// Two points on every edge, offset sideways; keyed by the edge's lower-left node.
	type edgeKey struct{ i, j int }
	mids := func(a, b orb.Point, side float64) [2]orb.Point {
		var m [2]orb.Point
		for k, f := range []float64{1.0 / 3, 2.0 / 3} {
			off := (rnd.Float64() - 0.5) * 0.2
			m[k] = orb.Point{a[0] + f*(b[0]-a[0]) - off*(b[1]-a[1])*side, a[1] + f*(b[1]-a[1]) + off*(b[0]-a[0])*side}
		}
		return m
	}
	hmid := map[edgeKey][2]orb.Point{}
	vmid := map[edgeKey][2]orb.Point{}
	for j := 0; j <= ny; j++ {
		for i := 0; i <= nx; i++ {
			if i < nx {
				side := 1.0
				if j == 0 || j == ny {
					side = 0
				}
				hmid[edgeKey{i, j}] = mids(at(i, j), at(i+1, j), side)
			}
			if j < ny {
				side := 1.0
				if i == 0 || i == nx {
					side = 0
				}
				vmid[edgeKey{i, j}] = mids(at(i, j), at(i, j+1), side)
			}
		}
	}
	// Walks along the grid lines, excluding the end node.
	east := func(i, j int) []orb.Point { m := hmid[edgeKey{i, j}]; return []orb.Point{at(i, j), m[0], m[1]} }
	west := func(i, j int) []orb.Point { m := hmid[edgeKey{i - 1, j}]; return []orb.Point{at(i, j), m[1], m[0]} }
	north := func(i, j int) []orb.Point { m := vmid[edgeKey{i, j}]; return []orb.Point{at(i, j), m[0], m[1]} }
	south := func(i, j int) []orb.Point { m := vmid[edgeKey{i, j - 1}]; return []orb.Point{at(i, j), m[1], m[0]} }
	block := func(i0, j0, i1, j1 int) orb.Ring {
		var r orb.Ring
		for i := i0; i < i1; i++ {
			r = append(r, east(i, j0)...)
		}
		for j := j0; j < j1; j++ {
			r = append(r, north(i1, j)...)
		}
		for i := i1; i > i0; i-- {
			r = append(r, west(i, j1)...)
		}
		for j := j1; j > j0; j-- {
			r = append(r, south(i0, j)...)
		}
		return append(r, r[0])
	}
	split := func(n, parts, k int) int { return k * n / parts }
	var shapes []Shape
	parentOf := func(i, j int) int64 {
		bi, bj := i*px/nx, j*py/ny
		return int64(1 + bj*px + bi)
	}
	for bj := range py {
		for bi := range px {
			id := int64(1 + bj*px + bi)
			r := block(split(nx, px, bi), split(ny, py, bj), split(nx, px, bi+1), split(ny, py, bj+1))
			shapes = append(shapes, area(id, 0, "P"+strconv.FormatInt(id, 10), Municipality, orb.Polygon{r}))
		}
	}
	for j := range ny {
		for i := range nx {
			id := int64(100000 + j*nx + i)
			shapes = append(shapes, area(id, parentOf(i, j), "C"+strconv.FormatInt(id, 10), Neighbourhood, orb.Polygon{block(i, j, i+1, j+1)}))
		}
	}
	return shapes
}

// randomPoints are points spread over the Netherlands' bounding box, some at sea.
func randomPoints(n int) []orb.Point {
	rnd := rand.New(rand.NewPCG(52, 5))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{3.3 + rnd.Float64()*3.95, 50.75 + rnd.Float64()*2.8}
	}
	return pts
}

// BenchmarkLocateSynthetic15000 is Locate at national neighbourhood scale: 15,000
// 12-vertex polygons under 345 parents (15×23 blocks), no database needed.
func BenchmarkLocateSynthetic15000(b *testing.B) {
	shapes := syntheticNL(150, 100, 15, 23)
	ix := NewIndex(shapes)
	pts := randomPoints(1 << 16)
	found := 0
	i := 0
	for b.Loop() {
		if ix.Locate(pts[i&(len(pts)-1)]) != nil {
			found++
		}
		i++
	}
	if found == 0 {
		b.Fatal("no point found")
	}
}

func BenchmarkNewIndexSynthetic15000(b *testing.B) {
	shapes := syntheticNL(150, 100, 15, 23)
	for b.Loop() {
		NewIndex(shapes)
	}
}
