package initiatives_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"wijkwerk/backend/access"
	"wijkwerk/backend/initiative/initiativetest"
)

// The personal data every test proposal carries (see initiativetest.Proposal).
var personal = []string{"Fenna", "Oosterhuis", "fenna.devries@example.nl", "06-12345678", "12345678"}

func noPersonalData(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, p := range personal {
		if strings.Contains(string(body), p) {
			t.Errorf("%s contains personal data %q: %s", what, p, body)
		}
	}
}

func TestProposeAndTrack(t *testing.T) {
	env := initiativetest.Start(t, 0)
	p := env.Inside(t, "BU02220101")
	rc := env.Propose(t, initiativetest.Proposal(initiativetest.Square(p, 40), "green", "A"))

	if rc.Code == "" || rc.Status != "proposed" || rc.BasicLevel != "B" || rc.TargetLevel != "A" {
		t.Errorf("receipt = %+v", rc)
	}
	if rc.Area.Code != "BU02220101" || rc.Area.Kind != "neighbourhood" {
		t.Errorf("area = %+v, want BU02220101", rc.Area)
	}
	var m2 float64
	env.DB.Raw(`SELECT ST_Area(geom::geography) FROM initiatives WHERE id = ?`, rc.ID).Scan(&m2)
	if m2 < 1590 || m2 > 1610 || rc.AreaM2 < m2-1 || rc.AreaM2 > m2+1 {
		t.Errorf("area %.1f m² (PostGIS %.1f), want about 1600", rc.AreaM2, m2)
	}
	// Personal data is stored apart.
	var contact struct{ Name, Email, Phone string }
	env.DB.Raw(`SELECT name, email, phone FROM initiative_contacts WHERE initiative_id = ?`, rc.ID).Scan(&contact)
	if contact.Email != "fenna.devries@example.nl" || contact.Name == "" || contact.Phone == "" {
		t.Errorf("contact = %+v", contact)
	}

	// Lower case and without the dash, as people type it.
	code := strings.ToLower(strings.ReplaceAll(rc.Code, "-", ""))
	res := env.Do(t, "GET", "/api/v1/initiatives/"+code, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("track = %d %s", res.Status, res.Body)
	}
	noPersonalData(t, "status", res.Body)
	st := res.Map(t)
	if st["status"] != "proposed" || st["code"] != rc.Code || st["theme"] != "green" {
		t.Errorf("status = %s", res.Body)
	}
	if tl, _ := st["timeline"].([]any); len(tl) != 1 {
		t.Errorf("timeline = %v", st["timeline"])
	}
	initiativetest.WantProblem(t, env.Do(t, "GET", "/api/v1/initiatives/ZZZZZ-ZZZZZ", nil), 404, "not-found")

	// Not on the public map until approved.
	res = env.Do(t, "GET", "/api/v1/initiatives.geojson", nil)
	if res.Status != 200 || strings.Contains(string(res.Body), `"Feature"`) {
		t.Errorf("map before approval = %d %s", res.Status, res.Body)
	}
}

func TestIdempotentProposal(t *testing.T) {
	env := initiativetest.Start(t, 0)
	body := initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220201"), 30), "cleanliness", "A")
	first := env.Do(t, "POST", "/api/v1/initiatives", body, "Idempotency-Key", "ini-1")
	again := env.Do(t, "POST", "/api/v1/initiatives", body, "Idempotency-Key", "ini-1")
	if first.Status != 201 || again.Status != 201 || string(first.Body) != string(again.Body) {
		t.Fatalf("first %d %s, again %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Error("retry is not marked as replayed")
	}
	var n int64
	env.DB.Raw(`SELECT count(*) FROM initiatives`).Scan(&n)
	if n != 1 {
		t.Errorf("%d initiatives, want 1", n)
	}
}

func TestPolygonValidation(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	base := env.Inside(t, "BU02220301")

	// An approved initiative to overlap with.
	held := env.Propose(t, initiativetest.Proposal(initiativetest.Rect(base, 50, 50), "green", "A"))
	env.Decide(t, planner, held.ID, "approve", map[string]string{"conditions": "Geen bomen planten."})

	// A point on the border of two neighbourhoods of the Centrum district.
	border := env.Point(t, `
SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
  SELECT ST_LineInterpolatePoint(ST_GeometryN(ST_LineMerge(ST_CollectionExtract(
           ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom)), 2)), 1), 0.5) AS p
  FROM areas a, areas b WHERE a.code = 'BU02220101' AND b.code = 'BU02220102') s`)
	zevenaar := orb.Point{6.0707, 51.9273} // a municipality without neighbourhoods or teams
	sea := orb.Point{3.2, 53.2}

	bowtie := map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{
		base, initiativetest.Offset(base, 40, 40), initiativetest.Offset(base, 40, 0), initiativetest.Offset(base, 0, 40), base,
	}}}
	unclosed := map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{
		base, initiativetest.Offset(base, 40, 0), initiativetest.Offset(base, 40, 40), initiativetest.Offset(base, 0, 40),
	}}}
	far := env.Inside(t, "BU02220302")
	tests := []struct {
		name   string
		give   any // the polygon
		theme  string
		level  string
		want   string
		detail string // part of the Dutch detail
	}{
		{name: "self-intersecting bowtie", give: bowtie, want: "initiative-invalid-polygon", detail: "Het vlak is ongeldig: de rand kruist zichzelf."}, // in Dutch, not PostGIS's "Self-intersection[6.29 51.95]"
		{name: "ring not closed", give: unclosed, want: "initiative-invalid-polygon", detail: "niet gesloten"},
		{name: "outside every area", give: initiativetest.Square(sea, 40), want: "initiative-outside-neighbourhood", detail: "buiten de buurten"},
		{name: "in a municipality without neighbourhoods", give: initiativetest.Square(zevenaar, 40), want: "initiative-outside-neighbourhood"},
		{name: "across two neighbourhoods", give: initiativetest.Square(border, 60), want: "initiative-spans-neighbourhoods", detail: "2 buurten"},
		{name: "overlapping an approved one", give: initiativetest.Rect(initiativetest.Offset(base, 30, 30), 40, 40), want: "initiative-overlap", detail: "overlapt"},
		{name: "too large", give: initiativetest.Square(far, 150), want: "initiative-too-large", detail: "hoogstens 20000 m²"},
		{name: "too small", give: initiativetest.Square(far, 4), want: "initiative-too-small", detail: "minstens 20 m²"},
		{name: "a point", give: map[string]any{"type": "Point", "coordinates": far}, want: "initiative-not-a-polygon"},
		{name: "a multipolygon", give: map[string]any{"type": "MultiPolygon", "coordinates": [][][][2]float64{{{far, far, far, far}}}}, want: "initiative-not-a-polygon"},
		{name: "no polygon", give: nil, want: "initiative-not-a-polygon"},
		{name: "coordinates as text", give: map[string]any{"type": "Polygon", "coordinates": "here"}, want: "initiative-not-a-polygon"},
		{name: "level not above the basic level", give: initiativetest.Square(far, 40), level: "B", want: "initiative-level-not-higher", detail: "basisniveau"},
		{name: "unknown theme", give: initiativetest.Square(far, 40), theme: "lighting", want: "validation-failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			theme, level := "green", "A"
			if tt.theme != "" {
				theme = tt.theme
			}
			if tt.level != "" {
				level = tt.level
			}
			body := initiativetest.Proposal(tt.give, theme, level)
			m := initiativetest.WantProblem(t, env.Do(t, "POST", "/api/v1/initiatives", body), 422, tt.want)
			if d, _ := m["detail"].(string); !strings.Contains(d, tt.detail) {
				t.Errorf("detail %q, want it to mention %q", d, tt.detail)
			}
		})
	}
	var n int64
	env.DB.Raw(`SELECT count(*) FROM initiatives`).Scan(&n)
	if n != 1 {
		t.Errorf("%d initiatives, want only the approved one", n)
	}
	// The same place for another theme, and a place that only touches the approved one,
	// are fine.
	env.Propose(t, initiativetest.Proposal(initiativetest.Rect(base, 50, 50), "cleanliness", "A"))
	env.Propose(t, initiativetest.Proposal(initiativetest.Rect(initiativetest.Offset(base, 50, 0), 30, 30), "green", "A"))
}

func TestProposalFieldsAreChecked(t *testing.T) {
	env := initiativetest.Start(t, 0)
	poly := initiativetest.Square(env.Inside(t, "BU02220401"), 40)
	tests := []struct {
		name  string
		give  func(m map[string]any)
		field string
	}{
		{"no contact", func(m map[string]any) { delete(m, "contact") }, "contact.name"},
		{"bad email", func(m map[string]any) {
			m["contact"] = map[string]any{"name": "Jan", "email": "geen-adres"}
		}, "contact.email"},
		{"no way to reach", func(m map[string]any) { m["contact"] = map[string]any{"name": "Jan"} }, "contact.email"},
		{"no title", func(m map[string]any) { m["title"] = " " }, "title"},
		{"no people", func(m map[string]any) {
			m["commitment"] = map[string]any{"tasks": "wieden", "hours_per_month": 4, "people": 0}
		}, "commitment.people"},
		{"negative material", func(m map[string]any) {
			m["requests"] = map[string]any{"materials": []map[string]any{{"item": "zand", "quantity": -1}}}
		}, "requests.materials.0.quantity"},
		{"level off the scale", func(m map[string]any) { m["target_level"] = "AAA" }, "target_level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := initiativetest.Proposal(poly, "green", "A")
			tt.give(body)
			m := initiativetest.WantProblem(t, env.Do(t, "POST", "/api/v1/initiatives", body), 422, "validation-failed")
			errs, _ := m["errors"].([]any)
			found := false
			for _, e := range errs {
				if f, _ := e.(map[string]any); f["name"] == tt.field {
					found = true
				}
			}
			if !found {
				t.Errorf("errors %v, want field %s", errs, tt.field)
			}
		})
	}
}

func TestContributions(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	rc := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220601"), 40), "green", "A"))
	path := "/api/v1/initiatives/" + rc.Code + "/contributions"
	work := map[string]any{"date": initiativetest.Today(), "hours": 6, "what": "Onkruid gewied en plantjes gezet", "people": 3}

	// Not before approval.
	initiativetest.WantProblem(t, env.Do(t, "POST", path, work), 409, "invalid-transition")
	env.Decide(t, planner, rc.ID, "approve", nil)

	res := env.Do(t, "POST", path, work, "Idempotency-Key", "work-1")
	if res.Status != 201 {
		t.Fatalf("contribute = %d %s", res.Status, res.Body)
	}
	again := env.Do(t, "POST", path, work, "Idempotency-Key", "work-1")
	if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry = %d %v", again.Status, again.Header)
	}
	res = env.Do(t, "POST", path, map[string]any{"date": initiativetest.Today(), "hours": 1.5, "what": "Zwerfvuil geraapt"})
	if res.Status != 201 {
		t.Fatalf("contribute = %d %s", res.Status, res.Body)
	}
	got := res.Map(t)
	if got["status"] != "active" {
		t.Errorf("status after work = %v, want active", got["status"])
	}
	if c, _ := got["contributions"].(map[string]any); c["count"] != 2.0 || c["hours"] != 7.5 {
		t.Errorf("contributions = %v, want 2 and 7.5 hours", got["contributions"])
	}
	// The planner reads what they were, newest first, without contact details.
	env.Do(t, "POST", path, map[string]any{"date": initiativetest.Today(), "hours": 1, "what": "Bladeren geveegd, bel 06 12345678"})
	detail := env.Do(t, "GET", "/api/v1/planner/initiatives/"+strconv.FormatInt(rc.ID, 10), nil, initiativetest.Bearer(planner)...)
	var in struct {
		Log []struct {
			Date   string  `json:"date"`
			Hours  float64 `json:"hours"`
			People int     `json:"people"`
			What   string  `json:"what"`
		} `json:"contribution_log"`
	}
	detail.JSON(t, &in)
	if len(in.Log) != 3 || in.Log[0].What != "Bladeren geveegd, bel [verwijderd]" || in.Log[2].Hours != 6 || in.Log[2].People != 3 ||
		in.Log[2].Date != initiativetest.Today() {
		t.Errorf("contribution log = %+v", in.Log)
	}
	// Not in the public answer.
	if strings.Contains(string(env.Do(t, "GET", "/api/v1/initiatives/"+rc.Code, nil).Body), "Bladeren") {
		t.Error("the public answer shows what residents logged")
	}

	for _, bad := range []map[string]any{
		{"date": "2999-01-01", "hours": 1, "what": "later"},
		{"date": "2020-01-01", "hours": 1, "what": "before the approval"},
		{"date": initiativetest.Today(), "hours": 30, "what": "too long for one person"},
		{"date": initiativetest.Today(), "hours": 1, "what": ""},
		{"date": "gisteren", "hours": 1, "what": "x"},
		{"date": initiativetest.Today(), "hours": 0.004, "what": "less than a minute"}, // kept as 0.00 hours
	} {
		initiativetest.WantProblem(t, env.Do(t, "POST", path, bad), 422, "validation-failed")
	}
	initiativetest.WantProblem(t, env.Do(t, "POST", "/api/v1/initiatives/BBBBB-BBBBB/contributions", work), 404, "not-found")
	// Hours that round to 0 say what the least is.
	m := initiativetest.WantProblem(t, env.Do(t, "POST", path, map[string]any{"date": initiativetest.Today(), "hours": 0.001, "what": "x"}), 422, "validation-failed")
	if errs, _ := m["errors"].([]any); len(errs) != 1 || !strings.Contains(errs[0].(map[string]any)["reason"].(string), "minstens 0,01 uur") {
		t.Errorf("0.001 hours = %v, want it to say the least is 0.01", m)
	}
	// Hours as a Dutch "1,5" is valid JSON with a wrong value: named, with what to give.
	m = initiativetest.WantProblem(t, env.Do(t, "POST", path, `{"date":"`+initiativetest.Today()+`","hours":"1,5","what":"x"}`), 422, "validation-failed")
	if errs, _ := m["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["name"] != "hours" ||
		errs[0].(map[string]any)["reason"] != "Geef een getal, zoals 1.5." {
		t.Errorf("hours \"1,5\" = %v", m)
	}
	m = initiativetest.WantProblem(t, env.Do(t, "POST", path, `{"date":"`+initiativetest.Today()+`","hours":"1,5","what":"x"}`, "Accept-Language", "en"), 422, "validation-failed")
	if m["detail"] != "The field hours is not right. Give a number, such as 1.5." {
		t.Errorf("hours \"1,5\" in English = %v", m["detail"])
	}
	// Hours are kept in hundredths; the answer says what was kept.
	res = env.Do(t, "POST", path, map[string]any{"date": initiativetest.Today(), "hours": 1.234, "what": "Tegels geveegd"})
	if got := res.Map(t); res.Status != 201 || got["hours"] != 1.23 || got["contributions"].(map[string]any)["hours"] != 9.73 {
		t.Errorf("contribute 1.234 hours = %d %s, want 201, 1.23 hours and 9.73 in all", res.Status, res.Body)
	}

	// The status page shows the work, and still no personal data.
	res = env.Do(t, "GET", "/api/v1/initiatives/"+rc.Code, nil)
	noPersonalData(t, "status", res.Body)
	if st := res.Map(t); st["status"] != "active" {
		t.Errorf("status = %s", res.Body)
	}
}

func TestMapShowsRunningInitiativesWithoutPersonalData(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	// A resident may put their own details in the title: the public map and the
	// tracking page show it without them.
	withPhone := initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220701"), 40), "green", "A+")
	withPhone["title"] = "Geveltuin, bel 06 1234\u00a05678 of fenna.devries@example.nl"
	approved := env.Propose(t, withPhone)
	rejected := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220702"), 40), "paving", "A"))
	env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220703"), 40), "furniture", "A"))
	env.Decide(t, planner, approved.ID, "approve", nil)
	env.Decide(t, planner, rejected.ID, "reject", map[string]string{"reason": "Hier komt een nieuwe weg."})

	res := env.Do(t, "GET", "/api/v1/initiatives.geojson", nil)
	if res.Status != 200 || res.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("map = %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	noPersonalData(t, "map", res.Body)
	const title = "Geveltuin, bel [verwijderd] of [verwijderd]"
	if !strings.Contains(string(res.Body), title) {
		t.Errorf("map = %s, want the title %q", res.Body, title)
	}
	if track := env.Do(t, "GET", "/api/v1/initiatives/"+approved.Code, nil); !strings.Contains(string(track.Body), title) {
		t.Errorf("tracking page = %d %s, want the title %q", track.Status, track.Body, title)
	}
	for _, code := range []string{approved.Code, rejected.Code} {
		if strings.Contains(string(res.Body), code) {
			t.Errorf("map shows the code %s, which lets anyone log work", code)
		}
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type        string         `json:"type"`
				Coordinates [][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	res.JSON(t, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != 1 {
		t.Fatalf("map = %s, want the approved initiative only", res.Body)
	}
	f := fc.Features[0]
	if f.Geometry.Type != "Polygon" || len(f.Geometry.Coordinates[0]) != 5 {
		t.Errorf("geometry = %+v", f.Geometry)
	}
	if f.Properties["theme"] != "green" || f.Properties["level"] != "A+" || f.Properties["status"] != "approved" || f.Properties["title"] == "" {
		t.Errorf("properties = %v", f.Properties)
	}
	// The rejected one tells its reason, without personal data.
	res = env.Do(t, "GET", "/api/v1/initiatives/"+rejected.Code, nil)
	noPersonalData(t, "rejected status", res.Body)
	if st := res.Map(t); st["status"] != "rejected" || st["reason"] != "Hier komt een nieuwe weg." {
		t.Errorf("rejected status = %s", res.Body)
	}
}

func TestProposalsAreRateLimited(t *testing.T) {
	env := initiativetest.Start(t, 2)
	body := initiativetest.Proposal(nil, "green", "A")
	for i := 0; i < 2; i++ {
		initiativetest.WantProblem(t, env.Do(t, "POST", "/api/v1/initiatives", body), 422, "initiative-not-a-polygon")
	}
	res := env.Do(t, "POST", "/api/v1/initiatives", body)
	initiativetest.WantProblem(t, res, 429, "rate-limited")
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

// TestPublicAnswersRedactContactDetails: what residents wrote in a title, and what a
// planner wrote in conditions or a reason, reaches the public without e-mail addresses
// and phone numbers: in the overlap problem that names another initiative, and on the
// tracking page.
func TestPublicAnswersRedactContactDetails(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	base := env.Inside(t, "BU02220401")
	held := initiativetest.Proposal(initiativetest.Rect(base, 50, 50), "green", "A")
	held["title"] = "Tuin mail fenna.devries@example.nl 0612345678"
	heldRc := env.Propose(t, held)
	env.Decide(t, planner, heldRc.ID, "approve", map[string]string{"conditions": "Overleg eerst met de opzichter: 06-12345678."})

	// Anyone may draw over it, and learns which initiative holds the place, as the map shows it.
	res := env.Do(t, "POST", "/api/v1/initiatives",
		initiativetest.Proposal(initiativetest.Rect(initiativetest.Offset(base, 20, 20), 40, 40), "green", "A"))
	m := initiativetest.WantProblem(t, res, 422, "initiative-overlap")
	noPersonalData(t, "overlap problem", res.Body)
	if d, _ := m["detail"].(string); !strings.Contains(d, "Tuin mail [verwijderd] [verwijderd]") {
		t.Errorf("detail %q, want the redacted title", d)
	}

	res = env.Do(t, "GET", "/api/v1/initiatives/"+heldRc.Code, nil)
	noPersonalData(t, "tracking page of the approved one", res.Body)
	if st := res.Map(t); st["conditions"] != "Overleg eerst met de opzichter: [verwijderd]." {
		t.Errorf("conditions = %v", st["conditions"])
	}
	rejected := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220402"), 40), "paving", "A"))
	env.Decide(t, planner, rejected.ID, "reject", map[string]string{"reason": "Bel mij even: fenna.devries@example.nl"})
	res = env.Do(t, "GET", "/api/v1/initiatives/"+rejected.Code, nil)
	noPersonalData(t, "tracking page of the rejected one", res.Body)
	if st := res.Map(t); st["reason"] != "Bel mij even: [verwijderd]" {
		t.Errorf("reason = %v", st["reason"])
	}
}

// TestRetiredAreasTakeNoInitiatives: an initiative attaches to areas in use only. A
// retired neighbourhood neither holds a new initiative nor counts as a second
// neighbourhood, and the basic level comes from the areas in use above the
// neighbourhood, as intake's area index sees them.
func TestRetiredAreasTakeNoInitiatives(t *testing.T) {
	env := initiativetest.Start(t, 0)
	border := env.Point(t, `
SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (
  SELECT ST_LineInterpolatePoint(ST_GeometryN(ST_LineMerge(ST_CollectionExtract(
           ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom)), 2)), 1), 0.5) AS p
  FROM areas a, areas b WHERE a.code = 'BU02220101' AND b.code = 'BU02220102') s`)
	inside := env.Inside(t, "BU02220101")
	p := env.Inside(t, "BU02220301")
	// The retired district WK022203 had level A for green; its neighbourhood BU02220301
	// was imported again, under the district that stays retired. One statement, so the
	// area index reloads once.
	if err := env.DB.Exec(`INSERT INTO area_quality (area_id, theme, level, updated_by) SELECT id, 'green', 'A', 'test' FROM areas WHERE code = 'WK022203'`).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.DB.Exec(`UPDATE areas SET retired_at = now() WHERE code IN ('BU02220101', 'WK022203', 'BU02220302', 'BU02220303')`).Error; err != nil {
		t.Fatal(err)
	}
	retired := time.Now()

	initiativetest.WantProblem(t, env.Do(t, "POST", "/api/v1/initiatives",
		initiativetest.Proposal(initiativetest.Square(inside, 40), "green", "A")), 422, "initiative-outside-neighbourhood")
	// Half in the retired neighbourhood, half in its live neighbour: outside, not across two.
	initiativetest.WantProblem(t, env.Do(t, "POST", "/api/v1/initiatives",
		initiativetest.Proposal(initiativetest.Square(border, 60), "green", "A")), 422, "initiative-outside-neighbourhood")

	// Intake's area index (reloaded on the areas' notification) ends the chain at the
	// retired district, so the district's level does not hold there, for intake nor for
	// a proposal.
	for {
		if err := env.App.Areas.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		chain := env.App.Areas.Index().Locate(p)
		if len(chain) == 1 && chain[0].Code == "BU02220301" && time.Since(retired) > time.Second {
			break
		}
		if time.Since(retired) > 10*time.Second {
			t.Fatalf("area index chain %v, want BU02220301 alone", chain)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if l := env.LevelAt(t, p, "green"); l != "B" {
		t.Fatalf("intake's level = %s, want B", l)
	}
	rc := env.Propose(t, initiativetest.Proposal(initiativetest.Square(p, 40), "green", "A"))
	if rc.Area.Code != "BU02220301" || rc.BasicLevel != "B" {
		t.Errorf("receipt = %+v, want BU02220301 at basic level B", rc)
	}
	var n int64
	env.DB.Raw(`SELECT count(*) FROM initiatives i JOIN areas a ON a.id = i.area_id WHERE a.retired_at IS NOT NULL`).Scan(&n)
	if n != 0 {
		t.Errorf("%d initiatives in retired areas", n)
	}
}

// A paused initiative still holds its place (it may resume): a proposal of the same theme
// may not overlap it. The public map shows it, with its status and without personal data
// or the planner's reason, so that the number the refusal names can be found there. An
// ended one neither blocks nor shows.
func TestPausedInitiativeOnMapAsItBlocksOverlap(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	base := env.Inside(t, "BU02220401")
	paused := env.Propose(t, initiativetest.Proposal(initiativetest.Rect(base, 50, 50), "green", "A"))
	env.Decide(t, planner, paused.ID, "approve", nil)
	env.Decide(t, planner, paused.ID, "pause", map[string]string{"reason": "Winterstop, vragen: Fenna Oosterhuis"})
	ended := env.Propose(t, initiativetest.Proposal(initiativetest.Rect(initiativetest.Offset(base, 200, 0), 50, 50), "green", "A"))
	env.Decide(t, planner, ended.ID, "approve", nil)
	env.Decide(t, planner, ended.ID, "end", map[string]string{"reason": "De bewoners zijn verhuisd."})

	// Refused: it overlaps the paused initiative, which the problem names.
	res := env.Do(t, "POST", "/api/v1/initiatives", initiativetest.Proposal(initiativetest.Rect(initiativetest.Offset(base, 30, 30), 40, 40), "green", "A"))
	m := initiativetest.WantProblem(t, res, 422, "initiative-overlap")
	if m["overlaps"] != float64(paused.ID) {
		t.Fatalf("overlap = %s, want initiative %d", res.Body, paused.ID)
	}
	if m["title"] != "Hier ligt al een initiatief met hetzelfde thema" { // a paused one does not "loopt"
		t.Errorf("overlap title = %v", m["title"])
	}
	// Over the ended one: not refused.
	env.Propose(t, initiativetest.Proposal(initiativetest.Rect(initiativetest.Offset(base, 230, 30), 40, 40), "green", "A"))

	res = env.Do(t, "GET", "/api/v1/initiatives.geojson", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("map = %d %s", res.Status, res.Body)
	}
	noPersonalData(t, "map", res.Body)
	for _, secret := range []string{"Winterstop", "verhuisd", paused.Code} {
		if strings.Contains(string(res.Body), secret) {
			t.Errorf("map shows %q: %s", secret, res.Body)
		}
	}
	var fc struct {
		Features []struct {
			ID         int64          `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	res.JSON(t, &fc)
	shown := map[int64]any{}
	for _, f := range fc.Features {
		shown[f.ID] = f.Properties["status"]
		if f.Properties["id"] != float64(f.ID) {
			t.Errorf("feature %d has properties.id %v", f.ID, f.Properties["id"])
		}
	}
	if shown[paused.ID] != "paused" {
		t.Errorf("map = %s, want initiative %d (the one the refusal names) with status paused", res.Body, paused.ID)
	}
	if _, ok := shown[ended.ID]; ok {
		t.Errorf("map shows the ended initiative %d: %s", ended.ID, res.Body)
	}
}
