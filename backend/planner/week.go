package planner

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
)

// Week is an ISO 8601 week, such as 2026-W48: Monday to Sunday, in the year that holds
// its Thursday.
type Week struct {
	Year   int
	Number int
}

// WeekOf returns the ISO week that holds the Amsterdam date of t.
func WeekOf(t time.Time) Week {
	y, w := t.In(job.Amsterdam).ISOWeek()
	return Week{y, w}
}

// ParseWeek reads "2026-W48" (also "2026-w48" and "2026W48"). A week number the year
// does not have (W53 in most years, W00, W54) is an error.
func ParseWeek(s string) (Week, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	ys, ws, ok := strings.Cut(s, "W")
	ys = strings.TrimSuffix(ys, "-")
	if !ok || len(ys) != 4 || len(ws) != 2 {
		return Week{}, errBadWeek(s)
	}
	y, err1 := strconv.Atoi(ys)
	n, err2 := strconv.Atoi(ws)
	if err1 != nil || err2 != nil || y < 2000 || y > 2100 || n < 1 || n > WeeksIn(y) {
		return Week{}, errBadWeek(s)
	}
	return Week{y, n}, nil
}

func errBadWeek(s string) error {
	return problem.Invalid("week", problem.Sprintf(
		"De week %q bestaat niet. Schrijf de week als 2026-W48.",
		"Week %q does not exist. Write the week as 2026-W48.", s))
}

// WeeksIn is the number of ISO weeks of year y: 53 when 28 December falls in week 53.
func WeeksIn(y int) int {
	_, w := time.Date(y, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}

// Monday is the first day of the week.
func (w Week) Monday() Date {
	// 4 January is always in week 1.
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, time.UTC)
	offset := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return Date{jan4.AddDate(0, 0, -offset+7*(w.Number-1))}
}

// Sunday is the last day of the week.
func (w Week) Sunday() Date { return w.Monday().AddDays(6) }

// WorkingDays are the days of the week that are working days (Monday to Friday without
// national holidays).
func (w Week) WorkingDays() []Date {
	var out []Date
	for d := w.Monday(); !d.After(w.Sunday().Time); d = d.AddDays(1) {
		if job.IsWorkingDay(d.Time) {
			out = append(out, d)
		}
	}
	return out
}

// String formats w as "2026-W48".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Number) }
