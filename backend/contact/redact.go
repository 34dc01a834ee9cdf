package contact

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redacted replaces contact details in public text.
const Redacted = "[verwijderd]"

// phoneGap is what may stand between two digits of a phone number.
const phoneGap = `[\s\-./()_*]{0,3}`

// The patterns match text as fold leaves it: digits, spaces, dashes and the fullwidth
// forms of ASCII that a phone may paste are ASCII there.
var (
	// An e-mail address, also with a space (or tab) on either side of the @ or before a
	// dot of the domain: jan @ example.nl, jan@example .nl; and after the last dot when
	// a short lower-case ending follows: jan@example. nl. (Not before a capital, which
	// starts the next sentence: "mail info@gemeente.nl. Daarna".)
	emailPattern = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+\s?@\s?[\p{L}\p{N}\-]+(?:\s?\.[\p{L}\p{N}\-]+)*` +
		`(?:\s?\.\s\p{Ll}{2,4}\b|\s?\.[\p{L}\p{N}\-]+)`)
	// A phone number: an optional + or (, then 9 or more digits, any two of them apart
	// by at most three spaces, tabs, dashes, dots, slashes, brackets, underscores or
	// stars: 06-12345678, +31 (0)6 1234 5678, 0314 123 456, (0314) 123456, 06 - 12345678,
	// 06/12345678, 06_12345678. A number in brackets takes its closing bracket along:
	// (06-12345678). Two numbers with only a space between them are one match, so no
	// tail of the second is left. House numbers, postcodes, dates and times have fewer
	// digits and stay.
	phonePattern = regexp.MustCompile(`\+?(?:\(\d(?:` + phoneGap + `\d){8,}\)|\(?\d(?:` + phoneGap + `\d){8,})`)
	// contactPattern finds both; where both match, the e-mail address.
	contactPattern = regexp.MustCompile(emailPattern.String() + `|` + phonePattern.String())
)

// Redact removes e-mail addresses and phone numbers from text that residents wrote and
// that others may read (a report's description in Open311, a task on a crew's phone, an
// initiative's title on the public map): residents sometimes put their own details
// there, and those are personal data. It finds them also when written with other
// digits, spaces and dashes than ASCII's (a phone pastes 06 12345678 with a
// non-breaking space; fullwidth ０６), and keeps the rest of the text as it was.
func Redact(s string) string {
	folded, ascii := fold(s)
	if ascii {
		return contactPattern.ReplaceAllString(s, Redacted)
	}
	// fold keeps one rune for each rune, so a match's runes are the original's.
	matches := contactPattern.FindAllStringIndex(folded, -1)
	if matches == nil {
		return s
	}
	orig := []rune(s)
	var b strings.Builder
	at := 0 // rune index in orig of folded's byte offset pos
	pos := 0
	runeIndex := func(to int) int {
		at += utf8.RuneCountInString(folded[pos:to])
		pos = to
		return at
	}
	last := 0
	for _, m := range matches {
		start := runeIndex(m[0])
		end := runeIndex(m[1])
		b.WriteString(string(orig[last:start]))
		b.WriteString(Redacted)
		last = end
	}
	b.WriteString(string(orig[last:]))
	return b.String()
}

// fold maps each rune of s to one rune: every decimal digit to 0-9 (the value does not
// matter for finding a number, so any digit becomes 0 unless it is ASCII), spaces of
// any kind (and zero-width ones) to a space, dashes and minus signs to -, and fullwidth
// ASCII forms to ASCII. It also says whether s was all ASCII: then nothing changed.
func fold(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s, true
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r < utf8.RuneSelf:
			return r
		case r >= 0xFF01 && r <= 0xFF5E: // fullwidth ！ to ～
			return r - 0xFEE0
		case unicode.IsDigit(r):
			return '0'
		case unicode.Is(unicode.Zs, r), r == '\u200b', r == '\u200c', r == '\u200d', r == '\u2060', r == '\ufeff':
			return ' '
		case unicode.Is(unicode.Pd, r), r == '\u2212':
			return '-'
		case r == '\ufe6b': // small commercial at
			return '@'
		}
		return r
	}, s), false
}
