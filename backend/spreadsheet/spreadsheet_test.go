package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	rows := [][]string{
		{"Jansen, \"Piet\"", Number(12.5, 2), "=HYPERLINK(\"x\")"},
		{"-1", Number(3, 0), "@SUM(A1)"},
	}
	if err := WriteCSV(&b, []string{"Naam", "Uren", "Notitie"}, rows); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\ufeffNaam;Uren;Notitie\r\n") {
		t.Fatalf("csv = %q", out)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Naam", "Uren", "Notitie"}, {"Jansen, \"Piet\"", "12,50", "'=HYPERLINK(\"x\")"}, {"'-1", "3", "'@SUM(A1)"}}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, recs[i], want[i])
		}
	}
}

func TestNumber(t *testing.T) {
	for _, tt := range []struct {
		x        float64
		decimals int
		want     string
	}{{2.5, 2, "2,50"}, {1234.567, 1, "1234,6"}, {7, 0, "7"}, {0.125, 2, "0,13"}, {-3.5, 1, "-3,5"}} {
		if got := Number(tt.x, tt.decimals); got != tt.want {
			t.Errorf("Number(%v, %d) = %q, want %q", tt.x, tt.decimals, got, tt.want)
		}
	}
}
