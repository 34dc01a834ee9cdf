// Package plaintext cleans the free texts people type (residents' reports, crews' notes
// and reasons, the desk's names, notes and reasons) before they are stored and shown to
// others.
package plaintext

import "strings"

// StripControls removes the control characters a phone or an app may let through into
// a text that is shown to others (Open311, the tracking page, crew phones, the desk):
// terminal escapes, the bell, vertical tabs, the bidirectional overrides and marks that
// make text read differently from what it is, and invisible spaces. Line breaks (any
// kind, as \n) and tabs stay; joiners stay (emoji and some scripts need them); NUL
// stays, for a validation to refuse.
func StripControls(s string) string {
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == 0:
			return r
		case r == '\r', r == '\u2028', r == '\u2029': // an old Mac's line break; Unicode's line and paragraph separators
			return '\n'
		case r == '\u200b', r == '\u2060', r == '\ufeff': // zero-width space, word joiner, byte order mark
			return -1
		case r == '\u200e', r == '\u200f', r == '\u061c': // direction marks
			return -1
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
