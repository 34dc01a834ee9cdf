package report

import (
	"testing"
	"time"

	"wijkwerk/backend/job"
)

// The public timeline: one step per status the job reached, a planner's move of work a
// crew had taken on says another crew picks it up (not a step back), the reason of a
// job that could not be done is the fixed list's, and nothing is before the report.
func TestTimeline(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	ev := func(min int, from, to job.Status, detail map[string]any) job.Event {
		return job.Event{From: from, To: to, At: at.Add(time.Duration(min) * time.Minute), Detail: detail}
	}
	closed := func(min int, detail map[string]any) job.Event {
		e := ev(min, job.CannotComplete, job.CannotComplete, detail)
		e.Action = string(job.ActionClose)
		return e
	}
	tests := []struct {
		name   string
		events []job.Event
		want   []string
	}{
		{"assigned, accepted, done", []job.Event{
			ev(-5, "", job.Assigned, nil), ev(10, job.Assigned, job.Accepted, nil), ev(20, job.Accepted, job.Done, nil),
		}, []string{"Melding ontvangen", "Een ploeg gaat het oppakken", "De ploeg heeft het ingepland", "Klaar"}},
		{"moved by a planner after the crew started", []job.Event{
			ev(0, "", job.Assigned, nil), ev(5, job.Assigned, job.InProgress, nil), ev(9, job.InProgress, job.Assigned, nil),
		}, []string{"Melding ontvangen", "Een ploeg gaat het oppakken", "De ploeg is ermee bezig", "Een andere ploeg gaat het oppakken"}},
		{"moved between teams before anyone took it on", []job.Event{
			ev(0, "", job.Assigned, nil), ev(3, job.Assigned, job.Assigned, nil),
		}, []string{"Melding ontvangen", "Een ploeg gaat het oppakken"}},
		{"could not be done", []job.Event{
			ev(0, "", job.Assigned, nil), ev(4, job.Assigned, job.CannotComplete, map[string]any{"reason": "already_fixed"}),
		}, []string{"Melding ontvangen", "Een ploeg gaat het oppakken", "Het lukte niet. Reden: Was al opgelost."}},
		{"sent back to work by a planner after it could not be done", []job.Event{
			ev(0, "", job.Assigned, nil), ev(4, job.Assigned, job.CannotComplete, map[string]any{"reason": "unsafe"}),
			ev(30, job.CannotComplete, job.Assigned, nil),
		}, []string{"Melding ontvangen", "Een ploeg gaat het oppakken", "Het lukte niet. Reden: Niet veilig om te doen.", "We proberen het opnieuw"}},
		// The desk's close keeps the status; its detail is the planner's note, never shown.
		{"closed by the desk after it could not be done", []job.Event{
			ev(0, "", job.Assigned, nil), ev(4, job.Assigned, job.CannotComplete, map[string]any{"reason": "not_found"}),
			closed(40, map[string]any{"reason": "Bewoner belde boos"}),
		}, []string{"Melding ontvangen", "Een ploeg gaat het oppakken", "Het lukte niet. Reden: Niet gevonden op deze plek.",
			"De gemeente heeft deze melding afgesloten. Reden: Niet gevonden op deze plek."}},
		{"closed by the desk, the crew's reason in its own words", []job.Event{
			ev(0, "", job.Assigned, nil), ev(4, job.Assigned, job.CannotComplete, map[string]any{"reason": "other"}), closed(40, nil),
		}, []string{"Melding ontvangen", "Een ploeg gaat het oppakken", "Het lukte niet", "De gemeente heeft deze melding afgesloten."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := timeline(at, tt.events, "nl")
			var got []string
			for i, s := range steps {
				got = append(got, s.Text)
				if s.At.Before(at) || (i > 0 && s.At.Before(steps[i-1].At)) {
					t.Errorf("step %d at %v: before the report or the step before", i, s.At)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("steps = %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("step %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
	if s := timeline(at, []job.Event{ev(0, job.Accepted, job.Assigned, nil)}, "en"); s[1].Text != "Another crew will pick it up" {
		t.Errorf("English = %q", s[1].Text)
	}
}
