package database

import (
	"context"
	"errors"
	"testing"
)

func TestInBatches(t *testing.T) {
	errStep := errors.New("step failed")
	tests := []struct {
		name      string
		batch     int
		steps     []int64 // what each step takes
		failAt    int     // step that fails (1-based), 0 for none
		cancelAt  int     // step after which ctx ends, 0 for never
		wantTotal int64
		wantSteps int
		wantErr   error
	}{
		{name: "stops at a short step", batch: 3, steps: []int64{3, 3, 1, 3}, wantTotal: 7, wantSteps: 3},
		{name: "an empty first step", batch: 3, steps: []int64{0}, wantTotal: 0, wantSteps: 1},
		{name: "a failing step ends it with its rows", batch: 2, steps: []int64{2, 1}, failAt: 2, wantTotal: 3, wantSteps: 2, wantErr: errStep},
		{name: "an ended context stops between steps", batch: 2, steps: []int64{2, 2, 2}, cancelAt: 2, wantTotal: 4, wantSteps: 2, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calls := 0
			total, err := InBatches(ctx, tt.batch, func() (int64, error) {
				n := tt.steps[calls]
				calls++
				if calls == tt.cancelAt {
					cancel()
				}
				if calls == tt.failAt {
					return n, errStep
				}
				return n, nil
			})
			if total != tt.wantTotal || calls != tt.wantSteps || !errors.Is(err, tt.wantErr) {
				t.Errorf("total %d after %d steps, err %v; want %d after %d, err %v", total, calls, err, tt.wantTotal, tt.wantSteps, tt.wantErr)
			}
		})
	}
	if _, err := InBatches(context.Background(), 0, func() (int64, error) { return 0, nil }); err == nil {
		t.Error("a batch of 0 was taken")
	}
}
