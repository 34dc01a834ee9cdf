package deskapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"strings"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/worker"
)

func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(4 * x), uint8(5 * y), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestJobDetail: a planner opens a job and reads what it is about and what happened,
// through the real API: the residents' reports (without their contact details), the
// resident's and the crew's photos (which the planner may fetch), the crew's words and
// the history with names, but never the hours per worker. Outside the planner's areas
// the job and its photos are not found; a job coach may not open jobs.
func TestJobDetail(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	elsewhere := signIn(t, env, "planner@zevenaar.nl", access.Planner, "GM0299")
	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	crew := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	var pt struct{ Lon, Lat float64 }
	env.DB.Raw(`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas WHERE code = 'BU02220301') s`).Scan(&pt)

	// A resident reports a loose tile with a photo and an e-mail address.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	rep, _ := json.Marshal(map[string]any{"category": "wegen.tegel", "description": "Tegel steekt uit bij de bank",
		"location": map[string]any{"type": "Point", "coordinates": []float64{pt.Lon, pt.Lat}},
		"contact":  map[string]any{"email": "bewoner@example.nl", "wants_updates": true}})
	mw.WriteField("report", string(rep))
	fw, _ := mw.CreateFormFile("photo", "tegel.jpg")
	fw.Write(testJPEG(t))
	mw.Close()
	res := env.Do(t, "POST", "/api/v1/reports", body.Bytes(), "Content-Type", mw.FormDataContentType())
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	var first struct {
		JobID        int64  `json:"job_id"`
		TrackingCode string `json:"tracking_code"`
	}
	res.JSON(t, &first)
	// A neighbour reports it too, through another app.
	res = env.Do(t, "POST", "/api/v1/reports", map[string]any{"category": "wegen.tegel", "description": "Struikelgevaar",
		"location": map[string]any{"type": "Point", "coordinates": []float64{pt.Lon + 0.00005, pt.Lat}}})
	if res.Status != 201 || res.Map(t)["job_id"] != float64(first.JobID) {
		t.Fatalf("second report = %d %s", res.Status, res.Body)
	}

	// The crew accepts, starts, could not finish (it needs a specialist) and books hours.
	path := fmt.Sprintf("/mobile/v1/tasks/%d/", first.JobID)
	for i, step := range []struct {
		action string
		body   any
	}{
		{"accept", nil},
		{"start", nil},
		{"cannot-complete", map[string]any{"reason": "needs_specialist", "text": "Stoeprand is ook los"}},
	} {
		if res := crew.do(t, "POST", path+step.action, step.body, "Idempotency-Key", step.action, "If-Match", fmt.Sprint(i+1)); res.Status != 200 {
			t.Fatalf("%s = %d %s", step.action, res.Status, res.Body)
		}
	}

	detailPath := fmt.Sprintf("/api/v1/planner/jobs/%d", first.JobID)
	res = planner.do(t, "GET", detailPath, nil)
	if res.Status != 200 {
		t.Fatalf("detail = %d %s", res.Status, res.Body)
	}
	for _, secret := range []string{"bewoner@example.nl", "hours", "worker_id"} {
		if strings.Contains(string(res.Body), secret) {
			t.Errorf("the detail holds %q: %s", secret, res.Body)
		}
	}
	var d struct {
		ID          int64  `json:"id"`
		Status      string `json:"status"`
		TeamName    string `json:"team_name"`
		Description string `json:"description"`
		Reason      string `json:"reason"`
		ReasonText  string `json:"reason_text"`
		Reports     []struct {
			TrackingCode string `json:"tracking_code"`
			Channel      string `json:"channel"`
			Description  string `json:"description"`
		} `json:"reports"`
		Photos  []struct{ Kind, URL string } `json:"photos"`
		History []struct {
			Action, From, To, By, Reason string
			ByName                       string `json:"by_name"`
		} `json:"history"`
	}
	res.JSON(t, &d)
	if d.ID != first.JobID || d.Status != "cannot_complete" || d.TeamName != "Ploeg Oosseld" || d.Description != "Tegel steekt uit bij de bank" ||
		d.Reason != "needs_specialist" || d.ReasonText != "Stoeprand is ook los" {
		t.Errorf("detail = %s", res.Body)
	}
	if len(d.Reports) != 2 || d.Reports[0].TrackingCode != first.TrackingCode || d.Reports[1].Description != "Struikelgevaar" {
		t.Errorf("reports = %+v", d.Reports)
	}
	var acts []string
	for _, e := range d.History {
		acts = append(acts, e.Action+"/"+e.By+"/"+e.ByName+"/"+e.Reason)
	}
	crewName := "Crew doetinchem-oosseld specialist"
	want := []string{"created/resident//", "report_added/resident//", "accept/crew/" + crewName + "/", "start/crew/" + crewName + "/",
		"cannot-complete/crew/" + crewName + "/needs_specialist"}
	if strings.Join(acts, " ") != strings.Join(want, " ") {
		t.Errorf("history = %v\nwant      %v", acts, want)
	}
	if len(d.Photos) != 1 || d.Photos[0].Kind != "report" {
		t.Fatalf("photos = %+v", d.Photos)
	}
	photo := planner.do(t, "GET", d.Photos[0].URL, nil)
	if photo.Status != 200 || photo.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(photo.Header.Get("Cache-Control"), "private") {
		t.Errorf("photo = %d %v", photo.Status, photo.Header)
	}

	// Outside the planner's areas: not found, the same as a job that does not exist.
	for _, p := range []string{detailPath, d.Photos[0].URL, "/api/v1/planner/jobs/99999999"} {
		who := elsewhere
		if strings.HasSuffix(p, "99999999") {
			who = planner
		}
		if res := who.do(t, "GET", p, nil); res.Status != 404 || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s = %d %s", p, res.Status, res.Body)
		}
	}
	// A job the crew finished: its note shows, the hours booked on it do not.
	res = env.Do(t, "POST", "/api/v1/reports", map[string]any{"category": "wegen.tegel", "description": "Nog een tegel",
		"location": map[string]any{"type": "Point", "coordinates": []float64{pt.Lon + 0.003, pt.Lat + 0.003}}})
	if res.Status != 201 {
		t.Fatalf("third report = %d %s", res.Status, res.Body)
	}
	done := int64(res.Map(t)["job_id"].(float64))
	path = fmt.Sprintf("/mobile/v1/tasks/%d/", done)
	for i, action := range []string{"accept", "start", "complete"} {
		var body any
		if action == "complete" {
			body = map[string]any{"note": "Tegel opnieuw gelegd", "hours": []map[string]any{{"worker_id": crew.workerID, "hours": 0.75}}}
		}
		if res := crew.do(t, "POST", path+action, body, "Idempotency-Key", fmt.Sprint(done, action), "If-Match", fmt.Sprint(i+1)); res.Status != 200 {
			t.Fatalf("%s = %d %s", action, res.Status, res.Body)
		}
	}
	res = planner.do(t, "GET", fmt.Sprintf("/api/v1/planner/jobs/%d", done), nil)
	if m := res.Map(t); res.Status != 200 || m["note"] != "Tegel opnieuw gelegd" || m["status"] != "done" || m["closed_at"] == nil ||
		strings.Contains(string(res.Body), "0.75") || strings.Contains(string(res.Body), "hours") {
		t.Errorf("finished job = %d %s", res.Status, res.Body)
	}

	if res := coach.do(t, "GET", detailPath, nil); res.Status != 403 {
		t.Errorf("job coach = %d %s", res.Status, res.Body)
	}
	if res := planner.do(t, "GET", "/api/v1/planner/jobs/abc", nil); res.Status != 404 {
		t.Errorf("bad id = %d %s", res.Status, res.Body)
	}
}
