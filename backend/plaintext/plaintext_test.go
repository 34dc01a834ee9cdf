package plaintext

import "testing"

func TestClean(t *testing.T) {
	tests := []struct{ give, clean, name string }{
		{"Losse tegel", "Losse tegel", "Losse tegel"},
		{"  bel\a en \x1b[31mrood\x1b[0m ", "bel en [31mrood[0m", "bel en [31mrood[0m"},
		{"Jan \u202ekeeJ\u202c de Vries", "Jan keeJ de Vries", "Jan keeJ de Vries"},
		{"regel 1\r\nregel 2\tmet tab", "regel 1\nregel 2\tmet tab", "regel 1 regel 2 met tab"},
		{"\u2066geïsoleerd\u2069 \u0085C1", "geïsoleerd C1", "geïsoleerd C1"},
		{"nul\x00blijft", "nul\x00blijft", "nul\x00blijft"},
		{"a\rb\u2028c\u2029d", "a\nb\nc\nd", "a b c d"},
		{"Hef\u200btruck\u2060 \ufeffkapot\u200f", "Heftruck kapot", "Heftruck kapot"},
		{"emoji 👩\u200d🔧 blijft", "emoji 👩\u200d🔧 blijft", "emoji 👩\u200d🔧 blijft"},
	}
	for _, tt := range tests {
		if got := Clean(tt.give); got != tt.clean {
			t.Errorf("Clean(%q) = %q, want %q", tt.give, got, tt.clean)
		}
		if got := Name(tt.give); got != tt.name {
			t.Errorf("Name(%q) = %q, want %q", tt.give, got, tt.name)
		}
	}
}
