package job

import (
	"testing"

	"wijkwerk/backend/problem"
)

func TestTraineeRule(t *testing.T) {
	tests := []struct {
		name  string
		rule  string
		roles []string
		want  bool // allowed
	}{
		{"alone: trainee alone", "alone", []string{"trainee"}, true},
		{"paired: trainee alone", "paired", []string{"trainee"}, false},
		{"paired: two trainees", "paired", []string{"trainee", "trainee"}, false},
		{"paired: trainee with seconded", "paired", []string{"trainee", "seconded"}, false},
		{"paired: trainee with specialist", "paired", []string{"specialist", "trainee"}, true},
		{"paired: specialist alone", "paired", []string{"specialist"}, true},
		{"paired: seconded alone", "paired", []string{"seconded"}, true},
		{"no: trainee alone", "no", []string{"trainee"}, false},
		{"no: trainee with specialist", "no", []string{"trainee", "specialist"}, false},
		{"no: specialist", "no", []string{"specialist"}, true},
		{"no: nobody", "no", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := TraineeRule(tt.rule, tt.roles)
			if got := err == nil; got != tt.want {
				t.Fatalf("TraineeRule(%q, %v) = %v, want allowed=%v", tt.rule, tt.roles, err, tt.want)
			}
			if err != nil && !problem.Of(err, problem.ValidationFailed) {
				t.Errorf("error %v is not a validation problem", err)
			}
		})
	}
}
