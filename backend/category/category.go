// Package category holds the report categories (meldingcategorieën): which department
// handles each, how many working days it may take, the crew effort it usually needs and
// whether a trainee may do it.
package category

import (
	"encoding/json"
	"fmt"
	"io"
	"wijkwerk/backend/plaintext"
)

// Department is the part of the wijkbedrijf that handles a category.
type Department string

// The departments.
const (
	Wijkbeheer      Department = "wijkbeheer"
	Afval           Department = "afval"
	Accommodaties   Department = "accommodaties"
	StedelijkBeheer Department = "stedelijk_beheer"
	Handhaving      Department = "handhaving"
)

// Valid reports whether d is a known department.
func (d Department) Valid() bool {
	switch d {
	case Wijkbeheer, Afval, Accommodaties, StedelijkBeheer, Handhaving:
		return true
	}
	return false
}

// departmentNames are the departments in words, Dutch and English, lower case.
var departmentNames = map[Department][2]string{
	Wijkbeheer:      {"wijkbeheer", "neighbourhood maintenance"},
	Afval:           {"afval", "waste"},
	Accommodaties:   {"accommodaties", "facilities"},
	StedelijkBeheer: {"stedelijk beheer", "urban maintenance"},
	Handhaving:      {"handhaving", "enforcement"},
}

// Name is d in words in lang ("en" or Dutch), lower case; "" for an unknown department.
func (d Department) Name(lang string) string { return inLang(departmentNames[d], lang) }

// themeNames are the CROW quality themes in words, as the apps show them, lower case.
var themeNames = map[string][2]string{
	"green":       {"groen", "green"},
	"paving":      {"bestrating", "paving"},
	"cleanliness": {"schoon", "cleanliness"},
	"furniture":   {"straatmeubilair", "street furniture"},
}

// ThemeName is a category's theme in words in lang ("en" or Dutch), lower case; "" for a
// theme we do not know.
func ThemeName(theme, lang string) string { return inLang(themeNames[theme], lang) }

func inLang(names [2]string, lang string) string {
	if lang == "en" {
		return names[1]
	}
	return names[0]
}

// TraineeRule says whether a trainee may do a category's work.
type TraineeRule string

// The trainee rules.
const (
	TraineeAlone  TraineeRule = "alone"  // a trainee may do it alone
	TraineePaired TraineeRule = "paired" // only with a specialist on the same job
	TraineeNo     TraineeRule = "no"     // specialists only
)

// NeedsSpecialist reports whether work under rule r may only go to a team with at least
// one specialist: for "no" a specialist must do it, for "paired" one must be there to
// pair with.
func (r TraineeRule) NeedsSpecialist() bool { return r == TraineePaired || r == TraineeNo }

// Category is a main category (no department, only children) or a sub category that
// reports are filed under.
type Category struct {
	Code          string      `json:"code"`
	ParentCode    string      `json:"parent_code,omitempty"`
	NameNL        string      `json:"name_nl"`
	NameEN        string      `json:"name_en"`
	Icon          string      `json:"icon,omitempty"`
	Department    Department  `json:"department,omitempty"`
	HandlingDays  int         `json:"handling_days"`
	EffortMinutes int         `json:"effort_minutes"`
	Trainee       TraineeRule `json:"trainee,omitempty"`
	Theme         string      `json:"theme,omitempty"`
	Urgent        bool        `json:"urgent"`
	Questions     []Question  `json:"questions,omitempty"`
	SortOrder     int         `json:"-"`
}

// Question is an extra question a category asks with a report.
type Question struct {
	Key    string `json:"key"`
	TextNL string `json:"text_nl"`
	TextEN string `json:"text_en"`
	Type   string `json:"type,omitempty"` // "choice", "text" or "bool"
	// Options are the answers to choose from: each is the value a client sends and an
	// answer is stored and checked with, and its Dutch name. They never change once
	// answers use them.
	Options []string `json:"options,omitempty"`
	// OptionsEN are the English names of Options, in the same order; left out (or
	// empty, as in questions stored before it existed), the English name is the value.
	OptionsEN []string `json:"options_en,omitempty"`
	Required  bool     `json:"required,omitempty"`
}

// OptionName is the name of the i-th option in lang ("en" or Dutch): the option itself
// in Dutch, or its English name where it has one.
func (q Question) OptionName(i int, lang string) string {
	if lang == "en" && i < len(q.OptionsEN) && q.OptionsEN[i] != "" {
		return q.OptionsEN[i]
	}
	return q.Options[i]
}

// Check says what is wrong with q, or nil: it needs a key and a Dutch text, English
// option names, if any, one for each option, and no two options (or English names)
// alike, which a resident could not tell apart.
func (q Question) Check() error {
	switch {
	case q.Key == "" || q.TextNL == "":
		return fmt.Errorf("a question has no key or Dutch text")
	case len(q.OptionsEN) > 0 && len(q.OptionsEN) != len(q.Options):
		return fmt.Errorf("question %s has %d English option names for %d options", q.Key, len(q.OptionsEN), len(q.Options))
	case q.RepeatsOption():
		return fmt.Errorf("question %s has two options alike", q.Key)
	}
	return nil
}

// RepeatsOption reports whether two options of q, or two of their English names, are
// the same.
func (q Question) RepeatsOption() bool { return repeats(q.Options) || repeats(q.OptionsEN) }

func repeats(names []string) bool {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return true
		}
		seen[n] = true
	}
	return false
}

// CleanTexts takes control characters out of the names, questions and options that
// residents read (plaintext.Name), as every other text people type: an option with a
// hidden character could never be answered, since answers are cleaned too.
func (c *Category) CleanTexts() {
	c.NameNL, c.NameEN = plaintext.Name(c.NameNL), plaintext.Name(c.NameEN)
	for i := range c.Questions {
		q := &c.Questions[i]
		q.TextNL, q.TextEN = plaintext.Name(q.TextNL), plaintext.Name(q.TextEN)
		for j := range q.Options {
			q.Options[j] = plaintext.Name(q.Options[j])
		}
		for j := range q.OptionsEN {
			q.OptionsEN[j] = plaintext.Name(q.OptionsEN[j])
		}
	}
}

// Reportable reports whether residents can file reports under c (a sub category).
func (c Category) Reportable() bool { return c.Department != "" }

// Name returns the name in lang ("en" or Dutch).
func (c Category) Name(lang string) string {
	if lang == "en" && c.NameEN != "" {
		return c.NameEN
	}
	return c.NameNL
}

type treeFile struct {
	Categories []treeNode `json:"categories"`
}

type treeNode struct {
	Category
	Children []treeNode `json:"children"`
}

// ParseTree reads the category tree format of shared/data/categories.json and returns the
// categories flattened, parents before children.
func ParseTree(r io.Reader) ([]Category, error) {
	var f treeFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("category: parse tree: %w", err)
	}
	var out []Category
	seen := map[string]bool{}
	var walk func(nodes []treeNode, parent string) error
	walk = func(nodes []treeNode, parent string) error {
		for _, n := range nodes {
			c := n.Category
			c.ParentCode = parent
			c.SortOrder = len(out)
			if c.Code == "" || c.NameNL == "" {
				return fmt.Errorf("category: parse tree: a category under %q has no code or Dutch name", parent)
			}
			if seen[c.Code] {
				return fmt.Errorf("category: parse tree: code %q appears twice", c.Code)
			}
			seen[c.Code] = true
			if c.Department != "" && !c.Department.Valid() {
				return fmt.Errorf("category: parse tree: %s: unknown department %q", c.Code, c.Department)
			}
			for _, q := range c.Questions {
				if err := q.Check(); err != nil {
					return fmt.Errorf("category: parse tree: %s: %w", c.Code, err)
				}
			}
			if c.Trainee == "" {
				c.Trainee = TraineeAlone
			}
			switch c.Trainee {
			case TraineeAlone, TraineePaired, TraineeNo:
			default:
				return fmt.Errorf("category: parse tree: %s: unknown trainee rule %q", c.Code, c.Trainee)
			}
			out = append(out, c)
			if err := walk(n.Children, c.Code); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(f.Categories, ""); err != nil {
		return nil, err
	}
	return out, nil
}
