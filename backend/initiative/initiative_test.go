package initiative

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/problem"
)

func TestParsePolygon(t *testing.T) {
	square := `[[[6.3,51.96],[6.301,51.96],[6.301,51.961],[6.3,51.961],[6.3,51.96]]]`
	tests := []struct {
		name string
		give string
		want string // problem type, or "" for a polygon
	}{
		{"polygon", `{"type":"Polygon","coordinates":` + square + `}`, ""},
		{"feature", `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":` + square + `}}`, ""},
		{"with altitude", `{"type":"Polygon","coordinates":[[[6.3,51.96,12],[6.301,51.96,12],[6.301,51.961,12],[6.3,51.96,12]]]}`, ""},
		{"feature in a feature", `{"type":"Feature","geometry":{"type":"Feature","geometry":{"type":"Polygon","coordinates":` + square + `}}}`, "initiative-not-a-polygon"},
		{"point", `{"type":"Point","coordinates":[6.3,51.96]}`, "initiative-not-a-polygon"},
		{"null", `null`, "initiative-not-a-polygon"},
		{"empty rings", `{"type":"Polygon","coordinates":[]}`, "initiative-not-a-polygon"},
		{"not json", `{"type":`, "initiative-not-a-polygon"},
		{"three positions", `{"type":"Polygon","coordinates":[[[6.3,51.96],[6.301,51.96],[6.3,51.96]]]}`, "initiative-invalid-polygon"},
		{"open ring", `{"type":"Polygon","coordinates":[[[6.3,51.96],[6.301,51.96],[6.301,51.961],[6.3,51.961]]]}`, "initiative-invalid-polygon"},
		{"latitude first", `{"type":"Polygon","coordinates":[[[51.96,6.3],[51.96,186.3],[51.97,6.3],[51.96,6.3]]]}`, "initiative-invalid-polygon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolygon(json.RawMessage(tt.give))
			if tt.want == "" {
				if err != nil || len(p) != 1 {
					t.Errorf("ParsePolygon = %v, %v; want one ring", p, err)
				}
				return
			}
			if pe, ok := problem.As(err); !ok || pe.Type != tt.want || pe.Status != 422 {
				t.Errorf("ParsePolygon error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestBetter(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"A+", "A", true}, {"A", "B", true}, {"B", "B", false}, {"C", "B", false}, {"A+", "D", true}, {"X", "B", false},
	}
	for _, tt := range tests {
		if got := Better(tt.a, tt.b); got != tt.want {
			t.Errorf("Better(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestContributionValidate(t *testing.T) {
	today := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		give Contribution
		ok   bool
	}{
		{"today", Contribution{Date: "2026-06-10", Hours: 3, What: "wieden"}, true},
		{"group hours", Contribution{Date: "2026-06-09", Hours: 40, People: 2, What: "wieden"}, true},
		{"tomorrow", Contribution{Date: "2026-06-11", Hours: 3, What: "wieden"}, false},
		{"too many hours", Contribution{Date: "2026-06-10", Hours: 25, What: "wieden"}, false},
		{"no hours", Contribution{Date: "2026-06-10", What: "wieden"}, false},
		{"less than a hundredth", Contribution{Date: "2026-06-10", Hours: 0.004, What: "wieden"}, false},
		{"a hundredth", Contribution{Date: "2026-06-10", Hours: 0.005, What: "wieden"}, true},
		{"nothing done", Contribution{Date: "2026-06-10", Hours: 1, What: "  "}, false},
		{"bad date", Contribution{Date: "10-06-2026", Hours: 1, What: "wieden"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.give.validate(today)
			if (err == nil) != tt.ok {
				t.Errorf("validate = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestReportCSVKeepsFormulasOut(t *testing.T) {
	r := Report{From: "2026-01-01", To: "2026-12-31", Total: newFigures("", "Totaal")}
	f := newFigures("WK1", "=HYPERLINK(\"x\")")
	f.Materials = []Material{{Item: "zand", Quantity: 2.5, Unit: "m3"}}
	r.Districts = []Figures{f}
	var b bytes.Buffer
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.HasPrefix(got, "\ufeffWijkcode;Wijk;") || !strings.Contains(got, `'=HYPERLINK`) || !strings.Contains(got, "2,5 m3 zand") {
		t.Errorf("csv = %s", got)
	}
}

func TestNotRunningSaysWhetherItMayChange(t *testing.T) {
	tests := []struct {
		status Status
		nl, en string
	}{
		{Proposed, "Dat kan als het is goedgekeurd.", "once it is approved"},
		{Paused, "Dat kan weer als de pauze voorbij is.", "once the pause is over"},
		{Rejected, "U kunt geen werk meer bijschrijven", "no longer"},
		{Ended, "U kunt geen werk meer bijschrijven", "no longer"},
	}
	for _, tt := range tests {
		got := notRunning(tt.status)
		if !strings.Contains(got.NL, tt.nl) || !strings.Contains(got.EN, tt.en) {
			t.Errorf("notRunning(%s) = %+v, want %q and %q", tt.status, got, tt.nl, tt.en)
		}
	}
}

func TestPolygonFaultIsPlainDutch(t *testing.T) {
	for _, reason := range []string{"Self-intersection[6.29635 51.9589]", "Ring Self-intersection[6.3 51.96]",
		"Too few points in geometry component[6.3 51.96]", "Hole lies outside shell[6.3 51.96]"} {
		got := polygonFault(reason)
		if strings.ContainsAny(got.NL+got.EN, "[]") || strings.Contains(got.NL, "Self") || !strings.HasPrefix(got.NL, "Het vlak is ongeldig") {
			t.Errorf("polygonFault(%q) = %+v", reason, got)
		}
	}
}
