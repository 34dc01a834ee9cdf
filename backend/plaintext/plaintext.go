// Package plaintext cleans the free texts people type (residents' reports, crews' notes
// and reasons, the desk's names, notes and reasons) before they are stored and shown to
// others.
package plaintext

import "strings"

// StripControls removes the control characters a phone or an app may let through into
// a text that is shown to others (Open311, the tracking page, crew phones, the desk):
// terminal escapes, the bell, vertical tabs, and the bidirectional overrides that make
// text read differently from what it is. Line breaks and tabs stay; NUL stays, for a
// validation to refuse.
func StripControls(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == 0:
			return r
		case r == '\r':
			return -1 // \r\n is a line break; a lone \r is not one we keep
		case r < 0x20, r >= 0x7F && r < 0xA0: // C0 and C1 controls, DEL
			return -1
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
			return -1
		}
		return r
	}, s)
}

// Clean is s without control characters (StripControls) and without spaces around it.
func Clean(s string) string { return strings.TrimSpace(StripControls(s)) }

// Name is a one-line name: s cleaned, with line breaks and tabs as spaces.
func Name(s string) string {
	return strings.Join(strings.Fields(StripControls(s)), " ")
}
