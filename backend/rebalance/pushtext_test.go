package rebalance

import (
	"strings"
	"testing"

	"wijkwerk/backend/problem"
)

// The pushes about moved tasks are in Dutch and English, each device reads its own, and
// the count is in both.
func TestMovedTexts(t *testing.T) {
	for _, tt := range []struct {
		name     string
		n        int
		text     func(int) (title, body problem.Text)
		nl, en   string // title
		nlB, enB string // a part of the body
	}{
		{"gained one", 1, gainedText, "Nieuwe taak", "New task", "Er is een taak", "A task moved from another crew"},
		{"gained three", 3, gainedText, "Nieuwe taken", "New tasks", "Er zijn 3 taken", "3 tasks moved from other crews"},
		{"lost one", 1, lostText, "Taak verplaatst", "Task moved", "Een taak is naar", "A task moved to another crew"},
		{"lost three", 3, lostText, "Taken verplaatst", "Tasks moved", "3 taken zijn", "3 tasks moved to other crews"},
	} {
		title, body := tt.text(tt.n)
		if title.NL != tt.nl || title.EN != tt.en || !strings.Contains(body.NL, tt.nlB) || !strings.Contains(body.EN, tt.enB) {
			t.Errorf("%s: %q / %q", tt.name, title, body)
		}
	}
}
