package report

import (
	"testing"

	"wijkwerk/backend/job"
)

// Open311's service_notice says what the tracking page says: also, once the desk has
// closed a report its crew could not do, that the municipality closed it and why (a
// reason from the fixed list only; "other" stands for the crew's own words).
func TestPublicNotice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     job.Status
		deskClosed bool
		reason     string
		team       string
		nl, en     string
	}{
		{"assigned", job.Assigned, false, "", "Ploeg Centrum", "We pakken dit binnen 5 werkdagen op.", "We handle this within 5 working days."},
		{"no crew", job.Open, false, "", "",
			"Er is nog geen ploeg voor deze melding. We weten nog niet wanneer we dit oppakken.",
			"No crew has this request yet. We do not know yet when it will be handled."},
		{"done", job.Done, false, "", "Ploeg Centrum", "Deze melding is afgesloten.", "This request is closed."},
		{"crew could not", job.CannotComplete, false, "unsafe", "Ploeg Centrum",
			"De ploeg kon dit niet doen. De gemeente beslist nu wat er verder gebeurt.",
			"The crew could not do this. The municipality now decides what happens next."},
		{"desk closed, reason", job.CannotComplete, true, "unsafe", "Ploeg Centrum",
			"De gemeente heeft deze melding afgesloten. Reden: Niet veilig om te doen.",
			"The municipality has closed this report. Reason: Not safe to do."},
		{"desk closed, the crew's own words", job.CannotComplete, true, "other", "Ploeg Centrum",
			"De gemeente heeft deze melding afgesloten.", "The municipality has closed this report."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := publicNotice(tt.status, tt.deskClosed, tt.reason, tt.team, 5)
			if got.NL != tt.nl || got.EN != tt.en {
				t.Errorf("publicNotice = %q / %q, want %q / %q", got.NL, got.EN, tt.nl, tt.en)
			}
		})
	}
}
