package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// Shape is an area with its geometry, the input of NewIndex.
type Shape struct {
	Area
	Geom orb.MultiPolygon
}

// Index answers which areas contain a point, from memory. It is immutable: a reload
// builds a new Index and swaps it in (see Live), so lookups never lock.
//
// Areas are bucketed by bounding box in a uniform grid; each cell lists its candidate
// areas smallest first, so the first area that contains the point is the smallest one.
// A point on a border counts as inside, like PostGIS ST_Covers, and the point-in-polygon
// test repeats PostGIS's arithmetic, so the index and SQL agree even on a shared border.
type Index struct {
	shapes []indexed
	byID   map[int64]int32
	bounds []orb.Bound // bounds[i] is shapes[i]'s, kept apart so the candidate scan stays in cache
	all    orb.Bound
	minX   float64
	minY   float64
	invW   float64 // cells per unit of x
	invH   float64 // cells per unit of y
	nx, ny int
	// The grid in compressed form: cell c's candidates are items[start[c]:start[c+1]].
	start []int32
	items []int32
	// municipalities are the areas of kind Municipality, by code.
	municipalities []Area
}

type indexed struct {
	geom   shape
	parent int32 // index of the parent in shapes, -1 if it is not there
	size   float64
	Area
}

// NewIndex builds an index over shapes. Shapes without geometry are skipped.
func NewIndex(shapes []Shape) *Index {
	ix := &Index{byID: make(map[int64]int32, len(shapes))}
	for _, s := range shapes {
		geom, ok := newShape(s.Geom)
		if !ok {
			continue
		}
		b := geom.bound()
		if len(ix.shapes) == 0 {
			ix.all = b
		} else {
			ix.all = ix.all.Union(b)
		}
		ix.byID[s.ID] = int32(len(ix.shapes))
		ix.shapes = append(ix.shapes, indexed{Area: s.Area, geom: geom, size: polygonArea(s.Geom)})
		ix.bounds = append(ix.bounds, b)
		if s.Kind == Municipality {
			ix.municipalities = append(ix.municipalities, s.Area)
		}
	}
	sort.Slice(ix.municipalities, func(a, b int) bool { return ix.municipalities[a].Code < ix.municipalities[b].Code })
	if len(ix.shapes) == 0 {
		return ix
	}
	for i := range ix.shapes {
		ix.shapes[i].parent = -1
		if j, ok := ix.byID[ix.shapes[i].ParentID]; ok && ix.shapes[i].ParentID != 0 {
			ix.shapes[i].parent = j
		}
	}
	// About four cells per area keeps the candidate lists short without wasting memory.
	n := len(ix.shapes)
	w, h := ix.all.Max[0]-ix.all.Min[0], ix.all.Max[1]-ix.all.Min[1]
	if w <= 0 {
		w = 1e-9
	}
	if h <= 0 {
		h = 1e-9
	}
	cellsWanted := float64(4 * n)
	cellSide := math.Sqrt(w * h / cellsWanted)
	ix.nx = clamp(int(math.Ceil(w/cellSide)), 1, 4096)
	ix.ny = clamp(int(math.Ceil(h/cellSide)), 1, 4096)
	ix.minX, ix.minY = ix.all.Min[0], ix.all.Min[1]
	ix.invW, ix.invH = float64(ix.nx)/w, float64(ix.ny)/h

	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	sort.SliceStable(order, func(a, b int) bool { return ix.shapes[order[a]].size < ix.shapes[order[b]].size })
	// Two passes over the areas, smallest first: count each cell's candidates, then fill.
	ix.start = make([]int32, ix.nx*ix.ny+1)
	for _, i := range order {
		ix.eachCell(ix.bounds[i], func(c int) { ix.start[c+1]++ })
	}
	for c := 1; c < len(ix.start); c++ {
		ix.start[c] += ix.start[c-1]
	}
	ix.items = make([]int32, ix.start[len(ix.start)-1])
	fill := append([]int32(nil), ix.start[:len(ix.start)-1]...)
	for _, i := range order {
		ix.eachCell(ix.bounds[i], func(c int) {
			ix.items[fill[c]] = i
			fill[c]++
		})
	}
	return ix
}

func (ix *Index) eachCell(b orb.Bound, fn func(c int)) {
	x0, y0 := ix.cell(b.Min)
	x1, y1 := ix.cell(b.Max)
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			fn(y*ix.nx + x)
		}
	}
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

func (ix *Index) cell(p orb.Point) (int, int) {
	x := clamp(int((p[0]-ix.minX)*ix.invW), 0, ix.nx-1)
	y := clamp(int((p[1]-ix.minY)*ix.invH), 0, ix.ny-1)
	return x, y
}

// Len is the number of areas in the index.
func (ix *Index) Len() int { return len(ix.shapes) }

// Locate returns the smallest area that contains p followed by its ancestors up to the
// root, or nil when no area contains p.
func (ix *Index) Locate(p orb.Point) []Area {
	i, ok := ix.smallest(p)
	if !ok {
		return nil
	}
	chain := make([]Area, 0, 3)
	for {
		s := &ix.shapes[i]
		chain = append(chain, s.Area)
		if s.parent < 0 || len(chain) > 16 {
			return chain
		}
		i = s.parent
	}
}

func (ix *Index) smallest(p orb.Point) (int32, bool) {
	// x-x is NaN for NaN and ±Inf, so non-finite points are nowhere.
	if len(ix.shapes) == 0 || p[0]-p[0] != 0 || p[1]-p[1] != 0 || !ix.all.Contains(p) {
		return 0, false
	}
	x, y := ix.cell(p)
	c := y*ix.nx + x
	for _, i := range ix.items[ix.start[c]:ix.start[c+1]] {
		if ix.bounds[i].Contains(p) && ix.shapes[i].geom.covers(p) {
			return i, true
		}
	}
	return 0, false
}

// Municipalities returns the municipalities in the index (the roots of the area tree),
// by code. The caller must not change the slice.
func (ix *Index) Municipalities() []Area { return ix.municipalities }

// Area returns the area with id, if the index holds it.
func (ix *Index) Area(id int64) (Area, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return Area{}, false
	}
	return ix.shapes[i].Area, true
}
