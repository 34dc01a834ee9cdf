package planner

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
	"wijkwerk/backend/problem"

	"wijkwerk/backend/job"
)

// Date is a calendar date (no time of day), held as midnight UTC like job due dates.
// It reads and writes JSON as "2006-01-02".
type Date struct{ time.Time }

// DateOf returns the date of t's year, month and day.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// Today is the date in Amsterdam at now.
func Today(now time.Time) Date { return DateOf(now.In(job.Amsterdam)) }

// The years of a plausible date (ParseDate).
const (
	MinYear = 2000
	MaxYear = 2100
)

// ErrImplausible is ParseDate's error for a year outside MinYear to MaxYear: 0001 or
// 2206 is a typo, and the year 1 would read as no date at all.
var ErrImplausible = errors.New("planner: implausible year")

// ParseDate reads "2006-01-02", of a year from MinYear to MaxYear.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, err
	}
	if t.Year() < MinYear || t.Year() > MaxYear {
		return Date{}, ErrImplausible
	}
	return Date{t}, nil
}

// ParseDateParam reads the date in request field name, or says in a problem what is
// wrong with it: not a date, or one that cannot be right (see ParseDate).
func ParseDateParam(name, s string) (Date, error) {
	d, err := ParseDate(s)
	if errors.Is(err, ErrImplausible) {
		return Date{}, problem.Invalid(name, problem.Sprintf(
			"Deze datum kan niet kloppen. Kies een datum tussen %d en %d.",
			"This date cannot be right. Choose a date between %d and %d.", MinYear, MaxYear))
	}
	if err != nil {
		return Date{}, problem.Invalid(name, problem.Sprintf(
			"Geef %s als datum, zoals 2026-11-30.", "Give %s as a date, like 2026-11-30.", name))
	}
	return d, nil
}

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date { return Date{d.Time.AddDate(0, 0, n)} }

// String formats d as "2006-01-02" ("" for the zero date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// MarshalJSON writes "2006-01-02", or null for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "2006-01-02" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// datePtr turns a nullable DATE column into a Date (zero when NULL).
func datePtr(t *time.Time) Date {
	if t == nil {
		return Date{}
	}
	return DateOf(*t)
}

// sqlDate is the value to store for d: NULL for the zero date.
func sqlDate(d Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time
}
