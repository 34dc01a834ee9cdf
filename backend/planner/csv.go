package planner

import (
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"strings"
)

// CSVHeader is the first row of the participation export, in Dutch for Dutch Excel.
var CSVHeader = []string{"Naam", "Rol", "Ploeg", "Uren in periode", "Evaluatie gepland", "Einde contract",
	"Uitstroom datum", "Uitstroom soort", "Werkgever"}

var roleNL = map[string]string{
	"specialist": "vakspecialist", "trainee": "trainee", "seconded": "gedetacheerd", "enforcement": "handhaver",
}

var outflowNL = map[string]string{
	"regular_job": "regulier werk", "education": "opleiding", "other": "anders",
}

// CSVRows are the rows of the participation export for p: one per worker who took part
// in p, by name. Development notes are not part of it.
func CSVRows(p Period, workers []Participant) [][]string {
	var active []Participant
	for _, w := range workers {
		if ActiveIn(p, w) {
			active = append(active, w)
		}
	}
	sort.SliceStable(active, func(i, j int) bool {
		return strings.ToLower(active[i].Name) < strings.ToLower(active[j].Name)
	})
	rows := make([][]string, 0, len(active))
	for _, w := range active {
		role := roleNL[w.Role]
		if role == "" {
			role = w.Role
		}
		row := []string{w.Name, role, strings.Join(w.Teams, ", "), dutchNumber(w.Hours), w.EvaluationDue.String(),
			w.ContractEnd.String(), "", "", ""}
		if o, ok := w.OutflowIn(p); ok {
			row[6], row[7], row[8] = o.Date.String(), outflowNL[o.Kind], o.Employer
		}
		rows = append(rows, row)
	}
	return rows
}

// dutchNumber writes hours with a decimal comma, as Dutch Excel reads numbers.
func dutchNumber(x float64) string {
	return strings.Replace(strconv.FormatFloat(round(x, 2), 'f', 2, 64), ".", ",", 1)
}

// WriteCSV writes rows under CSVHeader as Dutch Excel opens them without asking: UTF-8
// with a byte order mark, semicolons between fields, CRLF line ends. A cell that starts
// like a formula gets a leading apostrophe, so a name cannot run as a formula.
func WriteCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, c := range r {
			safe[i] = defuse(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func defuse(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
