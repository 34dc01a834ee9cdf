package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// ErrInvalidInput marks every error that is the input file's fault rather than the
// database's: not GeoJSON, or a feature that cannot be imported. Callers tell a bad file
// (exit code 2, HTTP 422) from a failure with errors.Is.
var ErrInvalidInput = errors.New("geo: invalid input")

// FeatureError is a problem with one feature of an imported file. An import reports up to
// 20 of them at once, joined (see errors.Join), so a file can be fixed in one go.
type FeatureError struct {
	Index int    // 0-based position in the features array
	Code  string // the feature's area code, when it has one
	Err   error
}

func (e *FeatureError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("geo: feature %d: %v", e.Index, e.Err)
	}
	return fmt.Sprintf("geo: feature %d (%s): %v", e.Index, e.Code, e.Err)
}

// Unwrap gives the cause and ErrInvalidInput.
func (e *FeatureError) Unwrap() []error { return []error{e.Err, ErrInvalidInput} }

// maxFeatureErrors caps the errors an import collects before it gives up.
const maxFeatureErrors = 20

// SRIDs the importer understands. Geographic ones (lon/lat) are stored as given,
// RD New is transformed by PostGIS.
const (
	sridWGS84  = 4326
	sridETRS89 = 4258
	sridRDNew  = 28992
)

// decodedFeature is a feature that passed the checks that need no database.
type decodedFeature struct {
	Index     int
	Code      string
	Name      string
	Kind      Kind
	Parent    string // the parent's code; empty for a root
	Schematic bool   // the feature's own "schematic" property
	SRID      int
	Geom      orb.MultiPolygon
}

// decodeCollection streams a GeoJSON FeatureCollection from r and calls emit with every
// feature, in file order, as long as no feature has failed; after the first failure it
// keeps reading only to report more errors (up to maxFeatureErrors), since the import is
// lost anyway. It returns nil, emit's error, or the file's errors (all wrapping
// ErrInvalidInput).
//
// Only one feature is held in memory at a time. The coordinate reference system comes
// from a "crs" member (EPSG:4326, CRS84, EPSG:4258, EPSG:28992) or, when there is none,
// from the coordinates' magnitude: WGS84 lon/lat and RD New ranges do not overlap, so the
// guess is unambiguous per feature, and all features must agree. A "crs" member after the
// features therefore needs no buffering: it can only confirm the guess or fail the file.
func decodeCollection(r io.Reader, defaultKind Kind, emit func(*decodedFeature) error) error {
	d := &collectionDecoder{
		dec:         json.NewDecoder(r),
		defaultKind: defaultKind,
		emit:        emit,
		codes:       make(map[string]int),
	}
	d.dec.UseNumber() // Token then never fails on a number too large for a float64
	err := d.run()
	switch {
	case err == errStop:
		err = nil
	case err != nil && !errors.Is(err, ErrInvalidInput):
		return err // emit's own error
	}
	errs := d.errs
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

type collectionDecoder struct {
	dec         *json.Decoder
	defaultKind Kind
	emit        func(*decodedFeature) error
	declared    int // SRID from the crs member, 0 before it (or without one)
	detected    int // SRID the first feature's coordinates implied
	codes       map[string]int
	errs        []error
	n           int // features read
}

// invalidf makes a file-level error.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidInput}, args...)...)
}

// notJSON tells a malformed file from a failure to read it.
func notJSON(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax), errors.As(err, &typ):
		return invalidf("not JSON: %v", err)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return invalidf("not JSON: the input ends too early")
	}
	return fmt.Errorf("geo: read: %w", err)
}

func (d *collectionDecoder) run() error {
	tok, err := d.dec.Token()
	if err != nil {
		if err == io.EOF {
			return invalidf("empty input, want a GeoJSON FeatureCollection")
		}
		return notJSON(err)
	}
	if tok != json.Delim('{') {
		return invalidf("not a GeoJSON FeatureCollection: the input is not a JSON object")
	}
	var sawType, sawFeatures bool
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return notJSON(err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			var t string
			if err := d.dec.Decode(&t); err != nil || t != "FeatureCollection" {
				return invalidf("not a GeoJSON FeatureCollection (type is %s)", describeType(t, err))
			}
			sawType = true
		case "crs":
			var c crsMember
			if err := d.dec.Decode(&c); err != nil {
				return invalidf("crs: %v", err)
			}
			srid, err := c.srid()
			if err != nil {
				return err
			}
			if d.detected != 0 && srid != 0 && !sameCRS(srid, d.detected) {
				return invalidf("crs is EPSG:%d but the features' coordinates are %s", srid, crsName(d.detected))
			}
			d.declared = srid
		case "features":
			if sawFeatures {
				return invalidf("two features members")
			}
			sawFeatures = true
			if err := d.features(); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := d.dec.Decode(&skip); err != nil {
				return notJSON(err)
			}
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return notJSON(err)
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return invalidf("unexpected data after the FeatureCollection")
	}
	if !sawType {
		return invalidf(`not a GeoJSON FeatureCollection (no "type")`)
	}
	if !sawFeatures {
		return invalidf(`not a GeoJSON FeatureCollection (no "features")`)
	}
	return nil
}

func describeType(t string, err error) string {
	if err != nil {
		return "not a string"
	}
	return strconv.Quote(t)
}

// features reads the features array one feature at a time.
func (d *collectionDecoder) features() error {
	tok, err := d.dec.Token()
	if err != nil {
		return notJSON(err)
	}
	if tok != json.Delim('[') {
		return invalidf("features is not an array")
	}
	for d.dec.More() {
		i := d.n
		d.n++
		var raw rawFeature
		if err := d.dec.Decode(&raw); err != nil {
			var typeErr *json.UnmarshalTypeError
			if !errors.As(err, &typeErr) {
				// A syntax error leaves the decoder stuck: the file ends here.
				if err := notJSON(err); !errors.Is(err, ErrInvalidInput) {
					return err
				}
				return &FeatureError{Index: i, Err: fmt.Errorf("not JSON: %v", err)}
			}
			if d.fail(&FeatureError{Index: i, Err: errors.New("not a JSON object")}) {
				return errStop
			}
			continue
		}
		f, err := d.feature(i, &raw)
		if err != nil {
			if d.fail(err) {
				return errStop
			}
			continue
		}
		if len(d.errs) == 0 {
			if err := d.emit(f); err != nil {
				return err
			}
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return notJSON(err)
	}
	return nil
}

// errStop ends decoding once enough errors are collected.
var errStop = errors.New("geo: too many errors")

// fail records a feature error and reports whether the decoder should stop.
func (d *collectionDecoder) fail(err error) bool {
	d.errs = append(d.errs, err)
	if len(d.errs) >= maxFeatureErrors {
		d.errs = append(d.errs, invalidf("stopped after %d errors", maxFeatureErrors))
		return true
	}
	return false
}

type rawFeature struct {
	Type       json.RawMessage `json:"type"`
	Properties json.RawMessage `json:"properties"`
	Geometry   geometryJSON    `json:"geometry"`
}

// geometryJSON parses a geometry while encoding/json walks the feature, which saves
// copying and re-scanning the bulk of the file. It keeps its error instead of returning
// it, so the rest of the feature (its code, for the message) is still decoded.
type geometryJSON struct {
	geom orb.MultiPolygon
	err  error
}

func (g *geometryJSON) UnmarshalJSON(b []byte) error {
	g.geom, g.err = parseGeometry(b)
	return nil
}

// featureProps are the properties the importer reads: its own (code, name, kind,
// parent, schematic) and those of the CBS Wijk- en Buurtkaart, in the current lower-case
// spelling and the older upper-case one of the shapefiles.
type featureProps struct {
	Code      propString `json:"code"`
	Name      propString `json:"name"`
	Kind      propString `json:"kind"`
	Parent    propString `json:"parent"`
	Schematic *bool      `json:"schematic"`

	Gemeentecode propString `json:"gemeentecode"`
	Gemeentenaam propString `json:"gemeentenaam"`
	Wijkcode     propString `json:"wijkcode"`
	Wijknaam     propString `json:"wijknaam"`
	Buurtcode    propString `json:"buurtcode"`
	Buurtnaam    propString `json:"buurtnaam"`
	GMCode       propString `json:"GM_CODE"`
	GMNaam       propString `json:"GM_NAAM"`
	WKCode       propString `json:"WK_CODE"`
	WKNaam       propString `json:"WK_NAAM"`
	BUCode       propString `json:"BU_CODE"`
	BUNaam       propString `json:"BU_NAAM"`
}

// propString is a string property that may also be given as a number, or be null.
type propString string

func (s *propString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0, string(b) == "null":
		return nil
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = propString(strings.TrimSpace(v))
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*s = propString(b)
	default:
		return fmt.Errorf("%s is not a string", b)
	}
	return nil
}

func first(vs ...propString) string {
	for _, v := range vs {
		if v != "" {
			return string(v)
		}
	}
	return ""
}

func (d *collectionDecoder) feature(i int, raw *rawFeature) (*decodedFeature, error) {
	f := &decodedFeature{Index: i}
	fail := func(format string, args ...any) error {
		return &FeatureError{Index: i, Code: f.Code, Err: fmt.Errorf(format, args...)}
	}
	var typ string
	if err := json.Unmarshal(raw.Type, &typ); err != nil || typ != "Feature" {
		if len(raw.Type) == 0 {
			return nil, fail(`no "type", want "Feature"`)
		}
		return nil, fail("type is %s, want \"Feature\"", raw.Type)
	}
	var p featureProps
	if len(raw.Properties) > 0 && !bytes.Equal(raw.Properties, []byte("null")) {
		if err := json.Unmarshal(raw.Properties, &p); err != nil {
			return nil, fail("properties: %v", err)
		}
	}
	if err := d.identify(f, &p); err != nil {
		return nil, fail("%v", err)
	}
	if prev, ok := d.codes[f.Code]; ok {
		return nil, fail("duplicate code, also feature %d", prev)
	}
	d.codes[f.Code] = i
	geom, err := raw.Geometry.geom, raw.Geometry.err
	if err == nil && geom == nil {
		err = errors.New("no geometry")
	}
	if err != nil {
		return nil, fail("%v", err)
	}
	srid, err := d.checkCRS(geom)
	if err != nil {
		return nil, fail("%v", err)
	}
	f.Geom, f.SRID = geom, srid
	return f, nil
}

// identify sets code, name, kind and parent from the properties. The importer's own
// names win; otherwise the most specific CBS code present says what the feature is.
func (d *collectionDecoder) identify(f *decodedFeature, p *featureProps) error {
	if p.Schematic != nil {
		f.Schematic = *p.Schematic
	}
	buurt := first(p.Buurtcode, p.BUCode)
	wijk := first(p.Wijkcode, p.WKCode)
	gemeente := first(p.Gemeentecode, p.GMCode)
	switch {
	case p.Code != "":
		f.Code, f.Name, f.Parent = string(p.Code), string(p.Name), string(p.Parent)
		derived, parent, isCBS := cbsCode(f.Code)
		switch {
		case p.Kind != "":
			k, err := ParseKind(strings.ToLower(string(p.Kind)))
			if err != nil {
				return fmt.Errorf("unknown kind %q, want municipality, district or neighbourhood", p.Kind)
			}
			f.Kind = k
		case d.defaultKind != "":
			f.Kind = d.defaultKind
		case isCBS:
			f.Kind = derived
		default:
			return errors.New("no kind, and the code is not a CBS code (GMxxxx, WKxxxxxx, BUxxxxxxxx)")
		}
		if f.Parent == "" && isCBS && f.Kind == derived {
			f.Parent = parent
		}
	case buurt != "":
		f.Code, f.Name = buurt, first(p.Buurtnaam, p.BUNaam, p.Name)
	case wijk != "":
		f.Code, f.Name = wijk, first(p.Wijknaam, p.WKNaam, p.Name)
	case gemeente != "":
		f.Code, f.Name = gemeente, first(p.Gemeentenaam, p.GMNaam, p.Name)
	default:
		return errors.New("no code (want a code, buurtcode, wijkcode or gemeentecode property)")
	}
	if f.Kind == "" { // a CBS feature
		k, parent, ok := cbsCode(f.Code)
		if !ok {
			return fmt.Errorf("%q is not a CBS code (GMxxxx, WKxxxxxx, BUxxxxxxxx)", f.Code)
		}
		f.Kind, f.Parent = k, parent
	}
	switch {
	case strings.ContainsRune(f.Code, 0) || strings.ContainsRune(f.Name, 0) || strings.ContainsRune(f.Parent, 0):
		return errors.New("a property contains a NUL character")
	case f.Name == "":
		return errors.New("no name")
	case f.Parent == f.Code:
		return errors.New("the area is its own parent")
	}
	return nil
}

// cbsCode recognises CBS area codes: GM + 4 digits (gemeente), WK + the municipality's 4
// + 2 digits (wijk), BU + the district's 6 + 2 digits (buurt). It gives the kind and the
// parent's code.
func cbsCode(code string) (Kind, string, bool) {
	digits := func(s string) bool {
		for _, c := range s {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	if len(code) < 2 || !digits(code[2:]) {
		return "", "", false
	}
	switch {
	case len(code) == 6 && code[:2] == "GM":
		return Municipality, "", true
	case len(code) == 8 && code[:2] == "WK":
		return District, "GM" + code[2:6], true
	case len(code) == 10 && code[:2] == "BU":
		return Neighbourhood, "WK" + code[2:8], true
	}
	return "", "", false
}

// crsMember is the pre-2016 GeoJSON "crs" member, which PDOK and QGIS still write.
type crsMember struct {
	Type       string `json:"type"`
	Properties struct {
		Name string          `json:"name"`
		Code json.RawMessage `json:"code"` // for "type": "EPSG"
	} `json:"properties"`
}

// srid understands the names urn:ogc:def:crs:EPSG::28992, EPSG:28992,
// http://www.opengis.net/def/crs/EPSG/0/28992 and urn:ogc:def:crs:OGC:1.3:CRS84.
func (c *crsMember) srid() (int, error) {
	name := c.Properties.Name
	if strings.EqualFold(c.Type, "EPSG") && len(c.Properties.Code) > 0 {
		name = "EPSG:" + strings.Trim(string(c.Properties.Code), `"`)
	}
	if name == "" {
		if c.Type == "" {
			return 0, nil // "crs": null or {}
		}
		return 0, invalidf("crs of type %q is not supported, want a named EPSG code", c.Type)
	}
	up := strings.ToUpper(name)
	if strings.HasSuffix(up, "CRS84") {
		return sridWGS84, nil
	}
	code := up[strings.LastIndexAny(up, ":/")+1:]
	if strings.Contains(up, "EPSG") {
		switch code {
		case "4326":
			return sridWGS84, nil
		case "4258":
			return sridETRS89, nil
		case "28992":
			return sridRDNew, nil
		}
	}
	return 0, invalidf("crs %q is not supported, want EPSG:4326 (WGS84), EPSG:4258 (ETRS89) or EPSG:28992 (RD New)", name)
}

func geographic(srid int) bool { return srid == sridWGS84 || srid == sridETRS89 }

// sameCRS treats WGS84 and ETRS89 as one family: their coordinates look alike.
func sameCRS(a, b int) bool { return a == b || geographic(a) && geographic(b) }

func crsName(srid int) string {
	if srid == sridRDNew {
		return "RD New (EPSG:28992)"
	}
	return "WGS84 lon/lat"
}

// The range of RD New coordinates on the Dutch mainland, islands and coastal waters.
const (
	rdMinX, rdMaxX = -7000, 300000
	rdMinY, rdMaxY = 289000, 629000
)

// checkCRS checks the geometry's coordinates against the declared CRS, or guesses the CRS
// from them.
func (d *collectionDecoder) checkCRS(g orb.MultiPolygon) (int, error) {
	b := g.Bound()
	lonLat := b.Min[0] >= -180 && b.Max[0] <= 180 && b.Min[1] >= -90 && b.Max[1] <= 90
	rd := b.Min[0] >= rdMinX && b.Max[0] <= rdMaxX && b.Min[1] >= rdMinY && b.Max[1] <= rdMaxY
	switch {
	case geographic(d.declared):
		if !lonLat {
			return 0, fmt.Errorf("coordinates out of range for lon/lat: %s", boundString(b))
		}
		return d.declared, nil
	case d.declared == sridRDNew:
		if !rd {
			return 0, fmt.Errorf("coordinates outside the RD New range (x %d..%d, y %d..%d): %s",
				rdMinX, rdMaxX, rdMinY, rdMaxY, boundString(b))
		}
		return sridRDNew, nil
	}
	srid := sridWGS84
	switch {
	case lonLat:
	case rd:
		srid = sridRDNew
	default:
		return 0, fmt.Errorf("coordinates out of range: %s is neither WGS84 lon/lat nor RD New (EPSG:28992)", boundString(b))
	}
	if d.detected == 0 {
		d.detected = srid
	} else if d.detected != srid {
		return 0, fmt.Errorf("coordinates are %s but earlier features' are %s", crsName(srid), crsName(d.detected))
	}
	return srid, nil
}

func boundString(b orb.Bound) string {
	return fmt.Sprintf("x %g..%g, y %g..%g", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
}

// parseGeometry reads a Polygon or MultiPolygon and checks its rings. It reads the JSON
// itself rather than through encoding/json: that is several times faster on large files,
// and it can say precisely what is wrong.
func parseGeometry(b []byte) (orb.MultiPolygon, error) {
	s := coordScanner{b: b}
	if s.literal("null") {
		return nil, errors.New("no geometry")
	}
	if s.peek() != '{' {
		return nil, errors.New("geometry is not an object")
	}
	s.i++
	var typ string
	var coords []byte
	var mp orb.MultiPolygon
	var err error
	parsed := false
	for s.peek() != '}' {
		key, ok := s.string()
		if !ok || s.peek() != ':' {
			return nil, errors.New("geometry is not a JSON object")
		}
		s.i++
		start := s.i
		switch key {
		case "type":
			if typ, ok = s.string(); !ok {
				return nil, errors.New("geometry type is not a string")
			}
		case "coordinates":
			if typ == "" {
				s.skipValue() // parsed below, once the type is known
				coords = b[start:s.i]
				break
			}
			// The usual order: type first, so the coordinates are read in one pass.
			if mp, err = parseCoordinates(typ, &s); err != nil {
				return nil, err
			}
			parsed = true
		default:
			s.skipValue()
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
		default:
			return nil, errors.New("geometry is not a JSON object")
		}
	}
	if !parsed {
		cs := coordScanner{b: coords}
		if mp, err = parseCoordinates(typ, &cs); err != nil {
			return nil, err
		}
		if err := cs.end(); err != nil {
			return nil, err
		}
	}
	for pi, p := range mp {
		if len(p) == 0 {
			return nil, fmt.Errorf("polygon %d has no rings", pi)
		}
		for ri, r := range p {
			switch {
			case len(r) < 4:
				return nil, fmt.Errorf("ring %d of polygon %d has %d positions, want at least 4", ri, pi, len(r))
			case r[0] != r[len(r)-1]:
				return nil, fmt.Errorf("ring %d of polygon %d is not closed", ri, pi)
			}
		}
	}
	return mp, nil
}

// parseCoordinates reads the coordinates of a geometry of type typ.
func parseCoordinates(typ string, s *coordScanner) (orb.MultiPolygon, error) {
	switch typ {
	case "Polygon":
		p, err := s.polygon()
		if err != nil {
			return nil, err
		}
		return orb.MultiPolygon{p}, nil
	case "MultiPolygon":
		var mp orb.MultiPolygon
		err := s.array(func() error {
			p, err := s.polygon()
			mp = append(mp, p)
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(mp) == 0 {
			return nil, errors.New("geometry is an empty MultiPolygon")
		}
		return mp, nil
	case "":
		return nil, errors.New(`geometry has no "type"`)
	}
	return nil, fmt.Errorf("geometry is a %s, want Polygon or MultiPolygon", typ)
}

// coordScanner reads nested arrays of numbers from JSON that the decoder has already
// checked for syntax; it still fails cleanly on anything unexpected.
type coordScanner struct {
	b []byte
	i int
}

func (s *coordScanner) skipSpace() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *coordScanner) peek() byte {
	s.skipSpace()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// literal consumes word if it comes next.
func (s *coordScanner) literal(word string) bool {
	if s.peek() != word[0] || !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// string reads a JSON string.
func (s *coordScanner) string() (string, bool) {
	if s.peek() != '"' {
		return "", false
	}
	start := s.i
	escaped := false
	for s.i++; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i++
		case '"':
			s.i++
			if !escaped {
				return string(s.b[start+1 : s.i-1]), true
			}
			var v string
			err := json.Unmarshal(s.b[start:s.i], &v)
			return v, err == nil
		}
	}
	return "", false
}

// skipValue skips one JSON value, which the decoder has already checked for syntax.
func (s *coordScanner) skipValue() {
	depth := 0
	for s.peek() != 0 {
		switch s.b[s.i] {
		case '"':
			s.string()
		case '[', '{':
			depth++
			s.i++
		case ']', '}':
			if depth == 0 {
				return
			}
			depth--
			s.i++
		case ',':
			if depth == 0 {
				return
			}
			s.i++
		case ':':
			s.i++
		default: // a number, true, false or null
			for s.i++; s.i < len(s.b) && strings.IndexByte(",:[]{}\" \t\r\n", s.b[s.i]) < 0; s.i++ {
			}
		}
		if depth == 0 {
			return
		}
	}
}

func (s *coordScanner) end() error {
	if s.peek() != 0 {
		return errors.New("coordinates: unexpected data")
	}
	return nil
}

// array reads "[", then elements with each until "]".
func (s *coordScanner) array(each func() error) error {
	if s.peek() != '[' {
		return errors.New("coordinates: want an array")
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := each(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return errors.New("coordinates: want , or ]")
		}
	}
}

func (s *coordScanner) polygon() (orb.Polygon, error) {
	var p orb.Polygon
	err := s.array(func() error {
		var r orb.Ring
		err := s.array(func() error {
			pt, err := s.position()
			r = append(r, pt)
			return err
		})
		p = append(p, r)
		return err
	})
	return p, err
}

// position reads [x, y] and ignores any further numbers (z, m).
func (s *coordScanner) position() (orb.Point, error) {
	var pt orb.Point
	n := 0
	err := s.array(func() error {
		v, err := s.number()
		if n < 2 {
			pt[n] = v
		}
		n++
		return err
	})
	if err == nil && n < 2 {
		err = fmt.Errorf("coordinates: a position has %d numbers, want 2", n)
	}
	return pt, err
}

var numberByte = [256]bool{'+': true, '-': true, '.': true, 'e': true, 'E': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true}

func (s *coordScanner) number() (float64, error) {
	s.skipSpace()
	j := s.i
	for j < len(s.b) && numberByte[s.b[j]] {
		j++
	}
	if j == s.i {
		return 0, errors.New("coordinates: want a number")
	}
	text := s.b[s.i:j]
	s.i = j
	v, err := strconv.ParseFloat(string(text), 64)
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("coordinate %s is not a finite number", text)
	}
	if err != nil {
		return 0, fmt.Errorf("coordinate %q is not a number", text)
	}
	return v, nil
}
