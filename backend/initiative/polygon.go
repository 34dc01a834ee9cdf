package initiative

import (
	"bytes"
	"encoding/json"

	"github.com/paulmach/orb"

	"wijkwerk/backend/problem"
)

// ParsePolygon reads a GeoJSON Polygon (a geometry, or a Feature holding one) in WGS84.
// It checks the shape of the JSON only: that it is one polygon, with finite coordinates
// in range and closed rings of at least four positions. Whether the polygon is valid (no
// self-intersections) is for PostGIS to say; see Service.Propose.
func ParsePolygon(raw json.RawMessage) (orb.Polygon, error) {
	return parsePolygon(raw, true)
}

func parsePolygon(raw json.RawMessage, featureAllowed bool) (orb.Polygon, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, notAPolygon(problem.T("Teken het vlak op de kaart.", "Draw the polygon on the map."))
	}
	var doc struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
		Geometry    json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, notAPolygon(problem.T("Het vlak is geen GeoJSON.", "The polygon is not GeoJSON."))
	}
	if doc.Type == "Feature" && featureAllowed {
		return parsePolygon(doc.Geometry, false)
	}
	if doc.Type != "Polygon" {
		return nil, notAPolygon(problem.Sprintf(
			`Het vlak moet een GeoJSON-polygoon zijn ({"type":"Polygon","coordinates":[[[lengtegraad, breedtegraad], ...]]}), geen %q.`,
			`The polygon must be a GeoJSON Polygon ({"type":"Polygon","coordinates":[[[longitude, latitude], ...]]}), not %q.`, truncate(doc.Type, 40)))
	}
	var rings [][][]float64
	if err := json.Unmarshal(doc.Coordinates, &rings); err != nil || len(rings) == 0 {
		return nil, notAPolygon(problem.T(
			"De coördinaten van het vlak kloppen niet: geef een lijst van ringen, elk een lijst van [lengtegraad, breedtegraad].",
			"The polygon's coordinates are not right: give a list of rings, each a list of [longitude, latitude]."))
	}
	var poly orb.Polygon
	vertices := 0
	for _, r := range rings {
		if len(r) < 4 {
			return nil, invalidPolygon(problem.T(
				"Een rand van het vlak heeft te weinig punten: er zijn er minstens vier nodig (de eerste en de laatste gelijk).",
				"A ring of the polygon has too few positions: at least four are needed (the first equal to the last)."))
		}
		vertices += len(r)
		if vertices > MaxVertices {
			return nil, invalidPolygon(problem.Sprintf("Het vlak heeft te veel punten: hoogstens %d.",
				"The polygon has too many positions: at most %d.", MaxVertices))
		}
		ring := make(orb.Ring, len(r))
		for i, c := range r {
			if len(c) < 2 || len(c) > 3 || !finite(c[0]) || !finite(c[1]) || c[0] < -180 || c[0] > 180 || c[1] < -90 || c[1] > 90 {
				return nil, invalidPolygon(problem.T(
					"Een punt van het vlak klopt niet. Geef eerst de lengtegraad (-180 tot 180), dan de breedtegraad (-90 tot 90).",
					"A position of the polygon is not right. Give longitude (-180 to 180) first, then latitude (-90 to 90)."))
			}
			ring[i] = orb.Point{c[0], c[1]}
		}
		if !ring.Closed() {
			return nil, invalidPolygon(problem.T(
				"De rand van het vlak is niet gesloten: het laatste punt moet gelijk zijn aan het eerste.",
				"The polygon's ring is not closed: the last position must equal the first."))
		}
		poly = append(poly, ring)
	}
	return poly, nil
}

func notAPolygon(detail problem.Text) error {
	return &problem.Error{Kind: NotAPolygon, Detail: detail,
		Fields: []problem.Field{{Name: "polygon", Reason: detail}}}
}

func invalidPolygon(detail problem.Text) error {
	return &problem.Error{Kind: InvalidPolygon, Detail: detail,
		Fields: []problem.Field{{Name: "polygon", Reason: detail}}}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
