package job

import "testing"

func TestNext(t *testing.T) {
	tests := []struct {
		from   Status
		action Action
		want   Status
		ok     bool
	}{
		{Assigned, Accept, Accepted, true},
		{Accepted, Accept, "", false},
		{Open, Accept, "", false},
		{Assigned, Start, InProgress, true},
		{Accepted, Start, InProgress, true},
		{InProgress, Start, "", false},
		{InProgress, Complete, Done, true},
		{Assigned, Complete, Done, true},
		{Done, Complete, "", false},
		{Open, Complete, "", false},
		{InProgress, CannotFinish, CannotComplete, true},
		{Done, CannotFinish, "", false},
		{CannotComplete, Start, "", false},
		{Cancelled, Accept, "", false},
		{Open, ActionCancel, Cancelled, true},
		{Done, ActionCancel, "", false},
		{CannotComplete, ActionCancel, "", false},
		{CannotComplete, ActionClose, CannotComplete, true},
		{Open, ActionClose, "", false},
		{InProgress, ActionClose, "", false},
		{Done, ActionClose, "", false},
		{Cancelled, ActionClose, "", false},
	}
	for _, tt := range tests {
		got, err := Next(tt.from, tt.action)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Next(%s, %s) = %q, %v; want %q ok=%v", tt.from, tt.action, got, err, tt.want, tt.ok)
		}
	}
}
