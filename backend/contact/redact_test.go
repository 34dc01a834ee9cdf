package contact

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct{ give, want string }{
		{"Losse tegel voor nummer 12.", "Losse tegel voor nummer 12."},
		{"Bel me: 06-12345678", "Bel me: " + Redacted},
		{"bel 0612345678 of mail jan.jansen@example.nl", "bel " + Redacted + " of mail " + Redacted},
		{"+31 6 1234 5678 na 17.00 uur", Redacted + " na 17.00 uur"},
		{"vaste lijn 0314 123 456.", "vaste lijn " + Redacted + "."},
		{"+31 (0)6 12 34 56 78", Redacted},
		{"bel (0314) 123456 overdag", "bel " + Redacted + " overdag"},
		{"06 - 12345678", Redacted},
		{"tel. 06/12345678.", "tel. " + Redacted + "."},
		{"Postcode 7001 AB, sinds 12-03-2026 om 08:30", "Postcode 7001 AB, sinds 12-03-2026 om 08:30"},
		{"Paal 3 van de 1200 meter", "Paal 3 van de 1200 meter"},
		{"mail: Élodie_b+wijk@post.gemeente.nl!", "mail: " + Redacted + "!"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Redact(tt.give); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("Bel 06-12345678 of mail a@b.nl")
	f.Add("Losse tegel bij nummer 14")
	f.Fuzz(func(t *testing.T, s string) {
		out := Redact(s)
		if emailPattern.MatchString(out) {
			t.Errorf("Redact(%q) = %q still holds an e-mail address", s, out)
		}
		// A removed part is a boundary: digits on either side of it are not one number.
		if phonePattern.MatchString(strings.ReplaceAll(out, Redacted, "|")) {
			t.Errorf("Redact(%q) = %q still holds a phone number", s, out)
		}
	})
}
