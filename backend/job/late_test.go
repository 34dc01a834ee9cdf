package job

import "testing"

func TestMovedFate(t *testing.T) {
	const photo Action = ""
	tests := []struct {
		name    string
		ours    bool
		action  Action
		seen    int
		version int
		status  Status
		want    fate
	}{
		{"never ours", false, Complete, 2, 3, Assigned, fateNotFound},
		{"never ours, photo", false, photo, 0, 3, Assigned, fateNotFound},
		{"complete after a move, new team not begun", true, Complete, 2, 3, Assigned, fateTaken},
		{"complete after a move, new team planned it", true, Complete, 2, 4, Accepted, fateTaken},
		{"complete after a move back to the queue", true, Complete, 2, 3, Open, fateTaken},
		{"complete with the version the phone predicted", true, Complete, 3, 3, Assigned, fateTaken},
		{"complete after a move, new team began", true, Complete, 2, 4, InProgress, fateRefused},
		{"complete after a move, new team done", true, Complete, 2, 5, Done, fateRefused},
		{"complete after a move, could not be done", true, Complete, 2, 5, CannotComplete, fateRefused},
		{"complete after a move, desk cancelled", true, Complete, 2, 4, Cancelled, fateRefused},
		{"complete of a version never there", true, Complete, 7, 3, Assigned, fateRefused},
		{"start after a move", true, Start, 2, 3, Assigned, fateRefused},
		{"accept after a move", true, Accept, 1, 3, Accepted, fateRefused},
		{"cannot-complete after a move", true, CannotFinish, 2, 3, Assigned, fateRefused},
		{"start at the version of now", true, Start, 3, 3, Assigned, fateNotFound},
		{"photo after a move, new team not begun", true, photo, 0, 3, Assigned, fateTaken},
		{"photo after a move, new team planned it", true, photo, 0, 4, Accepted, fateTaken},
		{"photo after a move, new team began", true, photo, 0, 4, InProgress, fateRefused},
		{"photo after a move, closed", true, photo, 0, 4, Done, fateRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := movedFate(tt.ours, tt.action, tt.seen, tt.version, tt.status); got != tt.want {
				t.Errorf("movedFate(%v, %q, %d, %d, %s) = %d, want %d", tt.ours, tt.action, tt.seen, tt.version, tt.status, got, tt.want)
			}
		})
	}
}
