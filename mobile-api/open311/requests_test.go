package open311_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/job"
	"wijkwerk/mobile-api/open311"
)

// descr holds the resident's own details, as residents sometimes write them: stored as
// written, shown without them.
const descr = "Lamp voor nummer 12 knippert. Bel 06 12345678 of mail jan.jansen@example.org"

// Personal data sent with a POST, that no GET may show.
var secrets = []string{"jan.jansen@example.org", "jan.jansen", "06 12345678", "12345678", "Janneke", "Jansen-Pietersen"}

func TestPostRequestFilesReport(t *testing.T) {
	s := start(t)
	places := map[string][2]string{"json": {stationLat, stationLon}, "xml": {"51.9650", "6.2900"}}
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			form := s.form("service_code", "licht.lamp", "attribute[state]", "knippert",
				"lat", places[format][0], "long", places[format][1],
				"email", "jan.jansen@example.org", "phone", "06 12345678",
				"first_name", "Janneke", "last_name", "Jansen-Pietersen",
				"description", descr,
				"media_url", "https://example.net/foto.jpg", "device_id", "device-1", "jurisdiction_id", "GM0222")
			res := s.post(t, format, form)
			if res.Status != http.StatusCreated {
				t.Fatalf("POST = %d: %s", res.Status, res.Body)
			}
			wantContentType(t, res, format)
			var out []created
			if format == "json" {
				res.JSON(t, &out)
				if !strings.Contains(string(res.Body), `"account_id":null`) {
					t.Errorf("account_id is not null: %s", res.Body)
				}
			} else {
				var doc struct {
					XMLName  xml.Name  `xml:"service_requests"`
					Requests []created `xml:"request"`
				}
				decodeXML(t, res, &doc)
				out = doc.Requests
				if !strings.Contains(string(res.Body), `<account_id></account_id>`) {
					t.Errorf("no empty account_id: %s", res.Body)
				}
			}
			if len(out) != 1 || out[0].ServiceRequestID == "" || !strings.HasPrefix(out[0].ServiceNotice, "Bedankt") {
				t.Fatalf("answer = %+v", out)
			}
			id := out[0].ServiceRequestID
			if loc := res.Header.Get("Location"); loc != "/open311/v2/requests/"+id+"."+format {
				t.Errorf("Location = %q", loc)
			}

			// The report is the app's report: the tracking API knows it.
			track := s.env.Do(t, "GET", "/api/v1/reports/"+id, nil)
			if track.Status != http.StatusOK {
				t.Fatalf("tracking %s = %d: %s", id, track.Status, track.Body)
			}
			m := track.Map(t)
			if m["tracking_code"] != id || m["category"] != "licht.lamp" || m["status"] != "assigned" {
				t.Errorf("tracking = %v", m)
			}
			var row struct {
				Channel, Description, Answers string
				Email, Phone                  string
				WantsUpdates                  bool
			}
			s.env.DB.Raw(`SELECT r.channel, r.description, r.answers::text AS answers, c.email, c.phone, c.wants_updates
FROM reports r JOIN report_contacts c ON c.report_id = r.id WHERE r.tracking_code = ?`, id).Scan(&row)
			if row.Channel != "open311" || row.Description != descr || row.Answers != `{"state": "knippert"}` ||
				row.Email != "jan.jansen@example.org" || row.Phone != "06 12345678" || row.WantsUpdates {
				t.Errorf("stored = %+v", row)
			}

			// No GET shows the contact or the names.
			for _, path := range []string{
				"/open311/v2/requests/" + id + ".json", "/open311/v2/requests/" + id + ".xml",
				"/open311/v2/requests.json", "/open311/v2/requests.xml",
				"/open311/v2/requests.json?service_request_id=" + id, "/open311/v2/tokens/" + id + ".xml",
			} {
				res := s.get(t, path)
				if res.Status != http.StatusOK {
					t.Errorf("GET %s = %d: %s", path, res.Status, res.Body)
				}
				if strings.Contains(path, "requests") && strings.Contains(path, id) && !strings.Contains(string(res.Body), "Lamp voor nummer 12 knippert. Bel [verwijderd] of mail [verwijderd]") {
					t.Errorf("GET %s does not show the description without contact details: %s", path, res.Body)
				}
				for _, secret := range secrets {
					if strings.Contains(string(res.Body), secret) {
						t.Errorf("GET %s shows %q: %s", path, secret, res.Body)
					}
				}
			}
		})
	}
	// Names are not stored anywhere.
	var n int64
	s.env.DB.Raw(`SELECT count(*) FROM reports r JOIN report_contacts c ON c.report_id = r.id
WHERE concat_ws(' ', r.description, r.answers::text, c.email, c.phone) ~ 'Janneke|Pietersen'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d rows hold the resident's name", n)
	}
}

func TestPostRequestErrors(t *testing.T) {
	s := start(t)
	revoked, err := open311.CreateKey(context.Background(), s.env.DB.DB, "old client")
	if err != nil {
		t.Fatal(err)
	}
	s.env.DB.Exec(`UPDATE open311_keys SET revoked_at = now() WHERE name = 'old client'`)

	tests := []struct {
		name    string
		give    []string // changes to the valid form; "-" deletes
		body    string   // raw body instead of the form
		ctype   string
		headers []string
		status  int
		want    string // part of a description
	}{
		{name: "missing api_key", give: []string{"api_key", "-"}, status: 401, want: "api_key"},
		{name: "unknown api_key", give: []string{"api_key", "bestaat-niet"}, status: 403, want: "api_key"},
		{name: "revoked api_key", give: []string{"api_key", revoked}, status: 403, want: "ingetrokken"},
		{name: "missing service_code", give: []string{"service_code", "-"}, status: 400, want: "service_code"},
		{name: "unknown service_code", give: []string{"service_code", "bestaat.niet"}, status: 400, want: `service_code "bestaat.niet"`},
		{name: "main category", give: []string{"service_code", "afval"}, status: 400, want: `service_code "afval" is een groep`},
		{name: "no location", give: []string{"lat", "-", "long", "-"}, status: 400, want: "lat en long"},
		{name: "address only", give: []string{"lat", "-", "long", "-", "address_string", "Stationsplein 1, Doetinchem"}, status: 400, want: "adres niet op de kaart"},
		{name: "address_id only", give: []string{"lat", "-", "long", "-", "address_id", "0222200000012345"}, status: 400, want: "coördinaten"},
		{name: "lat without long", give: []string{"long", "-"}, status: 400, want: "zowel lat als long"},
		{name: "lat not a number", give: []string{"lat", "51,959"}, status: 400, want: "getallen"},
		{name: "lat NaN", give: []string{"lat", "NaN"}, status: 400, want: "getallen"},
		{name: "lat infinite", give: []string{"lat", "1e999"}, status: 400, want: "getallen"},
		{name: "long hex float", give: []string{"long", "0x1.9p2"}, status: 400, want: "gewone getallen"},
		{name: "lat with exponent", give: []string{"lat", "5.1959e1"}, status: 400, want: "gewone getallen"},
		{name: "lat out of range", give: []string{"lat", "95"}, status: 400, want: "tussen -90 en 90"},
		{name: "swapped lat and long", give: []string{"lat", stationLon, "long", stationLat}, status: 400, want: "niet in een gebied"},
		{name: "outside area", give: []string{"lat", "53.5", "long", "3.5"}, status: 400, want: "niet in een gebied"},
		{name: "missing required attribute", give: []string{"service_code", "licht.lamp"}, status: 400, want: "Beantwoord de vraag"},
		{name: "attribute not a value", give: []string{"service_code", "licht.lamp", "attribute[state]", "stuk"}, status: 400, want: "Kies een van"},
		{name: "unknown attribute", give: []string{"attribute[kleur]", "rood"}, status: 400, want: "kent geen attribute[kleur]"},
		{name: "attribute without code", give: []string{"attribute[]", "rood"}, status: 400, want: "attribute"},
		{name: "bad email", give: []string{"email", "jan@"}, status: 400, want: "e-mailadres"},
		{name: "bad phone", give: []string{"phone", "bel me"}, status: 400, want: "telefoonnummer"},
		{name: "description too long", give: []string{"description", strings.Repeat("a", 2001)}, status: 400, want: "te lang"},
		{name: "json body", body: `{"service_code":"afval.zwerfvuil"}`, ctype: "application/json", status: 415, want: "formulier"},
		{name: "no content type", body: "service_code=afval.zwerfvuil", ctype: "-", status: 415, want: "formulier"},
		{name: "body too large", give: []string{"description", strings.Repeat("a", 70<<10)}, status: 413, want: "te groot"},
		{name: "bad idempotency key", headers: []string{"Idempotency-Key", "met spatie"}, status: 400, want: "Idempotency-Key"},
		// A compressed form is refused as such, as the resident API refuses one: read as
		// it came, it had no api_key, and a client was told its key was missing.
		{name: "compressed form", body: gzipped(t, s.form().Encode()), headers: []string{"Content-Encoding", "gzip"}, status: 415, want: "compressie"},
		{name: "form said to be compressed", headers: []string{"Content-Encoding", "gzip"}, status: 415, want: "compressie"},
	}
	for _, tt := range tests {
		for _, format := range formats {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				body, ctype := tt.body, tt.ctype
				if body == "" {
					body = s.form(tt.give...).Encode()
				}
				switch ctype {
				case "":
					ctype = formType
				case "-":
					ctype = ""
				}
				res := s.do(t, "POST", "/open311/v2/requests."+format, body, ctype, tt.headers...)
				wantError(t, res, format, tt.status, tt.want)
				// Open311 clients send service_code and attribute[…]; the resident app's
				// words are not theirs.
				if strings.Contains(string(res.Body), "categorie") {
					t.Errorf("the error speaks of a categorie: %s", res.Body)
				}
			})
		}
	}
	var n int64
	s.env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&n)
	if n != 0 {
		t.Errorf("%d reports stored from bad requests", n)
	}
	// Several invalid fields give one error each.
	res := s.post(t, "json", s.form("email", "jan@", "phone", "bel me"))
	wantError(t, res, "json", 400, "telefoonnummer")
	wantError(t, res, "json", 400, "e-mailadres")
	// English when asked.
	res = s.post(t, "xml", s.form("lat", "53.5", "long", "3.5"), "Accept-Language", "en")
	wantError(t, res, "xml", 400, "not in an area we serve")
	res = s.post(t, "json", s.form("service_code", "afval"), "Accept-Language", "en")
	wantError(t, res, "json", 400, `service_code "afval" is a group (Waste), not a service`)
}

// gzipped is s compressed with gzip, as a client that compresses its requests sends it.
func gzipped(tb testing.TB, s string) string {
	tb.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

func TestPostRequestIdempotent(t *testing.T) {
	s := start(t)
	form := s.form()
	first := s.submit(t, form, "Idempotency-Key", "k-1")
	res := s.post(t, "json", form, "Idempotency-Key", "k-1")
	if res.Status != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry = %d %v", res.Status, res.Header)
	}
	var again []created
	res.JSON(t, &again)
	if len(again) != 1 || again[0].ServiceRequestID != first {
		t.Errorf("retry answered %s, want %s", res.Body, first)
	}
	// The same key for another report is refused.
	wantError(t, s.post(t, "xml", s.form("description", "iets anders"), "Idempotency-Key", "k-1"), "xml", 400, "Idempotency-Key")
	// Keys belong to a client: another client's k-1 is its own.
	other, err := open311.CreateKey(context.Background(), s.env.DB.DB, "other client")
	if err != nil {
		t.Fatal(err)
	}
	second := s.submit(t, s.form("api_key", other), "Idempotency-Key", "k-1")
	if second == first {
		t.Error("another client's key replayed the first client's report")
	}
	var n int64
	s.env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&n)
	if n != 2 {
		t.Errorf("%d reports, want 2", n)
	}
}

// seeded files reports through POST and moves them in time and state with SQL.
type seeded struct {
	litter, lamp, tile, old, done, failed string
}

func seed(t *testing.T, s *server) seeded {
	t.Helper()
	var r seeded
	r.litter = s.submit(t, s.form())
	r.lamp = s.submit(t, s.form("service_code", "licht.lamp", "attribute[state]", "uit", "lat", "51.9650", "long", "6.2900"))
	r.tile = s.submit(t, s.form("service_code", "wegen.tegel", "lat", "51.9700", "long", "6.3000"))
	r.old = s.submit(t, s.form("service_code", "wegen.tegel", "lat", "51.9620", "long", "6.2800"))
	r.done = s.submit(t, s.form("lat", "51.9550", "long", "6.3050"))
	r.failed = s.submit(t, s.form("service_code", "afval.grofvuil", "lat", "51.9660", "long", "6.2700"))
	// Newest first: litter an hour ago, then one a day further back each.
	for i, code := range []string{r.litter, r.lamp, r.tile, r.done, r.failed} {
		s.env.DB.Exec(`UPDATE reports SET created_at = now() - make_interval(hours => 1 + 24 * ?) WHERE tracking_code = ?`, i, code)
	}
	s.env.DB.Exec(`UPDATE reports SET created_at = now() - interval '100 days' WHERE tracking_code = ?`, r.old)
	s.env.DB.Exec(`UPDATE jobs SET status = 'done' WHERE id = (SELECT job_id FROM reports WHERE tracking_code = ?)`, r.done)
	s.env.DB.Exec(`UPDATE jobs SET status = 'cannot_complete', reason = 'not_found', reason_text = 'buurman Piet zegt dat het weg is'
WHERE id = (SELECT job_id FROM reports WHERE tracking_code = ?)`, r.failed)
	return r
}

func TestGetRequestsFilters(t *testing.T) {
	s := start(t)
	r := seed(t, s)
	now := time.Now()
	w3c := func(d time.Duration) string { return url.QueryEscape(now.Add(d).Format(time.RFC3339)) }

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"default is the last 90 days", "", []string{r.litter, r.lamp, r.tile, r.done, r.failed}},
		{"ids override other filters", "service_request_id=" + r.old + "," + strings.ToLower(r.lamp) + "&status=closed&start_date=2001-01-01T00:00:00Z",
			[]string{r.lamp, r.old}},
		{"unknown id", "service_request_id=NOPE0-NOPE0", nil},
		{"odd ids match nothing", "service_request_id=" + url.QueryEscape(`a"b\c{}`) + ",%00,%ff," + r.tile, []string{r.tile}},
		{"only odd ids", "service_request_id=%00,%ff", nil},
		{"odd service_code", "service_code=%ff,%00", nil},
		{"service_code", "service_code=wegen.tegel", []string{r.tile}},
		{"service_codes", "service_code=wegen.tegel,licht.lamp", []string{r.lamp, r.tile}},
		// The crew could not do failed: open while the desk decides.
		{"open", "status=open", []string{r.litter, r.lamp, r.tile, r.failed}},
		{"closed", "status=closed", []string{r.done}},
		{"open and closed", "status=open,closed", []string{r.litter, r.lamp, r.tile, r.done, r.failed}},
		{"closed of one service", "status=closed&service_code=afval.zwerfvuil", []string{r.done}},
		{"window", "start_date=" + w3c(-50*time.Hour) + "&end_date=" + w3c(-20*time.Hour), []string{r.lamp, r.tile}},
		{"window with UTC", "start_date=" + now.Add(-50*time.Hour).UTC().Format("2006-01-02T15:04:05Z") + "&end_date=" + now.UTC().Format("2006-01-02T15:04:05Z"),
			[]string{r.litter, r.lamp, r.tile}},
		{"unencoded plus in offset", "start_date=" + now.Add(-26*time.Hour).In(time.FixedZone("", 3600)).Format(time.RFC3339), []string{r.litter, r.lamp}},
		{"old window", "start_date=" + w3c(-101*24*time.Hour) + "&end_date=" + w3c(-99*24*time.Hour), []string{r.old}},
		{"start only: 90 days on", "start_date=" + w3c(-120*24*time.Hour), []string{r.old}},
		{"end only: 90 days back", "end_date=" + w3c(-30*time.Hour), []string{r.tile, r.done, r.failed}},
		{"page_size", "page_size=2", []string{r.litter, r.lamp}},
		{"page 2", "page_size=2&page=2", []string{r.tile, r.done}},
		{"page past the end", "page_size=2&page=9", nil},
	}
	for _, tt := range tests {
		for _, format := range formats {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				got := ids(requests(t, s.get(t, "/open311/v2/requests."+format+"?"+tt.query), format))
				if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			})
		}
	}

	bad := []struct {
		name, query, want string
	}{
		{"bad start_date", "start_date=gisteren", "start_date is geen geldige datum"},
		{"no time zone", "start_date=2026-11-26T10:15:00", "start_date is geen geldige datum"},
		{"bad end_date", "end_date=2026-13-01T00:00:00Z", "end_date is geen geldige datum"},
		{"window too large", "start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z", "hoogstens 90 dagen"},
		{"end before start", "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "voor start_date"},
		{"unknown status", "status=pending", "pending"},
		{"page_size zero", "page_size=0", "page_size"},
		{"page_size too big", "page_size=1001", "page_size"},
		{"page not a number", "page=twee", "page"},
	}
	for _, tt := range bad {
		for _, format := range formats {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				wantError(t, s.get(t, "/open311/v2/requests."+format+"?"+tt.query), format, 400, tt.want)
			})
		}
	}
}

func TestGetRequestFields(t *testing.T) {
	s := start(t)
	r := seed(t, s)
	byID := map[string]request{}
	for _, q := range requests(t, s.get(t, "/open311/v2/requests.json?status=open,closed"), "json") {
		byID[q.ServiceRequestID] = q
	}
	litter := byID[r.litter]
	if litter.Status != "open" || litter.ServiceCode != "afval.zwerfvuil" || litter.ServiceName != "Zwerfvuil" ||
		litter.Description != "Zakken afval naast de container" || !strings.HasPrefix(litter.AgencyResponsible, "Ploeg ") ||
		litter.StatusNotes != "Een ploeg gaat het oppakken" || litter.ServiceNotice != "We pakken dit binnen 3 werkdagen op." ||
		litter.Lat != 51.959 || litter.Long != 6.2967 {
		t.Errorf("litter = %+v", litter)
	}
	for _, field := range []*string{litter.Address, litter.AddressID, litter.Zipcode, litter.MediaURL} {
		if field == nil || *field != "" {
			t.Errorf("address, address_id, zipcode and media_url should be empty strings: %+v", litter)
		}
	}
	requested, err1 := time.Parse(time.RFC3339, litter.RequestedDatetime)
	_, err2 := time.Parse(time.RFC3339, litter.UpdatedDatetime)
	expected, err3 := time.Parse(time.RFC3339, litter.ExpectedDatetime)
	if err1 != nil || err2 != nil || err3 != nil || time.Since(requested) > 2*time.Hour || !expected.After(requested) {
		t.Errorf("times %q %q %q", litter.RequestedDatetime, litter.UpdatedDatetime, litter.ExpectedDatetime)
	}
	// W3C in Dutch time, to the second.
	for _, ts := range []string{litter.RequestedDatetime, litter.UpdatedDatetime, litter.ExpectedDatetime} {
		if len(ts) != 25 || !(strings.HasSuffix(ts, "+01:00") || strings.HasSuffix(ts, "+02:00")) {
			t.Errorf("datetime %q is not like 2026-11-26T10:15:00+01:00", ts)
		}
	}
	if !strings.HasSuffix(litter.ExpectedDatetime[:19], "T23:59:59") {
		t.Errorf("expected_datetime %q, want the end of the due date", litter.ExpectedDatetime)
	}
	if d := byID[r.done]; d.Status != "closed" || d.StatusNotes != "Klaar" || d.ServiceNotice != "Deze melding is afgesloten." {
		t.Errorf("done = %+v", d)
	}
	// The crew could not do it: open, while the desk decides what happens next.
	if f := byID[r.failed]; f.ServiceNotice != "De ploeg kon dit niet doen. De gemeente beslist nu wat er verder gebeurt." {
		t.Errorf("cannot_complete notice %q", f.ServiceNotice)
	}
	// A report that no team has promises no handling time.
	s.env.DB.Exec(`UPDATE jobs SET status = 'open', team_id = NULL WHERE id = (SELECT job_id FROM reports WHERE tracking_code = ?)`, r.tile)
	for _, format := range formats {
		got := requests(t, s.get(t, "/open311/v2/requests/"+r.tile+"."+format), format)
		if len(got) != 1 || got[0].AgencyResponsible != "Gemeente" ||
			got[0].ServiceNotice != "Er is nog geen ploeg voor deze melding. We weten nog niet wanneer we dit oppakken." {
			t.Errorf("%s: request without a team = %+v", format, got)
		}
	}
	if res := s.get(t, "/open311/v2/requests/"+r.done+".json?lang=en"); !strings.Contains(string(res.Body), `"service_notice":"This request is closed."`) {
		t.Errorf("English notice of a closed request: %s", res.Body)
	}
	// The public reason shows; the crew's own words do not.
	if f := byID[r.failed]; f.Status != "open" || f.ExpectedDatetime != "" || f.StatusNotes != "Het lukte niet. Reden: Niet gevonden op deze plek." {
		t.Errorf("cannot_complete = %+v", f)
	}
	res := s.get(t, "/open311/v2/requests.xml")
	if strings.Contains(string(res.Body), "Piet") {
		t.Errorf("the crew's reason text is public: %s", res.Body)
	}
	// English on request.
	res = s.get(t, "/open311/v2/requests/"+r.litter+".json?lang=en")
	if !strings.Contains(string(res.Body), `"service_name":"Litter"`) || !strings.Contains(string(res.Body), "A crew will pick it up") {
		t.Errorf("English missing: %s", res.Body)
	}
}

func TestGetOneRequestAndToken(t *testing.T) {
	s := start(t)
	id := s.submit(t, s.form())
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			got := requests(t, s.get(t, "/open311/v2/requests/"+id+"."+format), format)
			if len(got) != 1 || got[0].ServiceRequestID != id || got[0].Status != "open" {
				t.Errorf("requests/%s = %+v", id, got)
			}
			// Codes are forgiving about case and dashes, like the tracking page.
			got = requests(t, s.get(t, "/open311/v2/requests/"+strings.ToLower(strings.ReplaceAll(id, "-", ""))+"."+format), format)
			if len(got) != 1 || got[0].ServiceRequestID != id {
				t.Errorf("lower-case id = %+v", got)
			}
			wantError(t, s.get(t, "/open311/v2/requests/NOPE0-NOPE0."+format), format, 404, "NOPE0-NOPE0")
			wantError(t, s.get(t, "/open311/v2/requests/%ff%00."+format), format, 404, "service_request_id")
			wantError(t, s.get(t, "/open311/v2/requests/"+strings.Repeat("A", 100)+"."+format), format, 404, "service_request_id")

			res := s.get(t, "/open311/v2/tokens/"+id+"."+format)
			if res.Status != http.StatusOK {
				t.Fatalf("token = %d: %s", res.Status, res.Body)
			}
			wantContentType(t, res, format)
			want := fmt.Sprintf(`[{"service_request_id":%q,"token":%q}]`, id, id)
			if format == "xml" {
				want = fmt.Sprintf("<service_requests>\n  <request>\n    <service_request_id>%s</service_request_id>\n    <token>%s</token>\n  </request>\n</service_requests>", id, id)
			}
			if !strings.Contains(string(res.Body), want) {
				t.Errorf("token answer %s, want %s", res.Body, want)
			}
			wantError(t, s.get(t, "/open311/v2/tokens/NOPE0-NOPE0."+format), format, 404, `token "NOPE0-NOPE0"`)
		})
	}
}

// TestRequestsXMLGolden fixes the XML of GET requests with reports whose every field is
// set by the test: ids, times, states, a team and none, and text that needs escaping.
func TestRequestsXMLGolden(t *testing.T) {
	s := start(t)
	err := s.env.DB.Exec(`
WITH a AS (SELECT id FROM areas WHERE code = (SELECT min(code) FROM areas WHERE code LIKE 'BU0222%')),
     t AS (SELECT id FROM teams WHERE name = 'Ploeg Stedelijk Beheer Doetinchem'),
     j AS (
  INSERT INTO jobs (category_code, location, area_id, team_id, status, reason, due_date, effort_minutes, created_at, updated_at)
  SELECT v.cat, ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326), a.id, CASE WHEN v.team THEN t.id END, v.status, v.reason,
         v.due::date, 30, v.created::timestamptz, v.updated::timestamptz
  FROM a, t, (VALUES
    ('wegen.gat', 6.2967, 51.959, true, 'in_progress', '', '2026-03-04', '2026-03-02T09:30:00+01:00', '2026-03-03T14:05:10+01:00', 'GOLD1-0000A', 'Gat <30 cm> & "diep"'),
    ('licht.lamp', 6.30125, 51.96375, true, 'done', '', '2026-03-31', '2026-03-27T23:15:00+01:00', '2026-03-30T08:00:00+02:00', 'GOLD1-0000B', ''),
    ('afval.zwerfvuil', 6.28, 51.97, false, 'cannot_complete', 'no_access', '2026-03-10', '2026-03-05T12:00:00+01:00', '2026-03-06T12:00:00+01:00', 'GOLD1-0000C', 'Zakken bij het hek'),
    ('afval.zwerfvuil', 6.281, 51.971, false, 'open', '', '2026-03-13', '2026-03-10T07:45:30+01:00', '2026-03-10T07:45:30+01:00', 'GOLD1-0000D', 'Nog een')
  ) AS v(cat, lon, lat, team, status, reason, due, created, updated, code, description)
  RETURNING id, category_code, location, area_id, created_at
)
INSERT INTO reports (tracking_code, job_id, category_code, location, area_id, description, channel, created_at)
SELECT v.code, j.id, j.category_code, j.location, j.area_id, v.description, 'open311', j.created_at
FROM j JOIN (VALUES
    ('GOLD1-0000A', '2026-03-02T09:30:00+01:00', 'Gat <30 cm> & "diep"'),
    ('GOLD1-0000B', '2026-03-27T23:15:00+01:00', ''),
    ('GOLD1-0000C', '2026-03-05T12:00:00+01:00', 'Zakken bij het hek'),
    ('GOLD1-0000D', '2026-03-10T07:45:30+01:00', 'Nog een')
  ) AS v(code, created, description) ON j.created_at = v.created::timestamptz`).Error
	if err != nil {
		t.Fatal(err)
	}
	res := s.get(t, "/open311/v2/requests.xml?start_date=2026-03-01&end_date=2026-03-31T23:59:59%2B02:00")
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	golden(t, "requests.xml", res.Body)
}

// address_string given beside lat and long is kept and shown as the request's address,
// with contact details redacted as in the description; an enforcement report's is not
// shown, like its description.
func TestAddressStringKept(t *testing.T) {
	s := start(t)
	id := s.submit(t, s.form("address_string", " Stationsplein 1, Doetinchem (bel 06 12345678, jan.jansen@example.org) "))
	parking := s.submit(t, s.form("service_code", "overlast.parkeren", "address_string", "Stationsplein 14", "lat", "51.9650", "long", "6.2900"))
	for _, format := range formats {
		got := requests(t, s.get(t, "/open311/v2/requests/"+id+"."+format), format)
		if len(got) != 1 || got[0].Address == nil || *got[0].Address != "Stationsplein 1, Doetinchem (bel [verwijderd], [verwijderd])" {
			t.Errorf("%s: address of %+v", format, got)
		}
		res := s.get(t, "/open311/v2/requests."+format)
		for _, secret := range append(secrets, "Stationsplein 14") {
			if strings.Contains(string(res.Body), secret) {
				t.Errorf("GET requests.%s shows %q: %s", format, secret, res.Body)
			}
		}
	}
	var stored string
	s.env.DB.Raw(`SELECT address FROM reports WHERE tracking_code = ?`, parking).Scan(&stored)
	if stored != "Stationsplein 14" {
		t.Errorf("stored address %q", stored)
	}
	// The crew's task shows where to go (the enforcement officer's too), contact details taken out.
	for code, want := range map[string]string{id: "Stationsplein 1, Doetinchem (bel [verwijderd], [verwijderd])", parking: "Stationsplein 14"} {
		var jobID int64
		s.env.DB.Raw(`SELECT job_id FROM reports WHERE tracking_code = ?`, code).Scan(&jobID)
		task, err := job.NewStore(s.env.DB.DB).Task(context.Background(), jobID)
		if err != nil || task.Address != want {
			t.Errorf("task address %q (%v), want %q", task.Address, err, want)
		}
	}
	wantError(t, s.post(t, "json", s.form("address_string", strings.Repeat("a", 201))), "json", 400, "adres is te lang")
}

// What residents write about enforcement (handhaving) is often about a neighbour; with the
// exact place it points at them. No public answer shows it; the stored report keeps it
// for the crew.
func TestEnforcementDescriptionNotPublic(t *testing.T) {
	s := start(t)
	const neighbour = "Buurman op nr 14 parkeert altijd op de stoep"
	id := s.submit(t, s.form("service_code", "overlast.parkeren", "description", neighbour))
	litter := s.submit(t, s.form("lat", "51.9650", "long", "6.2900"))
	for _, path := range []string{
		"/open311/v2/requests/" + id + ".json", "/open311/v2/requests/" + id + ".xml",
		"/open311/v2/requests.json", "/open311/v2/requests.xml",
		"/open311/v2/requests.json?service_code=overlast.parkeren", "/open311/v2/requests.xml?service_request_id=" + id,
		"/open311/v2/requests/" + id + ".json?lang=en",
	} {
		res := s.get(t, path)
		if res.Status != http.StatusOK {
			t.Errorf("GET %s = %d: %s", path, res.Status, res.Body)
		}
		if strings.Contains(string(res.Body), "Buurman") || strings.Contains(string(res.Body), "stoep") {
			t.Errorf("GET %s shows the enforcement report's description: %s", path, res.Body)
		}
	}
	got := requests(t, s.get(t, "/open311/v2/requests.json?service_request_id="+id+","+litter), "json")
	if len(got) != 2 || got[1].ServiceRequestID != id || got[1].Description != "" || got[1].ServiceCode != "overlast.parkeren" {
		t.Errorf("enforcement request = %+v", got)
	}
	if got[0].Description != "Zakken afval naast de container" {
		t.Errorf("another category's description is gone: %+v", got[0])
	}
	// The resident API's public answers do not show it either.
	for _, path := range []string{"/api/v1/reports/nearby?lon=" + stationLon + "&lat=" + stationLat, "/api/v1/reports/" + id} {
		res := s.env.Do(t, "GET", path, nil)
		if res.Status != http.StatusOK || strings.Contains(string(res.Body), "Buurman") {
			t.Errorf("GET %s = %d: %s", path, res.Status, res.Body)
		}
	}
	var stored string
	s.env.DB.Raw(`SELECT description FROM reports WHERE tracking_code = ?`, id).Scan(&stored)
	if stored != neighbour {
		t.Errorf("stored description %q", stored)
	}
}
