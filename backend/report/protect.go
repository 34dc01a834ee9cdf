package report

import (
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"wijkwerk/backend/category"
	"wijkwerk/backend/contact"
)

// What residents report to enforcement (handhaving) is often about a neighbour:
// "Buurman op nr 14 parkeert altijd op de stoep". Such a report is protected: the public
// answers about it (Open311's GET requests, the tracking page) show nothing that points
// at a house. Its description and address are left out (publicText), its place is
// coarsened to a cell of a grid of CoarseGrid metres (publicLocation), and the nearby
// list of "already reported?" leaves it out altogether (notProtectedSQL): that list says
// how far each job is from a point anyone chooses, so a few queries around it would find
// the exact place again, whatever place the list showed; and a neighbour has nothing to
// support there, since a second report of the same nuisance joins the job by itself.
// Crews and planners see the exact place, the text and the address: their answers are
// not built from these.

// protectedDepartments are the departments whose reports are protected.
var protectedDepartments = []category.Department{category.Handhaving}

// protected reports whether reports in categories of department d are protected.
func protected(d category.Department) bool { return slices.Contains(protectedDepartments, d) }

// notProtectedSQL is the SQL condition that category c (the alias of categories) is not
// of a protected department: protected, for a query.
var notProtectedSQL = func() string {
	quoted := make([]string, len(protectedDepartments))
	for i, d := range protectedDepartments {
		quoted[i] = "'" + string(d) + "'"
	}
	return "COALESCE(c.department, '') NOT IN (" + strings.Join(quoted, ", ") + ")"
}()

// publicText is what anyone may read of what a resident wrote (a report's description
// or address): nothing for a protected report, else the text without e-mail addresses
// and phone numbers.
func publicText(d category.Department, text string) string {
	if protected(d) {
		return ""
	}
	return contact.Redact(text)
}

// publicLocation is where anyone may see a report of department d at p: the exact place,
// or for a protected report the centre of its grid cell (Coarsen).
func publicLocation(d category.Department, p orb.Point) orb.Point {
	if protected(d) {
		return Coarsen(p)
	}
	return p
}

// CoarseGrid is the size, in metres, of the grid cells that a protected report's public
// place snaps to. A cell of 100 by 100 metres holds some 20 to 60 homes in a Dutch
// neighbourhood of terraced houses or flats, and parts of two or three streets, so it
// points at no house; it is still the corner of the neighbourhood the report is about,
// which is what someone who follows the city's reports wants to know. A smaller cell
// leaves a few houses in a quiet street, or a single farm outside town; a larger one
// puts reports in the next neighbourhood.
const CoarseGrid = 100.0

// A degree of latitude is 111.32 km; a degree of longitude that times the cosine of the
// latitude, taken at the middle of the Netherlands (52°N): the cells are 97 to 103 m
// wide from Zeeland to Groningen.
const (
	metresPerDegree = 111_320.0
	gridLatitude    = 52.0
)

var (
	cellLat = CoarseGrid / metresPerDegree
	cellLon = CoarseGrid / (metresPerDegree * math.Cos(gridLatitude*math.Pi/180))
)

// Coarsen returns the centre of the cell of the CoarseGrid grid that p lies in. The
// grid is fixed (its lines run at whole multiples of the cell size from 0°, 0°), so a
// report gives the same point every time it is asked for, and all reports in a cell
// give one point: there is no noise that many answers could average out. The centre
// is at most 71 m from p.
func Coarsen(p orb.Point) orb.Point {
	snap := func(v, cell float64) float64 {
		c := (math.Floor(v/cell) + 0.5) * cell
		return math.Round(c*1e6) / 1e6 // ten centimetres: no digits that say more
	}
	return orb.Point{snap(p[0], cellLon), snap(p[1], cellLat)}
}
