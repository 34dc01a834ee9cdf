// Package contact checks the contact details residents leave (personal data under the
// AVG): one set of rules for reports, supports and initiatives.
package contact

import (
	"net/mail"
	"strings"

	"wijkwerk/backend/problem"
)

// Limits on contact details.
const (
	MaxEmail = 254
	MaxPhone = 32
)

// Normalize trims an e-mail address and a phone number in place and returns what is
// wrong with them, as fields "contact.email" and "contact.phone". Empty values are fine.
func Normalize(email, phone *string) []problem.Field {
	var fields []problem.Field
	*email = strings.TrimSpace(*email)
	if e := *email; e != "" {
		if len(e) > MaxEmail {
			fields = append(fields, problem.Field{Name: "contact.email", Reason: problem.T("Het e-mailadres is te lang.", "The email address is too long.")})
		} else if a, err := mail.ParseAddress(e); err != nil || a.Address != e || !strings.Contains(e, "@") {
			fields = append(fields, problem.Field{Name: "contact.email", Reason: problem.T("Dit e-mailadres klopt niet.", "This email address is not valid.")})
		}
	}
	*phone = strings.TrimSpace(*phone)
	if p := *phone; p != "" && !ValidPhone(p) {
		fields = append(fields, problem.Field{Name: "contact.phone", Reason: problem.T("Dit telefoonnummer klopt niet.", "This phone number is not valid.")})
	}
	return fields
}

// ValidPhone accepts Dutch and international numbers: 6 to 15 digits, with spaces,
// dashes, brackets and a leading plus.
func ValidPhone(p string) bool {
	if len(p) > MaxPhone {
		return false
	}
	digits := 0
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}
