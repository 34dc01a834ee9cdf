package publiccode

import "testing"

func TestRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c := New()
		if len(c) != 11 || c[5] != '-' || Normalize(c) != c {
			t.Fatalf("bad code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 999 {
		t.Errorf("only %d distinct codes of 1000", len(seen))
	}
	tests := []struct{ give, want string }{
		{"k7m2q9xh4b", "K7M2Q-9XH4B"},
		{" K7M2Q 9XH4B ", "K7M2Q-9XH4B"},
		{"1OIOO-00000", "10100-00000"},
		{"short", "SH0RT"},
		{"K7M2Q\u20139XH4B", "K7M2Q-9XH4B"}, // en dash, as iOS types it
		{"K7M2Q\u20149XH4B", "K7M2Q-9XH4B"}, // em dash
		{"k7m2q_9xh4b", "K7M2Q-9XH4B"},      // underscore
		{"\uff2b\uff17\uff4d\uff12\uff51\uff0d\uff19\uff38\uff28\uff14\uff22", "K7M2Q-9XH4B"}, // full-width
		{"K7M2Q\u00a09XH4B\n", "K7M2Q-9XH4B"},                                                 // no-break space, newline
	}
	for _, tt := range tests {
		if got := Normalize(tt.give); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		give, want string
		ok         bool
	}{
		{"k7m2q9xh4b", "K7M2Q-9XH4B", true},
		{" K7M2Q 9XH4B ", "K7M2Q-9XH4B", true},
		{"short", "SH0RT", false},
		{"K7M2Q-9XH4A", "K7M2Q-9XH4A", false}, // A is not in the alphabet
		{"K7M2Q\x009XH4", "", false},
		{"\xff\xfe", "", false},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.give)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", tt.give, got, ok, tt.want, tt.ok)
		}
	}
}
