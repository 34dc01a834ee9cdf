// Package spreadsheet writes the CSV exports as Dutch Excel opens them without asking:
// UTF-8 with a byte order mark, semicolons between fields, CRLF line ends and numbers
// with a decimal comma. A cell that starts like a formula gets a leading apostrophe, so
// a name or a resident's text cannot run as one.
package spreadsheet

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteCSV writes header and rows.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(header); err != nil {
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

// Number writes x with decimals digits after a decimal comma, halves rounded away from
// zero: Number(2.5, 2) is "2,50", Number(0.125, 2) is "0,13".
func Number(x float64, decimals int) string {
	p := math.Pow(10, float64(decimals))
	return strings.Replace(strconv.FormatFloat(math.Round(x*p)/p, 'f', decimals, 64), ".", ",", 1)
}

func defuse(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
