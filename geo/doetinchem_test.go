package geo

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"wijkwerk/backend/testdb"
)

// loadDemo imports the national municipalities and the schematic Doetinchem districts and
// neighbourhoods, as seed-demo does, and loads the index.
func loadDemo(tb testing.TB) (*testdb.DB, *Index) {
	tb.Helper()
	s, db := newTestStore(tb)
	importFile(tb, s, nationalFile, ImportOptions{})
	res := importFile(tb, s, doetinchemFile, ImportOptions{})
	if res.Inserted != 36 || res.Repaired != 0 {
		tb.Fatalf("Doetinchem: %+v, want 36 areas inserted and none repaired", res)
	}
	ix, err := s.LoadIndex(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return db, ix
}

// smallestCoveringSQL is the routing question asked of PostGIS: the smallest area that
// covers the point. Ties go to the lower id, as in the index.
const smallestCoveringSQL = `
SELECT code FROM areas
WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
ORDER BY ST_Area(geom), id
LIMIT 1`

// probeSQL makes test points around Doetinchem's areas: random points inside every
// neighbourhood; every vertex of every district and neighbourhood (exactly on a border);
// the midpoint of every edge (on it, up to rounding); and all of those moved 1e-7 (about
// a centimetre, the scale of the file's rounding) and 1e-5 degrees each way. For each it
// gives the answer of PostGIS.
const probeSQL = `
WITH doetinchem AS (
    SELECT code, geom FROM areas WHERE code LIKE 'WK0222%' OR code LIKE 'BU0222%'
), base AS (
    SELECT a.code AS src, 'inside' AS how, p.geom AS p
    FROM doetinchem AS a, LATERAL ST_Dump(ST_GeneratePoints(a.geom, 200, 2022)) AS p
    WHERE a.code LIKE 'BU%'
    UNION ALL
    SELECT a.code, 'vertex', p.geom FROM doetinchem AS a, LATERAL ST_DumpPoints(a.geom) AS p
    UNION ALL
    SELECT a.code, 'midpoint', ST_LineInterpolatePoint(s.geom, 0.5)
    FROM doetinchem AS a, LATERAL ST_DumpSegments(a.geom) AS s
), probe AS (
    SELECT src, how, p FROM base
    UNION ALL
    SELECT src, how || ' moved ' || d::text, ST_Translate(p, d * dx, d * dy)
    FROM base, (VALUES (1e-7), (1e-5)) AS v (d), (VALUES (1, 0), (-1, 0), (0, 1), (0, -1)) AS m (dx, dy)
    WHERE how <> 'inside'
)
SELECT src, how, ST_X(p), ST_Y(p),
       (SELECT code FROM areas WHERE ST_Covers(geom, p) ORDER BY ST_Area(geom), id LIMIT 1)
FROM probe`

func TestDoetinchemLocate(t *testing.T) {
	db, ix := loadDemo(t)
	ctx := context.Background()

	var valid, total int
	if err := db.Raw(`SELECT count(*) FILTER (WHERE ST_IsValid(geom)), count(*) FROM areas`).Row().Scan(&valid, &total); err != nil {
		t.Fatal(err)
	}
	if valid != total || total != 345+36 {
		t.Errorf("%d of %d areas valid, want all of 381", valid, total)
	}
	var gap float64
	err := db.Raw(`SELECT ST_Area(ST_Difference(m.geom, ST_Buffer(ST_Union(d.geom), 1e-6)))
	               FROM areas AS m JOIN areas AS d ON d.parent_id = m.id
	               WHERE m.code = 'GM0222' GROUP BY m.geom`).Row().Scan(&gap)
	if err != nil || gap > 0 {
		t.Errorf("the districts leave %g square degrees of Doetinchem uncovered beyond rounding (%v)", gap, err)
	}

	rows, err := db.WithContext(ctx).Raw(probeSQL).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counts := map[string]int{}
	failures := 0
	for rows.Next() {
		var src, how string
		var p orb.Point
		var want *string
		if err := rows.Scan(&src, &how, &p[0], &p[1], &want); err != nil {
			t.Fatal(err)
		}
		counts[strings.Fields(how)[0]]++
		got := ix.Locate(p)
		switch {
		case want == nil && got == nil:
		case want == nil || got == nil || got[0].Code != *want:
			if failures++; failures <= 10 {
				t.Errorf("%s point of %s, %.17g %.17g: Locate = %q, PostGIS = %v", how, src, p[0], p[1], codes(got), deref(want))
			}
		}
		if how == "inside" {
			// Deep inside a neighbourhood: neighbourhood, district, municipality.
			if len(got) != 3 || got[0].Kind != Neighbourhood || got[1].Kind != District || got[2].Code != "GM0222" {
				if failures++; failures <= 10 {
					t.Errorf("point inside %s at %v: Locate = %q, want neighbourhood, district, GM0222", src, p, codes(got))
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("compared %v points with PostGIS; %d differ", counts, failures)
	if counts["inside"] < 27*200 || counts["vertex"] == 0 || counts["midpoint"] == 0 {
		t.Errorf("too few points: %v", counts)
	}

	// Random points over the whole country, most of them in municipalities, some at sea.
	pts := randomPoints(2000)
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	var wants []string
	err = db.Raw(`SELECT coalesce((SELECT code FROM areas WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(x, y), 4326))
	                                ORDER BY ST_Area(geom), id LIMIT 1), '')
	              FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS t (x, y, i) ORDER BY i`, xs, ys).Scan(&wants).Error
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pts {
		var got string
		if chain := ix.Locate(p); chain != nil {
			got = chain[0].Code
		}
		if got != wants[i] {
			t.Errorf("Locate(%v) = %q, PostGIS %q", p, got, wants[i])
		}
	}

	tests := []struct {
		name string
		give orb.Point
		want string // the whole chain; * matches one code
	}{
		{"station forecourt", station, "* * GM0222"},
		{"Zevenaar, no districts loaded", orb.Point{6.0745, 51.9280}, "GM0299"},
		{"North Sea", orb.Point{3.8, 53.2}, ""},
	}
	for _, tt := range tests {
		got := ix.Locate(tt.give)
		gotCodes := strings.Fields(codes(got))
		wantCodes := strings.Fields(tt.want)
		ok := len(gotCodes) == len(wantCodes)
		for i := 0; ok && i < len(wantCodes); i++ {
			ok = wantCodes[i] == "*" || wantCodes[i] == gotCodes[i]
		}
		if !ok {
			t.Errorf("%s: Locate(%v) = %q, want %q", tt.name, tt.give, codes(got), tt.want)
		}
	}
	if chain := ix.Locate(station); len(chain) == 3 && (chain[0].Kind != Neighbourhood || chain[1].Kind != District) {
		t.Errorf("station: Locate = %+v, want a neighbourhood and a district", chain)
	}
}

func deref(s *string) string {
	if s == nil {
		return "nothing"
	}
	return *s
}

// demoShapes reads the demo files without a database, for BenchmarkLocate when no
// PostGIS is at hand. Invalid polygons stay unrepaired, which the index tolerates.
func demoShapes(tb testing.TB) []Shape {
	tb.Helper()
	var shapes []Shape
	ids := map[string]int64{}
	parents := map[int64]string{}
	for _, path := range []string{nationalFile, doetinchemFile} {
		f, err := os.Open(path)
		if err != nil {
			tb.Fatal(err)
		}
		err = decodeCollection(f, "", func(d *decodedFeature) error {
			id := int64(len(shapes) + 1)
			ids[d.Code] = id
			parents[id] = d.Parent
			shapes = append(shapes, Shape{Area: Area{ID: id, Code: d.Code, Name: d.Name, Kind: d.Kind}, Geom: d.Geom})
			return nil
		})
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
	}
	for i := range shapes {
		shapes[i].ParentID = ids[parents[shapes[i].ID]]
	}
	return shapes
}

// BenchmarkLocate is Locate on the demo data: 345 municipalities and Doetinchem's 36
// districts and neighbourhoods, at random points over the Netherlands.
func BenchmarkLocate(b *testing.B) {
	var ix *Index
	if os.Getenv(testdb.EnvURL) != "" {
		_, ix = loadDemo(b)
	} else {
		ix = NewIndex(demoShapes(b))
	}
	pts := randomPoints(1 << 16)
	i := 0
	for b.Loop() {
		ix.Locate(pts[i&(len(pts)-1)])
		i++
	}
}

// BenchmarkLocatePostGIS asks PostGIS the same question over one connection, for
// comparison with BenchmarkLocate.
func BenchmarkLocatePostGIS(b *testing.B) {
	if os.Getenv(testdb.EnvURL) == "" {
		b.Skipf("%s is not set", testdb.EnvURL)
	}
	ctx := context.Background()
	db, _ := loadDemo(b)
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Prepare(ctx, "locate", smallestCoveringSQL); err != nil {
		b.Fatal(err)
	}
	pts := randomPoints(1 << 16)
	i := 0
	for b.Loop() {
		p := pts[i&(len(pts)-1)]
		i++
		var code string
		if err := conn.QueryRow(ctx, "locate", p[0], p[1]).Scan(&code); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			b.Fatal(err)
		}
	}
}
