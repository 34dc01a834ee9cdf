package job

import "time"

// Amsterdam is the time zone of due dates and working days.
var Amsterdam = mustLoad("Europe/Amsterdam")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The binary embeds time/tzdata, so this only happens in a broken build.
		panic(err)
	}
	return loc
}

// DueDate returns the date that lies workingDays working days after the day of from,
// in Amsterdam time. Weekends and Dutch national holidays are not working days; zero
// working days means today.
func DueDate(from time.Time, workingDays int) time.Time {
	y, m, d := from.In(Amsterdam).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for workingDays > 0 {
		day = day.AddDate(0, 0, 1)
		if IsWorkingDay(day) {
			workingDays--
		}
	}
	return day
}

// IsWorkingDay reports whether the date of day (its year, month and day) is a working day.
func IsWorkingDay(day time.Time) bool {
	switch day.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !IsHoliday(day)
}

// IsHoliday reports whether the date is a Dutch national holiday on which municipal crews
// do not work: New Year, Easter Monday, King's Day, Liberation Day (every fifth year, as
// in most collective agreements), Ascension Day, Whit Monday and Christmas.
func IsHoliday(day time.Time) bool {
	y, m, d := day.Date()
	switch {
	case m == time.January && d == 1,
		m == time.December && (d == 25 || d == 26),
		m == time.May && d == 5 && y%5 == 0:
		return true
	case m == time.April && (d == 26 || d == 27):
		// King's Day is 27 April, or 26 April when the 27th is a Sunday.
		kings := time.Date(y, time.April, 27, 0, 0, 0, 0, time.UTC)
		if kings.Weekday() == time.Sunday {
			kings = kings.AddDate(0, 0, -1)
		}
		return d == kings.Day()
	}
	easter := easterSunday(y)
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for _, offset := range []int{1, 39, 50} { // Easter Monday, Ascension Day, Whit Monday
		if date.Equal(easter.AddDate(0, 0, offset)) {
			return true
		}
	}
	return false
}

// easterSunday computes Easter Sunday of the Gregorian calendar (anonymous algorithm).
func easterSunday(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
