package category

import "testing"

// Every department and theme has words in both languages, so no internal code reaches
// residents.
func TestNames(t *testing.T) {
	for _, d := range []Department{Wijkbeheer, Afval, Accommodaties, StedelijkBeheer, Handhaving} {
		if d.Name("nl") == "" || d.Name("en") == "" {
			t.Errorf("department %s has no name", d)
		}
	}
	if StedelijkBeheer.Name("nl") != "stedelijk beheer" || StedelijkBeheer.Name("en") != "urban maintenance" {
		t.Errorf("stedelijk_beheer = %q, %q", StedelijkBeheer.Name("nl"), StedelijkBeheer.Name("en"))
	}
	for _, theme := range []string{"green", "paving", "cleanliness", "furniture"} {
		if ThemeName(theme, "nl") == "" || ThemeName(theme, "en") == "" {
			t.Errorf("theme %s has no name", theme)
		}
	}
	if Department("x").Name("nl") != "" || ThemeName("x", "en") != "" {
		t.Error("an unknown code got a name")
	}
}
