package crew_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// Closing the loop: a resident who gave an app token hears when the crew is done, and
// the tracking page shows the after-photo to anyone.
func TestDoneJobClosesTheLoop(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{
		"category": "afval.zwerfvuil",
		"location": map[string]any{"type": "Point", "coordinates": []float64{oosseld[0], oosseld[1]}},
		"contact":  map[string]any{"app_token": "resident-app-1", "email": "r@example.org", "wants_updates": true},
	})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	m := res.Map(t)
	jobID, code := int64(m["job_id"].(float64)), m["tracking_code"].(string)
	// A neighbour supports it from the app too.
	if res := env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", jobID), map[string]any{"device_id": "buur", "app_token": "resident-app-2"}); res.Status != 201 {
		t.Fatalf("support = %d %s", res.Status, res.Body)
	}

	if res := upload(t, p, jobID, "after", jpegBytes(t, 32, 24)); res.Status != 201 {
		t.Fatalf("photo = %d %s", res.Status, res.Body)
	}
	// While the work is not done, its after-photo is nobody's to see.
	if tr := env.Do(t, "GET", "/api/v1/reports/"+code, nil).Map(t); len(tr["photos"].([]any)) != 0 {
		t.Errorf("tracking shows photos before the job is done: %v", tr["photos"])
	}
	var early string
	env.DB.Raw(`SELECT hash FROM job_photos WHERE job_id = ? AND kind = 'after'`, jobID).Scan(&early)
	if res := env.Do(t, "GET", "/api/v1/photos/"+early, nil); res.Status != 404 {
		t.Errorf("after-photo of unfinished work = %d, want 404", res.Status)
	}
	res = p.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID), map[string]any{"note": "Opgeruimd"},
		"Idempotency-Key", "done-1", "If-Match", "1")
	if res.Status != 200 {
		t.Fatalf("complete = %d %s", res.Status, res.Body)
	}

	deadline := time.Now().Add(10 * time.Second)
	var got map[string]string
	for time.Now().Before(deadline) {
		got = map[string]string{}
		for _, msg := range env.FCM.Messages() {
			if strings.HasPrefix(msg.Token, "resident-app") {
				got[msg.Token] = msg.Data["kind"]
			}
		}
		if len(got) == 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got["resident-app-1"] != "done" || got["resident-app-2"] != "done" {
		t.Errorf("resident pushes = %v, want done to both apps", got)
	}

	tr := env.Do(t, "GET", "/api/v1/reports/"+code, nil).Map(t)
	photos, _ := tr["photos"].([]any)
	if tr["status"] != "done" || len(photos) != 1 {
		t.Fatalf("tracking = %v", tr)
	}
	if res := env.Do(t, "GET", photos[0].(string), nil); res.Status != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("public after-photo = %d", res.Status)
	}
	if strings.Contains(fmt.Sprint(tr), "r@example.org") || strings.Contains(fmt.Sprint(tr), "Test specialist") {
		t.Errorf("tracking shows personal data: %v", tr)
	}
}

// A job that could not be done tells the residents' apps why, in the push itself (a
// neighbour who supported the report has no tracking code to look it up).
func TestCannotCompleteTellsResidentsWhy(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{
		"category": "afval.zwerfvuil",
		"location": map[string]any{"type": "Point", "coordinates": []float64{oosseld[0], oosseld[1]}},
		"contact":  map[string]any{"app_token": "resident-app-1", "wants_updates": true},
	})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	jobID := int64(res.Map(t)["job_id"].(float64))
	if res := env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", jobID), map[string]any{"device_id": "buur", "app_token": "resident-app-2"}); res.Status != 201 {
		t.Fatalf("support = %d %s", res.Status, res.Body)
	}
	// Two who said no to updates: a second report of it and a supporter, both from apps.
	res = env.Do(t, "POST", "/api/v1/reports", map[string]any{
		"category": "afval.zwerfvuil",
		"location": map[string]any{"type": "Point", "coordinates": []float64{oosseld[0], oosseld[1]}},
		"contact":  map[string]any{"app_token": "resident-app-3", "wants_updates": false},
	})
	if res.Status != 201 || int64(res.Map(t)["job_id"].(float64)) != jobID {
		t.Fatalf("second report = %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", jobID),
		map[string]any{"device_id": "buur-2", "contact": map[string]any{"app_token": "resident-app-4", "wants_updates": false}}); res.Status != 201 {
		t.Fatalf("support = %d %s", res.Status, res.Body)
	}
	var kept int64
	env.DB.Raw(`SELECT (SELECT count(*) FROM report_contacts WHERE app_token = 'resident-app-3') +
	                   (SELECT count(*) FROM support_contacts WHERE app_token = 'resident-app-4')`).Scan(&kept)
	if kept != 0 {
		t.Errorf("%d app tokens kept of residents who want no updates", kept)
	}
	res = p.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/cannot-complete", jobID), map[string]any{"reason": "already_fixed"},
		"Idempotency-Key", "nope-1", "If-Match", "1")
	if res.Status != 200 {
		t.Fatalf("cannot-complete = %d %s", res.Status, res.Body)
	}
	deadline := time.Now().Add(10 * time.Second)
	bodies := map[string]string{}
	for time.Now().Before(deadline) && len(bodies) < 2 {
		for _, msg := range env.FCM.Messages() {
			if strings.HasPrefix(msg.Token, "resident-app") && msg.Notification != nil {
				bodies[msg.Token] = msg.Data["kind"] + ": " + msg.Notification.Body
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	want := "not_possible: Het lukte de ploeg niet om dit op te lossen. Reden: Was al opgelost."
	if bodies["resident-app-1"] != want || bodies["resident-app-2"] != want {
		t.Errorf("resident pushes = %q, want %q to both", bodies, want)
	}
	var tokens []string
	env.DB.Raw(`SELECT t FROM push_outbox, unnest(tokens) AS t WHERE job_id = ? AND kind = 'not_possible' ORDER BY t`, jobID).Scan(&tokens)
	if strings.Join(tokens, ",") != "resident-app-1,resident-app-2" {
		t.Errorf("pushed to %v, want only the two who asked for updates", tokens)
	}
}
