package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// shape is a multipolygon prepared for fast point-in-polygon tests.
//
// The test mirrors PostGIS's own point-in-polygon short cut for ST_Covers (the winding
// number of liblwgeom's point_in_multipolygon, with the same side formula and the same
// rule that a point on a shell or hole edge is covered). Using the same floating-point
// arithmetic as the database, and not merely a "correct" one, is what makes the index and
// SQL agree on points that lie on or extremely near a shared border.
type shape struct {
	// Most areas are a single polygon; keeping the first one inline saves a dependent
	// memory access on every test, which is most of a lookup's cost.
	first polygon
	rest  []polygon
}

type polygon struct {
	bound orb.Bound
	shell ring
	holes []ring
}

// ring is a closed ring. Rings with many vertices get a y-band index of their edges, so a
// test looks only at the edges that span the point's latitude instead of all of them.
type ring struct {
	pts     []orb.Point
	minY    float64
	invBand float64 // bands per unit of y
	start   []int32 // band b's edges are edges[start[b]:start[b+1]]
	edges   []int32 // edge i runs from pts[i] to pts[i+1]
}

// bandedRingMin is the vertex count from which a ring gets a band index; below it a plain
// scan over all edges is as fast.
const bandedRingMin = 48

// newShape prepares mp; ok is false when it has no polygon with a shell.
func newShape(mp orb.MultiPolygon) (s shape, ok bool) {
	for _, p := range mp {
		if len(p) == 0 || len(p[0]) == 0 {
			continue
		}
		cp := polygon{bound: p[0].Bound(), shell: newRing(p[0])}
		for _, r := range p[1:] {
			cp.holes = append(cp.holes, newRing(r))
		}
		if !ok {
			s.first, ok = cp, true
		} else {
			s.rest = append(s.rest, cp)
		}
	}
	return s, ok
}

// bound is the bounding box of all of s.
func (s *shape) bound() orb.Bound {
	b := s.first.bound
	for _, p := range s.rest {
		b = b.Union(p.bound)
	}
	return b
}

func newRing(pts orb.Ring) ring {
	r := ring{pts: pts}
	if len(pts) > 0 && pts[0] != pts[len(pts)-1] {
		// Close the ring, as PostGIS requires of every stored ring.
		r.pts = append(append(make([]orb.Point, 0, len(pts)+1), pts...), pts[0])
	}
	n := len(r.pts) - 1 // edges
	if n+1 < bandedRingMin {
		return r
	}
	minY, maxY := r.pts[0][1], r.pts[0][1]
	for _, p := range r.pts {
		minY, maxY = min(minY, p[1]), max(maxY, p[1])
	}
	if !(maxY > minY) || math.IsInf(maxY-minY, 0) {
		return r
	}
	// About four edges per band on average; an edge spanning several bands is listed in
	// each of them.
	bands := max(1, n/4)
	r.minY = minY
	r.invBand = float64(bands) / (maxY - minY)
	band := func(y float64) int {
		return clamp(int((y-r.minY)*r.invBand), 0, bands-1)
	}
	counts := make([]int32, bands+1)
	for i := 0; i < n; i++ {
		lo, hi := r.pts[i][1], r.pts[i+1][1]
		if lo > hi {
			lo, hi = hi, lo
		}
		for b := band(lo); b <= band(hi); b++ {
			counts[b+1]++
		}
	}
	for b := 1; b <= bands; b++ {
		counts[b] += counts[b-1]
	}
	if int(counts[bands]) > 8*n {
		// Mostly long edges that span many bands (a comb): the index would cost more
		// memory than it saves time.
		return ring{pts: r.pts}
	}
	r.start = counts
	r.edges = make([]int32, counts[bands])
	fill := make([]int32, bands)
	copy(fill, counts[:bands])
	for i := 0; i < n; i++ {
		lo, hi := r.pts[i][1], r.pts[i+1][1]
		if lo > hi {
			lo, hi = hi, lo
		}
		for b := band(lo); b <= band(hi); b++ {
			r.edges[fill[b]] = int32(i)
			fill[b]++
		}
	}
	return r
}

// covers reports whether p is inside s or on its boundary, like PostGIS ST_Covers.
func (s *shape) covers(p orb.Point) bool {
	if s.first.covers(p) {
		return true
	}
	for i := range s.rest {
		if s.rest[i].covers(p) {
			return true
		}
	}
	return false
}

func (poly *polygon) covers(p orb.Point) bool {
	if !poly.bound.Contains(p) {
		return false
	}
	switch poly.shell.locate(p) {
	case onBoundary:
		return true
	case outside:
		return false
	}
	// Inside the shell: covered unless inside a hole (a point on a hole's edge is on the
	// boundary, so covered).
	for j := range poly.holes {
		switch poly.holes[j].locate(p) {
		case onBoundary:
			return true
		case inside:
			return false
		}
	}
	return true
}

type location int8

const (
	outside location = iota - 1
	onBoundary
	inside
)

// locate is liblwgeom's point_in_ring: a winding number, and "on the boundary" only when
// the side determinant is exactly zero and p lies within the edge's bounding box.
func (r *ring) locate(p orb.Point) location {
	wn := 0
	if r.start == nil {
		for i := 0; i+1 < len(r.pts); i++ {
			if !edgeStep(r.pts[i], r.pts[i+1], p, &wn) {
				return onBoundary
			}
		}
	} else {
		if p[1] < r.minY {
			return outside
		}
		b := clamp(int((p[1]-r.minY)*r.invBand), 0, len(r.start)-2)
		for _, i := range r.edges[r.start[b]:r.start[b+1]] {
			if !edgeStep(r.pts[i], r.pts[i+1], p, &wn) {
				return onBoundary
			}
		}
	}
	if wn == 0 {
		return outside
	}
	return inside
}

// edgeStep adds edge a→b's contribution to the winding number of p. It returns false when
// p lies on the edge. Edges whose y range does not include p's contribute nothing, which
// is what lets the band index skip them.
func edgeStep(a, b, p orb.Point, wn *int) bool {
	if (a[1] > p[1] && b[1] > p[1]) || (a[1] < p[1] && b[1] < p[1]) {
		return true
	}
	if a == b {
		return true // zero-length edges are ignored, as in PostGIS
	}
	// The explicit conversions keep the compiler from fusing a multiply and a subtract,
	// so the rounding is exactly that of the C code in PostGIS.
	side := float64((b[0]-a[0])*(p[1]-a[1])) - float64((p[0]-a[0])*(b[1]-a[1]))
	if side == 0 && p[0] >= min(a[0], b[0]) && p[0] <= max(a[0], b[0]) {
		return false
	}
	if a[1] <= p[1] && p[1] < b[1] && side > 0 {
		*wn++
	} else if b[1] <= p[1] && p[1] < a[1] && side < 0 {
		*wn--
	}
	return true
}

// polygonArea is the planar area of mp, holes subtracted, in squared degrees like PostGIS
// ST_Area on geometry(4326).
func polygonArea(mp orb.MultiPolygon) float64 {
	total := 0.0
	for _, p := range mp {
		area := 0.0
		for i, r := range p {
			if i == 0 {
				area += math.Abs(ringArea(r))
			} else {
				area -= math.Abs(ringArea(r))
			}
		}
		total += area
	}
	return total
}

// ringArea is the signed shoelace area, computed relative to the first vertex as
// liblwgeom does.
func ringArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	sum := 0.0
	x0 := r[0][0]
	for i := 1; i+1 < len(r); i++ {
		sum += (r[i][0] - x0) * (r[i-1][1] - r[i+1][1])
	}
	return sum / 2
}
