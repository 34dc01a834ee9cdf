package geo

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"wijkwerk/backend/testdb"
)

// The demo data doubles as test data; see backend/demo/data/README.md.
var (
	nationalFile   = filepath.Join("..", "backend", "demo", "data", "nl-gemeenten-2022.geojson")
	doetinchemFile = filepath.Join("..", "backend", "demo", "data", "doetinchem-wijken-buurten.geojson")
)

// The station forecourt in Doetinchem, and the same point in RD New.
var (
	station   = orb.Point{6.2967, 51.9590}
	stationRD = orb.Point{217512.97, 441565.58}
)

func newTestStore(tb testing.TB) (*Store, *testdb.DB) {
	tb.Helper()
	db := testdb.New(tb)
	return NewStore(db.DB), db
}

func importFile(tb testing.TB, s *Store, path string, opts ImportOptions) ImportResult {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	res, err := s.Import(context.Background(), f, opts)
	if err != nil {
		tb.Fatalf("import %s: %v", path, err)
	}
	return res
}

func countAreas(tb testing.TB, db *testdb.DB) int {
	tb.Helper()
	var n int
	if err := db.Raw(`SELECT count(*) FROM areas`).Scan(&n).Error; err != nil {
		tb.Fatal(err)
	}
	return n
}

func areaIDs(tb testing.TB, db *testdb.DB) map[string]int64 {
	tb.Helper()
	rows, err := db.Raw(`SELECT code, id FROM areas`).Rows()
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			tb.Fatal(err)
		}
		ids[code] = id
	}
	return ids
}

func TestImportNational(t *testing.T) {
	s, db := newTestStore(t)
	start := time.Now()
	res := importFile(t, s, nationalFile, ImportOptions{Progress: &bytes.Buffer{}})
	t.Logf("imported %d municipalities in %v, %d repaired", len(res.Codes), time.Since(start), res.Repaired)
	if res.Inserted != 345 || res.Updated != 0 || len(res.Codes) != 345 {
		t.Errorf("inserted %d, updated %d, codes %d; want 345, 0, 345", res.Inserted, res.Updated, len(res.Codes))
	}
	// The published file has 43 invalid polygons (see /work/shared/data/README.md); we
	// observe exactly those 43.
	if res.Repaired < 43 {
		t.Errorf("repaired %d, want at least 43", res.Repaired)
	}
	var n, valid, multi int
	var name, kind string
	var schematic bool
	err := db.Raw(`SELECT count(*), count(*) FILTER (WHERE ST_IsValid(geom)),
	                      count(*) FILTER (WHERE GeometryType(geom) = 'MULTIPOLYGON' AND ST_SRID(geom) = 4326)
	               FROM areas`).Row().Scan(&n, &valid, &multi)
	if err != nil {
		t.Fatal(err)
	}
	if n != 345 || valid != 345 || multi != 345 {
		t.Errorf("%d areas, %d valid, %d 4326 multipolygons; want 345 of each", n, valid, multi)
	}
	err = db.Raw(`SELECT name, kind, schematic FROM areas WHERE code = 'GM0222'`).Row().Scan(&name, &kind, &schematic)
	if err != nil || name != "Doetinchem" || kind != "municipality" || schematic {
		t.Errorf("GM0222: %q %q schematic=%v, %v", name, kind, schematic, err)
	}
	// Overlaps between repaired polygons no longer throw a GEOS TopologyException.
	if err := db.Exec(`SELECT count(*) FROM areas a JOIN areas b ON a.id < b.id AND a.geom && b.geom WHERE ST_Overlaps(a.geom, b.geom)`).Error; err != nil {
		t.Errorf("ST_Overlaps: %v", err)
	}

	before := areaIDs(t, db)
	start = time.Now()
	res = importFile(t, s, nationalFile, ImportOptions{})
	t.Logf("re-imported in %v", time.Since(start))
	if res.Inserted != 0 || res.Updated != 345 {
		t.Errorf("re-import: inserted %d, updated %d; want 0, 345", res.Inserted, res.Updated)
	}
	after := areaIDs(t, db)
	if len(after) != 345 {
		t.Errorf("%d areas after re-import, want 345", len(after))
	}
	for code, id := range before {
		if after[code] != id {
			t.Errorf("%s: id %d became %d", code, id, after[code])
		}
	}
}

// cbsFile is a small extract in the shape of the CBS Wijk- en Buurtkaart, in RD New:
// neighbourhoods first, then their district, then the municipality, so parents come
// after their children.
func cbsFile(crs string) string {
	features := []string{
		feature(`"buurtcode":"BU02220101","buurtnaam":"Centrum-West","wijkcode":"WK022201","gemeentecode":"GM0222","gemeentenaam":"Doetinchem","water":"NEE","aantal_inwoners":1234`,
			square(216000, 440000, 218000, 444000)),
		feature(`"buurtcode":"BU02220102","buurtnaam":"Centrum-Oost","wijkcode":"WK022201","gemeentecode":"GM0222","gemeentenaam":"Doetinchem","water":"NEE","aantal_inwoners":-99999999`,
			square(218000, 440000, 220000, 444000)),
		feature(`"wijkcode":"WK022201","wijknaam":"Centrum","gemeentecode":"GM0222","gemeentenaam":"Doetinchem"`,
			square(216000, 440000, 220000, 444000)),
		feature(`"gemeentecode":"GM0222","gemeentenaam":"Doetinchem"`,
			square(214000, 438000, 222000, 446000)),
	}
	switch crs {
	case "":
		return collection(features...)
	case "after":
		return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") +
			`],"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}}}`
	}
	return collectionCRS(crs, features...)
}

func TestImportCBSRDNew(t *testing.T) {
	s, db := newTestStore(t)
	gzipped := func(s string) string {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write([]byte(s))
		zw.Close()
		return b.String()
	}
	for _, tt := range []struct {
		name, crs string
		wrap      func(string) string
	}{
		{"crs member", "urn:ogc:def:crs:EPSG::28992", nil},
		{"crs member after the features", "after", nil},
		{"detected by magnitude", "", nil},
		// As some tools save it: with a byte order mark, or gzipped (and both).
		{"byte order mark", "", func(s string) string { return "\xef\xbb\xbf" + s }},
		{"gzipped", "", gzipped},
		{"gzipped with a byte order mark", "", func(s string) string { return gzipped("\xef\xbb\xbf" + s) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.Exec(`DELETE FROM areas`).Error; err != nil {
				t.Fatal(err)
			}
			file := cbsFile(tt.crs)
			if tt.wrap != nil {
				file = tt.wrap(file)
			}
			res, err := s.Import(context.Background(), strings.NewReader(file), ImportOptions{Schematic: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Inserted != 4 || strings.Join(res.Codes, " ") != "BU02220101 BU02220102 WK022201 GM0222" {
				t.Errorf("result %+v", res)
			}
			type row struct{ Code, Kind, Parent string }
			var rows []row
			err = db.Raw(`SELECT a.code, a.kind, coalesce(p.code, '') AS parent
			              FROM areas a LEFT JOIN areas p ON p.id = a.parent_id
			              WHERE a.schematic ORDER BY a.code`).Scan(&rows).Error
			if err != nil {
				t.Fatal(err)
			}
			want := []row{
				{"BU02220101", "neighbourhood", "WK022201"},
				{"BU02220102", "neighbourhood", "WK022201"},
				{"GM0222", "municipality", ""},
				{"WK022201", "district", "GM0222"},
			}
			if len(rows) != len(want) {
				t.Fatalf("rows %v, want %v", rows, want)
			}
			for i := range want {
				if rows[i] != want[i] {
					t.Errorf("row %d: %v, want %v", i, rows[i], want[i])
				}
			}
			// The station lies in the western neighbourhood once RD New became lon/lat.
			var covering []string
			err = db.Raw(`SELECT code FROM areas WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY ST_Area(geom)`,
				station[0], station[1]).Scan(&covering).Error
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(covering, " ") != "BU02220101 WK022201 GM0222" {
				t.Errorf("station covered by %v, want BU02220101 WK022201 GM0222", covering)
			}
			ix, err := s.LoadIndex(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(ix.Locate(station)); got != "BU02220101 WK022201 GM0222" {
				t.Errorf("Locate(station) = %s", got)
			}
		})
	}
}

func codes(as []Area) string {
	var cs []string
	for _, a := range as {
		cs = append(cs, a.Code)
	}
	return strings.Join(cs, " ")
}

func TestImportRejects(t *testing.T) {
	s, db := newTestStore(t)
	// Checks that need the database come on top of the decoder's own; each case must
	// leave the table empty. The last case is a repairable polygon, accepted.
	cases := append([]struct{ name, give, want string }{}, decodeCases...)
	cases = append(cases, []struct{ name, give, want string }{
		{
			"unknown parent",
			collection(
				feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, lonLatSquare),
				feature(`"code":"WK999901","name":"Nergens","kind":"district"`, lonLatSquare)),
			"geo: feature 1 (WK999901): parent GM9999 exists neither in the file nor in the database",
		},
		{
			"parent one level too low",
			collection(
				feature(`"code":"A","name":"A","kind":"neighbourhood"`, lonLatSquare),
				feature(`"code":"B","name":"B","kind":"district","parent":"A"`, lonLatSquare)),
			"geo: feature 1 (B): parent A is a neighbourhood, which cannot contain a district",
		},
		{
			"child outside its parent (longitude and latitude swapped)",
			collection(
				feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, lonLatSquare),
				feature(`"code":"WK022201","name":"Centrum","kind":"district","parent":"GM0222"`,
					`{"type":"Polygon","coordinates":[[[51.95,6.28],[51.96,6.28],[51.96,6.29],[51.95,6.29],[51.95,6.28]]]}`)),
			"geo: feature 1 (WK022201): lies outside its parent GM0222",
		},
		{
			"nothing polygonal after repair",
			collection(
				feature(`"code":"GM0221","name":"Doesburg","kind":"municipality"`, lonLatSquare),
				feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`,
					`{"type":"Polygon","coordinates":[[[6.28,51.95],[6.29,51.96],[6.30,51.97],[6.28,51.95]]]}`)),
			"geo: feature 1 (GM0222): geometry has no polygonal part left after repair",
		},
		{
			// A figure of eight: self-intersecting, so invalid, but two triangles after
			// repair. Accepted.
			"bowtie",
			collection(feature(`"code":"GM0222","name":"Doetinchem","kind":"gemeente"`,
				`{"type":"Polygon","coordinates":[[[6.28,51.95],[6.30,51.97],[6.30,51.95],[6.28,51.97],[6.28,51.95]]]}`)),
			"",
		},
	}...)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Import(context.Background(), strings.NewReader(tt.give), ImportOptions{})
			if tt.want == "" {
				checkBowtie(t, db, res, err)
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("error %q does not wrap ErrInvalidInput", err)
			}
			if n := countAreas(t, db); n != 0 {
				t.Errorf("%d areas written by a failed import", n)
			}
		})
	}
}

// TestImportKeepsTheTree: a re-import may not make an area a kind that cannot contain
// the areas already under it.
func TestImportKeepsTheTree(t *testing.T) {
	s, db := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Import(ctx, strings.NewReader(collection(
		feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, lonLatSquare),
		feature(`"code":"WK022201","name":"Centrum","kind":"district","parent":"GM0222"`, lonLatSquare),
		feature(`"code":"BU02220101","name":"Centrum 1","kind":"neighbourhood","parent":"WK022201"`, lonLatSquare))), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Import(ctx, strings.NewReader(collection(
		feature(`"code":"WK022201","name":"Centrum","kind":"neighbourhood","parent":"GM0222"`, lonLatSquare))), ImportOptions{})
	if err == nil || !errors.Is(err, ErrInvalidInput) ||
		!strings.Contains(err.Error(), "area WK022201 would become a neighbourhood, which cannot contain its neighbourhood BU02220101") {
		t.Fatalf("err = %v", err)
	}
	var kind string
	db.Raw(`SELECT kind FROM areas WHERE code = 'WK022201'`).Scan(&kind)
	if kind != "district" {
		t.Errorf("a refused import changed the kind to %q", kind)
	}
}

func checkBowtie(t *testing.T, db *testdb.DB, res ImportResult, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 1 || res.Repaired != 1 {
		t.Errorf("result %+v, want 1 inserted and repaired", res)
	}
	var valid bool
	var parts int
	if err := db.Raw(`SELECT ST_IsValid(geom), ST_NumGeometries(geom) FROM areas WHERE code = 'GM0222'`).Row().Scan(&valid, &parts); err != nil {
		t.Fatal(err)
	}
	if !valid || parts != 2 {
		t.Errorf("valid %v, %d parts; want a valid geometry of 2 triangles", valid, parts)
	}
}

func TestImportOptions(t *testing.T) {
	s, db := newTestStore(t)
	give := collection(
		feature(`"code":"X1","name":"Noord"`, square(6.28, 51.96, 6.30, 51.97)),
		feature(`"code":"X2","name":"Zuid","kind":"municipality"`, square(6.28, 51.95, 6.30, 51.96)))
	var progress bytes.Buffer
	if _, err := s.Import(context.Background(), strings.NewReader(give), ImportOptions{Kind: "wijk", Schematic: true, Progress: &progress}); err != nil {
		t.Fatal(err)
	}
	if progress.Len() != 0 {
		t.Errorf("progress written to a buffer: %q", progress.String())
	}
	var got []struct {
		Code, Kind string
		Schematic  bool
	}
	if err := db.Raw(`SELECT code, kind, schematic FROM areas ORDER BY code`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Kind != "district" || got[1].Kind != "municipality" || !got[0].Schematic || !got[1].Schematic {
		t.Errorf("got %+v, want X1 a district, X2 a municipality, both schematic", got)
	}
	if _, err := s.Import(context.Background(), strings.NewReader(give), ImportOptions{Kind: "province"}); err == nil {
		t.Error("an unknown default kind was accepted")
	}
}
