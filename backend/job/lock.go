package job

import (
	"hash/fnv"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// Lock cells are about 110 m by 110 m: larger than twice the duplicate radius, so a circle
// around a point touches at most four of them.
const (
	cellLat = 0.001
	cellLon = 0.0016
)

// lockKeys returns the advisory lock keys for the grid cells that a circle of radius
// metres around p touches, for category. Two points closer than radius always share at
// least one key.
func lockKeys(category string, p orb.Point, radius float64) []int64 {
	// PostGIS measures on the spheroid, where a degree of latitude in the Netherlands is
	// about 111,260 m, not the 111,320 m used here: a small margin covers the difference.
	radius *= 1.01
	dLat := radius / 111_320.0
	dLon := radius / (111_320.0 * math.Max(math.Cos(p[1]*math.Pi/180), 0.01))
	x0, x1 := int64(math.Floor((p[0]-dLon)/cellLon)), int64(math.Floor((p[0]+dLon)/cellLon))
	y0, y1 := int64(math.Floor((p[1]-dLat)/cellLat)), int64(math.Floor((p[1]+dLat)/cellLat))
	var keys []int64
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			keys = append(keys, cellKey(category, x, y))
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

func cellKey(category string, x, y int64) int64 {
	h := fnv.New64a()
	h.Write([]byte(category))
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(x >> (8 * i))
		b[8+i] = byte(y >> (8 * i))
	}
	h.Write(b[:])
	return int64(h.Sum64())
}
