-- gen-doetinchem.sql: generates doetinchem-wijken-buurten.geojson, a SCHEMATIC split of
-- the municipality of Doetinchem (GM0222) into its 9 districts (wijken) and 27
-- neighbourhoods (buurten). The boundaries are NOT the official CBS ones: they are Voronoi
-- cells around seed points, cut to the real municipal boundary, good enough for a demo.
--
-- Run from the repository root against any PostgreSQL database with PostGIS >= 3.1 (it
-- only creates temporary tables):
--
--   psql "$WIJKWERK_DATABASE_URL" -X -v ON_ERROR_STOP=1 -f backend/demo/data/gen-doetinchem.sql \
--     < backend/demo/data/nl-gemeenten-2022.geojson \
--     > backend/demo/data/doetinchem-wijken-buurten.geojson
--
-- The national file comes in on stdin; the GeoJSON goes to stdout. The output is
-- deterministic for a given PostGIS/GEOS version (fixed seed points, fixed random seed).
\set ON_ERROR_STOP on
\set QUIET on
\pset format unaligned
\pset tuples_only on

CREATE TEMP TABLE src (doc text);
-- The file is one line of JSON; CSV mode with quote and delimiter characters that never
-- occur in it reads the line verbatim (text mode would interpret backslashes).
\copy src (doc) FROM pstdin WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02')

-- The municipality as the importer stores it (made valid), snapped to the 1e-6 degree
-- grid that the output is written in, so every vertex survives the rounding.
CREATE TEMP TABLE municipality AS
SELECT ST_ReducePrecision(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(f -> 'geometry'), 4326)), 1e-6) AS geom
FROM src, jsonb_array_elements(src.doc::jsonb -> 'features') AS f
WHERE f -> 'properties' ->> 'code' = 'GM0222';

-- Approximate centres of the real districts (lon, lat).
CREATE TEMP TABLE district_seed (n int PRIMARY KEY, name text NOT NULL, seed geometry NOT NULL);
INSERT INTO district_seed
SELECT n, name, ST_SetSRID(ST_MakePoint(lon, lat), 4326)
FROM (VALUES
    (1, 'Centrum',    6.296, 51.965),
    (2, 'Noord',      6.290, 51.982),
    (3, 'Oosseld',    6.318, 51.962),
    (4, 'Overstegen', 6.272, 51.972),
    (5, 'De Huet',    6.285, 51.952),
    (6, 'Dichteren',  6.312, 51.985),
    (7, 'Wijnbergen', 6.338, 51.972),
    (8, 'Gaanderen',  6.345, 51.935),
    (9, 'Wehl',       6.212, 51.960)
) AS v (n, name, lon, lat);

-- A district is the Voronoi cell of its seed cut to the municipality. The intersection
-- runs in a fixed 1e-6 precision model, so its output is valid as written.
CREATE TEMP TABLE district AS
SELECT s.n, s.name, 'WK0222' || lpad(s.n::text, 2, '0') AS code,
       ST_Multi(ST_CollectionExtract(ST_Intersection(m.geom, c.geom, 1e-6), 3)) AS geom
FROM municipality AS m,
     LATERAL ST_Dump(ST_VoronoiPolygons(
         (SELECT ST_Collect(seed ORDER BY n) FROM district_seed), 0, ST_Expand(m.geom, 0.1))) AS c,
     district_seed AS s
WHERE ST_Covers(c.geom, s.seed);

-- Three neighbourhoods per district: seeds are the centres of three k-means clusters of
-- 300 points spread over the district with a fixed random seed, so the parts come out of
-- similar size; then Voronoi cells again, cut to the district.
CREATE TEMP TABLE neighbourhood_seed AS
WITH pts AS (
    SELECT d.n, p.geom
    FROM district AS d, LATERAL ST_Dump(ST_GeneratePoints(d.geom, 300, 2022)) AS p
), clustered AS (
    SELECT n, geom, ST_ClusterKMeans(geom, 3) OVER (PARTITION BY n) AS k FROM pts
)
SELECT n, k, ST_Centroid(ST_Collect(geom)) AS seed FROM clustered GROUP BY n, k;

-- Neighbourhoods are numbered from north to south within their district.
CREATE TEMP TABLE neighbourhood AS
SELECT d.n, d.code AS parent,
       row_number() OVER (PARTITION BY d.n ORDER BY ST_Y(s.seed) DESC, ST_X(s.seed)) AS i,
       d.name AS district_name,
       ST_Multi(ST_CollectionExtract(ST_Intersection(d.geom, c.geom, 1e-6), 3)) AS geom
FROM district AS d,
     LATERAL ST_Dump(ST_VoronoiPolygons(
         (SELECT ST_Collect(seed ORDER BY k) FROM neighbourhood_seed AS ns WHERE ns.n = d.n),
         0, ST_Expand(d.geom, 0.1))) AS c,
     neighbourhood_seed AS s
WHERE s.n = d.n AND ST_Covers(c.geom, s.seed);

-- Refuse to write a file that the importer would have to repair or that leaves gaps.
DO $$
DECLARE
    bad text;
BEGIN
    IF (SELECT count(*) FROM district) <> 9 OR (SELECT count(*) FROM neighbourhood) <> 27 THEN
        RAISE EXCEPTION 'expected 9 districts and 27 neighbourhoods';
    END IF;
    SELECT string_agg(code, ', ') INTO bad FROM (
        SELECT code, geom FROM district
        UNION ALL SELECT parent || '/' || i, geom FROM neighbourhood
    ) AS a
    WHERE NOT ST_IsValid(geom) OR ST_IsEmpty(geom) OR GeometryType(geom) <> 'MULTIPOLYGON';
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'invalid or empty geometry: %', bad;
    END IF;
    -- Gaps may only come from rounding to 1e-6 degrees (about 10 cm).
    IF (SELECT ST_Area(ST_Difference(m.geom, ST_Buffer(ST_Union(d.geom), 1e-6)))
        FROM municipality AS m, district AS d GROUP BY m.geom) > 0 THEN
        RAISE EXCEPTION 'the districts leave a gap in the municipality';
    END IF;
    SELECT string_agg(d.code, ', ') INTO bad FROM district AS d
    WHERE ST_Area(ST_Difference(d.geom, ST_Buffer(
        (SELECT ST_Union(nb.geom) FROM neighbourhood AS nb WHERE nb.n = d.n), 1e-6))) > 0;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'the neighbourhoods leave a gap in %', bad;
    END IF;
END
$$;

-- One feature per line keeps diffs of the generated file readable.
WITH feature AS (
    SELECT 0 AS level, n, 0 AS i,
           format('{"type":"Feature","properties":%s,"geometry":%s}',
               (SELECT row_to_json(p) FROM (
                   SELECT code, name, 'district' AS kind, 'GM0222' AS parent, true AS schematic) AS p),
               ST_AsGeoJSON(geom, 6)) AS f
    FROM district
    UNION ALL
    SELECT 1, n, i,
           format('{"type":"Feature","properties":%s,"geometry":%s}',
               (SELECT row_to_json(p) FROM (
                   SELECT 'BU' || substr(parent, 3) || lpad(i::text, 2, '0') AS code,
                          district_name || ' ' || i AS name, 'neighbourhood' AS kind,
                          parent, true AS schematic) AS p),
               ST_AsGeoJSON(geom, 6))
    FROM neighbourhood
)
SELECT '{"type":"FeatureCollection","name":"doetinchem-wijken-buurten","features":[' || E'\n'
    || string_agg(f, E',\n' ORDER BY level, n, i) || E'\n]}'
FROM feature;
