package photo

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// A photo that the check refuses is never written; one refused after it was written is
// discarded, unless something uses it, it was stored before, or it was saved again since.
func TestPoolSaveCheckedAndDiscard(t *testing.T) {
	ctx := context.Background()
	unused := func(context.Context, []string) (map[string]bool, error) { return map[string]bool{}, nil }
	used := func(_ context.Context, h []string) (map[string]bool, error) { return map[string]bool{h[0]: true}, nil }
	upload := makeJPEG(t, 40, 30)

	t.Run("refused by the check", func(t *testing.T) {
		s, _ := newStore(t)
		pool := NewPool(s, DefaultLimits(), 1)
		refused := errors.New("too many")
		var asked Photo
		_, err := pool.SaveChecked(ctx, upload, func(p Photo) error { asked = p; return refused })
		if !errors.Is(err, refused) || !ValidHash(asked.Hash) {
			t.Fatalf("SaveChecked = %v, asked about %q", err, asked.Hash)
		}
		if _, err := os.Stat(s.path(asked.Hash)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("refused photo on disk: %v", err)
		}
	})
	for _, tt := range []struct {
		name   string
		before bool // stored before this request
		since  bool // saved again since
		inUse  InUse
		kept   bool
	}{
		{"discarded", false, false, unused, false},
		{"in use", false, false, used, true},
		{"stored before", true, false, unused, true},
		{"saved again since", false, true, unused, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newStore(t)
			pool := NewPool(s, DefaultLimits(), 1)
			if tt.before {
				if _, err := pool.Save(ctx, upload); err != nil {
					t.Fatal(err)
				}
			}
			saved, err := pool.SaveChecked(ctx, upload, func(Photo) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			if tt.since {
				later := time.Now().Add(time.Second)
				if err := os.Chtimes(s.path(saved.Hash), later, later); err != nil {
					t.Fatal(err)
				}
			}
			if err := pool.Discard(ctx, saved, tt.inUse); err != nil {
				t.Fatal(err)
			}
			_, err = os.Stat(s.path(saved.Hash))
			if kept := err == nil; kept != tt.kept {
				t.Errorf("kept = %v, want %v (%v)", kept, tt.kept, err)
			}
		})
	}
}
