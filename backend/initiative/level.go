package initiative

import (
	"context"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/database"
	"wijkwerk/backend/problem"
	"wijkwerk/geo"
)

// levelAtSQL asks the database function quality_level_at (migrations 00010 and 00015), which
// intake also uses inside the statement that files a report.
const levelAtSQL = `SELECT quality_level_at(?, ST_SetSRID(ST_MakePoint(?, ?), 4326), ?::bigint[])`

// basicLevelSQL walks up the area chain (smallest area first) to the first area with a
// basic level for the theme.
const basicLevelSQL = `
SELECT level FROM area_quality
WHERE theme = ? AND area_id = ANY(?::bigint[])
ORDER BY array_position(?::bigint[], area_id)
LIMIT 1`

// LevelAt returns the quality level that applies at p for theme: the level of an
// approved or active initiative whose polygon covers p (border included), else the basic
// level of the first area in areaChain (smallest first, as geo.Index.Locate gives it)
// that has one for theme, else DefaultLevel. An initiative never lowers the level: if a
// planner has since set the basic level above the initiative's, the basic level applies.
// A category without a theme gets the default level.
//
// db may be a transaction, so intake can stamp a job in the transaction that creates it.
func LevelAt(ctx context.Context, db *gorm.DB, p orb.Point, areaChain []int64, theme string) (string, error) {
	var level string
	if err := db.WithContext(ctx).Raw(levelAtSQL, theme, p[0], p[1], database.Int64Array(areaChain)).Scan(&level).Error; err != nil {
		return "", fmt.Errorf("initiative: level at: %w", err)
	}
	return level, nil
}

// AreaIDs returns the ids of a chain of areas, in order, for LevelAt.
func AreaIDs(chain []geo.Area) []int64 {
	ids := make([]int64, len(chain))
	for i, a := range chain {
		ids[i] = a.ID
	}
	return ids
}

// StampJob sets the quality level of job jobID (created in tx) to level. Use it with
// LevelAt while job.Job cannot carry the level itself.
func StampJob(ctx context.Context, tx *gorm.DB, jobID int64, level string) error {
	if !ValidLevel(level) {
		return fmt.Errorf("initiative: stamp job %d: unknown level %q", jobID, level)
	}
	if err := tx.WithContext(ctx).Exec(`UPDATE jobs SET quality_level = ? WHERE id = ? AND quality_level <> ?`, level, jobID, level).Error; err != nil {
		return fmt.Errorf("initiative: stamp job %d: %w", jobID, err)
	}
	return nil
}

func basicLevel(ctx context.Context, db *gorm.DB, chain []int64, theme string) (string, error) {
	if len(chain) == 0 {
		return DefaultLevel, nil
	}
	ids := database.Int64Array(chain)
	var level string
	if err := db.WithContext(ctx).Raw(basicLevelSQL, theme, ids, ids).Scan(&level).Error; err != nil {
		return "", fmt.Errorf("initiative: basic level: %w", err)
	}
	if level == "" {
		return DefaultLevel, nil
	}
	return level, nil
}

// chainSQL lists an area and its ancestors in use, smallest first. Like the area index
// that intake routes by (geo.Index.Locate), it stops at a retired area: an area
// imported again under a parent that stays retired has a shorter chain, and a retired
// area has none.
const chainSQL = `
WITH RECURSIVE up (id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM areas WHERE id = ? AND retired_at IS NULL
    UNION ALL
    SELECT a.id, a.parent_id, up.depth + 1 FROM areas a JOIN up ON a.id = up.parent_id
    WHERE a.retired_at IS NULL AND up.depth < 16)
SELECT id FROM up ORDER BY depth`

func areaChain(ctx context.Context, db *gorm.DB, areaID int64) ([]int64, error) {
	var ids []int64
	if err := db.WithContext(ctx).Raw(chainSQL, areaID).Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("initiative: area chain: %w", err)
	}
	return ids, nil
}

// AreaLevel is the basic level of one theme in an area, and where it comes from.
type AreaLevel struct {
	Theme string `json:"theme"`
	Level string `json:"level"`
	// From is the code of the area that set the level (the area itself or an ancestor);
	// empty when nobody did and the default applies.
	From string `json:"from"`
}

// AreaLevels is an area's basic levels, one per theme.
type AreaLevels struct {
	AreaCode string      `json:"area_code"`
	AreaName string      `json:"area_name"`
	AreaKind string      `json:"area_kind"`
	Levels   []AreaLevel `json:"levels"`
}

type scopedArea struct {
	ID   int64
	Code string
	Name string
	Kind string
}

func findArea(ctx context.Context, db *gorm.DB, u access.User, code string) (scopedArea, error) {
	scope, args := access.Scope(u, "a.id")
	var a scopedArea
	err := db.WithContext(ctx).Raw(`SELECT a.id, a.code, a.name, a.kind FROM areas a WHERE a.code = ? AND a.retired_at IS NULL AND `+scope,
		append([]any{strings.TrimSpace(code)}, args...)...).Scan(&a).Error
	if err != nil {
		return scopedArea{}, fmt.Errorf("initiative: area: %w", err)
	}
	if a.ID == 0 {
		return scopedArea{}, problem.NotFound.New(problem.T("Dit gebied bestaat niet of valt buiten uw gebied.",
			"This area does not exist or is outside your areas."))
	}
	return a, nil
}

// BasicLevels returns the basic level of every theme in the area with code, which must
// be in u's part of the area tree.
func (s *Service) BasicLevels(ctx context.Context, u access.User, code string) (AreaLevels, error) {
	a, err := findArea(ctx, s.db, u, code)
	if err != nil {
		return AreaLevels{}, err
	}
	chain, err := areaChain(ctx, s.db, a.ID)
	if err != nil {
		return AreaLevels{}, err
	}
	ids := database.Int64Array(chain)
	var rows []struct {
		Theme string
		Level string
		Code  string
	}
	err = s.db.WithContext(ctx).Raw(`
SELECT DISTINCT ON (q.theme) q.theme, q.level, a.code
FROM area_quality q JOIN areas a ON a.id = q.area_id
WHERE q.area_id = ANY(?::bigint[])
ORDER BY q.theme, array_position(?::bigint[], q.area_id)`, ids, ids).Scan(&rows).Error
	if err != nil {
		return AreaLevels{}, fmt.Errorf("initiative: basic levels: %w", err)
	}
	out := AreaLevels{AreaCode: a.Code, AreaName: a.Name, AreaKind: a.Kind, Levels: make([]AreaLevel, len(Themes))}
	for i, t := range Themes {
		out.Levels[i] = AreaLevel{Theme: t, Level: DefaultLevel}
		for _, r := range rows {
			if r.Theme == t {
				out.Levels[i].Level, out.Levels[i].From = r.Level, r.Code
			}
		}
	}
	return out, nil
}

// SetBasicLevel sets the basic level of theme in the area with code, which must be in
// u's part of the area tree. The areas below it that have no level of their own follow.
func (s *Service) SetBasicLevel(ctx context.Context, u access.User, code, theme, level string) (AreaLevels, error) {
	theme, level = strings.TrimSpace(theme), strings.ToUpper(strings.TrimSpace(level))
	if !ValidTheme(theme) {
		return AreaLevels{}, problem.Invalid("theme", problem.T("Kies een thema: green, paving, cleanliness of furniture.",
			"Choose a theme: green, paving, cleanliness or furniture."))
	}
	if !ValidLevel(level) {
		return AreaLevels{}, problem.Invalid("level", problem.T("Kies een niveau: A+, A, B, C of D.", "Choose a level: A+, A, B, C or D."))
	}
	a, err := findArea(ctx, s.db, u, code)
	if err != nil {
		return AreaLevels{}, err
	}
	err = s.db.WithContext(ctx).Exec(`
INSERT INTO area_quality (area_id, theme, level, updated_by) VALUES (?, ?, ?, ?)
ON CONFLICT (area_id, theme) DO UPDATE SET level = EXCLUDED.level, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		a.ID, theme, level, actor(u)).Error
	if err != nil {
		return AreaLevels{}, fmt.Errorf("initiative: set basic level: %w", err)
	}
	return s.BasicLevels(ctx, u, code)
}

func actor(u access.User) string { return fmt.Sprintf("desk:%d", u.ID) }
