package planner

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"wijkwerk/backend/problem"
)

func TestParsePeriod(t *testing.T) {
	today := date("2026-11-26")
	tests := []struct {
		from, to         string
		wantFrom, wantTo string
		wantErr          string // field
	}{
		{"", "", "2026-11-01", "2026-11-30", ""},
		{"2026-01-01", "2026-12-31", "2026-01-01", "2026-12-31", ""},
		{"2026-11-26", "2026-11-26", "2026-11-26", "2026-11-26", ""},
		{"2026-11-27", "2026-11-26", "", "", "to"},
		{"2026-11-01", "", "", "", "to"},
		{"", "2026-11-01", "", "", "from"},
		{"26-11-2026", "2026-11-30", "", "", "from"},
		{"2020-01-01", "2026-01-01", "", "", "to"},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.from, tt.to, today)
		if tt.wantErr != "" {
			pe, ok := problem.As(err)
			if !ok || pe.Status != 422 || pe.Fields[0].Name != tt.wantErr {
				t.Errorf("ParsePeriod(%q, %q) = %v, want a problem with %s", tt.from, tt.to, err, tt.wantErr)
			}
			continue
		}
		if err != nil || p.From.String() != tt.wantFrom || p.To.String() != tt.wantTo {
			t.Errorf("ParsePeriod(%q, %q) = %v..%v, %v", tt.from, tt.to, p.From, p.To, err)
		}
	}
}

func TestActiveIn(t *testing.T) {
	nov := Period{date("2026-11-01"), date("2026-11-30")}
	out := func(d string) []Outflow { return []Outflow{{Date: date(d), Kind: "regular_job"}} }
	tests := []struct {
		name string
		give Participant
		want bool
	}{
		{"active, no dates", Participant{Active: true}, true},
		{"starts in the period", Participant{Active: true, Start: date("2026-11-30")}, true},
		{"starts after the period", Participant{Active: true, Start: date("2026-12-01")}, false},
		{"contract ended before", Participant{Active: true, ContractEnd: date("2026-10-31")}, false},
		{"contract ends in it", Participant{Active: true, ContractEnd: date("2026-11-01")}, true},
		{"flowed out in it", Participant{Active: false, Outflows: out("2026-11-15")}, true},
		{"flowed out on the first day", Participant{Active: false, Outflows: out("2026-11-01")}, true},
		{"flowed out before", Participant{Active: false, Outflows: out("2026-10-15")}, false},
		{"flowed out later", Participant{Active: true, Outflows: out("2026-12-15")}, true},
		{"deactivated without a date", Participant{Active: false}, false},
		{"deactivated, contract ran into the period", Participant{Active: false, ContractEnd: date("2026-11-10")}, true},
	}
	for _, tt := range tests {
		if got := ActiveIn(nov, tt.give); got != tt.want {
			t.Errorf("%s: ActiveIn = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func participants() []Participant {
	return []Participant{
		{WorkerID: 1, Name: "Bram", Role: "specialist", Teams: []string{"Ploeg Oosseld"}, Active: true, Hours: 12.5,
			EvaluationDue: date("2026-11-20")},
		{WorkerID: 2, Name: "=HYPERLINK(\"x\")", Role: "trainee", Teams: []string{"Ploeg Oosseld", "Ploeg Wehl"}, Active: true, Hours: 3,
			EvaluationDue: date("2026-12-20"), ContractEnd: date("2027-02-01")},
		{WorkerID: 3, Name: "Anne", Role: "trainee", Active: false, Hours: 6.25,
			Outflows: []Outflow{{Date: date("2026-11-15"), Kind: "regular_job", Employer: "Hovenier Jansen"}}},
		{WorkerID: 4, Name: "Cor", Role: "seconded", Active: false}, // left without a date: not counted
		{WorkerID: 5, Name: "Dirk", Role: "trainee", Active: true, Start: date("2027-01-01"), EvaluationDue: date("2026-11-02")},
	}
}

func TestSummarise(t *testing.T) {
	nov := Period{date("2026-11-01"), date("2026-11-30")}
	hours := []RoleCategoryHours{
		{Category: "groen.gras", NameNL: "Gras maaien", Role: "specialist", Hours: 10},
		{Category: "groen.gras", NameNL: "Gras maaien", Role: "trainee", Hours: 7.25},
		{Category: "afval.zwerfvuil", NameNL: "Zwerfvuil", Role: "trainee", Hours: 2},
		{Category: "afval.zwerfvuil", NameNL: "Zwerfvuil", Role: "specialist", Hours: 2.5},
	}
	s := Summarise(nov, participants(), hours)
	if s.Workers.Active != 3 || s.Workers.ByRole != (RoleCounts{Specialist: 1, Trainee: 2}) {
		t.Errorf("workers = %+v", s.Workers)
	}
	if s.Hours.Total != 21.75 || s.Hours.ByRole.Trainee != 9.25 || s.Hours.ByRole.Specialist != 12.5 {
		t.Errorf("hours = %+v", s.Hours)
	}
	if len(s.Hours.ByCategory) != 2 || s.Hours.ByCategory[0].Category != "afval.zwerfvuil" ||
		s.Hours.ByCategory[1].Hours != 17.25 || s.Hours.ByCategory[1].TraineeHours != 7.25 {
		t.Errorf("by category = %+v", s.Hours.ByCategory)
	}
	// Evaluations of active workers in November: Dirk (2 Nov) and Bram (20 Nov), by date.
	if s.EvaluationsDue.Count != 2 || s.EvaluationsDue.Workers[0].Name != "Dirk" || s.EvaluationsDue.Workers[1].Name != "Bram" {
		t.Errorf("evaluations = %+v", s.EvaluationsDue)
	}
	if s.Outflow.Count != 1 || s.Outflow.ByKind["regular_job"] != 1 || s.Outflow.ByKind["education"] != 0 ||
		s.Outflow.Rate == nil || *s.Outflow.Rate != 0.5 { // one of the two trainees; the specialist is not in a programme
		t.Errorf("outflow = %+v rate %v", s.Outflow, deref(s.Outflow.Rate))
	}
	// Two outflows of one person in the period: one person, of the latest kind.
	twice := participants()
	for i := range twice {
		if len(twice[i].Outflows) > 0 { // the regular job on 15 November
			twice[i].Outflows = append(twice[i].Outflows, Outflow{Date: date("2026-11-02"), Kind: "education"})
		}
	}
	if s := Summarise(nov, twice, nil); s.Outflow.Count != 1 || s.Outflow.ByKind["regular_job"] != 1 || s.Outflow.ByKind["education"] != 0 {
		t.Errorf("two outflows of one person = %+v", s.Outflow)
	}
	// No evaluation for someone who left before it (Anne, 15 November), nor after the
	// contract ended; on the last day it still counts.
	left := participants()
	left[2].EvaluationDue = date("2026-11-20")
	left[1].EvaluationDue, left[1].ContractEnd = date("2026-11-25"), date("2026-11-24")
	left = append(left, Participant{WorkerID: 6, Name: "Eva", Role: "seconded", Active: true,
		EvaluationDue: date("2026-11-10"), ContractEnd: date("2026-11-10")})
	if s := Summarise(nov, left, nil); s.EvaluationsDue.Count != 3 || s.EvaluationsDue.Workers[1].Name != "Eva" {
		t.Errorf("evaluations with leavers = %+v", s.EvaluationsDue)
	}
	// Only specialists: no rate (nobody in a programme to flow out).
	if s := Summarise(nov, participants()[:1], nil); s.Outflow.Rate != nil {
		t.Errorf("specialists only: rate %v, want none", *s.Outflow.Rate)
	}
	empty := Summarise(nov, nil, nil)
	if empty.Outflow.Rate != nil || empty.Hours.ByCategory == nil || empty.EvaluationsDue.Workers == nil {
		t.Errorf("empty = %+v", empty)
	}
}

func TestParticipationCSV(t *testing.T) {
	nov := Period{date("2026-11-01"), date("2026-11-30")}
	rows := CSVRows(nov, participants())
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\ufeffNaam;Rol;Ploeg;Uren in periode;") || !strings.Contains(out, "\r\n") {
		t.Fatalf("csv = %q", out)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		CSVHeader,
		{"'=HYPERLINK(\"x\")", "leerwerker", "Ploeg Oosseld, Ploeg Wehl", "3,00", "2026-12-20", "2027-02-01", "", "", ""},
		{"Anne", "leerwerker", "", "6,25", "", "", "2026-11-15", "regulier werk", "Hovenier Jansen"},
		{"Bram", "vakspecialist", "Ploeg Oosseld", "12,50", "2026-11-20", "", "", "", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("rows = %q", recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, recs[i], want[i])
		}
	}
}
