package resident_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
)

// A reporter who asked for updates can stop them from the tracking page: the report's
// contact row goes (e-mail address, phone number, app token), and so do the details the
// same resident left on the job as a supporter; other residents keep theirs. The
// tracking page says whether updates are on, never how the reporter is reached.
func TestStopUpdates(t *testing.T) {
	env := apptest.Start(t)
	body := reportBody("afval.zwerfvuil", stationLon, stationLat)
	body["contact"] = map[string]any{"email": "Jan@example.org", "phone": "06 1234 5678", "wants_updates": true, "app_token": "tok-jan"}
	rc := submit(t, env, body)
	// The same resident supports the job too (by their device, then their address), and
	// two neighbours: one by support, one by a report of their own.
	support := fmt.Sprintf("/api/v1/jobs/%d/support", rc.JobID)
	for _, sp := range []map[string]any{
		{"device_id": "phone-jan", "contact": map[string]any{"email": "jan@example.org", "wants_updates": true, "app_token": "tok-jan"}},
		{"device_id": "tablet-jan", "contact": map[string]any{"phone": "0612345678", "wants_updates": true}},
		{"device_id": "phone-piet", "contact": map[string]any{"email": "piet@example.org", "wants_updates": true, "app_token": "tok-piet"}},
	} {
		if res := env.Do(t, "POST", support, sp); res.Status != 201 {
			t.Fatalf("support %v = %d %s", sp, res.Status, res.Body)
		}
	}
	other := reportBody("afval.zwerfvuil", stationLon, stationLat)
	other["contact"] = map[string]any{"email": "els@example.org", "wants_updates": true}
	if dup := submit(t, env, other); dup.JobID != rc.JobID {
		t.Fatalf("the neighbour's report went to job %d, want %d", dup.JobID, rc.JobID)
	}

	track := func() map[string]any {
		t.Helper()
		res := env.Do(t, "GET", "/api/v1/reports/"+rc.TrackingCode, nil)
		if res.Status != 200 {
			t.Fatalf("tracking = %d %s", res.Status, res.Body)
		}
		for _, secret := range []string{"jan@", "Jan@", "1234", "tok-jan"} {
			if strings.Contains(string(res.Body), secret) {
				t.Errorf("tracking shows %q: %s", secret, res.Body)
			}
		}
		return res.Map(t)
	}
	if on := track()["wants_updates"]; on != true {
		t.Fatalf("wants_updates = %v before stopping, want true", on)
	}

	path := "/api/v1/reports/" + rc.TrackingCode + "/contact"
	for i := range 2 { // the second time there is nothing left: still fine
		if res := env.Do(t, "DELETE", path, nil); res.Status != http.StatusNoContent {
			t.Fatalf("DELETE contact (%d) = %d %s", i+1, res.Status, res.Body)
		}
	}
	var rows int64
	env.DB.Raw(`SELECT count(*) FROM report_contacts WHERE report_id = ?`, rc.ID).Scan(&rows)
	if rows != 0 {
		t.Errorf("%d contact rows left for the report, want none", rows)
	}
	var left []string
	env.DB.Raw(`SELECT email FROM report_contacts UNION ALL SELECT email FROM support_contacts ORDER BY 1`).Scan(&left)
	if want := []string{"els@example.org", "piet@example.org"}; !slices.Equal(left, want) {
		t.Errorf("contacts left %q, want only the neighbours' %q", left, want)
	}
	// The report, its job and the counts stay.
	m := track()
	if m["wants_updates"] != false || m["report_count"] != 2.0 || m["support_count"] != 3.0 {
		t.Errorf("tracking after stopping = %v", m)
	}

	// A code nobody has, or one that cannot be a code, is not found.
	for _, code := range []string{"NOPE0-NOPE0", "%27%3B"} {
		wantProblem(t, env.Do(t, "DELETE", "/api/v1/reports/"+code+"/contact", nil), 404, "not-found")
	}
	// A report without contact details never had updates on.
	plain := submit(t, env, reportBody("wegen.tegel", stationLon, stationLat))
	if res := env.Do(t, "GET", "/api/v1/reports/"+plain.TrackingCode, nil); res.Map(t)["wants_updates"] != false {
		t.Errorf("tracking without contact = %s", res.Body)
	}
}

// Stopping updates is a public write: it counts against the address's rate limit.
func TestStopUpdatesIsRateLimited(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) { c.RateLimit = 2 })
	if s := time.Now().Second(); s > 50 { // the three requests fall in one window
		time.Sleep(time.Duration(61-s) * time.Second)
	}
	rc := submit(t, env, reportBody("afval.zwerfvuil", stationLon, stationLat))
	path := "/api/v1/reports/" + rc.TrackingCode + "/contact"
	if res := env.Do(t, "DELETE", path, nil); res.Status != http.StatusNoContent {
		t.Fatalf("DELETE contact = %d %s", res.Status, res.Body)
	}
	wantProblem(t, env.Do(t, "DELETE", path, nil), 429, "rate-limited")
}
