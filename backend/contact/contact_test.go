package contact

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct {
		email, phone string
		wantFields   int
	}{
		{"", "", 0},
		{" jan@example.org ", "06 12345678", 0},
		{"jan@", "", 1},
		{"Jan <jan@example.org>", "", 1},
		{"", "bel me", 1},
		{"", "+31 (0)6-1234 5678", 0},
		{"", "12345", 1},
		{"x", "y", 2},
	}
	for _, tt := range tests {
		e, p := tt.email, tt.phone
		if got := Normalize(&e, &p); len(got) != tt.wantFields {
			t.Errorf("Normalize(%q, %q) = %v, want %d fields", tt.email, tt.phone, got, tt.wantFields)
		}
	}
}
