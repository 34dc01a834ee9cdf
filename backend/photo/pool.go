package photo

import (
	"bytes"
	"context"
	"io/fs"
	"time"
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
	s, err := p.SaveChecked(ctx, data, nil)
	return s.Photo, err
}

// Saved is a photo a Pool stored for one request, which may discard it (Discard).
type Saved struct {
	Photo
	written fs.FileInfo // the file this request wrote; nil when it was stored before
}

// SaveChecked is Save asking check (if not nil) about the re-encoded photo, its hash
// known, before anything is written: a photo that check refuses leaves no file.
func (p *Pool) SaveChecked(ctx context.Context, data []byte, check func(Photo) error) (Saved, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return Saved{}, ctx.Err()
	}
	out, ph, err := Process(bytes.NewReader(data), p.lim)
	<-p.slots
	if err != nil {
		return Saved{}, err
	}
	if check != nil {
		if err := check(ph); err != nil {
			return Saved{}, err
		}
	}
	written, err := p.store.save(out, ph)
	if err != nil {
		return Saved{}, err
	}
	return Saved{Photo: ph, written: written}, nil
}

// Discard removes a photo that SaveChecked wrote for a request refused after all (say,
// by a check made again under a lock), unless inUse says something refers to it or
// another request saved it since. A photo stored before is left alone.
func (p *Pool) Discard(ctx context.Context, s Saved, inUse InUse) error {
	if s.written == nil {
		return nil
	}
	// Saved again since: its time is later than this request's write.
	_, err := p.store.Discard(ctx, s.written.ModTime().Add(time.Nanosecond), inUse, s.Hash)
	return err
}
