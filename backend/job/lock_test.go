package job

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Two points within the duplicate radius must share a lock key, or two reports of one
// issue could both miss each other.
func TestLockKeysOverlapWithinRadius(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		a := orb.Point{3.3 + rng.Float64()*4, 50.7 + rng.Float64()*3}
		bearing := rng.Float64() * 360
		dist := rng.Float64() * DuplicateRadius
		b := geo.PointAtBearingAndDistance(a, bearing, dist)
		if geo.Distance(a, b) > DuplicateRadius {
			continue
		}
		if !shareKey(LockKeys("x", a), LockKeys("x", b)) {
			t.Fatalf("points %v and %v are %.1f m apart but share no lock key", a, b, geo.Distance(a, b))
		}
	}
}

func TestLockKeysDifferPerCategoryAndPlace(t *testing.T) {
	p := orb.Point{6.2967, 51.9590}
	if shareKey(LockKeys("a", p), LockKeys("b", p)) {
		t.Error("two categories share a lock key at one place")
	}
	far := orb.Point{6.2967, 51.9690}
	if shareKey(LockKeys("a", p), LockKeys("a", far)) {
		t.Error("places 1 km apart share a lock key")
	}
	if n := len(LockKeys("a", p)); n < 1 || n > 4 {
		t.Errorf("got %d keys, want 1 to 4", n)
	}
}

func shareKey(a, b []int64) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
