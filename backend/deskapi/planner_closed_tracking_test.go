package deskapi_test

import (
	"fmt"
	"strings"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/worker"
)

// Once the desk closes a report its crew could not do, the tracking page says that the
// municipality closed it, with the crew's reason from the fixed list, in Dutch and in
// English; never the crew's own words nor the planner's note.
func TestDeskClosedReportOnTheTrackingPage(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	crew := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	var pt struct{ Lon, Lat float64 }
	env.DB.Raw(`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas WHERE code = 'BU02220301') s`).Scan(&pt)
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{"category": "wegen.tegel",
		"location": map[string]any{"type": "Point", "coordinates": []float64{pt.Lon, pt.Lat}}})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	var rc struct {
		JobID        int64  `json:"job_id"`
		TrackingCode string `json:"tracking_code"`
	}
	res.JSON(t, &rc)
	version := func() (v int) {
		env.DB.Raw(`SELECT version FROM jobs WHERE id = ?`, rc.JobID).Scan(&v)
		return v
	}
	type tracking struct {
		Open       bool   `json:"open"`
		Next       string `json:"next"`
		ClosedNote string `json:"closed_note"`
		Timeline   []struct {
			Status, Text string
		} `json:"timeline"`
	}
	track := func(lang string) (tracking, string) {
		t.Helper()
		res := env.Do(t, "GET", "/api/v1/reports/"+rc.TrackingCode, nil, "Accept-Language", lang)
		if res.Status != 200 {
			t.Fatalf("tracking = %d %s", res.Status, res.Body)
		}
		var tr tracking
		res.JSON(t, &tr)
		return tr, string(res.Body)
	}

	res = crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/cannot-complete", rc.JobID),
		map[string]any{"reason": "not_found", "text": "Buurman Piet zegt dat het weg is"},
		"Idempotency-Key", "cc-closed-1", "If-Match", fmt.Sprint(version()))
	if res.Status != 200 {
		t.Fatalf("cannot-complete = %d %s", res.Status, res.Body)
	}
	// While the desk decides, the page says so, and nothing about closing.
	if tr, body := track("nl"); !tr.Open || tr.Next == "" || tr.ClosedNote != "" || strings.Contains(body, `"closed"`) {
		t.Errorf("tracking while the desk decides = %s", body)
	}

	res = planner.do(t, "POST", closePath(rc.JobID), map[string]any{"note": "Intern: bewoner belde al drie keer"}, "If-Match", fmt.Sprint(version()))
	if res.Status != 200 {
		t.Fatalf("close = %d %s", res.Status, res.Body)
	}
	for _, tt := range []struct{ lang, want string }{
		{"nl", "De gemeente heeft deze melding afgesloten. Reden: Niet gevonden op deze plek."},
		{"en", "The municipality has closed this report. Reason: Not found at this place."},
	} {
		tr, body := track(tt.lang)
		if tr.Open || tr.Next != "" || tr.ClosedNote != tt.want {
			t.Errorf("%s: open %v, next %q, closed_note %q; want closed, no next step, %q", tt.lang, tr.Open, tr.Next, tr.ClosedNote, tt.want)
		}
		if last := tr.Timeline[len(tr.Timeline)-1]; last.Status != "closed" || last.Text != tt.want {
			t.Errorf("%s: last step = %+v, want closed: %q", tt.lang, last, tt.want)
		}
		for _, private := range []string{"Piet", "Intern", "drie keer"} {
			if strings.Contains(body, private) {
				t.Errorf("%s: tracking shows %q: %s", tt.lang, private, body)
			}
		}
	}
}
