package resident_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/report"
)

func TestNearbyAndSupport(t *testing.T) {
	env := apptest.Start(t)
	first := submit(t, env, reportBody("afval.zwerfvuil", stationLon, stationLat))
	submit(t, env, reportBody("wegen.tegel", stationLon+0.0003, stationLat))    // ~20 m east
	submit(t, env, reportBody("afval.zwerfvuil", stationLon, stationLat+0.001)) // ~110 m north

	res := env.Do(t, "GET", fmt.Sprintf("/api/v1/reports/nearby?lon=%v&lat=%v", stationLon, stationLat), nil)
	var body struct {
		Jobs []report.Nearby `json:"jobs"`
	}
	res.JSON(t, &body)
	if len(body.Jobs) != 2 || body.Jobs[0].JobID != first.JobID || body.Jobs[1].DistanceM < 15 || body.Jobs[1].DistanceM > 25 {
		t.Errorf("nearby = %s", res.Body)
	}
	res = env.Do(t, "GET", fmt.Sprintf("/api/v1/reports/nearby?lon=%v&lat=%v&category=wegen.tegel", stationLon, stationLat), nil)
	body.Jobs = nil
	res.JSON(t, &body)
	if len(body.Jobs) != 1 || body.Jobs[0].Category != "wegen.tegel" {
		t.Errorf("nearby by category = %s", res.Body)
	}
	// A category that is not one to report under: said so, whatever it holds, before the
	// database sees it.
	for _, bad := range []string{"bestaat.niet", "wegen", "afval%00", strings.Repeat("x", 300)} {
		wantProblem(t, env.Do(t, "GET", fmt.Sprintf("/api/v1/reports/nearby?lon=%v&lat=%v&category=%s", stationLon, stationLat, bad), nil),
			422, "unknown-category")
	}
	if res := env.Do(t, "POST", "/api/v1/reports", reportBody("wegen", stationLon, stationLat)); !strings.Contains(string(res.Body), "is een groep. Kies een categorie binnen Wegen") {
		t.Errorf("report under a group = %d %s", res.Status, res.Body)
	}
	wantProblem(t, env.Do(t, "GET", "/api/v1/reports/nearby?lon=x&lat=1", nil), 422, "invalid-location")
	wantProblem(t, env.Do(t, "GET", "/api/v1/reports/nearby?lon=1&lat=99", nil), 422, "invalid-location")

	path := fmt.Sprintf("/api/v1/jobs/%d/support", first.JobID)
	sup := map[string]any{"device_id": "phone-1", "contact": map[string]any{"email": "piet@example.org", "wants_updates": true}}
	if res := env.Do(t, "POST", path, sup); res.Status != 201 || res.Map(t)["support_count"] != float64(1) {
		t.Errorf("support = %d %s", res.Status, res.Body)
	}
	// Counted once per device.
	if res := env.Do(t, "POST", path, sup); res.Status != 200 || res.Map(t)["support_count"] != float64(1) || res.Map(t)["counted"] != false {
		t.Errorf("support again = %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, "POST", path, map[string]any{"contact": map[string]any{"email": "Marie@Example.org"}}); res.Status != 201 {
		t.Errorf("support by email = %d %s", res.Status, res.Body)
	}
	// The same person, now from their phone with the same address, and then the phone
	// alone: still counted once (any of the ways they were known counts).
	for _, again := range []map[string]any{
		{"device_id": "phone-marie", "contact": map[string]any{"email": "marie@example.org"}},
		{"device_id": "phone-marie"},
		{"device_id": "phone-1"},
	} {
		if res := env.Do(t, "POST", path, again); res.Status != 200 || res.Map(t)["counted"] != false || res.Map(t)["support_count"] != float64(2) {
			t.Errorf("support again as %v = %d %s", again, res.Status, res.Body)
		}
	}
	// The app token counts where a report carries it (contact.app_token) and, as older
	// apps send it, at the top level.
	for i, body := range []map[string]any{
		{"device_id": "phone-2", "contact": map[string]any{"app_token": "token-in-contact"}},
		{"device_id": "phone-3", "app_token": "token-at-top"},
	} {
		if res := env.Do(t, "POST", path, body); res.Status != 201 {
			t.Errorf("support %d with an app token = %d %s", i, res.Status, res.Body)
		}
	}
	var tokens []string
	env.DB.Raw(`SELECT app_token FROM support_contacts WHERE job_id = ? AND app_token <> '' ORDER BY app_token`, first.JobID).Scan(&tokens)
	if len(tokens) != 2 || tokens[0] != "token-at-top" || tokens[1] != "token-in-contact" {
		t.Errorf("stored app tokens %v, want both", tokens)
	}
	wantProblem(t, env.Do(t, "POST", path, map[string]any{}), 422, "validation-failed")
	// A blank device id is none; one with control characters is refused: each would
	// count a resident again.
	wantProblem(t, env.Do(t, "POST", path, map[string]any{"device_id": "   "}), 422, "validation-failed")
	wantProblem(t, env.Do(t, "POST", path, map[string]any{"device_id": "a\u0001b"}), 422, "validation-failed")
	wantProblem(t, env.Do(t, "POST", "/api/v1/jobs/999999/support", sup), 404, "not-found")
	// A job of a category residents cannot report under (an initiative's support job)
	// is not "already reported": not listed, and not to be supported.
	var internal int64
	if err := env.DB.Raw(`
INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes)
SELECT 'initiatief.steun', location, area_id, team_id, 'assigned', due_date, 60 FROM jobs WHERE id = ?
RETURNING id`, first.JobID).Scan(&internal).Error; err != nil {
		t.Fatal(err)
	}
	wantProblem(t, env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", internal), sup), 404, "not-found")
	// Public answers carry no contact details.
	res = env.Do(t, "GET", fmt.Sprintf("/api/v1/reports/nearby?lon=%v&lat=%v", stationLon, stationLat), nil)
	if strings.Contains(string(res.Body), "piet") || !strings.Contains(string(res.Body), `"support_count":4`) ||
		strings.Contains(string(res.Body), "initiatief.steun") {
		t.Errorf("nearby after support = %s", res.Body)
	}
	// One count of residents everywhere: a report that joins the job counts the four
	// supporters too (as the support's answer did), and so does the tracking page.
	res = env.Do(t, "POST", "/api/v1/reports", reportBody("afval.zwerfvuil", stationLon, stationLat))
	dup := res.Map(t)
	if res.Status != 201 || dup["report_count"] != float64(2) || dup["support_count"] != float64(4) ||
		dup["message"] != "Dit is al gemeld. Nu hebben 6 bewoners dit gemeld. We pakken het op." {
		t.Errorf("duplicate report = %d %s", res.Status, res.Body)
	}
	tr := env.Do(t, "GET", "/api/v1/reports/"+first.TrackingCode, nil).Map(t)
	if tr["report_count"] != float64(2) || tr["support_count"] != float64(4) {
		t.Errorf("tracking = %v, want 2 reports and 4 supports", tr)
	}
}

func jpegBytes(t *testing.T) []byte { return jpegBytesOf(t, 90) }

// jpegBytesOf is a small JPEG whose blue is blue: different blues, different photos.
func jpegBytesOf(t *testing.T, blue uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 40; x++ {
			img.Set(x, y, color.RGBA{uint8(6 * x), uint8(8 * y), blue, 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

func postMultipart(t *testing.T, env *apptest.Env, path string, fields map[string]string, photos [][]byte, headers ...string) *apptest.Response {
	t.Helper()
	var parts []formPart
	for k, v := range fields {
		parts = append(parts, formPart{k, "", v})
	}
	for i, p := range photos {
		parts = append(parts, formPart{"photo", fmt.Sprintf("foto%d.jpg", i), string(p)})
	}
	return postParts(t, env, path, parts, headers...)
}

func TestMultipartReportWithPhotos(t *testing.T) {
	env := apptest.Start(t)
	img := jpegBytes(t)
	js, _ := json.Marshal(reportBody("afval.zwerfvuil", stationLon, stationLat))
	res := postMultipart(t, env, "/api/v1/reports", map[string]string{"report": string(js)}, [][]byte{img})
	if res.Status != 201 {
		t.Fatalf("multipart report = %d %s", res.Status, res.Body)
	}
	var rc receipt
	res.JSON(t, &rc)
	var kinds []string
	env.DB.Raw(`SELECT kind FROM job_photos WHERE job_id = ?`, rc.JobID).Scan(&kinds)
	if len(kinds) != 1 || kinds[0] != "report" {
		t.Errorf("photos = %v", kinds)
	}
	// Plain form fields work too.
	res = postMultipart(t, env, "/api/v1/reports", map[string]string{
		"category": "wegen.tegel", "lon": "6.2967", "lat": "51.9590", "description": "Tegel los",
	}, [][]byte{img, img})
	if res.Status != 201 {
		t.Errorf("form report = %d %s", res.Status, res.Body)
	}
	// A form says yes to updates as a checkbox does, or with 1 or true in any case: the
	// app token is kept. A value that says neither is refused, not read as no.
	for i, yes := range []string{"on", "1", "TRUE", "ja", ""} { // empty: not said, and an app token asks for updates
		res := postMultipart(t, env, "/api/v1/reports", map[string]string{
			"category": "wegen.tegel", "lon": "6.2967", "lat": fmt.Sprint(51.9590 + float64(i)*0.001),
			"wants_updates": yes, "app_token": "form-token-" + yes}, nil)
		var kept int64
		env.DB.Raw(`SELECT count(*) FROM report_contacts WHERE app_token = ?`, "form-token-"+yes).Scan(&kept)
		if res.Status != 201 || kept != 1 {
			t.Errorf("wants_updates=%s: %d %s, %d tokens kept", yes, res.Status, res.Body, kept)
		}
	}
	for _, tt := range []struct {
		name   string
		fields map[string]string
		photos [][]byte
		status int
		typ    string
	}{
		{"wants_updates neither yes nor no", map[string]string{"category": "wegen.tegel", "lon": "6.2967", "lat": "51.9590",
			"wants_updates": "misschien", "app_token": "t"}, nil, 422, "validation-failed"},
		{"four photos", map[string]string{"report": string(js)}, [][]byte{img, img, img, img}, 422, "validation-failed"},
		{"not a photo", map[string]string{"report": string(js)}, [][]byte{[]byte("%PDF-1.4 nope")}, 415, "unsupported-media-type"},
		{"broken photo", map[string]string{"report": string(js)}, [][]byte{img[:len(img)/3]}, 422, "validation-failed"},
		{"no location", map[string]string{"category": "wegen.tegel"}, nil, 422, "validation-failed"},
		// Refused reports keep none of their photos (a different image, not on disk yet).
		{"unknown category", map[string]string{"category": "bestaat.niet", "lon": "6.2967", "lat": "51.9590"}, [][]byte{jpegBytesOf(t, 7)}, 422, "unknown-category"},
		{"outside every area", map[string]string{"category": "wegen.tegel", "lon": "3.2", "lat": "53.2"}, [][]byte{jpegBytesOf(t, 8)}, 422, "outside-area"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := photoFiles(t, env)
			wantProblem(t, postMultipart(t, env, "/api/v1/reports", tt.fields, tt.photos), tt.status, tt.typ)
			if after := photoFiles(t, env); after != before {
				t.Errorf("%d photo files after a refused report, %d before", after, before)
			}
		})
	}
	// A resident's photo is not public.
	var hash string
	env.DB.Raw(`SELECT hash FROM job_photos WHERE job_id = ?`, rc.JobID).Scan(&hash)
	wantProblem(t, env.Do(t, "GET", "/api/v1/photos/"+hash, nil), 404, "not-found")
}

func TestRateLimit(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) { c.RateLimit = 3 })
	// Windows are fixed minutes: the four requests must fall in one (a run that crossed a
	// minute got 201 for the fourth).
	if s := time.Now().Second(); s > 40 {
		time.Sleep(time.Duration(61-s) * time.Second)
	}
	for i := 0; i < 3; i++ {
		if res := env.Do(t, "POST", "/api/v1/reports", reportBody("afval.zwerfvuil", stationLon+float64(i)*0.001, stationLat)); res.Status != 201 {
			t.Fatalf("report %d = %d %s", i, res.Status, res.Body)
		}
	}
	res := env.Do(t, "POST", "/api/v1/reports", reportBody("afval.zwerfvuil", stationLon, stationLat))
	wantProblem(t, res, 429, "rate-limited")
	if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	// Reading is not limited.
	if res := env.Do(t, "GET", "/api/v1/categories", nil); res.Status != 200 {
		t.Errorf("categories = %d", res.Status)
	}
	// Without trusted proxies a made-up X-Forwarded-For changes nothing.
	res = env.Do(t, "POST", "/api/v1/reports", reportBody("afval.zwerfvuil", stationLon, stationLat), "X-Forwarded-For", "203.0.113.9")
	wantProblem(t, res, 429, "rate-limited")
}

// Behind a trusted proxy (here the test's own loopback) residents are told apart by
// X-Forwarded-For: each address has its own limit, and one proxy does not share one
// bucket between all of them.
func TestRateLimitBehindProxy(t *testing.T) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	env := apptest.Start(t, func(c *app.Config) { c.RateLimit = 2; c.TrustedProxies = []*net.IPNet{loopback} })
	post := func(i int, from string) *apptest.Response {
		return env.Do(t, "POST", "/api/v1/reports", reportBody("afval.zwerfvuil", stationLon+float64(i)*0.001, stationLat), "X-Forwarded-For", from)
	}
	for i, from := range []string{"203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.2"} {
		if res := post(i, from); res.Status != 201 {
			t.Fatalf("report %d from %s = %d %s", i, from, res.Status, res.Body)
		}
	}
	wantProblem(t, post(5, "203.0.113.1"), 429, "rate-limited")
}

func TestEraseContacts(t *testing.T) {
	// The server erases as it starts too, at a moment the test does not know: with a
	// retention of ten years it leaves this test's contacts alone.
	env := apptest.Start(t, func(c *app.Config) { c.ContactRetentionDays = 3650 })
	withContact := func(lon float64) receipt {
		body := reportBody("afval.zwerfvuil", lon, stationLat)
		body["contact"] = map[string]any{"email": "a@example.org", "wants_updates": true}
		return submit(t, env, body)
	}
	old := withContact(stationLon)
	recent := withContact(stationLon + 0.002)
	open := withContact(stationLon + 0.004)
	// Work the crew could not do, 31 days ago: one still waits for the desk (a planner may
	// send it back to work), one the desk closed 29 days ago, one 31 days ago.
	waiting := withContact(stationLon + 0.006)
	deskRecent := withContact(stationLon + 0.008)
	deskOld := withContact(stationLon + 0.010)
	for _, q := range []string{
		`UPDATE jobs SET status = 'cannot_complete', reason = 'unsafe', closed_at = now() - interval '31 days' WHERE id IN (?, ?, ?)`,
		`UPDATE jobs SET desk_closed_at = now() - interval '29 days' WHERE id = ?`,
		`UPDATE jobs SET desk_closed_at = now() - interval '31 days' WHERE id = ?`,
	} {
		args := []any{deskRecent.JobID}
		switch {
		case strings.Contains(q, "IN"):
			args = []any{waiting.JobID, deskRecent.JobID, deskOld.JobID}
		case strings.Contains(q, "31 days"):
			args = []any{deskOld.JobID}
		}
		if err := env.DB.Exec(q, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	// A neighbour supported the old job and the open one, with an e-mail address: the
	// hashed keys that count them once go with the contact details.
	for _, id := range []int64{old.JobID, open.JobID} {
		body := map[string]any{"device_id": "phone-7", "contact": map[string]any{"email": "b@example.org", "wants_updates": true}}
		if res := env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", id), body); res.Status != 201 {
			t.Fatalf("support job %d = %d %s", id, res.Status, res.Body)
		}
	}
	env.DB.Exec(`UPDATE jobs SET status = 'done', closed_at = now() - interval '31 days' WHERE id = ?`, old.JobID)
	env.DB.Exec(`UPDATE jobs SET status = 'done', closed_at = now() - interval '29 days' WHERE id = ?`, recent.JobID)

	n, err := report.EraseContacts(context.Background(), env.DB.DB, 30*24*time.Hour)
	if err != nil || n != 3 { // the old report's contact and its supporter's, deskOld's
		t.Fatalf("erased %d, %v; want 3", n, err)
	}
	var keysLeft []int64
	env.DB.Raw(`SELECT DISTINCT job_id FROM job_supports ORDER BY job_id`).Scan(&keysLeft)
	if len(keysLeft) != 1 || keysLeft[0] != open.JobID {
		t.Errorf("supporter keys left for jobs %v, want only the open job %d", keysLeft, open.JobID)
	}
	var supports int
	env.DB.Raw(`SELECT support_count FROM jobs WHERE id = ?`, old.JobID).Scan(&supports)
	if supports != 1 {
		t.Errorf("the closed job's support count = %d after erasing, want 1 (it stays)", supports)
	}
	var left []int64
	env.DB.Raw(`SELECT report_id FROM report_contacts ORDER BY report_id`).Scan(&left)
	if want := []int64{recent.ID, open.ID, waiting.ID, deskRecent.ID}; !slices.Equal(left, want) {
		t.Errorf("contacts left for reports %v, want %v", left, want)
	}
	// The report itself stays.
	if res := env.Do(t, "GET", "/api/v1/reports/"+old.TrackingCode, nil); res.Status != 200 {
		t.Errorf("tracking after erase = %d", res.Status)
	}
}

// A resident who wants updates by the app only sends its token, no e-mail address: the
// support contact is checked as a report's is (the token counts as a way to reach them,
// it is trimmed, and text the database cannot store is refused).
func TestSupportRefusesUnknownFields(t *testing.T) {
	env := apptest.Start(t)
	rc := submit(t, env, reportBody("afval.zwerfvuil", stationLon, stationLat))
	// A misspelt opt-out must not be read as yes to pushes.
	res := env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", rc.JobID),
		map[string]any{"device_id": "phone-typo", "contact": map[string]any{"app_token": "tok-typo", "wants_update": false}})
	wantProblem(t, res, 422, "validation-failed")
	if !strings.Contains(string(res.Body), `"name":"contact.wants_update"`) {
		t.Errorf("problem does not name the field: %s", res.Body)
	}
	var kept int64
	env.DB.Raw(`SELECT count(*) FROM support_contacts WHERE app_token = 'tok-typo'`).Scan(&kept)
	if kept != 0 {
		t.Errorf("%d tokens kept from a refused support", kept)
	}
}

func TestSupportWithOnlyAnAppToken(t *testing.T) {
	env := apptest.Start(t)
	job := submit(t, env, reportBody("afval.zwerfvuil", stationLon, stationLat))
	path := fmt.Sprintf("/api/v1/jobs/%d/support", job.JobID)
	body := map[string]any{"device_id": "phone-9", "contact": map[string]any{"wants_updates": true, "app_token": " token-only "}}
	if res := env.Do(t, "POST", path, body); res.Status != 201 {
		t.Fatalf("support with updates by app = %d %s", res.Status, res.Body)
	}
	var token string
	env.DB.Raw(`SELECT app_token FROM support_contacts WHERE job_id = ?`, job.JobID).Scan(&token)
	if token != "token-only" {
		t.Errorf("stored app token %q, want %q", token, "token-only")
	}
	// An app that sends its token and no device id, as a report carries one: the token
	// counts the resident once (README: supporters with an app token get the pushes);
	// before, this was refused for want of a device id the README never named.
	tile := submit(t, env, reportBody("wegen.tegel", stationLon, stationLat))
	noDevice := fmt.Sprintf("/api/v1/jobs/%d/support", tile.JobID)
	for i, tt := range []struct {
		body    map[string]any
		status  int
		counted bool
		support float64
	}{
		{map[string]any{"contact": map[string]any{"app_token": "tok-app"}}, 201, true, 1},
		{map[string]any{"contact": map[string]any{"app_token": "tok-app", "wants_updates": true}}, 200, false, 1},
		{map[string]any{"app_token": "tok-app"}, 200, false, 1}, // where older apps put it
		{map[string]any{"app_token": "tok-older-app"}, 201, true, 2},
	} {
		res := env.Do(t, "POST", noDevice, tt.body)
		if res.Status != tt.status || res.Map(t)["counted"] != tt.counted || res.Map(t)["support_count"] != tt.support {
			t.Errorf("support %d by app token alone %v = %d %s, want %d, counted %v, %v supports",
				i, tt.body, res.Status, res.Body, tt.status, tt.counted, tt.support)
		}
	}
	var appTokens []string
	env.DB.Raw(`SELECT app_token FROM support_contacts WHERE job_id = ? ORDER BY 1`, tile.JobID).Scan(&appTokens)
	if want := []string{"tok-app", "tok-older-app"}; !slices.Equal(appTokens, want) {
		t.Errorf("stored app tokens %q, want %q (one row per resident)", appTokens, want)
	}
	for _, bad := range []map[string]any{
		{"device_id": "phone-10", "contact": map[string]any{"app_token": "tok\u0000en"}},
		{"device_id": "phone-11", "app_token": "tok\u0000en"},
	} {
		wantProblem(t, env.Do(t, "POST", path, bad), 422, "validation-failed")
	}
}

// A supporter who supports again without wanting updates stops getting them: what the
// first support kept for updates (app token, e-mail address, phone number) is gone,
// however they are known the second time; other supporters keep theirs.
func TestSupportAgainWithoutUpdatesForgetsContact(t *testing.T) {
	env := apptest.Start(t)
	job := submit(t, env, reportBody("afval.zwerfvuil", stationLon, stationLat))
	path := fmt.Sprintf("/api/v1/jobs/%d/support", job.JobID)
	for _, first := range []map[string]any{
		{"device_id": "phone-a", "contact": map[string]any{"wants_updates": true, "app_token": "tok-a", "email": "a@example.org"}},
		{"device_id": "phone-b", "contact": map[string]any{"wants_updates": true, "app_token": "tok-b", "email": "b@example.org", "phone": "06 1234 5678"}},
		{"device_id": "phone-c", "contact": map[string]any{"wants_updates": true, "app_token": "tok-c", "phone": "06-87654321"}},
		{"device_id": "phone-d", "contact": map[string]any{"wants_updates": true, "app_token": "tok-d"}},
	} {
		if res := env.Do(t, "POST", path, first); res.Status != 201 {
			t.Fatalf("support %v = %d %s", first, res.Status, res.Body)
		}
	}
	for _, again := range []map[string]any{
		{"device_id": "phone-a", "contact": map[string]any{"wants_updates": false, "app_token": "tok-a"}},
		{"contact": map[string]any{"email": "B@example.org", "wants_updates": false}}, // the row is keyed by phone-b
		{"contact": map[string]any{"phone": "0687654321"}},
	} {
		if res := env.Do(t, "POST", path, again); res.Status != 200 || res.Map(t)["counted"] != false {
			t.Errorf("support again as %v = %d %s", again, res.Status, res.Body)
		}
	}
	var left []string
	env.DB.Raw(`SELECT app_token || ' ' || email || ' ' || phone FROM support_contacts WHERE job_id = ? ORDER BY 1`, job.JobID).Scan(&left)
	if want := []string{"tok-d  "}; !slices.Equal(left, want) {
		t.Errorf("support contacts left %q, want %q", left, want)
	}
}

// A report refused after its photos were saved (the Idempotency-Key of another report)
// leaves its photo on disk for a while; the sweep removes it, and keeps the photos jobs
// have.
func TestSweepRemovesPhotosOfRefusedReports(t *testing.T) {
	env := apptest.Start(t)
	fields := map[string]string{"category": "wegen.tegel", "lon": "6.2967", "lat": "51.9590"}
	if res := postMultipart(t, env, "/api/v1/reports", fields, [][]byte{jpegBytesOf(t, 20)}, "Idempotency-Key", "sweep-1"); res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	wantProblem(t, postMultipart(t, env, "/api/v1/reports", fields, [][]byte{jpegBytesOf(t, 21)}, "Idempotency-Key", "sweep-1"),
		422, "idempotency-key-reused")
	if n := photoFiles(t, env); n != 2 {
		t.Fatalf("%d photo files, want 2 (the report's and the refused one's)", n)
	}
	// The server's own sweep spares photos younger than a day: these are.
	n, err := env.App.SweepPhotos(context.Background(), time.Now().Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("SweepPhotos = %d, %v; want 1", n, err)
	}
	var hash string
	env.DB.Raw(`SELECT hash FROM job_photos`).Scan(&hash)
	if n := photoFiles(t, env); n != 1 || !fileExists(filepath.Join(env.App.Config.PhotoDir, hash[0:2], hash[2:4], hash+".jpg")) {
		t.Errorf("after the sweep %d photo files; the job's photo kept: %v", n, fileExists(filepath.Join(env.App.Config.PhotoDir, hash[0:2], hash[2:4], hash+".jpg")))
	}
}

func fileExists(path string) bool { _, err := os.Stat(path); return err == nil }

// photoFiles counts the files in the instance's photo directory, at any depth.
func photoFiles(t *testing.T, env *apptest.Env) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(env.App.Config.PhotoDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type formPart struct{ name, file, data string }

func postParts(t *testing.T, env *apptest.Env, path string, parts []formPart, headers ...string) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range parts {
		var w io.Writer
		if p.file != "" {
			w, _ = mw.CreateFormFile(p.name, p.file)
		} else {
			w, _ = mw.CreateFormField(p.name)
		}
		w.Write([]byte(p.data))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", env.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return &apptest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b.Bytes()}
}

// What a multipart report sends is taken or refused, never dropped without a word: a
// photo under another field name, an unknown field; the report as a JSON file part (a
// browser's Blob) and answers as plain fields work; coordinates are plain decimals, with
// a decimal point or comma.
func TestMultipartFields(t *testing.T) {
	env := apptest.Start(t)
	img := string(jpegBytesOf(t, 30))
	js, _ := json.Marshal(reportBody("afval.zwerfvuil", stationLon, stationLat))
	place := []formPart{{"category", "", "wegen.tegel"}, {"lon", "", "6.2967"}, {"lat", "", "51.9590"}}
	with := func(extra ...formPart) []formPart { return append(append([]formPart{}, place...), extra...) }
	tests := []struct {
		name   string
		parts  []formPart
		status int
		field  string
		detail string // part of it, if given
	}{
		{"photo under another name", with(formPart{"image", "a.jpg", img}), 422, "image", ""},
		{"photo as text", with(formPart{"photo", "", "hello"}), 422, "photo", "Stuur de foto als bestand"},
		{"unknown text field", with(formPart{"kleur", "", "rood"}), 422, "kleur", ""},
		{"report and plain fields both", append(with(), formPart{"report", "", string(js)}), 422, "report", ""},
		{"hex coordinate", []formPart{{"category", "", "wegen.tegel"}, {"lon", "", "0x1.9p2"}, {"lat", "", "51.9590"}}, 422, "lon", "Geef lon als een getal, zoals 6.2905."},
		{"no place", []formPart{{"category", "", "wegen.tegel"}, {"lat", "", "51.9590"}}, 422, "location", "Geef de plek op de kaart aan"},
		{"point and comma", []formPart{{"category", "", "wegen.tegel"}, {"lon", "", "6.2967"}, {"lat", "", "51.959,1"}}, 422, "lat", "Geef lat als een getal"},
		// A Dutch phone keyboard gives a decimal comma: it is taken.
		{"decimal comma", []formPart{{"category", "", "wegen.tegel"}, {"lon", "", "6,2905"}, {"lat", "", "51,9653"}}, 201, "", ""},
		{"report as a JSON file part", []formPart{{"report", "blob", string(js)}, {"photo", "a.jpg", img}}, 201, "", ""},
		{"answers as fields", []formPart{{"category", "", "licht.lamp"}, {"lon", "", "6.2967"}, {"lat", "", "51.968"}, {"answers[state]", "", "uit"}}, 201, "", ""},
		{"answers with a dot", []formPart{{"category", "", "licht.lamp"}, {"lon", "", "6.2967"}, {"lat", "", "51.969"}, {"answers.state", "", "uit"}}, 201, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := postParts(t, env, "/api/v1/reports", tt.parts)
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tt.status, res.Body)
			}
			if tt.field != "" && !strings.Contains(string(res.Body), `"name":"`+tt.field+`"`) {
				t.Errorf("problem does not name field %s: %s", tt.field, res.Body)
			}
			if !strings.Contains(string(res.Body), tt.detail) {
				t.Errorf("problem does not say %q: %s", tt.detail, res.Body)
			}
		})
	}
	var photos int
	env.DB.Raw(`SELECT count(*) FROM job_photos`).Scan(&photos)
	if photos != 1 {
		t.Errorf("%d photos stored, want 1 (of the report as a file part)", photos)
	}
}
