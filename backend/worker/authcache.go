package worker

import (
	"context"
	"slices"
	"sync"
	"time"

	"wijkwerk/backend/database"
)

// authCache keeps Authenticate's answers for a short while, so that a phone's polls (a
// sync every few seconds while the app is open) do not each cost a database round trip:
// the empty delta sync is the crews' commonest request (BENCHMARKS.md).
//
// It answers only while its store listens for changes (ListenForChanges on channel
// AuthChannel, which triggers on devices, workers and worker_teams notify, migration
// 00016). Every such change empties it, on every replica; so does losing the listening
// connection, after which it answers nothing until it listens again (a connection that
// died silently is noticed within about 15 s, see database.Listen). A revocation through
// this store empties it before the desk gets its answer; on another replica it takes as
// long as PostgreSQL takes to deliver the notification (milliseconds). An entry lives at
// most authCacheTTL in any case, which bounds every other delay. Failed checks are not
// kept.
type authCache struct {
	mu      sync.Mutex
	live    bool
	gen     uint64 // counts clears: an answer read before a clear is not kept after it
	entries map[[32]byte]authEntry
	now     func() time.Time
}

type authEntry struct {
	d  Device
	at time.Time
}

// AuthChannel is the NOTIFY channel of changes to credentials, workers and teams.
const AuthChannel = "crew_auth"

const (
	authCacheTTL = 30 * time.Second
	authCacheMax = 10_000 // entries; a full cache is emptied
)

func newAuthCache(now func() time.Time) *authCache {
	return &authCache{entries: map[[32]byte]authEntry{}, now: now}
}

// get returns the kept answer for a credential's hash, if the cache may answer.
func (c *authCache) get(key [32]byte) (Device, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.live {
		return Device{}, false
	}
	if c.now().Sub(e.at) >= authCacheTTL {
		delete(c.entries, key)
		return Device{}, false
	}
	d := e.d
	d.Worker.TeamIDs = slices.Clone(d.Worker.TeamIDs) // the caller's to change
	return d, true
}

// generation is to be taken before reading an answer from the database, and given to put.
func (c *authCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put keeps an answer read from the database, unless the cache was emptied since gen
// (the answer may predate the change) or does not listen.
func (c *authCache) put(gen uint64, key [32]byte, d Device) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || gen != c.gen {
		return
	}
	if len(c.entries) >= authCacheMax {
		clear(c.entries)
	}
	d.Worker.TeamIDs = slices.Clone(d.Worker.TeamIDs) // not the caller's
	c.entries[key] = authEntry{d: d, at: c.now()}
}

// reset empties the cache and sets whether it may answer.
func (c *authCache) reset(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = live
	c.forgetLocked()
}

// forget empties the cache.
func (c *authCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetLocked()
}

func (c *authCache) forgetLocked() {
	c.gen++
	clear(c.entries)
}

// Caching reports whether the store keeps credential checks now, that is whether it
// listens for changes.
func (s *Store) Caching() bool {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	return s.auth.live
}

// CredentialListener lets the store keep credential checks (see authCache) while a
// connection listens on AuthChannel for it: each change empties the cache, and a lost
// connection switches it off. Give it to database.Listen, once per process, for the
// store that the crew API authenticates with.
func (s *Store) CredentialListener() database.Listener {
	return database.Listener{
		Channel:   AuthChannel,
		Connected: func(context.Context) error { s.auth.reset(true); return nil },
		Notified:  func(context.Context) { s.auth.forget() },
		Lost:      func() { s.auth.reset(false) },
	}
}
