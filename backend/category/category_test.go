package category

import (
	"strings"
	"testing"
)

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

// An option's English name is in options_en, in the same order; without one the name is
// the option (the value) itself. A tree with English names that do not match the
// options is refused.
func TestOptionNames(t *testing.T) {
	q := Question{Key: "state", TextNL: "Hoe?", Options: []string{"uit", "knippert"}, OptionsEN: []string{"out", "flickering"}}
	if q.OptionName(1, "en") != "flickering" || q.OptionName(1, "nl") != "knippert" {
		t.Errorf("names = %q, %q", q.OptionName(1, "en"), q.OptionName(1, "nl"))
	}
	old := Question{Key: "state", TextNL: "Hoe?", Options: []string{"uit"}} // stored before options_en
	if old.OptionName(0, "en") != "uit" || old.Check() != nil {
		t.Errorf("without options_en: %q, %v", old.OptionName(0, "en"), old.Check())
	}
	tree := `{"categories": [{"code": "licht", "name_nl": "Licht", "children": [{"code": "licht.lamp", "name_nl": "Lamp",
  "department": "stedelijk_beheer", "questions": [{"key": "state", "text_nl": "Hoe?", "type": "choice",
  "options": ["uit", "knippert"], "options_en": ["out"]}]}]}]}`
	if _, err := ParseTree(strings.NewReader(tree)); err == nil || !strings.Contains(err.Error(), "licht.lamp") {
		t.Errorf("ParseTree with one English name for two options = %v", err)
	}
	cats, err := ParseTree(strings.NewReader(strings.Replace(tree, `["out"]`, `["out", "flickering"]`, 1)))
	if err != nil || len(cats) != 2 || cats[1].Questions[0].OptionName(0, "en") != "out" {
		t.Errorf("ParseTree = %+v, %v", cats, err)
	}
}
