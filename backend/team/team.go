// Package team holds the crews (ploegen) and which areas they serve for which department.
package team

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
)

// Team is one crew.
type Team struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// Service says that a team serves an area (by code) for a department.
type Service struct {
	AreaCode   string
	Department string
}

// ParseServices reads what a team serves, as an operator writes it:
// "AREA:DEPARTMENT" pairs separated by commas, such as "GM0363:wijkbeheer,GM0363:afval".
func ParseServices(s string) ([]Service, error) {
	var out []Service
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		area, dept, ok := strings.Cut(part, ":")
		area, dept = strings.TrimSpace(area), strings.TrimSpace(dept)
		if !ok || area == "" || !category.Department(dept).Valid() {
			return nil, fmt.Errorf("team: %q is not AREA:DEPARTMENT (departments: wijkbeheer, afval, accommodaties, stedelijk_beheer, handhaving)", part)
		}
		out = append(out, Service{AreaCode: area, Department: dept})
	}
	if len(out) == 0 {
		return nil, errors.New("team: name at least one AREA:DEPARTMENT it serves")
	}
	return out, nil
}

// ErrNotFound means no such team.
var ErrNotFound = errors.New("team: not found")

// Store reads and writes teams.
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Ensure creates the team with t.Code or renames it, sets the areas it serves and
// returns it with its id. It is idempotent, for seeding and admin imports.
func (s *Store) Ensure(ctx context.Context, t Team, serves []Service) (Team, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Raw(`
INSERT INTO teams (code, name) VALUES (?, ?)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name
RETURNING id`, t.Code, t.Name).Scan(&t.ID).Error
		if err != nil {
			return err
		}
		for _, sv := range serves {
			res := tx.Exec(`
INSERT INTO team_areas (area_id, department, team_id)
SELECT id, ?, ? FROM areas WHERE code = ? AND retired_at IS NULL
ON CONFLICT (area_id, department) DO UPDATE SET team_id = EXCLUDED.team_id`, sv.Department, t.ID, sv.AreaCode)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return fmt.Errorf("area %s does not exist or is retired", sv.AreaCode)
			}
		}
		return nil
	})
	if err != nil {
		return Team{}, fmt.Errorf("team: ensure %s: %w", t.Code, err)
	}
	return t, nil
}

// ServedBy returns the team that serves sv now, or ok=false when none does.
func (s *Store) ServedBy(ctx context.Context, sv Service) (t Team, ok bool, err error) {
	err = s.db.WithContext(ctx).Raw(`
SELECT t.id, t.code, t.name FROM team_areas ta JOIN areas a ON a.id = ta.area_id JOIN teams t ON t.id = ta.team_id
WHERE a.code = ? AND ta.department = ?`, sv.AreaCode, sv.Department).Scan(&t).Error
	if err != nil {
		return Team{}, false, fmt.Errorf("team: served by: %w", err)
	}
	return t, t.ID != 0, nil
}

// forChainSQL picks the team serving the first area of the chain (smallest first) that
// has one for the department.
const forChainSQL = `
SELECT t.id, t.code, t.name
FROM team_areas ta JOIN teams t ON t.id = ta.team_id
WHERE ta.department = ? AND ta.area_id = ANY(?::bigint[])
ORDER BY array_position(?::bigint[], ta.area_id)
LIMIT 1`

// ForChain returns the team that serves the first area in areaIDs (ordered from the
// smallest area up to the root) for department, or ok=false when none does.
func ForChain(ctx context.Context, db *gorm.DB, areaIDs []int64, department string) (t Team, ok bool, err error) {
	ids := database.Int64Array(areaIDs)
	if err := db.WithContext(ctx).Raw(forChainSQL, department, ids, ids).Scan(&t).Error; err != nil {
		return Team{}, false, fmt.Errorf("team: route: %w", err)
	}
	return t, t.ID != 0, nil
}

// Find returns the team with a numeric id or a code.
func (s *Store) Find(ctx context.Context, idOrCode string) (Team, error) {
	var t Team
	err := s.db.WithContext(ctx).Raw(`SELECT id, code, name FROM teams WHERE code = ? OR id::text = ?`, idOrCode, idOrCode).Scan(&t).Error
	if err != nil {
		return Team{}, fmt.Errorf("team: find: %w", err)
	}
	if t.ID == 0 {
		return Team{}, fmt.Errorf("%w: %q", ErrNotFound, idOrCode)
	}
	return t, nil
}

// Served is one row of who serves what: a team for an area and department.
type Served struct {
	Team       Team
	AreaID     int64
	Department string
}

// Services lists which team serves which area for which department.
func Services(ctx context.Context, db *gorm.DB) ([]Served, error) {
	var rows []struct {
		ID         int64
		Code       string
		Name       string
		AreaID     int64
		Department string
	}
	err := db.WithContext(ctx).Raw(`
SELECT t.id, t.code, t.name, ta.area_id, ta.department FROM team_areas ta JOIN teams t ON t.id = ta.team_id`).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("team: services: %w", err)
	}
	out := make([]Served, len(rows))
	for i, r := range rows {
		out[i] = Served{Team: Team{ID: r.ID, Code: r.Code, Name: r.Name}, AreaID: r.AreaID, Department: r.Department}
	}
	return out, nil
}
