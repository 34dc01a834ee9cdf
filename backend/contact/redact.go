package contact

import "regexp"

// Redacted replaces contact details in public text.
const Redacted = "[verwijderd]"

var (
	emailPattern = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(\.[\p{L}\p{N}\-]+)+`)
	// A phone number: an optional + or (, then 9 to 15 digits, any two of them apart by
	// at most three spaces, dashes, dots, slashes or brackets: 06-12345678,
	// +31 (0)6 1234 5678, 0314 123 456, (0314) 123456, 06 - 12345678, 06/12345678.
	// House numbers, postcodes, dates and times have fewer digits and stay.
	phonePattern = regexp.MustCompile(`\+?\(?\d(?:[ \-./()]{0,3}\d){8,14}`)
)

// Redact removes e-mail addresses and phone numbers from text that residents wrote and
// that others may read (a report's description in Open311): residents sometimes put
// their own details there, and those are personal data.
func Redact(s string) string {
	s = emailPattern.ReplaceAllString(s, Redacted)
	return phonePattern.ReplaceAllString(s, Redacted)
}
