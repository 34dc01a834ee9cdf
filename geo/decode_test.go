package geo

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// Helpers that write small GeoJSON files for the decoder and importer tests.

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func collectionCRS(crs string, features ...string) string {
	return `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"` + crs + `"}},"features":[` +
		strings.Join(features, ",") + `]}`
}

func feature(props, geom string) string {
	return `{"type":"Feature","properties":{` + props + `},"geometry":` + geom + `}`
}

// square is a Polygon with corners (x0,y0) and (x1,y1).
func square(x0, y0, x1, y1 float64) string {
	return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%[1]g,%[2]g],[%[3]g,%[2]g],[%[3]g,%[4]g],[%[1]g,%[4]g],[%[1]g,%[2]g]]]}`, x0, y0, x1, y1)
}

// lonLatSquare is a small square near Doetinchem.
var lonLatSquare = square(6.28, 51.95, 6.30, 51.97)

// decodeCases are files the decoder rejects on its own, without a database. The importer
// test runs them again against PostGIS to check that nothing is written.
var decodeCases = []struct {
	name string
	give string
	want string
}{
	{"empty", ``, "empty input"},
	{"not JSON", `hello`, "not JSON"},
	{"truncated", `{"type":"FeatureCollection","features":[{"type":"Feature"`, "not JSON"},
	{"array", `[1, 2]`, "not a JSON object"},
	{"a Feature", feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, lonLatSquare), "not a GeoJSON FeatureCollection"},
	{"no type", `{"features":[]}`, `no "type"`},
	{"no features", `{"type":"FeatureCollection"}`, `no "features"`},
	{"features not an array", `{"type":"FeatureCollection","features":{}}`, "features is not an array"},
	{"feature not an object", collection(`42`), "feature 0: not a JSON object"},
	{"feature of wrong type", collection(`{"type":"Point"}`), `feature 0: type is "Point", want "Feature"`},
	{
		"line string",
		collection(
			feature(`"code":"GM0221","name":"Doesburg","kind":"municipality"`, lonLatSquare),
			feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, `{"type":"LineString","coordinates":[[6.28,51.95],[6.30,51.97]]}`)),
		"geo: feature 1 (GM0222): geometry is a LineString, want Polygon or MultiPolygon",
	},
	{"no geometry", collection(feature(`"code":"GM0222","name":"Doetinchem"`, `null`)), "feature 0 (GM0222): no geometry"},
	{"no code", collection(feature(`"name":"Doetinchem","kind":"municipality"`, lonLatSquare)), "feature 0: no code"},
	{"no name", collection(feature(`"code":"GM0222","kind":"municipality"`, lonLatSquare)), "feature 0 (GM0222): no name"},
	{"unknown kind", collection(feature(`"code":"GM0222","name":"Doetinchem","kind":"province"`, lonLatSquare)), `unknown kind "province"`},
	{"no kind", collection(feature(`"code":"X1","name":"Somewhere"`, lonLatSquare)), "feature 0 (X1): no kind"},
	{"code is an object", collection(feature(`"code":{},"name":"Doetinchem"`, lonLatSquare)), "feature 0: properties:"},
	{"own parent", collection(feature(`"code":"A","name":"A","kind":"district","parent":"A"`, lonLatSquare)), "its own parent"},
	{"bad CBS code", collection(feature(`"buurtcode":"BU12","buurtnaam":"X"`, lonLatSquare)), `"BU12" is not a CBS code`},
	{
		"duplicate code",
		collection(
			feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, lonLatSquare),
			feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, lonLatSquare)),
		"feature 1 (GM0222): duplicate code, also feature 0",
	},
	{
		"infinite coordinate",
		collection(feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`,
			`{"type":"Polygon","coordinates":[[[6.28,51.95],[1e999,51.95],[6.30,51.97],[6.28,51.95]]]}`)),
		"coordinate 1e999 is not a finite number",
	},
	{
		"NaN coordinate",
		collection(feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`,
			`{"type":"Polygon","coordinates":[[[6.28,51.95],["NaN",51.95],[6.30,51.97],[6.28,51.95]]]}`)),
		"want a number",
	},
	{
		"latitude out of range",
		collectionCRS("urn:ogc:def:crs:OGC:1.3:CRS84", feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, square(6.28, 91, 6.30, 92))),
		"out of range for lon/lat",
	},
	{
		"neither lon/lat nor RD",
		collection(feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, square(1000, 1000, 2000, 2000))),
		"neither WGS84 lon/lat nor RD New",
	},
	{
		"declared RD out of range",
		collectionCRS("EPSG:28992", feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, lonLatSquare)),
		"outside the RD New range",
	},
	{
		"mixed coordinate systems",
		collection(
			feature(`"code":"GM0221","name":"Doesburg","kind":"municipality"`, lonLatSquare),
			feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, square(216000, 440000, 218000, 442000))),
		"feature 1 (GM0222): coordinates are RD New (EPSG:28992) but earlier features' are WGS84",
	},
	{
		"crs after features contradicts them",
		`{"type":"FeatureCollection","features":[` + feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, lonLatSquare) +
			`],"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}}}`,
		"crs is EPSG:28992 but the features' coordinates are WGS84",
	},
	{"unsupported crs", collectionCRS("EPSG:3857"), `crs "EPSG:3857" is not supported`},
	{
		"unclosed ring",
		collection(feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`,
			`{"type":"Polygon","coordinates":[[[6.28,51.95],[6.30,51.95],[6.30,51.97],[6.28,51.97]]]}`)),
		"ring 0 of polygon 0 is not closed",
	},
	{
		"short ring",
		collection(feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`,
			`{"type":"Polygon","coordinates":[[[6.28,51.95],[6.30,51.95],[6.28,51.95]]]}`)),
		"has 3 positions, want at least 4",
	},
	{
		"position with one number",
		collection(feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`,
			`{"type":"Polygon","coordinates":[[[6.28],[6.30,51.95],[6.30,51.97],[6.28]]]}`)),
		"a position has 1 numbers, want 2",
	},
	{
		"empty multipolygon",
		collection(feature(`"code":"GM0222","name":"Doetinchem","kind":"municipality"`, `{"type":"MultiPolygon","coordinates":[]}`)),
		"empty MultiPolygon",
	},
	{
		"several errors at once",
		collection(
			feature(`"code":"GM0001","name":"A","kind":"municipality"`, `{"type":"Point","coordinates":[6.28,51.95]}`),
			feature(`"code":"GM0002","name":"B","kind":"municipality"`, lonLatSquare),
			feature(`"code":"GM0003","kind":"municipality"`, lonLatSquare)),
		"geo: feature 0 (GM0001): geometry is a Point, want Polygon or MultiPolygon\ngeo: feature 2 (GM0003): no name",
	},
}

func TestDecodeRejects(t *testing.T) {
	for _, tt := range decodeCases {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeCollection(strings.NewReader(tt.give), "", func(*decodedFeature) error { return nil })
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("error %q does not wrap ErrInvalidInput", err)
			}
		})
	}
}

func TestDecodeStopsEmittingAtFirstError(t *testing.T) {
	give := collection(
		feature(`"code":"GM0001","name":"A","kind":"municipality"`, lonLatSquare),
		feature(`"code":"GM0002","kind":"municipality"`, lonLatSquare),
		feature(`"code":"GM0003","name":"C","kind":"municipality"`, lonLatSquare))
	var got []string
	err := decodeCollection(strings.NewReader(give), "", func(f *decodedFeature) error {
		got = append(got, f.Code)
		return nil
	})
	var fe *FeatureError
	if !errors.As(err, &fe) || fe.Index != 1 || fe.Code != "GM0002" {
		t.Fatalf("error %v, want a FeatureError for feature 1 (GM0002)", err)
	}
	if len(got) != 1 || got[0] != "GM0001" {
		t.Errorf("emitted %v, want only GM0001", got)
	}
}

func TestDecodeCapsErrors(t *testing.T) {
	var fs []string
	for i := range 50 {
		fs = append(fs, feature(fmt.Sprintf(`"code":"GM%04d","kind":"municipality"`, i), lonLatSquare))
	}
	err := decodeCollection(strings.NewReader(collection(fs...)), "", func(*decodedFeature) error { return nil })
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxFeatureErrors+1 || !strings.Contains(lines[len(lines)-1], "stopped after 20 errors") {
		t.Errorf("got %d lines ending in %q, want %d ending in a note", len(lines), lines[len(lines)-1], maxFeatureErrors+1)
	}
}

func TestDecodeFeatures(t *testing.T) {
	rdSquare := square(216000, 440000, 218000, 442000)
	tests := []struct {
		name        string
		give        string
		defaultKind Kind
		want        []decodedFeature // geometry not compared
	}{
		{
			name: "own properties, Dutch kind",
			give: collection(feature(`"code":"WK022201","name":"Centrum","kind":"Wijk","parent":"GM0222","schematic":true`, lonLatSquare)),
			want: []decodedFeature{{Code: "WK022201", Name: "Centrum", Kind: District, Parent: "GM0222", Schematic: true, SRID: 4326}},
		},
		{
			name: "parent derived from a CBS code",
			give: collection(feature(`"code":"BU02220101","name":"Centrum 1","kind":"neighbourhood"`, lonLatSquare)),
			want: []decodedFeature{{Code: "BU02220101", Name: "Centrum 1", Kind: Neighbourhood, Parent: "WK022201", SRID: 4326}},
		},
		{
			name: "kind derived from a CBS code",
			give: collection(feature(`"code":"GM0222","name":"Doetinchem"`, lonLatSquare)),
			want: []decodedFeature{{Code: "GM0222", Name: "Doetinchem", Kind: Municipality, SRID: 4326}},
		},
		{
			name:        "default kind",
			give:        collection(feature(`"code":"X1","name":"Somewhere"`, lonLatSquare)),
			defaultKind: District,
			want:        []decodedFeature{{Code: "X1", Name: "Somewhere", Kind: District, SRID: 4326}},
		},
		{
			name: "CBS buurt, wijk and gemeente in RD New, detected",
			give: collection(
				feature(`"buurtcode":"BU02220101","buurtnaam":"Centrum 1","wijkcode":"WK022201","gemeentecode":"GM0222","gemeentenaam":"Doetinchem","water":"NEE"`, rdSquare),
				feature(`"wijkcode":"WK022201","wijknaam":"Centrum","gemeentecode":"GM0222","gemeentenaam":"Doetinchem"`, rdSquare),
				feature(`"gemeentecode":"GM0222","gemeentenaam":"Doetinchem"`, rdSquare)),
			want: []decodedFeature{
				{Index: 0, Code: "BU02220101", Name: "Centrum 1", Kind: Neighbourhood, Parent: "WK022201", SRID: 28992},
				{Index: 1, Code: "WK022201", Name: "Centrum", Kind: District, Parent: "GM0222", SRID: 28992},
				{Index: 2, Code: "GM0222", Name: "Doetinchem", Kind: Municipality, SRID: 28992},
			},
		},
		{
			name: "older CBS names",
			give: collection(feature(`"BU_CODE":"BU02220101","BU_NAAM":"Centrum 1","GM_CODE":"GM0222"`, rdSquare)),
			want: []decodedFeature{{Code: "BU02220101", Name: "Centrum 1", Kind: Neighbourhood, Parent: "WK022201", SRID: 28992}},
		},
		{
			name: "declared RD New",
			give: collectionCRS("urn:ogc:def:crs:EPSG::28992", feature(`"gemeentecode":"GM0222","gemeentenaam":"Doetinchem"`, rdSquare)),
			want: []decodedFeature{{Code: "GM0222", Name: "Doetinchem", Kind: Municipality, SRID: 28992}},
		},
		{
			name: "crs after the features",
			give: `{"type":"FeatureCollection","features":[` + feature(`"gemeentecode":"GM0222","gemeentenaam":"Doetinchem"`, rdSquare) +
				`],"crs":{"type":"name","properties":{"name":"EPSG:28992"}}}`,
			want: []decodedFeature{{Code: "GM0222", Name: "Doetinchem", Kind: Municipality, SRID: 28992}},
		},
		{
			name: "numeric code, 3D positions, null properties elsewhere",
			give: collection(
				feature(`"code":222,"name":"Doetinchem","kind":"municipality","parent":null`,
					`{"type":"MultiPolygon","coordinates":[[[[6.28,51.95,10],[6.30,51.95,10],[6.30,51.97,10],[6.28,51.95,10]]]]}`)),
			want: []decodedFeature{{Code: "222", Name: "Doetinchem", Kind: Municipality, SRID: 4326}},
		},
		{
			name: "coordinates before type, other members",
			give: collection(feature(`"code":"GM0222","name":"Doetinchem"`,
				`{"coordinates":[[[6.28,51.95],[6.30,51.95],[6.30,51.97],[6.28,51.95]]],"bbox":[6.28,51.95,6.3,51.97],"x":{"a":[1,"]"]},"y":true,"type":"Polygon","z":null}`)),
			want: []decodedFeature{{Code: "GM0222", Name: "Doetinchem", Kind: Municipality, SRID: 4326}},
		},
		{
			name: "no features",
			give: `{"type":"FeatureCollection","name":"empty","features":[],"bbox":[0,0,1,1]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []decodedFeature
			err := decodeCollection(strings.NewReader(tt.give), tt.defaultKind, func(f *decodedFeature) error {
				if len(f.Geom) == 0 {
					t.Errorf("feature %d has no geometry", f.Index)
				}
				g := *f
				g.Geom = nil
				got = append(got, g)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeEmitError(t *testing.T) {
	stop := errors.New("stop")
	give := collection(feature(`"code":"GM0222","name":"Doetinchem"`, lonLatSquare))
	if err := decodeCollection(strings.NewReader(give), "", func(*decodedFeature) error { return stop }); err != stop {
		t.Errorf("got %v, want emit's error", err)
	}
}

// FuzzImportDecode feeds arbitrary bytes to the decoder: it must never panic, and what it
// emits must be safe to hand to PostGIS.
func FuzzImportDecode(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c.give))
	}
	f.Add([]byte(collection(feature(`"code":"WK022201","name":"Centrum","kind":"wijk","parent":"GM0222"`, lonLatSquare))))
	f.Add([]byte(collectionCRS("EPSG:28992", feature(`"buurtcode":"BU02220101","buurtnaam":"C"`, square(216000, 440000, 218000, 442000)))))
	f.Add([]byte(collection(feature(`"code":"GM0222","name":"D"`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]],[[0.1,0.1],[0.2,0.1],[0.2,0.2],[0.1,0.1]]]]}`))))
	f.Fuzz(func(t *testing.T, data []byte) {
		last := -1
		err := decodeCollection(bytes.NewReader(data), "", func(d *decodedFeature) error {
			if d.Index <= last {
				t.Fatalf("feature %d emitted after %d", d.Index, last)
			}
			last = d.Index
			if d.Code == "" || d.Name == "" || d.Code == d.Parent {
				t.Fatalf("feature %d: code %q name %q parent %q", d.Index, d.Code, d.Name, d.Parent)
			}
			if _, err := ParseKind(string(d.Kind)); err != nil {
				t.Fatalf("feature %d: %v", d.Index, err)
			}
			if d.SRID != sridWGS84 && d.SRID != sridETRS89 && d.SRID != sridRDNew {
				t.Fatalf("feature %d: SRID %d", d.Index, d.SRID)
			}
			if len(d.Geom) == 0 {
				t.Fatalf("feature %d: no polygons", d.Index)
			}
			for _, p := range d.Geom {
				if len(p) == 0 {
					t.Fatalf("feature %d: polygon without rings", d.Index)
				}
				for _, r := range p {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Fatalf("feature %d: bad ring %v", d.Index, r)
					}
					for _, pt := range r {
						if math.IsNaN(pt[0]) || math.IsInf(pt[0], 0) || math.IsNaN(pt[1]) || math.IsInf(pt[1], 0) {
							t.Fatalf("feature %d: coordinate %v", d.Index, pt)
						}
					}
				}
			}
			return nil
		})
		if err != nil && !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("error %v does not wrap ErrInvalidInput", err)
		}
	})
}

func BenchmarkDecodeNational(b *testing.B) {
	data, err := os.ReadFile(nationalFile)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var batch importBatch
		if err := decodeCollection(bytes.NewReader(data), "", func(f *decodedFeature) error { return batch.add(f, false) }); err != nil {
			b.Fatal(err)
		}
	}
}
