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
		// As phones paste them: other spaces, dashes and digits than ASCII's.
		{"bel 06\u00a012345678 graag", "bel " + Redacted + " graag"},
		{"06–12345678 (en-dash)", Redacted + " (en-dash)"},
		{"06 — 12 34 56 78", Redacted},
		{"06\u202f1234\u202f5678", Redacted},
		{"06\u201112345678", Redacted},
		{"06\u200b12345678", Redacted},
		{"tel ０６１２３４５６７８.", "tel " + Redacted + "."},
		{"06_12345678, 06*12345678", Redacted + ", " + Redacted},
		{"0612345678 0612345678", Redacted},
		{"mail jan @ example.nl of jan@example .nl", "mail " + Redacted + " of " + Redacted},
		{"jan＠example.nl", Redacted},
		{"Élodie: ０６–１２ ３４ ５６ ７８ — dank!", "Élodie: " + Redacted + " — dank!"},
		{"Tegel los bij nr. ３ – zie foto", "Tegel los bij nr. ３ – zie foto"},
		// A tab between the digits, a space after the domain's dot, a number in brackets.
		{"bel 06\t12345678 aub", "bel " + Redacted + " aub"},
		{"mail jan@ example. nl graag", "mail " + Redacted + " graag"},
		{"mail info@gemeente.nl. Daarna bellen", "mail " + Redacted + ". Daarna bellen"},
		{"dhr. Jansen (06-11122233) gaf", "dhr. Jansen " + Redacted + " gaf"},
		{"(tel 06-11122233)", "(tel " + Redacted + ")"},
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
	f.Add("bel ０６\u00a012345678 of jan ＠ example .nl")
	f.Fuzz(func(t *testing.T, s string) {
		out := Redact(s)
		folded, _ := fold(out)
		if emailPattern.MatchString(folded) {
			t.Errorf("Redact(%q) = %q still holds an e-mail address", s, out)
		}
		// A removed part is a boundary: digits on either side of it are not one number.
		if phonePattern.MatchString(strings.ReplaceAll(folded, Redacted, "|")) {
			t.Errorf("Redact(%q) = %q still holds a phone number", s, out)
		}
	})
}
