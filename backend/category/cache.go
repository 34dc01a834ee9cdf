package category

import (
	"context"
	"sync"
	"time"
)

// Cache keeps the categories in memory for the intake hot path, reloading them from the
// store when they are older than its TTL. Categories change a few times a year; an edit
// reaches every replica within the TTL.
type Cache struct {
	store  *Store
	ttl    time.Duration
	mu     sync.Mutex
	byCode map[string]Category
	loaded time.Time
}

// NewCache returns a cache over store.
func NewCache(store *Store, ttl time.Duration) *Cache { return &Cache{store: store, ttl: ttl} }

// Get returns the active category with code, or ErrNotFound.
func (c *Cache) Get(ctx context.Context, code string) (Category, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byCode == nil || time.Since(c.loaded) > c.ttl {
		cats, err := c.store.List(ctx)
		if err != nil {
			return Category{}, err
		}
		c.byCode = make(map[string]Category, len(cats))
		for _, cat := range cats {
			c.byCode[cat.Code] = cat
		}
		c.loaded = time.Now()
	}
	cat, ok := c.byCode[code]
	if !ok {
		return Category{}, ErrNotFound
	}
	return cat, nil
}

// Invalidate makes the next Get reload, after a local edit.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	c.byCode = nil
	c.mu.Unlock()
}
