package worker

import (
	"testing"
	"time"
)

func TestAuthCache(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	d := Device{ID: 7, Worker: Worker{ID: 3, TeamIDs: []int64{1}}}
	k := [32]byte{1}
	tests := []struct {
		name string
		run  func(c *authCache) // with c listening, unless it says otherwise
		want bool               // does c answer for k afterwards?
	}{
		{"kept", func(c *authCache) { c.put(c.generation(), k, d) }, true},
		{"not while not listening", func(c *authCache) { c.reset(false); c.put(c.generation(), k, d) }, false},
		{"a lost connection empties it", func(c *authCache) { c.put(c.generation(), k, d); c.reset(false) }, false},
		{"a change empties it", func(c *authCache) { c.put(c.generation(), k, d); c.forget() }, false},
		{"an answer read before a change is not kept", func(c *authCache) {
			gen := c.generation()
			c.forget() // the notification came while the database was asked
			c.put(gen, k, d)
		}, false},
		{"young enough", func(c *authCache) {
			c.put(c.generation(), k, d)
			now = now.Add(authCacheTTL - time.Second)
		}, true},
		{"too old", func(c *authCache) {
			c.put(c.generation(), k, d)
			now = now.Add(authCacheTTL)
		}, false},
		{"a full cache starts again", func(c *authCache) {
			c.put(c.generation(), k, d)
			for i := range authCacheMax {
				c.put(c.generation(), [32]byte{2, byte(i), byte(i >> 8)}, d)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newAuthCache(func() time.Time { return now })
			c.reset(true)
			tt.run(c)
			got, ok := c.get(k)
			if ok != tt.want || (ok && got.ID != d.ID) {
				t.Errorf("get = %+v, %v; want answered %v", got, ok, tt.want)
			}
		})
	}
}
