package geo

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"gorm.io/gorm"
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
ORDER BY id`

// LoadIndex reads every area with its geometry and builds an Index.
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
