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
	list   []Category // in the store's order
	byCode map[string]Category
	loaded time.Time
}

// NewCache returns a cache over store.
func NewCache(store *Store, ttl time.Duration) *Cache { return &Cache{store: store, ttl: ttl} }

// Get returns the active category with code, or ErrNotFound.
func (c *Cache) Get(ctx context.Context, code string) (Category, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.fresh(ctx); err != nil {
		return Category{}, err
	}
	cat, ok := c.byCode[code]
	if !ok {
		return Category{}, ErrNotFound
	}
	return cat, nil
}

// List returns the active categories, as Store.List orders them. The slice is shared:
// do not change it.
func (c *Cache) List(ctx context.Context) ([]Category, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.fresh(ctx); err != nil {
		return nil, err
	}
	return c.list, nil
}

// fresh reloads the categories when they are older than the TTL; c.mu is held.
func (c *Cache) fresh(ctx context.Context) error {
	if c.byCode != nil && time.Since(c.loaded) <= c.ttl {
		return nil
	}
	cats, err := c.store.List(ctx)
	if err != nil {
		return err
	}
	c.list, c.byCode = cats, make(map[string]Category, len(cats))
	for _, cat := range cats {
		c.byCode[cat.Code] = cat
	}
	c.loaded = time.Now()
	return nil
}

// Invalidate makes the next Get reload, after a local edit.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	c.byCode = nil
	c.mu.Unlock()
}
