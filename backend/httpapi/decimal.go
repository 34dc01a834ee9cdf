package httpapi

import (
	"math"
	"strconv"
	"strings"
)

// ParseDecimal reads a plain decimal number: an optional sign, digits, and a decimal
// point with more digits (51.959, -0.5, .5, 6). strconv.ParseFloat alone takes far
// more (0x1.9p2, 1e2, 1_000, Inf, NaN), which no client means as a coordinate. Both the resident API
// and Open311 read coordinates with it.
func ParseDecimal(s string) (float64, bool) {
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		case (c == '-' || c == '+') && i == 0:
		default:
			return 0, false
		}
	}
	if digits == 0 || len(s) > 64 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// ParseCoordinate reads a coordinate a person may have typed: a plain decimal as
// ParseDecimal reads it, or one with a decimal comma (6,2905), as a Dutch phone keyboard
// gives. A coordinate has no thousands separators (it is at most 180), so one comma
// and no point can only be the decimal sign.
func ParseCoordinate(s string) (float64, bool) {
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	return ParseDecimal(s)
}
