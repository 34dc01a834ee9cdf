package crew_test

import (
	"strings"
	"testing"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// Crews see what residents wrote, but not the contact details some residents put in it:
// those are personal data, kept apart for the roles that need them.
func TestTaskHidesResidentContact(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{
		"category": "afval.zwerfvuil", "location": map[string]any{"type": "Point", "coordinates": []float64{oosseld[0], oosseld[1]}},
		"description": "Glas op het fietspad. Bel 06-12345678 of mail an@example.nl",
	})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	body := string(p.do(t, "GET", "/mobile/v1/tasks", nil).Body)
	if !strings.Contains(body, "Glas op het fietspad. Bel [verwijderd] of mail [verwijderd]") ||
		strings.Contains(body, "12345678") || strings.Contains(body, "an@example.nl") {
		t.Errorf("task = %s", body)
	}
}
