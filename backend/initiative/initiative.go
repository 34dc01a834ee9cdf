// Package initiative holds residents' initiatives (bewonersinitiatieven): residents who
// want a place above the basic quality level propose a polygon, commit their own effort
// and ask for materials and guidance; a planner approves or rejects. Approval creates
// support jobs for the crew and raises the quality level inside the polygon, so routine
// jobs there carry the higher specification, until the initiative is paused or ended.
//
// It also holds the basic quality levels (CROW beeldkwaliteit) per area and theme, and
// LevelAt, which says which level applies at a point.
package initiative

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"wijkwerk/backend/problem"
)

// Themes are the parts of public space that have a quality level.
var Themes = []string{"green", "paving", "cleanliness", "furniture"}

// Levels is the CROW scale, best first.
var Levels = []string{"A+", "A", "B", "C", "D"}

// DefaultLevel is the basic level of an area that nobody set.
const DefaultLevel = "B"

// ValidTheme reports whether t is one of Themes.
func ValidTheme(t string) bool { return indexOf(Themes, t) >= 0 }

// ValidLevel reports whether l is on the CROW scale.
func ValidLevel(l string) bool { return indexOf(Levels, l) >= 0 }

// Better reports whether level a is above level b on the CROW scale.
func Better(a, b string) bool {
	ia, ib := indexOf(Levels, a), indexOf(Levels, b)
	return ia >= 0 && ib >= 0 && ia < ib
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// Status is where an initiative is in its life.
type Status string

// The initiative states: proposed → approved → active (residents logged work) ⇄ paused →
// ended, and proposed → rejected.
const (
	Proposed Status = "proposed"
	Approved Status = "approved"
	Active   Status = "active"
	Paused   Status = "paused"
	Ended    Status = "ended"
	Rejected Status = "rejected"
)

// Statuses lists every status, for filters.
var Statuses = []Status{Proposed, Approved, Active, Paused, Ended, Rejected}

// statusNames are the statuses in words, as the apps show them, for messages.
var statusNames = map[Status]problem.Text{
	Proposed: problem.T("voorgesteld", "proposed"),
	Approved: problem.T("goedgekeurd", "approved"),
	Active:   problem.T("loopt", "running"),
	Paused:   problem.T("gepauzeerd", "paused"),
	Ended:    problem.T("afgelopen", "ended"),
	Rejected: problem.T("afgewezen", "rejected"),
}

// withStatus formats nl and en, each with one %q, with s in words in that language.
func withStatus(nl, en string, s Status) problem.Text {
	n, ok := statusNames[s]
	if !ok {
		n = problem.T(string(s), string(s))
	}
	return problem.Text{NL: fmt.Sprintf(nl, n.NL), EN: fmt.Sprintf(en, n.EN)}
}

// audience is who reads a problem about a proposal: the residents who draw it, or the
// planner who decides on it and cannot redraw it.
type audience int

const (
	toResidents audience = iota
	toPlanner
)

// Raised reports whether an initiative in s raises the level of its polygon.
func (s Status) Raised() bool { return s == Approved || s == Active }

// HoldsPlace reports whether an initiative in s holds its polygon for its theme: raised,
// or paused (it may resume). No other initiative of the theme may overlap it, and the
// public map shows it, so that residents can find what blocks their proposal.
func (s Status) HoldsPlace() bool { return s.Raised() || s == Paused }

// holdsPlaceSQL is HoldsPlace as SQL, on initiatives i.
const holdsPlaceSQL = "i.status IN ('approved', 'active', 'paused')"

// Action is a planner's decision on an initiative.
type Action string

// The planner's actions.
const (
	Approve Action = "approve"
	Reject  Action = "reject"
	Pause   Action = "pause"
	Resume  Action = "resume"
	End     Action = "end"
)

// Limits on what residents send.
const (
	MinAreaM2          = 20.0
	MaxAreaM2          = 20000.0
	MaxVertices        = 1000
	MaxTitle           = 100
	MinTitle           = 3
	MaxDescription     = 2000
	MaxTasks           = 1000
	MaxHoursPerMonth   = 1000
	MaxPeople          = 500
	MaxMaterials       = 30
	MaxItem            = 100
	MaxUnit            = 20
	MaxQuantity        = 100000
	MaxGuidanceHours   = 100
	MaxName            = 100
	MaxWhat            = 500
	MaxHoursPerPerson  = 24
	MaxConditionLength = 2000
)

// Proposal is an initiative as residents send it.
type Proposal struct {
	// Polygon is the place, in WGS84 (lon, lat), as GeoJSON; see ParsePolygon.
	Polygon     json.RawMessage `json:"polygon"`
	Theme       string          `json:"theme"`
	TargetLevel string          `json:"target_level"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Commitment  Commitment      `json:"commitment"`
	Requests    Requests        `json:"requests"`
	Contact     Contact         `json:"contact"`
}

// Commitment is what residents promise to do.
type Commitment struct {
	Tasks         string  `json:"tasks"`
	HoursPerMonth float64 `json:"hours_per_month"`
	People        int     `json:"people"`
}

// Requests is what residents ask from the municipality.
type Requests struct {
	Materials     []Material `json:"materials"`
	GuidanceHours float64    `json:"guidance_hours"`
}

// Material is one thing residents ask for, with how much.
type Material struct {
	Item     string  `json:"item"`
	Quantity float64 `json:"quantity"`
	Unit     string  `json:"unit"`
}

// Contact is who proposed the initiative: personal data, stored apart and erased after
// the initiative closes. It follows the rules of report contacts.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

type fieldErrors []problem.Field

func (f *fieldErrors) add(name string, reason problem.Text) {
	*f = append(*f, problem.Field{Name: name, Reason: reason})
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &problem.Error{Kind: problem.ValidationFailed, Detail: f[0].Reason, Fields: f}
}

// Validate checks what can be checked without the database and normalises p. The
// polygon is checked by ParsePolygon and in PostGIS.
func (p *Proposal) Validate() error {
	var f fieldErrors
	p.Theme = strings.TrimSpace(p.Theme)
	if !ValidTheme(p.Theme) {
		f.add("theme", problem.T("Kies een thema: green (groen), paving (verharding), cleanliness (schoon) of furniture (meubilair).",
			"Choose a theme: green, paving, cleanliness or furniture."))
	}
	p.TargetLevel = strings.ToUpper(strings.TrimSpace(p.TargetLevel))
	if !ValidLevel(p.TargetLevel) {
		f.add("target_level", problem.T("Kies een niveau: A+, A, B, C of D.", "Choose a level: A+, A, B, C or D."))
	}
	p.Title = strings.TrimSpace(p.Title)
	text(&f, "title", p.Title, MinTitle, MaxTitle)
	p.Description = strings.TrimSpace(p.Description)
	text(&f, "description", p.Description, 0, MaxDescription)

	c := &p.Commitment
	c.Tasks = strings.TrimSpace(c.Tasks)
	text(&f, "commitment.tasks", c.Tasks, 1, MaxTasks)
	c.HoursPerMonth = hundredths(c.HoursPerMonth)
	if !finite(c.HoursPerMonth) || c.HoursPerMonth <= 0 || c.HoursPerMonth > MaxHoursPerMonth {
		f.add("commitment.hours_per_month", problem.Sprintf("Geef op hoeveel uur per maand u samen doet: minstens 0,01 en hoogstens %d. We ronden af op 0,01 uur.",
			"Give how many hours a month you do together: at least 0.01 and at most %d. We round to 0.01 hours.", MaxHoursPerMonth))
	}
	if c.People < 1 || c.People > MaxPeople {
		f.add("commitment.people", problem.Sprintf("Geef op met hoeveel mensen u het doet (1 tot %d).",
			"Give how many people take part (1 to %d).", MaxPeople))
	}

	r := &p.Requests
	if len(r.Materials) > MaxMaterials {
		f.add("requests.materials", problem.Sprintf("Vraag hoogstens %d soorten materiaal.", "Ask for at most %d kinds of material.", MaxMaterials))
	}
	for i := range r.Materials {
		m := &r.Materials[i]
		name := "requests.materials." + strconv.Itoa(i)
		m.Item, m.Unit = strings.TrimSpace(m.Item), strings.TrimSpace(m.Unit)
		if m.Unit == "" {
			m.Unit = "stuks"
		}
		text(&f, name+".item", m.Item, 1, MaxItem)
		text(&f, name+".unit", m.Unit, 1, MaxUnit)
		if !finite(m.Quantity) || m.Quantity <= 0 || m.Quantity > MaxQuantity {
			f.add(name+".quantity", problem.T("Geef een aantal groter dan 0.", "Give a quantity above 0."))
		}
	}
	r.GuidanceHours = hundredths(r.GuidanceHours)
	if !finite(r.GuidanceHours) || r.GuidanceHours < 0 || r.GuidanceHours > MaxGuidanceHours {
		f.add("requests.guidance_hours", problem.Sprintf("Vraag tussen 0 en %d uur begeleiding.",
			"Ask for between 0 and %d hours of guidance.", MaxGuidanceHours))
	}

	p.Contact.normalize(&f)
	return f.err()
}

// text checks a free text field: valid UTF-8, between min and max characters.
func text(f *fieldErrors, name, s string, minLen, maxLen int) {
	if !utf8.ValidString(s) {
		f.add(name, problem.T("Deze tekst bevat ongeldige tekens.", "This text contains invalid characters."))
		return
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && minLen > 0:
		f.add(name, problem.T("Vul dit in.", "Fill this in."))
	case n < minLen:
		f.add(name, problem.Sprintf("Dit is te kort: het moeten minstens %d tekens zijn.", "Too short: at least %d characters.", minLen))
	case n > maxLen:
		f.add(name, problem.Sprintf("Dit is te lang: %d tekens. Het mogen er %d zijn.",
			"Too long: %d characters. At most %d are allowed.", n, maxLen))
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// hundredths rounds hours as the database keeps them (numeric(7,2)), before they are
// checked: 0.004 hours is then 0 and refused, not a constraint violation, and what the
// answer says is what was stored.
func hundredths(x float64) float64 { return math.Round(x*100) / 100 }

// Contribution is work residents logged on an initiative.
type Contribution struct {
	Date   string  `json:"date"` // YYYY-MM-DD
	Hours  float64 `json:"hours"`
	What   string  `json:"what"`
	People int     `json:"people"`
}

// validate checks c against today (a date in the municipality's time zone).
func (c *Contribution) validate(today time.Time) (time.Time, error) {
	var f fieldErrors
	day, err := time.Parse(time.DateOnly, strings.TrimSpace(c.Date))
	if err != nil {
		f.add("date", problem.T("Geef de datum als JJJJ-MM-DD.", "Give the date as YYYY-MM-DD."))
	} else if day.After(today) {
		f.add("date", problem.T("De datum ligt in de toekomst.", "The date is in the future."))
	}
	if c.People == 0 {
		c.People = 1
	}
	if c.People < 1 || c.People > MaxPeople {
		f.add("people", problem.Sprintf("Geef op met hoeveel mensen (1 tot %d).", "Give how many people (1 to %d).", MaxPeople))
	}
	c.Hours = hundredths(c.Hours)
	if !finite(c.Hours) || c.Hours <= 0 || c.Hours > float64(MaxHoursPerPerson*max(c.People, 1)) {
		f.add("hours", problem.Sprintf("Geef de uren van u samen: minstens 0,01 uur en hoogstens %d uur per persoon. We ronden af op 0,01 uur.",
			"Give your hours together: at least 0.01 hours and at most %d hours per person. We round to 0.01 hours.", MaxHoursPerPerson))
	}
	c.What = strings.TrimSpace(c.What)
	text(&f, "what", c.What, 1, MaxWhat)
	return day, f.err()
}

// The problems of a proposal's polygon and place. Their types are part of the API.
var (
	NotAPolygon = problem.Kind{Type: "initiative-not-a-polygon", Status: 422,
		Title: problem.T("Teken één vlak", "Draw one polygon")}
	InvalidPolygon = problem.Kind{Type: "initiative-invalid-polygon", Status: 422,
		Title: problem.T("Het getekende vlak klopt niet", "The polygon is not valid")}
	TooSmall = problem.Kind{Type: "initiative-too-small", Status: 422,
		Title: problem.T("Het vlak is te klein", "The polygon is too small")}
	TooLarge = problem.Kind{Type: "initiative-too-large", Status: 422,
		Title: problem.T("Het vlak is te groot", "The polygon is too large")}
	OutsideNeighbourhood = problem.Kind{Type: "initiative-outside-neighbourhood", Status: 422,
		Title: problem.T("Het vlak ligt niet in een buurt waar wij werken", "The polygon is not inside a neighbourhood we serve")}
	SpansNeighbourhoods = problem.Kind{Type: "initiative-spans-neighbourhoods", Status: 422,
		Title: problem.T("Het vlak ligt in meer dan één buurt", "The polygon lies in more than one neighbourhood")}
	Overlap = problem.Kind{Type: "initiative-overlap", Status: 422,
		Title: problem.T("Hier ligt al een initiatief met hetzelfde thema", "Another initiative of this theme holds this place")}
	LevelNotHigher = problem.Kind{Type: "initiative-level-not-higher", Status: 422,
		Title: problem.T("Het gewenste niveau is niet hoger dan het basisniveau", "The target level is not above the basic level")}
)

// Kinds lists this package's problem kinds, for the problem documentation.
func Kinds() []problem.Kind {
	return []problem.Kind{NotAPolygon, InvalidPolygon, TooSmall, TooLarge, OutsideNeighbourhood, SpansNeighbourhoods, Overlap, LevelNotHigher}
}

func errNotFound() error {
	return problem.NotFound.New(problem.T(
		"We kennen dit initiatief niet. Controleer de code en probeer het opnieuw.",
		"We do not know this initiative. Check the code and try again."))
}
