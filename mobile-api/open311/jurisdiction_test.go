package open311_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
)

// twoMunicipalities leaves two of the demo's municipalities served, Doetinchem (GM0222)
// and its neighbour Bronckhorst (GM1876), retiring the others, and waits until intake's
// area index has it so. It waits for the reload that the areas' notification causes
// rather than reloading itself: a reload of its own could be overtaken by the slower
// one the app starts when its listener connects, which may have read the areas before.
func twoMunicipalities(tb testing.TB, s *server) {
	tb.Helper()
	err := s.env.DB.Exec(`UPDATE areas SET retired_at = now() WHERE kind = 'municipality' AND code NOT IN ('GM0222', 'GM1876')`).Error
	if err != nil {
		tb.Fatal(err)
	}
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if ix := s.env.App.Areas.Index(); ix != nil && len(ix.Municipalities()) == 2 {
			return
		}
		if time.Since(start) > 30*time.Second {
			tb.Fatal("the area index still serves other municipalities")
		}
	}
}

// A place in Bronckhorst, outside Doetinchem.
const bronckhorstLat, bronckhorstLon = "52.0536", "6.2703"

// jurisdiction_id is a served municipality's CBS code. Every endpoint that takes it
// answers as without it for a served code (in any case) and refuses an unknown one with
// a 400 in Open311's format that names the codes served, in Dutch or English.
func TestJurisdictionChecked(t *testing.T) {
	s := start(t)
	id := s.submit(t, s.form())
	for _, format := range formats {
		endpoints := []struct {
			name       string
			post       bool
			path       string
			wantStatus int
		}{
			{"services", false, "/open311/v2/services." + format, http.StatusOK},
			{"service definition", false, "/open311/v2/services/afval.zwerfvuil." + format, http.StatusOK},
			{"requests", false, "/open311/v2/requests." + format, http.StatusOK},
			{"request", false, "/open311/v2/requests/" + id + "." + format, http.StatusOK},
			{"token", false, "/open311/v2/tokens/" + id + "." + format, http.StatusOK},
			{"post", true, "/open311/v2/requests." + format, http.StatusCreated},
		}
		for _, ep := range endpoints {
			send := func(t *testing.T, jurisdiction string, headers ...string) *apptest.Response {
				t.Helper()
				if ep.post {
					f := s.form("jurisdiction_id", jurisdiction)
					if jurisdiction == "" {
						f.Del("jurisdiction_id")
					}
					return s.post(t, format, f, headers...)
				}
				path := ep.path
				if jurisdiction != "" {
					path += "?jurisdiction_id=" + url.QueryEscape(jurisdiction)
				}
				return s.get(t, path, headers...)
			}
			t.Run(format+"/"+ep.name, func(t *testing.T) {
				for _, give := range []string{"", "GM0222", "gm0222", " GM0222 "} {
					if res := send(t, give); res.Status != ep.wantStatus {
						t.Errorf("jurisdiction_id %q: %d %s, want %d", give, res.Status, res.Body, ep.wantStatus)
					}
				}
				tests := []struct {
					give string
					lang string
					want string
				}{
					{give: "GM9999", lang: "nl", want: `We kennen jurisdiction_id "GM9999" niet. Zie discovery.xml voor de codes. U mag jurisdiction_id ook weglaten.`},
					{give: "GM9999", lang: "en", want: `We do not know jurisdiction_id "GM9999". See discovery.xml for the codes. You may also leave jurisdiction_id out.`},
					{give: "doetinchem", lang: "nl", want: `"doetinchem"`},
					{give: "BU02220101", lang: "nl", want: `"BU02220101"`}, // a neighbourhood, not a municipality
				}
				for _, tt := range tests {
					wantError(t, send(t, tt.give, "Accept-Language", tt.lang), format, http.StatusBadRequest, tt.want)
				}
			})
		}
	}
}

// The discovery document lists the codes that jurisdiction_id takes: every municipality
// served (the demo has the whole country).
func TestDiscoveryListsJurisdictions(t *testing.T) {
	s := start(t)
	var want int
	s.env.DB.Raw(`SELECT count(*) FROM areas WHERE kind = 'municipality'`).Scan(&want)
	res := s.get(t, "/open311/v2/discovery.json")
	var d struct {
		Jurisdictions []struct {
			JurisdictionID string `json:"jurisdiction_id"`
			Name           string `json:"name"`
		} `json:"jurisdictions"`
	}
	if err := json.Unmarshal(res.Body, &d); err != nil || res.Status != http.StatusOK {
		t.Fatalf("discovery = %d %s (%v)", res.Status, res.Body, err)
	}
	i := slices.IndexFunc(d.Jurisdictions, func(j struct {
		JurisdictionID string `json:"jurisdiction_id"`
		Name           string `json:"name"`
	}) bool {
		return j.JurisdictionID == "GM0222"
	})
	if len(d.Jurisdictions) != want || want < 300 || i < 0 || d.Jurisdictions[i].Name != "Doetinchem" {
		t.Errorf("%d jurisdictions, want %d with GM0222 Doetinchem", len(d.Jurisdictions), want)
	}
	res = s.get(t, "/open311/v2/discovery.xml")
	if want := "<jurisdiction>\n      <jurisdiction_id>GM0222</jurisdiction_id>\n      <name>Doetinchem</name>\n    </jurisdiction>"; !strings.Contains(string(res.Body), want) {
		t.Errorf("discovery.xml lacks %q", want)
	}
}

// With two municipalities served, jurisdiction_id narrows what is read to the one named,
// and a report placed in the other municipality is refused rather than filed there.
func TestJurisdictionOfTwoMunicipalities(t *testing.T) {
	s := start(t)
	twoMunicipalities(t, s)
	doetinchem := s.submit(t, s.form("jurisdiction_id", "GM0222"))
	bronckhorst := s.submit(t, s.form("jurisdiction_id", "GM1876", "lat", bronckhorstLat, "long", bronckhorstLon))

	res := s.get(t, "/open311/v2/discovery.json")
	if want := `"jurisdictions":[{"jurisdiction_id":"GM0222","name":"Doetinchem"},{"jurisdiction_id":"GM1876","name":"Bronckhorst"}]`; !strings.Contains(string(res.Body), want) {
		t.Errorf("discovery %s, want %s", res.Body, want)
	}

	for _, format := range formats {
		for _, tt := range []struct {
			give string
			want []string
		}{
			{give: "", want: []string{doetinchem, bronckhorst}},
			{give: "GM0222", want: []string{doetinchem}},
			{give: "GM1876", want: []string{bronckhorst}},
		} {
			got := ids(requests(t, s.get(t, "/open311/v2/requests."+format+"?jurisdiction_id="+tt.give), format))
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("%s requests of %q = %v, want %v", format, tt.give, got, want)
			}
			got = ids(requests(t, s.get(t, "/open311/v2/requests."+format+"?service_request_id="+doetinchem+","+bronckhorst+"&jurisdiction_id="+tt.give), format))
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s requests by id of %q = %v, want %v", format, tt.give, got, want)
			}
		}
		wantError(t, s.get(t, "/open311/v2/requests/"+doetinchem+"."+format+"?jurisdiction_id=GM1876"), format, 404, doetinchem)
		wantError(t, s.get(t, "/open311/v2/tokens/"+doetinchem+"."+format+"?jurisdiction_id=GM1876"), format, 404, doetinchem)
		if got := requests(t, s.get(t, "/open311/v2/requests/"+doetinchem+"."+format+"?jurisdiction_id=GM0222"), format); len(got) != 1 {
			t.Errorf("%s request in its own jurisdiction = %v", format, got)
		}

		// A few municipalities are named in the answer to an unknown one.
		wantError(t, s.get(t, "/open311/v2/services."+format+"?jurisdiction_id=GM0363"), format, 400,
			`We kennen jurisdiction_id "GM0363" niet. Hier kan: GM0222 (Doetinchem), GM1876 (Bronckhorst).`)
		wantError(t, s.get(t, "/open311/v2/services."+format+"?jurisdiction_id=GM0363", "Accept-Language", "en"), format, 400,
			`Served here: GM0222 (Doetinchem), GM1876 (Bronckhorst).`)

		// The station is in Doetinchem: a client set up for Bronckhorst learns so.
		wantError(t, s.post(t, format, s.form("jurisdiction_id", "GM1876")), format, 400,
			"Deze plek ligt in Doetinchem (GM0222), niet in jurisdiction_id GM1876 (Bronckhorst).")
		wantError(t, s.post(t, format, s.form("jurisdiction_id", "GM1876"), "Accept-Language", "en"), format, 400,
			"This place is in Doetinchem (GM0222), not in jurisdiction_id GM1876 (Bronckhorst).")
	}
	var n int64
	s.env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&n)
	if n != 2 {
		t.Errorf("%d reports, want the 2 filed", n)
	}
}
