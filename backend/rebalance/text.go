package rebalance

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"wijkwerk/backend/category"
	"wijkwerk/backend/problem"
)

// Utilisation is load over capacity (1 = 100%). In JSON it has four decimals, and a
// team with work but no hours (+Inf) is null.
type Utilisation float64

// MarshalJSON writes null for +Inf.
func (u Utilisation) MarshalJSON() ([]byte, error) {
	f := float64(u)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, math.Round(f*1e4)/1e4, 'f', -1, 64), nil
}

// UnmarshalJSON reads null as +Inf.
func (u *Utilisation) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*u = Utilisation(math.Inf(1))
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*u = Utilisation(f)
	return nil
}

// percent writes a utilisation: "125%", or "no hours left" for +Inf.
func percent(u float64, lang string) string {
	if math.IsInf(u, 0) {
		if lang == "en" {
			return "no hours left"
		}
		return "geen uren over"
	}
	return fmt.Sprintf("%.0f%%", u*100)
}

// km writes a distance, with a decimal comma in Dutch.
func km(d float64, lang string) string {
	s := fmt.Sprintf("%.1f km", d)
	if lang == "en" {
		return s
	}
	return strings.Replace(s, ".", ",", 1)
}

// reason explains a move in plain Dutch (B1) and English: why the giving team, why the
// receiving team, and how far the job is from the receiving team's area.
func reason(from, to Team, fromUtil, toUtil float64, o option, rule category.TraineeRule) problem.Text {
	return problem.Text{
		NL: reasonIn("nl", from, to, fromUtil, toUtil, o, rule),
		EN: reasonIn("en", from, to, fromUtil, toUtil, o, rule),
	}
}

func reasonIn(lang string, from, to Team, fromUtil, toUtil float64, o option, rule category.TraineeRule) string {
	w := map[string][5]string{
		"nl": {"%s heeft deze week werk, maar geen uren.", "%s heeft te veel werk (%s van de uren deze week).", " %s is minder vol (%s van de uren).",
			" Deze ploeg werkt in het gebied ernaast; de plek ligt op %s.", " Deze ploeg werkt ook in dit gebied; de plek ligt op %s."},
		"en": {"%s has work this week, but no hours.", "%s has too much work (%s of this week's hours).", " %s is less full (%s of its hours).",
			" This crew works in the area next to it; the place is %s away.", " This crew works in this area too; the place is %s away."},
	}[lang]
	var b strings.Builder
	if math.IsInf(fromUtil, 0) {
		fmt.Fprintf(&b, w[0], from.Name)
	} else {
		fmt.Fprintf(&b, w[1], from.Name, percent(fromUtil, lang))
	}
	fmt.Fprintf(&b, w[2], to.Name, percent(toUtil, lang))
	if o.adjacent {
		fmt.Fprintf(&b, w[3], km(o.travelKm, lang))
	} else {
		fmt.Fprintf(&b, w[4], km(o.travelKm, lang))
	}
	if rule.NeedsSpecialist() {
		if lang == "en" {
			b.WriteString(" The crew has a specialist, which this work needs.")
		} else {
			b.WriteString(" Er is een vakspecialist in de ploeg, dat is nodig voor dit werk.")
		}
	}
	return b.String()
}

// changedText says what changed since a proposal was made, in short sentences, and that
// nothing moved: efforts is the number of its jobs whose effort estimate changed, teams
// the receiving teams that would now be too full.
func changedText(efforts int, teams []TeamChange) problem.Text {
	var nl, en []string
	switch {
	case efforts == 1:
		nl = append(nl, "De geschatte tijd van een werkorder in dit voorstel is veranderd.")
		en = append(en, "The estimated time of a job in this proposal has changed.")
	case efforts > 1:
		nl = append(nl, fmt.Sprintf("De geschatte tijd van %d werkorders in dit voorstel is veranderd.", efforts))
		en = append(en, fmt.Sprintf("The estimated time of %d jobs in this proposal has changed.", efforts))
	}
	for _, c := range teams {
		switch {
		case c.NoDaysLeft:
			nl = append(nl, fmt.Sprintf("Bij %s werkt deze week niemand meer.", c.Name))
			en = append(en, fmt.Sprintf("No one works in %s for the rest of this week.", c.Name))
			continue
		case c.CapacityHours <= 0:
			nl = append(nl, fmt.Sprintf("%s heeft deze week geen uren meer. In het voorstel waren dat er %s uur.", c.Name, hours(c.ProposedCapacityHours, "nl")))
			en = append(en, fmt.Sprintf("%s has no hours left this week. The proposal counted %s hours.", c.Name, hours(c.ProposedCapacityHours, "en")))
			continue
		case c.CapacityHours < c.ProposedCapacityHours:
			nl = append(nl, fmt.Sprintf("%s heeft deze week minder uren: nu %s uur, in het voorstel %s uur.", c.Name,
				hours(c.CapacityHours, "nl"), hours(c.ProposedCapacityHours, "nl")))
			en = append(en, fmt.Sprintf("%s has fewer hours this week: %s hours now, %s in the proposal.", c.Name,
				hours(c.CapacityHours, "en"), hours(c.ProposedCapacityHours, "en")))
		default:
			nl = append(nl, fmt.Sprintf("%s heeft intussen meer werk: nu %s uur, in het voorstel %s uur.", c.Name,
				hours(c.LoadHours, "nl"), hours(c.ProposedLoadHours, "nl")))
			en = append(en, fmt.Sprintf("%s has more work in the meantime: %s hours now, %s in the proposal.", c.Name,
				hours(c.LoadHours, "en"), hours(c.ProposedLoadHours, "en")))
		}
		nl = append(nl, fmt.Sprintf("Met dit voorstel krijgt de ploeg %s van de uren.", percent(float64(c.Utilisation), "nl")))
		en = append(en, fmt.Sprintf("With this proposal the crew would be at %s of its hours.", percent(float64(c.Utilisation), "en")))
	}
	nl = append(nl, "Er is niets verplaatst. Vraag een nieuw voorstel aan.")
	en = append(en, "Nothing was moved. Ask for a new proposal.")
	return problem.T(strings.Join(nl, " "), strings.Join(en, " "))
}

// hours writes a number of hours with at most one decimal, a decimal comma in Dutch.
func hours(h float64, lang string) string {
	s := strconv.FormatFloat(math.Round(h*10)/10, 'f', -1, 64)
	if lang == "en" {
		return s
	}
	return strings.Replace(s, ".", ",", 1)
}
