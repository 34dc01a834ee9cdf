package initiative

import (
	"strings"

	"wijkwerk/backend/contact"
	"wijkwerk/backend/problem"
)

// normalize trims the contact details and says which are not valid, by the same rules
// as report contacts (package contact).
func (c *Contact) normalize(f *fieldErrors) {
	c.Name = strings.TrimSpace(c.Name)
	text(f, "contact.name", c.Name, 1, MaxName)
	for _, fe := range contact.Normalize(&c.Email, &c.Phone) {
		f.add(fe.Name, fe.Reason)
	}
	if c.Email == "" && c.Phone == "" {
		f.add("contact.email", problem.T("Geef een e-mailadres of telefoonnummer, zodat de wijkbeheerder u kan bereiken.",
			"Give an email address or phone number, so the planner can reach you."))
	}
}
