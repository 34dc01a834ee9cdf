package planner

import (
	"io"
	"sort"
	"strings"

	"wijkwerk/backend/spreadsheet"
)

// CSVHeader is the first row of the participation export, in Dutch for Dutch Excel.
var CSVHeader = []string{"Naam", "Rol", "Ploeg", "Uren in periode", "Evaluatie gepland", "Einde contract",
	"Uitstroom datum", "Uitstroom soort", "Werkgever"}

var roleNL = map[string]string{
	"specialist": "vakspecialist", "trainee": "leerwerker", "seconded": "gedetacheerd", "enforcement": "handhaver",
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
		row := []string{w.Name, role, strings.Join(w.Teams, ", "), spreadsheet.Number(w.Hours, 2), w.EvaluationDue.String(),
			w.ContractEnd.String(), "", "", ""}
		if o, ok := w.OutflowIn(p); ok {
			row[6], row[7], row[8] = o.Date.String(), outflowNL[o.Kind], o.Employer
		}
		rows = append(rows, row)
	}
	return rows
}

// WriteCSV writes rows under CSVHeader for Dutch Excel (see package spreadsheet).
func WriteCSV(w io.Writer, rows [][]string) error { return spreadsheet.WriteCSV(w, CSVHeader, rows) }
