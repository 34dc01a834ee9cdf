package photo

import (
	"bytes"
	"context"
)

// Pool bounds how many photos are processed at once: decoding and scaling a large photo
// takes hundreds of megabytes and most of a core, so a burst of uploads must queue.
type Pool struct {
	lim   Limits
	slots chan struct{}
	store *Store
}

// NewPool processes at most n photos at once with lim, and saves them in store.
func NewPool(store *Store, lim Limits, n int) *Pool {
	return &Pool{lim: lim.withDefaults(), slots: make(chan struct{}, max(n, 1)), store: store}
}

// Limits are the pool's limits.
func (p *Pool) Limits() Limits { return p.lim }

// Store is where the pool saves photos.
func (p *Pool) Store() *Store { return p.store }

// Save checks, re-encodes and stores one uploaded photo, waiting for a free slot.
func (p *Pool) Save(ctx context.Context, data []byte) (Photo, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return Photo{}, ctx.Err()
	}
	out, ph, err := Process(bytes.NewReader(data), p.lim)
	<-p.slots
	if err != nil {
		return Photo{}, err
	}
	if err := p.store.Save(out, ph); err != nil {
		return Photo{}, err
	}
	return ph, nil
}
