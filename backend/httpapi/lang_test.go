package httpapi

import "testing"

func TestAcceptedLang(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "nl"},
		{"en", "en"},
		{"en-GB,en;q=0.9", "en"},
		{"nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7", "nl"},
		{"en;q=0.1, nl;q=0.9", "nl"},
		{"de-DE, en;q=0.5", "en"},
		{"de, fr", "nl"},
		{"en;q=0, nl;q=0", "nl"},
		{"english, en-US", "en"},
		{"en;q=abc", "en"},
		{"nl;q=0.5, en;q=0.5", "nl"},
	}
	for _, tt := range tests {
		if got := acceptedLang(tt.header); got != tt.want {
			t.Errorf("acceptedLang(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
