// Package geo knows the areas Wijkwerk serves: the tree of municipalities, districts
// (wijken) and neighbourhoods (buurten), their import from GeoJSON into PostGIS, and the
// in-memory orb index that answers which area contains a point.
package geo

import "fmt"

// Kind is the level of an area in the tree.
type Kind string

// The levels of the area tree, from the root down.
const (
	Municipality  Kind = "municipality"
	District      Kind = "district"
	Neighbourhood Kind = "neighbourhood"
)

// ParseKind accepts the kinds stored in the database (and their Dutch names).
func ParseKind(s string) (Kind, error) {
	switch s {
	case "municipality", "gemeente":
		return Municipality, nil
	case "district", "wijk":
		return District, nil
	case "neighbourhood", "neighborhood", "buurt":
		return Neighbourhood, nil
	}
	return "", fmt.Errorf("geo: unknown area kind %q", s)
}

// Area is one polygon of the tree, without its geometry.
type Area struct {
	ID       int64
	Code     string
	Name     string
	Kind     Kind
	ParentID int64 // 0 for a root (a municipality)
}
