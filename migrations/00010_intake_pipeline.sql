-- +goose Up
-- The quality level that applies at a point for a theme, so that intake can stamp a new
-- job inside the one statement that files it (see backend/report/store.go) and
-- initiative.LevelAt gives the same answer. The level of an open raise (an approved or
-- active initiative) whose polygon covers the point wins when it is better than the basic
-- level of the first area in area_ids (smallest first) that has one; the basic level of
-- an area nobody set is 'B' (initiative.DefaultLevel). A category without a theme gets
-- 'B' too. The CROW scale, best first, is A+, A, B, C, D (initiative.Levels).
-- +goose StatementBegin
CREATE FUNCTION quality_level_at(theme text, pt geometry, area_ids bigint[]) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN raised IS NOT NULL AND array_position(scale, raised) < array_position(scale, basic) THEN raised
    ELSE basic
  END
FROM (
  SELECT ARRAY['A+', 'A', 'B', 'C', 'D'] AS scale,
    (SELECT q.level FROM quality_raises q
     WHERE $1 <> '' AND q.raised_until IS NULL AND q.theme = $1 AND ST_Covers(q.geom, $2)
     ORDER BY array_position(ARRAY['A+', 'A', 'B', 'C', 'D'], q.level)
     LIMIT 1) AS raised,
    COALESCE((SELECT a.level FROM area_quality a
              WHERE $1 <> '' AND a.theme = $1 AND a.area_id = ANY($3)
              ORDER BY array_position($3, a.area_id)
              LIMIT 1), 'B') AS basic
) l
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION quality_level_at(text, geometry, bigint[]);
