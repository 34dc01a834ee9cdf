package database

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Int64Array renders ids as a PostgreSQL array literal ('{1,2,3}'), to pass as one
// parameter and cast in SQL (CAST(? AS bigint[])). GORM would otherwise expand a Go slice
// into a list of parameters, which changes the statement text and defeats prepared plans.
func Int64Array(ids []int64) string {
	return arrayLiteral(ids, func(id int64) string { return strconv.FormatInt(id, 10) })
}

// Float64Array renders xs as a PostgreSQL array literal, like Int64Array, with each
// number as short as it can be and still read back exactly (CAST(? AS float8[])).
func Float64Array(xs []float64) string {
	return arrayLiteral(xs, func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) })
}

var arrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// TextArray renders strings as a PostgreSQL text array literal, quoted and escaped.
func TextArray(ss []string) string {
	return arrayLiteral(ss, func(s string) string { return `"` + arrayEscaper.Replace(s) + `"` })
}

// arrayLiteral renders xs as a PostgreSQL array literal, each element as format writes it.
func arrayLiteral[T any](xs []T, format func(T) string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(format(x))
	}
	b.WriteByte('}')
	return b.String()
}

// Text reports whether PostgreSQL can take s as text: valid UTF-8 without NUL. Input
// that fails it is the client's mistake and must be refused (or match nothing) before
// it reaches a statement, where it would fail as a server error.
func Text(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
