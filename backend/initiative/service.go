package initiative

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"gorm.io/gorm"

	"wijkwerk/backend/contact"
	"wijkwerk/backend/database"
	"wijkwerk/backend/idempotency"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/publiccode"
)

// Service takes in, decides and tracks initiatives.
type Service struct {
	db      *gorm.DB
	pushTTL time.Duration
	now     func() time.Time
}

// NewService returns a Service on db. The support jobs that approval creates are pushed
// to their team; such a push may stay undelivered for pushTTL.
func NewService(db *gorm.DB, pushTTL time.Duration) *Service {
	return &Service{db: db, pushTTL: pushTTL, now: time.Now}
}

// AreaRef names an area in answers.
type AreaRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Polygon is a GeoJSON polygon in answers.
type Polygon struct {
	Type        string      `json:"type"`
	Coordinates orb.Polygon `json:"coordinates"`
}

func geoJSON(p orb.Polygon) Polygon { return Polygon{Type: "Polygon", Coordinates: p} }

// Receipt is the answer to an accepted proposal. It holds no personal data; the code is
// what residents use to follow the initiative and log their work.
type Receipt struct {
	ID          int64   `json:"id"`
	Code        string  `json:"code"`
	Status      Status  `json:"status"`
	Theme       string  `json:"theme"`
	TargetLevel string  `json:"target_level"`
	BasicLevel  string  `json:"basic_level"`
	Title       string  `json:"title"`
	Area        AreaRef `json:"area"`
	AreaM2      float64 `json:"area_m2"`
	CreatedAt   string  `json:"created_at"`
	Message     string  `json:"message"`
	MessageEN   string  `json:"message_en"`
}

// idempotencyScope keeps proposal keys apart from other endpoints' keys.
const idempotencyScope = "initiative"

// Propose accepts an initiative. The polygon is checked in PostGIS: valid, between
// MinAreaM2 and MaxAreaM2, inside exactly one neighbourhood, and not overlapping another
// initiative of the same theme that holds its place; the target level must be above the
// basic level there. Each failure is a problem of its own kind.
//
// When key is not empty and was used before for the same proposal, Propose returns the
// first receipt with replayed set, and changes nothing.
func (s *Service) Propose(ctx context.Context, p Proposal, key string) (rc Receipt, replayed bool, err error) {
	if err := p.Validate(); err != nil {
		return Receipt{}, false, err
	}
	poly, err := ParsePolygon(p.Polygon)
	if err != nil {
		return Receipt{}, false, err
	}
	b, err := ewkb.Marshal(poly, 4326)
	if err != nil {
		return Receipt{}, false, fmt.Errorf("initiative: encode polygon: %w", err)
	}
	geom := ewkbParam(b)
	var hash []byte
	if key != "" {
		b, _ := json.Marshal(p)
		hash = idempotency.Hash(b)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		replayed = false
		if key != "" {
			stored, err := idempotency.Claim(ctx, tx, idempotencyScope, key, hash)
			if err != nil {
				return err
			}
			if stored != nil {
				replayed = true
				return json.Unmarshal(stored.Response, &rc)
			}
		}
		pl, err := checkPlace(ctx, tx, geom)
		if err != nil {
			return err
		}
		basic, err := checkLevel(ctx, tx, pl.area.ID, p.Theme, p.TargetLevel, toResidents)
		if err != nil {
			return err
		}
		if err := checkOverlap(ctx, tx, geom, p.Theme, 0, toResidents); err != nil {
			return err
		}
		rc, err = insert(ctx, tx, p, geom, pl, basic)
		if err != nil {
			return err
		}
		if key != "" {
			return idempotency.Save(ctx, tx, idempotencyScope, key, 201, rc)
		}
		return nil
	})
	if err != nil {
		return Receipt{}, false, err
	}
	return rc, replayed, nil
}

// ewkbParam is a polygon as a query parameter: EWKB with its SRID. Being a
// driver.Valuer, GORM binds it whole instead of spreading the bytes as a list.
type ewkbParam []byte

// Value implements driver.Valuer.
func (p ewkbParam) Value() (driver.Value, error) { return []byte(p), nil }

// polygonFault says in words what is wrong with a polygon, from PostGIS's
// ST_IsValidReason (English, with a coordinate: "Self-intersection[6.29 51.95]"),
// which is not shown as such: residents read Dutch, and the place is on their map.
func polygonFault(reason string) problem.Text {
	faults := []struct {
		prefix string
		text   problem.Text
	}{
		{"Self-intersection", problem.T("Het vlak is ongeldig: de rand kruist zichzelf. Teken de rand zonder dat lijnen elkaar kruisen.",
			"The polygon is not valid: its border crosses itself. Draw the border without lines crossing each other.")},
		{"Ring Self-intersection", problem.T("Het vlak is ongeldig: de rand raakt zichzelf in een punt. Teken de rand zonder dat lijnen elkaar raken.",
			"The polygon is not valid: its border touches itself. Draw the border without lines touching each other.")},
		{"Too few points", problem.T("Het vlak is ongeldig: het heeft te weinig punten. Zet ten minste drie punten.",
			"The polygon is not valid: it has too few points. Place at least three points.")},
	}
	for _, f := range faults {
		if strings.HasPrefix(reason, f.prefix) {
			return f.text
		}
	}
	return problem.T("Het vlak is ongeldig. Teken de rand opnieuw, zonder dat lijnen elkaar kruisen.",
		"The polygon is not valid. Draw the border again, without lines crossing each other.")
}

// place is where a valid polygon lies.
type place struct {
	areaM2 float64
	area   struct {
		ID   int64
		Code string
		Name string
		Kind string
	}
}

const validitySQL = `
WITH g AS (SELECT ST_GeomFromEWKB(?) AS geom)
SELECT ST_IsValid(geom) AS valid, ST_IsValidReason(geom) AS reason FROM g`

// placeSQL measures the polygon on the spheroid and finds the smallest area that covers
// it (border included, like the area index), and how many neighbourhoods it enters.
// Both look at areas in use only: a retired area (geo.Store.Retire) takes no new
// initiatives, as it takes no new reports.
const placeSQL = `
WITH g AS (SELECT ST_GeomFromEWKB(?) AS geom)
SELECT ST_Area(g.geom::geography) AS area_m2,
       COALESCE(c.id, 0) AS id, COALESCE(c.code, '') AS code, COALESCE(c.name, '') AS name, COALESCE(c.kind, '') AS kind,
       (SELECT count(*) FROM areas n
        WHERE n.kind = 'neighbourhood' AND n.retired_at IS NULL AND ST_Intersects(n.geom, g.geom)
          AND ST_Area(ST_Intersection(n.geom, g.geom)) > 0) AS neighbourhoods
FROM g
LEFT JOIN LATERAL (
    SELECT a.id, a.code, a.name, a.kind FROM areas a
    WHERE a.retired_at IS NULL AND ST_CoveredBy(g.geom, a.geom)
    ORDER BY ST_Area(a.geom)
    LIMIT 1) c ON true`

// checkPlace validates the polygon geom in PostGIS and says where it lies.
func checkPlace(ctx context.Context, db *gorm.DB, geom ewkbParam) (place, error) {
	var v struct {
		Valid  bool
		Reason string
	}
	if err := db.WithContext(ctx).Raw(validitySQL, geom).Scan(&v).Error; err != nil {
		return place{}, fmt.Errorf("initiative: check polygon: %w", err)
	}
	if !v.Valid {
		return place{}, invalidPolygon(polygonFault(v.Reason))
	}
	var row struct {
		AreaM2         float64
		ID             int64
		Code           string
		Name           string
		Kind           string
		Neighbourhoods int
	}
	if err := db.WithContext(ctx).Raw(placeSQL, geom).Scan(&row).Error; err != nil {
		return place{}, fmt.Errorf("initiative: place polygon: %w", err)
	}
	m2 := math.Round(row.AreaM2*10) / 10
	switch {
	case row.AreaM2 < MinAreaM2:
		return place{}, TooSmall.Invalid("polygon", problem.Sprintf(
			"Het vlak is %.0f m². Het moet minstens %.0f m² zijn.", "The polygon is %.0f m². It must be at least %.0f m².", m2, MinAreaM2))
	case row.AreaM2 > MaxAreaM2:
		return place{}, TooLarge.Invalid("polygon", problem.Sprintf(
			"Het vlak is %.0f m². Het mag hoogstens %.0f m² zijn. Begin met een kleiner stuk.",
			"The polygon is %.0f m². It may be at most %.0f m². Start with a smaller piece.", m2, MaxAreaM2))
	}
	if row.Kind != "neighbourhood" {
		if row.Neighbourhoods > 1 {
			return place{}, SpansNeighbourhoods.Invalid("polygon", problem.Sprintf(
				"Het vlak ligt in %d buurten. Teken het binnen één buurt, of doe per buurt een voorstel.",
				"The polygon lies in %d neighbourhoods. Draw it inside one neighbourhood, or propose one per neighbourhood.", row.Neighbourhoods))
		}
		return place{}, OutsideNeighbourhood.Invalid("polygon", problem.T(
			"Het vlak ligt (deels) buiten de buurten waar wij werken. Teken het helemaal binnen één buurt.",
			"The polygon lies (partly) outside the neighbourhoods we serve. Draw it entirely inside one neighbourhood."))
	}
	pl := place{areaM2: m2}
	pl.area.ID, pl.area.Code, pl.area.Name, pl.area.Kind = row.ID, row.Code, row.Name, row.Kind
	return pl, nil
}

// checkLevel returns the basic level of theme in the area, and a problem for who when
// target is not above it.
func checkLevel(ctx context.Context, db *gorm.DB, areaID int64, theme, target string, who audience) (string, error) {
	chain, err := areaChain(ctx, db, areaID)
	if err != nil {
		return "", err
	}
	basic, err := basicLevel(ctx, db, chain, theme)
	if err != nil {
		return "", err
	}
	if !Better(target, basic) {
		detail := problem.Sprintf(
			"Het basisniveau voor dit thema is hier al %s. Kies een hoger niveau dan %s (de schaal is A+, A, B, C, D).",
			"The basic level for this theme is %s here already. Choose a level above %s (the scale is A+, A, B, C, D).", basic, basic)
		if who == toPlanner {
			detail = problem.Sprintf(
				"Het basisniveau voor dit thema is hier nu %s. Het gevraagde niveau %s is niet hoger. U kunt dit voorstel daarom niet goedkeuren. Wijs het af en leg de bewoners uit waarom.",
				"The basic level for this theme is %s here now. The level asked for, %s, is not above it. So you cannot approve this proposal. Reject it and tell the residents why.",
				basic, target)
		}
		return "", LevelNotHigher.Invalid("target_level", detail)
	}
	return basic, nil
}

// overlapSQL finds an initiative of the theme that holds its place (HoldsPlace:
// approved, active or paused, which may resume) and shares more than a border with the
// polygon. The public map (Map) shows the same initiatives.
const overlapSQL = `
WITH g AS (SELECT ST_GeomFromEWKB(?) AS geom)
SELECT i.id, i.title FROM initiatives i, g
WHERE ` + holdsPlaceSQL + ` AND i.theme = ? AND i.id <> ?
  AND ST_Intersects(i.geom, g.geom) AND ST_Area(ST_Intersection(i.geom, g.geom)) > 0
ORDER BY i.id
LIMIT 1`

// checkOverlap returns an Overlap problem for who when the polygon geom overlaps
// another initiative of theme (not self) that holds its place. The problem names the
// other initiative as the public map does: its title without contact details.
func checkOverlap(ctx context.Context, db *gorm.DB, geom ewkbParam, theme string, self int64, who audience) error {
	var other struct {
		ID    int64
		Title string
	}
	if err := db.WithContext(ctx).Raw(overlapSQL, geom, theme, self).Scan(&other).Error; err != nil {
		return fmt.Errorf("initiative: overlap: %w", err)
	}
	if other.ID == 0 {
		return nil
	}
	title := contact.Redact(other.Title)
	detail := problem.Sprintf(
		"Het vlak overlapt met het initiatief %q (nr. %d) met hetzelfde thema. Teken het ernaast, of sluit u bij dat initiatief aan.",
		"The polygon overlaps initiative %q (no. %d) of the same theme. Draw it next to it, or join that initiative.", title, other.ID)
	if who == toPlanner {
		detail = problem.Sprintf(
			"Het vlak overlapt met het initiatief %q (nr. %d) met hetzelfde thema, dat loopt of gepauzeerd is. U kunt dit voorstel daarom niet goedkeuren. Wijs het af, of beëindig eerst het andere initiatief.",
			"The polygon overlaps initiative %q (no. %d) of the same theme, which is running or paused. So you cannot approve this proposal. Reject it, or end the other initiative first.", title, other.ID)
	}
	return &problem.Error{Kind: Overlap, Detail: detail,
		// The field's reason is the whole sentence: apps that add the fields' reasons to the
		// detail said "… eerst het andere initiatief. overlapt".
		Fields: []problem.Field{{Name: "polygon", Reason: detail}},
		Extra:  map[string]any{"overlaps": other.ID}}
}

const insertSQL = `
INSERT INTO initiatives (code, theme, target_level, basic_level, title, description, geom, area_m2, area_id,
                         tasks, hours_per_month, people, materials, guidance_hours)
VALUES (?, ?, ?, ?, ?, ?, ST_GeomFromEWKB(?), ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (code) DO NOTHING
RETURNING id, created_at`

func insert(ctx context.Context, tx *gorm.DB, p Proposal, geom ewkbParam, pl place, basic string) (Receipt, error) {
	materials := p.Requests.Materials
	if materials == nil {
		materials = []Material{}
	}
	mat, err := json.Marshal(materials)
	if err != nil {
		return Receipt{}, fmt.Errorf("initiative: insert: %w", err)
	}
	// A code collision is rare (about 49 bits); draw again rather than fail.
	for attempt := 0; attempt < 5; attempt++ {
		code := publiccode.New()
		var row struct {
			ID        int64
			CreatedAt time.Time
		}
		err := tx.WithContext(ctx).Raw(insertSQL, code, p.Theme, p.TargetLevel, basic, p.Title, p.Description, geom, pl.areaM2, pl.area.ID,
			p.Commitment.Tasks, p.Commitment.HoursPerMonth, p.Commitment.People, mat, p.Requests.GuidanceHours).Scan(&row).Error
		if err != nil {
			return Receipt{}, fmt.Errorf("initiative: insert: %w", err)
		}
		if row.ID == 0 {
			continue
		}
		err = tx.WithContext(ctx).Exec(`INSERT INTO initiative_contacts (initiative_id, name, email, phone) VALUES (?, ?, ?, ?)`,
			row.ID, p.Contact.Name, p.Contact.Email, p.Contact.Phone).Error
		if err != nil {
			return Receipt{}, fmt.Errorf("initiative: insert contact: %w", err)
		}
		if err := record(ctx, tx, event{ID: row.ID, Actor: "resident", Action: "proposed", To: Proposed}); err != nil {
			return Receipt{}, err
		}
		return Receipt{
			ID: row.ID, Code: code, Status: Proposed, Theme: p.Theme, TargetLevel: p.TargetLevel, BasicLevel: basic,
			Title: p.Title, Area: AreaRef{Code: pl.area.Code, Name: pl.area.Name, Kind: pl.area.Kind}, AreaM2: pl.areaM2,
			CreatedAt: row.CreatedAt.UTC().Format(time.RFC3339),
			Message:   "Bedankt voor uw voorstel. De wijkbeheerder bekijkt het en laat weten wat het besluit is. Bewaar uw code.",
			MessageEN: "Thank you for your proposal. The planner will look at it and let you know the decision. Keep your code.",
		}, nil
	}
	return Receipt{}, fmt.Errorf("initiative: no free code after 5 tries")
}

// event is one change of an initiative, for its audit trail and public timeline.
type event struct {
	ID     int64
	Actor  string
	Action string
	From   Status
	To     Status
	Detail map[string]any
}

func record(ctx context.Context, tx *gorm.DB, e event) error {
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return fmt.Errorf("initiative: audit: %w", err)
		}
	}
	err := tx.WithContext(ctx).Exec(`
INSERT INTO initiative_events (initiative_id, actor, action, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		e.ID, e.Actor, e.Action, string(e.From), string(e.To), detail).Error
	if err != nil {
		return fmt.Errorf("initiative: audit: %w", err)
	}
	return nil
}
