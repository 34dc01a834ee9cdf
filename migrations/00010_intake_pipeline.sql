-- +goose Up
-- The quality level that applies at a point for a theme, so that intake can stamp a new
-- job inside the one statement that files it (see backend/report/store.go) and
-- initiative.LevelAt gives the same answer. The level of an open raise (an approved or
-- active initiative) whose polygon covers the point wins when it is better than the basic
-- level of the first area in area_ids (smallest first) that has one; the basic level of
-- an area nobody set is 'B' (initiative.DefaultLevel). A category without a theme gets
-- 'B' too. The CROW scale, best first, is A+, A, B, C, D (initiative.Levels).
-- +goose StatementBegin
-- PL/pgSQL, not SQL: PostgreSQL plans the queries of a PL/pgSQL function once per
-- session, but those of a SQL function that cannot be inlined on every call (measured:
-- 0.5 ms more per report).
CREATE FUNCTION quality_level_at(want_theme text, at_point geometry, chain bigint[]) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    scale  constant text[] := ARRAY['A+', 'A', 'B', 'C', 'D'];
    raised text;
    basic  text;
BEGIN
    IF want_theme = '' THEN
        RETURN 'B';
    END IF;
    SELECT q.level INTO raised FROM quality_raises q
    WHERE q.raised_until IS NULL AND q.theme = want_theme AND ST_Covers(q.geom, at_point)
    ORDER BY array_position(scale, q.level)
    LIMIT 1;
    SELECT a.level INTO basic FROM area_quality a
    WHERE a.theme = want_theme AND a.area_id = ANY (chain)
    ORDER BY array_position(chain, a.area_id)
    LIMIT 1;
    basic := COALESCE(basic, 'B');
    IF raised IS NOT NULL AND array_position(scale, raised) < array_position(scale, basic) THEN
        RETURN raised;
    END IF;
    RETURN basic;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION quality_level_at(text, geometry, bigint[]);
