// Package publiccode makes the codes residents use to follow what they sent (a report's
// tracking code, an initiative's code) and reads them back as people type them.
package publiccode

import (
	"crypto/rand"
	"strings"
	"unicode"
)

// alphabet is Crockford-like base32 without vowels, so codes never spell words.
const alphabet = "0123456789BCDFGHJKLMNPQRSTVWXYZ"

// New returns a code like "K7M2Q-9XH4B": ten symbols, about 49 bits.
func New() string {
	var b [10]byte
	rand.Read(b[:])
	out := make([]byte, 0, 11)
	for i, x := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(x)%len(alphabet)])
	}
	return string(out)
}

var typed = strings.NewReplacer("O", "0", "I", "1")

// Normalize accepts what people type: lower case, spaces, a missing dash, O for 0 and
// I for 1, and what phones make of it: a dash that became an en or em dash (iOS does
// that), an underscore or dot instead, full-width characters (Asian keyboards).
func Normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r -= 0xFF01 - '!'
		case r == 0x3000: // full-width space
			return -1
		}
		switch r {
		case '-', '_', '.', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
			return -1
		}
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
	s = typed.Replace(s)
	if len(s) != 10 {
		return s
	}
	return s[:5] + "-" + s[5:]
}

// Parse normalizes s and reports whether it is a code at all. Look a code up only when
// it is: anything else is "not found", and never reaches the database as odd bytes.
func Parse(s string) (string, bool) {
	c := Normalize(s)
	return c, len(c) == 11 && c[5] == '-' && strings.Trim(c[:5]+c[6:], alphabet) == ""
}
