package initiative

import (
	"net/mail"
	"strings"

	"wijkwerk/backend/problem"
)

// Limits on contact details, the same as for report contacts.
const (
	MaxEmail = 254
	MaxPhone = 32
)

// normalize trims the contact details and says which are not valid. The rules are those
// of report contacts (package report), repeated here because report intake calls
// LevelAt, so this package cannot import report.
func (c *Contact) normalize(f *fieldErrors) {
	c.Name = strings.TrimSpace(c.Name)
	text(f, "contact.name", c.Name, 1, MaxName)
	c.Email = strings.TrimSpace(c.Email)
	if e := c.Email; e != "" {
		if len(e) > MaxEmail {
			f.add("contact.email", problem.T("Het e-mailadres is te lang.", "The email address is too long."))
		} else if a, err := mail.ParseAddress(e); err != nil || a.Address != e || !strings.Contains(e, "@") {
			f.add("contact.email", problem.T("Dit e-mailadres klopt niet.", "This email address is not valid."))
		}
	}
	c.Phone = strings.TrimSpace(c.Phone)
	if p := c.Phone; p != "" && !validPhone(p) {
		f.add("contact.phone", problem.T("Dit telefoonnummer klopt niet.", "This phone number is not valid."))
	}
	if c.Email == "" && c.Phone == "" {
		f.add("contact.email", problem.T("Geef een e-mailadres of telefoonnummer, zodat de wijkbeheerder u kan bereiken.",
			"Give an email address or phone number, so the planner can reach you."))
	}
}

func validPhone(p string) bool {
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

// NormalizeCode accepts what people type: lower case, spaces, a missing dash, O for 0
// and I for 1 (as report tracking codes).
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.NewReplacer(" ", "", "-", "", "O", "0", "I", "1").Replace(s)
	if len(s) != 10 {
		return s
	}
	return s[:5] + "-" + s[5:]
}
