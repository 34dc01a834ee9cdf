package deskapi_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/mobile-api/open311"
)

// TestReporterContacts: a planner who may see a job looks up how its reporters may be
// reached (GET planner/jobs/{id}/contacts), through the real API: per report the e-mail
// address and phone number given (by the app and by Open311) and whether they want
// updates, nothing for a report without contact details or whose details were erased.
// Each lookup is in the job's history (who, how many; never the values), the answer is
// never cached, and no value reaches the log. A job coach gets 403; a planner of another
// municipality gets the same 404 as for a job that does not exist, and neither is
// recorded.
func TestReporterContacts(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	admin := signIn(t, env, "admin@wijkwerk.nl", access.Admin)
	elsewhere := signIn(t, env, "planner@zevenaar.nl", access.Planner, "GM0299")
	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	var pt struct{ Lon, Lat float64 }
	env.DB.Raw(`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas WHERE code = 'BU02220301') s`).Scan(&pt)

	file := func(description string, contact map[string]any) (jobID int64, code string) {
		t.Helper()
		body := map[string]any{"category": "wegen.tegel", "description": description,
			"location": map[string]any{"type": "Point", "coordinates": []float64{pt.Lon, pt.Lat}}}
		if contact != nil {
			body["contact"] = contact
		}
		res := env.Do(t, "POST", "/api/v1/reports", body)
		if res.Status != 201 {
			t.Fatalf("report = %d %s", res.Status, res.Body)
		}
		var r struct {
			JobID        int64  `json:"job_id"`
			TrackingCode string `json:"tracking_code"`
		}
		res.JSON(t, &r)
		return r.JobID, r.TrackingCode
	}
	// Four residents report the same loose tile: one with e-mail and phone in the app, one
	// with only a phone number through another app (Open311), one without contact
	// details, and one who gives an e-mail address and then stops updates (erased).
	id, first := file("Tegel los bij de bank", map[string]any{"email": "anna.melder@example.nl", "phone": "06-12345678", "wants_updates": true})
	key, err := open311.CreateKey(context.Background(), env.DB.DB, "buurt-app")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"api_key": {key}, "service_code": {"wegen.tegel"}, "description": {"Losse stoeptegel"},
		"lat": {fmt.Sprint(pt.Lat)}, "long": {fmt.Sprint(pt.Lon + 0.00003)}, "phone": {"+31 6 8765 4321"}}
	res := env.Do(t, "POST", "/open311/v2/requests.json", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	if res.Status != 201 {
		t.Fatalf("open311 = %d %s", res.Status, res.Body)
	}
	if other, _ := file("Struikelgevaar", nil); other != id {
		t.Fatalf("third report on job %d, want %d", other, id)
	}
	other, erased := file("Gevaarlijk", map[string]any{"email": "weg.ermee@example.nl", "wants_updates": true})
	if other != id {
		t.Fatalf("fourth report on job %d, want %d", other, id)
	}
	if res := env.Do(t, "DELETE", "/api/v1/reports/"+erased+"/contact", nil); res.Status != 204 {
		t.Fatalf("stop updates = %d %s", res.Status, res.Body)
	}
	values := []string{"anna.melder@example.nl", "06-12345678", "+31 6 8765 4321", "87654321", "weg.ermee@example.nl"}
	timeline := func() string {
		t.Helper()
		var tr struct {
			Timeline []map[string]any `json:"timeline"`
		}
		env.Do(t, "GET", "/api/v1/reports/"+first, nil).JSON(t, &tr)
		return fmt.Sprint(tr.Timeline)
	}
	before := timeline()

	path := fmt.Sprintf("/api/v1/planner/jobs/%d/contacts", id)
	res = planner.do(t, "GET", path, nil)
	if res.Status != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("contacts = %d %v %s", res.Status, res.Header, res.Body)
	}
	var got struct {
		Contacts []struct {
			TrackingCode string `json:"tracking_code"`
			ReportedAt   string `json:"reported_at"`
			Email        string `json:"email"`
			Phone        string `json:"phone"`
			WantsUpdates bool   `json:"wants_updates"`
		} `json:"contacts"`
	}
	res.JSON(t, &got)
	if len(got.Contacts) != 2 {
		t.Fatalf("contacts = %s, want the app's and the Open311 reporter's", res.Body)
	}
	a, b := got.Contacts[0], got.Contacts[1]
	if a.TrackingCode != first || a.Email != "anna.melder@example.nl" || a.Phone != "06-12345678" || !a.WantsUpdates || a.ReportedAt == "" {
		t.Errorf("first contact = %+v", a)
	}
	if b.Email != "" || b.Phone != "+31 6 8765 4321" || b.WantsUpdates {
		t.Errorf("Open311 contact = %+v", b)
	}
	if strings.Contains(string(res.Body), "weg.ermee@example.nl") {
		t.Errorf("an erased contact is in the answer: %s", res.Body)
	}
	for _, field := range []string{"app_token", "lang", "name"} {
		if strings.Contains(string(res.Body), `"`+field+`"`) {
			t.Errorf("the answer holds %s: %s", field, res.Body)
		}
	}

	// The job coach works with workers, not residents: 403. Another municipality's
	// planner: the same 404 as for a job that does not exist.
	if res := coach.do(t, "GET", path, nil); res.Status != 403 || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("job coach = %d %s", res.Status, res.Body)
	}
	outside := elsewhere.do(t, "GET", path, nil)
	missing := elsewhere.do(t, "GET", "/api/v1/planner/jobs/99999999/contacts", nil)
	if outside.Status != 404 || outside.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("other municipality = %d %s", outside.Status, outside.Body)
	}
	o, m := outside.Map(t), missing.Map(t)
	for _, k := range []string{"type", "title", "status", "detail"} {
		if o[k] != m[k] {
			t.Errorf("%s: outside the areas %v, no such job %v", k, o[k], m[k])
		}
	}
	if res := admin.do(t, "GET", path, nil); res.Status != 200 || !strings.Contains(string(res.Body), "anna.melder@example.nl") {
		t.Errorf("admin = %d %s", res.Status, res.Body)
	}

	// The detail has no contact details; its history has the two lookups, by name, with
	// how many contacts each showed; the refused ones are not there.
	res = planner.do(t, "GET", fmt.Sprintf("/api/v1/planner/jobs/%d", id), nil)
	for _, v := range values {
		if strings.Contains(string(res.Body), v) {
			t.Errorf("the detail holds %q: %s", v, res.Body)
		}
	}
	var d struct {
		History []struct {
			Action   string `json:"action"`
			By       string `json:"by"`
			ByName   string `json:"by_name"`
			Contacts *int   `json:"contacts"`
		} `json:"history"`
	}
	res.JSON(t, &d)
	var lookups []string
	for _, e := range d.History {
		if e.Action == "contacts_viewed" {
			n := -1
			if e.Contacts != nil {
				n = *e.Contacts
			}
			lookups = append(lookups, fmt.Sprintf("%s/%s/%d", e.By, e.ByName, n))
		}
	}
	if want := "desk/planner@doetinchem.nl/2 desk/admin@wijkwerk.nl/2"; strings.Join(lookups, " ") != want {
		t.Errorf("lookups in the history = %v, want %s", lookups, want)
	}
	var stored []string
	env.DB.Raw(`SELECT actor || ' ' || detail::text FROM audit_events WHERE job_id = ? AND action = 'contacts_viewed' ORDER BY id`, id).Scan(&stored)
	if want := []string{fmt.Sprintf(`desk:%d {"contacts": 2}`, planner.id), fmt.Sprintf(`desk:%d {"contacts": 2}`, admin.id)}; strings.Join(stored, "|") != strings.Join(want, "|") {
		t.Errorf("audit events = %q, want %q", stored, want)
	}
	// The residents' public timeline does not show the lookups.
	if after := timeline(); after != before {
		t.Errorf("timeline after the lookups = %s\nbefore: %s", after, before)
	}

	// The lookups were logged as requests (route only), and no value reached the log.
	log := env.Log.String()
	if !strings.Contains(log, "/api/v1/planner/jobs/:id/contacts") {
		t.Errorf("the log has no line for the lookups: the check below would prove nothing\n%s", log)
	}
	for _, v := range values {
		if strings.Contains(log, v) {
			t.Errorf("the log holds %q", v)
		}
	}
}
