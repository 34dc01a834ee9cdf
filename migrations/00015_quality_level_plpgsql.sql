-- +goose Up
-- quality_level_at (migration 00010) in PL/pgSQL instead of SQL: PostgreSQL plans the
-- queries of a PL/pgSQL function once per session, but those of a SQL function that
-- cannot be inlined on every call (measured: 0.5 ms more per report). Its parameter names
-- change, so the function is dropped and made again rather than replaced.
DROP FUNCTION quality_level_at(text, geometry, bigint[]);
-- +goose StatementBegin
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
