package geo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"gorm.io/gorm"

	"wijkwerk/backend/database"
)

// Store reads and writes areas in PostGIS, the areas' source of truth.
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

const loadShapesSQL = `
SELECT id, code, name, kind, COALESCE(parent_id, 0), ST_AsBinary(geom)
FROM areas
WHERE retired_at IS NULL
ORDER BY id`

// LoadIndex reads every area in use (not retired) with its geometry and builds an Index.
func (s *Store) LoadIndex(ctx context.Context) (*Index, error) {
	rows, err := s.db.WithContext(ctx).Raw(loadShapesSQL).Rows()
	if err != nil {
		return nil, fmt.Errorf("geo: load areas: %w", err)
	}
	defer rows.Close()
	var shapes []Shape
	for rows.Next() {
		var sh Shape
		var kind string
		sc := wkb.Scanner(nil)
		if err := rows.Scan(&sh.ID, &sh.Code, &sh.Name, &kind, &sh.ParentID, sc); err != nil {
			return nil, fmt.Errorf("geo: load areas: %w", err)
		}
		sh.Kind = Kind(kind)
		switch g := sc.Geometry.(type) {
		case orb.MultiPolygon:
			sh.Geom = g
		case orb.Polygon:
			sh.Geom = orb.MultiPolygon{g}
		default:
			return nil, fmt.Errorf("geo: area %s has geometry %T, want a multipolygon", sh.Code, g)
		}
		shapes = append(shapes, sh)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("geo: load areas: %w", err)
	}
	return NewIndex(shapes), nil
}

// retireSQL retires the areas with the given codes and every area under them, and
// returns the codes of the areas it retired (those already retired are left as they are).
const retireSQL = `
WITH RECURSIVE sub AS (
    SELECT id FROM areas WHERE code = ANY(?::text[])
    UNION
    SELECT a.id FROM areas a JOIN sub ON a.parent_id = sub.id
)
UPDATE areas SET retired_at = now(), updated_at = now()
WHERE id IN (SELECT id FROM sub) AND retired_at IS NULL
RETURNING code`

// Retire takes areas out of routing: each area of codes and every area under it. Their
// rows stay, so the jobs and reports that point at them keep their place names;
// importing an area again brings it back. An unknown code fails the whole call and
// retires nothing. It returns the codes of the areas retired now, sorted.
func (s *Store) Retire(ctx context.Context, codes []string) ([]string, error) {
	var retired []string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var unknown []string
		if err := tx.Raw(`SELECT c FROM unnest(?::text[]) AS c WHERE NOT EXISTS (SELECT 1 FROM areas WHERE code = c) ORDER BY c`,
			database.TextArray(codes)).Scan(&unknown).Error; err != nil {
			return err
		}
		if len(unknown) > 0 {
			return fmt.Errorf("no area with code %s", strings.Join(unknown, ", "))
		}
		return tx.Raw(retireSQL, database.TextArray(codes)).Scan(&retired).Error
	})
	if err != nil {
		return nil, fmt.Errorf("geo: retire: %w", err)
	}
	slices.Sort(retired)
	return retired, nil
}
