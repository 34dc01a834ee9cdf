package rebalance

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"wijkwerk/backend/category"
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

// percent writes a utilisation the Dutch way: "125%", or "geen uren" for +Inf.
func percent(u float64) string {
	if math.IsInf(u, 0) {
		return "geen uren over"
	}
	return fmt.Sprintf("%.0f%%", u*100)
}

// km writes a distance the Dutch way, with a decimal comma.
func km(d float64) string {
	return strings.Replace(fmt.Sprintf("%.1f km", d), ".", ",", 1)
}

// reason explains a move in plain Dutch (B1): why the giving team, why the receiving
// team, and how far the job is from the receiving team's area.
func reason(from, to Team, fromUtil, toUtil float64, o option, rule category.TraineeRule) string {
	var b strings.Builder
	if math.IsInf(fromUtil, 0) {
		fmt.Fprintf(&b, "%s heeft deze week werk, maar geen uren.", from.Name)
	} else {
		fmt.Fprintf(&b, "%s heeft te veel werk (%s van de uren deze week).", from.Name, percent(fromUtil))
	}
	fmt.Fprintf(&b, " %s heeft meer ruimte (%s).", to.Name, percent(toUtil))
	if o.adjacent {
		fmt.Fprintf(&b, " Deze ploeg werkt in het gebied ernaast; de plek ligt op %s.", km(o.travelKm))
	} else {
		fmt.Fprintf(&b, " Deze ploeg werkt ook in dit gebied; de plek ligt op %s.", km(o.travelKm))
	}
	if rule.NeedsSpecialist() {
		b.WriteString(" Er is een vakspecialist in de ploeg, dat is nodig voor dit werk.")
	}
	return b.String()
}
