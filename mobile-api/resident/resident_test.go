package resident_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/job"
)

// The station forecourt in Doetinchem.
const stationLon, stationLat = 6.2967, 51.9590

func reportBody(category string, lon, lat float64) map[string]any {
	return map[string]any{
		"category":    category,
		"location":    map[string]any{"type": "Point", "coordinates": []float64{lon, lat}},
		"description": "Losse tegel op de stoep",
	}
}

type receipt struct {
	ID           int64  `json:"id"`
	TrackingCode string `json:"tracking_code"`
	Status       string `json:"status"`
	JobID        int64  `json:"job_id"`
	Area         struct {
		Code, Name, Kind string
	} `json:"area"`
	Team *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"team"`
	DuplicateOf *int64 `json:"duplicate_of"`
	ReportCount int    `json:"report_count"`
	DueDate     string `json:"due_date"`
}

func submit(t *testing.T, env *apptest.Env, body any, headers ...string) receipt {
	t.Helper()
	res := env.Do(t, "POST", "/api/v1/reports", body, headers...)
	if res.Status != http.StatusCreated {
		t.Fatalf("POST /api/v1/reports = %d: %s", res.Status, res.Body)
	}
	var rc receipt
	res.JSON(t, &rc)
	return rc
}

func TestReportIsRoutedToNeighbourhoodTeam(t *testing.T) {
	env := apptest.Start(t)
	rc := submit(t, env, reportBody("wegen.tegel", stationLon, stationLat))

	if rc.Area.Kind != "neighbourhood" || !strings.HasPrefix(rc.Area.Code, "BU0222") {
		t.Errorf("area = %+v, want a Doetinchem neighbourhood", rc.Area)
	}
	if rc.Team == nil || !strings.HasPrefix(rc.Team.Name, "Ploeg ") {
		t.Fatalf("team = %+v, want a district crew", rc.Team)
	}
	if rc.Status != "assigned" || rc.JobID == 0 || rc.TrackingCode == "" || rc.DuplicateOf != nil || rc.ReportCount != 1 {
		t.Errorf("receipt = %+v", rc)
	}
	// The team serves the district that holds the neighbourhood, for the category's department.
	var want string
	env.DB.Raw(`
SELECT t.name FROM areas b JOIN team_areas ta ON ta.area_id = b.parent_id AND ta.department = 'wijkbeheer'
JOIN teams t ON t.id = ta.team_id WHERE b.code = ?`, rc.Area.Code).Scan(&want)
	if rc.Team.Name != want {
		t.Errorf("team %q, want %q", rc.Team.Name, want)
	}
	// Report, job and audit event were written together.
	var n struct{ Reports, Jobs, Events int64 }
	env.DB.Raw(`SELECT (SELECT count(*) FROM reports) AS reports, (SELECT count(*) FROM jobs) AS jobs,
		(SELECT count(*) FROM audit_events WHERE job_id = ? AND action = 'created') AS events`, rc.JobID).Scan(&n)
	if n.Reports != 1 || n.Jobs != 1 || n.Events != 1 {
		t.Errorf("counts = %+v, want one of each", n)
	}
}

func TestRoutingWalksUpToMunicipalityTeam(t *testing.T) {
	env := apptest.Start(t)
	// Potholes belong to stedelijk_beheer, served for the whole municipality.
	rc := submit(t, env, reportBody("wegen.gat", stationLon, stationLat))
	if rc.Team == nil || rc.Team.Name != "Ploeg Stedelijk Beheer Doetinchem" {
		t.Errorf("team = %+v, want the municipality-wide crew", rc.Team)
	}
	if rc.Area.Kind != "neighbourhood" {
		t.Errorf("area = %+v, want the smallest area", rc.Area)
	}
}

func TestReportInMunicipalityWithoutTeamWaitsInQueue(t *testing.T) {
	env := apptest.Start(t)
	// Zevenaar (GM0299) is imported from the national file but has no teams.
	rc := submit(t, env, reportBody("afval.zwerfvuil", 6.0707, 51.9273))
	if rc.Area.Code != "GM0299" || rc.Area.Kind != "municipality" {
		t.Errorf("area = %+v, want GM0299", rc.Area)
	}
	if rc.Team != nil || rc.Status != "open" {
		t.Errorf("team %+v status %q, want no team and open", rc.Team, rc.Status)
	}
}

func TestIdempotentRetry(t *testing.T) {
	env := apptest.Start(t)
	body := reportBody("afval.zwerfvuil", 6.30, 51.97)
	first := submit(t, env, body, "Idempotency-Key", "key-1")
	res := env.Do(t, "POST", "/api/v1/reports", body, "Idempotency-Key", "key-1")
	var again receipt
	res.JSON(t, &again)
	if res.Status != http.StatusCreated || again.ID != first.ID || again.JobID != first.JobID || again.TrackingCode != first.TrackingCode {
		t.Errorf("retry = %d %+v, want the first answer %+v", res.Status, again, first)
	}
	if res.Header.Get("Idempotent-Replayed") != "true" {
		t.Error("retry is not marked as replayed")
	}
	var n int64
	env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&n)
	if n != 1 {
		t.Errorf("%d reports, want 1", n)
	}
	// The same key for another report is refused.
	other := reportBody("afval.zwerfvuil", 6.31, 51.97)
	res = env.Do(t, "POST", "/api/v1/reports", other, "Idempotency-Key", "key-1")
	wantProblem(t, res, 422, "idempotency-key-reused")
	// In plain words: what happened, and what to do.
	const reusedNL = "Deze sleutel (Idempotency-Key) is al eerder gebruikt, toen met andere gegevens. Een sleutel hoort bij één verzoek. Stuur dit verzoek opnieuw met een nieuwe sleutel."
	if d := res.Map(t)["detail"]; d != reusedNL {
		t.Errorf("detail = %q, want %q", d, reusedNL)
	}
	res = env.Do(t, "POST", "/api/v1/reports", other, "Idempotency-Key", "key-1", "Accept-Language", "en")
	const reusedEN = "This key (Idempotency-Key) was used before, with other details. A key belongs to one request. Send this request again with a new key."
	if d := res.Map(t)["detail"]; d != reusedEN {
		t.Errorf("English detail = %q, want %q", d, reusedEN)
	}
	// An app's key cannot take an Open311 client's (stored as open311:ID:KEY).
	res = env.Do(t, "POST", "/api/v1/reports", other, "Idempotency-Key", "open311:1:pre-1")
	wantProblem(t, res, 422, "validation-failed")
}

func TestDuplicateJoinsOpenJob(t *testing.T) {
	env := apptest.Start(t)
	first := submit(t, env, reportBody("afval.zwerfvuil", stationLon, stationLat))
	// About 11 m north: the same issue.
	near := submit(t, env, reportBody("afval.zwerfvuil", stationLon, stationLat+0.0001))
	if near.DuplicateOf == nil || *near.DuplicateOf != first.JobID || near.JobID != first.JobID || near.ReportCount != 2 {
		t.Errorf("near report = %+v, want it to join job %d with 2 reports", near, first.JobID)
	}
	if near.Area.Code != first.Area.Code {
		t.Errorf("duplicate area %q, want %q", near.Area.Code, first.Area.Code)
	}
	// Another category at the same place is another job.
	other := submit(t, env, reportBody("afval.hondenpoep", stationLon, stationLat))
	if other.DuplicateOf != nil || other.JobID == first.JobID {
		t.Errorf("other category joined job %d", first.JobID)
	}
	// About 45 m away is another job.
	far := submit(t, env, reportBody("afval.zwerfvuil", stationLon, stationLat+0.0004))
	if far.DuplicateOf != nil || far.JobID == first.JobID {
		t.Errorf("report 45 m away joined job %d", first.JobID)
	}
	var count int
	env.DB.Raw(`SELECT report_count FROM jobs WHERE id = ?`, first.JobID).Scan(&count)
	if count != 2 {
		t.Errorf("job report_count = %d, want 2", count)
	}
}

func TestConcurrentSubmitsNoneLostNoneDoubled(t *testing.T) {
	env := apptest.Start(t)
	const n = 100
	var wg sync.WaitGroup
	results := make([]receipt, 2*n)
	errs := make(chan string, 2*n)
	for i := 0; i < n; i++ {
		// Each report is sent twice at once with the same key, as a phone retrying.
		for r := 0; r < 2; r++ {
			wg.Add(1)
			go func(i, r int) {
				defer wg.Done()
				body := reportBody("afval.zwerfvuil", 6.27+float64(i%10)*0.005, 51.95+float64(i/10)*0.003)
				res := env.Do(t, "POST", "/api/v1/reports", body, "Idempotency-Key", fmt.Sprintf("c-%d", i))
				if res.Status != http.StatusCreated {
					errs <- fmt.Sprintf("report %d: %d %s", i, res.Status, res.Body)
					return
				}
				res.JSON(t, &results[2*i+r])
			}(i, r)
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i := 0; i < n; i++ {
		if results[2*i].ID != results[2*i+1].ID {
			t.Errorf("report %d: retry got id %d, first %d", i, results[2*i+1].ID, results[2*i].ID)
		}
	}
	var reports, jobs int64
	env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&reports)
	env.DB.Raw(`SELECT count(*) FROM jobs`).Scan(&jobs)
	if reports != n || jobs != n {
		t.Errorf("%d reports and %d jobs, want %d of each", reports, jobs, n)
	}
}

// Reports that arrive together are filed together (group commit); a report that fails
// (here: a key reused for another report) must fail alone, and lose nobody else's.
func TestConcurrentBadReportFailsAlone(t *testing.T) {
	env := apptest.Start(t)
	const n = 60
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			key := fmt.Sprintf("g-%d", i)
			if i%20 == 1 { // three reports reuse the key of the one before them
				key = fmt.Sprintf("g-%d", i-1)
			}
			body := reportBody("wegen.tegel", 6.27+float64(i%10)*0.004, 51.95+float64(i/10)*0.004)
			statuses[i] = env.Do(t, "POST", "/api/v1/reports", body, "Idempotency-Key", key).Status
		}(i)
	}
	wg.Wait()
	created, reused := 0, 0
	for i, st := range statuses {
		switch {
		case st == http.StatusCreated:
			created++
		case st == http.StatusUnprocessableEntity && (i%20 == 0 || i%20 == 1):
			reused++
		default:
			t.Errorf("report %d: %d", i, st)
		}
	}
	var reports int64
	env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&reports)
	if created != n-3 || reused != 3 || reports != int64(created) {
		t.Errorf("%d created, %d refused for a reused key, %d reports stored; want %d, 3, %d", created, reused, reports, n-3, n-3)
	}
}

func TestConcurrentReportsOfOneIssueMakeOneJob(t *testing.T) {
	env := apptest.Start(t)
	const n = 40
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Scattered within a few metres of one spot.
			body := reportBody("afval.grofvuil", stationLon+float64(i%5)*0.00002, stationLat+float64(i%7)*0.00002)
			if res := env.Do(t, "POST", "/api/v1/reports", body); res.Status != http.StatusCreated {
				t.Errorf("report %d: %d %s", i, res.Status, res.Body)
			}
		}(i)
	}
	wg.Wait()
	var jobs []struct{ ReportCount int }
	env.DB.Raw(`SELECT report_count FROM jobs`).Scan(&jobs)
	if len(jobs) != 1 || jobs[0].ReportCount != n {
		t.Errorf("jobs = %+v, want one job with %d reports", jobs, n)
	}
}

func TestTrackingIsPublicWithoutPersonalData(t *testing.T) {
	env := apptest.Start(t)
	body := reportBody("afval.zwerfvuil", stationLon, stationLat)
	body["contact"] = map[string]any{"email": "jan.jansen@example.org", "phone": "06 12345678", "wants_updates": true}
	rc := submit(t, env, body)

	res := env.Do(t, "GET", "/api/v1/reports/"+rc.TrackingCode, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET tracking = %d: %s", res.Status, res.Body)
	}
	for _, secret := range []string{"jan.jansen", "example.org", "12345678"} {
		if strings.Contains(string(res.Body), secret) {
			t.Errorf("tracking page shows %q: %s", secret, res.Body)
		}
	}
	m := res.Map(t)
	if m["status"] != "assigned" || m["tracking_code"] != rc.TrackingCode {
		t.Errorf("tracking = %v", m)
	}
	steps, _ := m["timeline"].([]any)
	if len(steps) != 2 {
		t.Errorf("timeline = %v, want received and assigned", m["timeline"])
	}
	// The crew could not do it: the timeline says why, with a reason from the fixed list
	// (as the push to the resident promised), never the crew's own words.
	var teamID int64
	env.DB.Raw(`SELECT team_id FROM jobs WHERE id = ?`, rc.JobID).Scan(&teamID)
	_, _, err := job.NewService(env.DB.DB, job.NewStore(env.DB.DB), job.Updates{PushTTL: time.Hour}).Do(context.Background(), job.Act{
		JobID: rc.JobID, Action: job.CannotFinish, Version: 1, Key: "cc", Actor: "worker:1", Teams: []int64{teamID},
		Reason: "not_found", ReasonText: "Buurman Piet zegt dat het weg is"})
	if err != nil {
		t.Fatal(err)
	}
	res = env.Do(t, "GET", "/api/v1/reports/"+rc.TrackingCode, nil)
	if !strings.Contains(string(res.Body), `"text":"Het lukte niet. Reden: Niet gevonden op deze plek."`) || strings.Contains(string(res.Body), "Piet") {
		t.Errorf("tracking after cannot-complete = %s", res.Body)
	}
	// The contact is stored, apart from the report.
	var email string
	env.DB.Raw(`SELECT email FROM report_contacts WHERE report_id = ?`, rc.ID).Scan(&email)
	if email != "jan.jansen@example.org" {
		t.Errorf("stored email %q", email)
	}
	// Codes are forgiving about case and dashes.
	if res := env.Do(t, "GET", "/api/v1/reports/"+strings.ToLower(strings.ReplaceAll(rc.TrackingCode, "-", "")), nil); res.Status != 200 {
		t.Errorf("lower-case code = %d", res.Status)
	}
	wantProblem(t, env.Do(t, "GET", "/api/v1/reports/NOPE0-NOPE0", nil), 404, "not-found")
}

func TestCategories(t *testing.T) {
	env := apptest.Start(t)
	res := env.Do(t, "GET", "/api/v1/categories", nil)
	var body struct {
		Categories []struct {
			Code       string `json:"code"`
			Name       string `json:"name"`
			Department string `json:"department"`
			Reportable bool   `json:"reportable"`
		} `json:"categories"`
	}
	res.JSON(t, &body)
	found := false
	for _, c := range body.Categories {
		if c.Code == "afval.zwerfvuil" {
			found = c.Name == "Zwerfvuil" && c.Department == "wijkbeheer" && c.Reportable
		}
	}
	if !found || len(body.Categories) < 20 {
		t.Errorf("categories = %+v", body.Categories)
	}
	res = env.Do(t, "GET", "/api/v1/categories", nil, "Accept-Language", "en-GB,en;q=0.9")
	if !strings.Contains(string(res.Body), `"name":"Litter"`) {
		t.Errorf("English names missing: %.300s", res.Body)
	}
	// Cached publicly, and the names depend on the language: a shared cache must keep
	// one answer per language.
	if v := res.Header.Get("Vary"); !strings.Contains(v, "Accept-Language") {
		t.Errorf("Vary = %q, want Accept-Language", v)
	}
}

// A choice question's options are the values a client sends and answers are stored
// with (Dutch, as before); options_en names them in English, in the same order. An
// English client still answers with the value.
func TestQuestionOptionsInEnglish(t *testing.T) {
	env := apptest.Start(t)
	res := env.Do(t, "GET", "/api/v1/categories", nil, "Accept-Language", "en")
	var body struct {
		Categories []struct {
			Code      string `json:"code"`
			Questions []struct {
				Key       string   `json:"key"`
				Options   []string `json:"options"`
				OptionsEN []string `json:"options_en"`
			} `json:"questions"`
		} `json:"categories"`
	}
	res.JSON(t, &body)
	var options, optionsEN string
	for _, c := range body.Categories {
		if c.Code == "licht.lamp" && len(c.Questions) == 1 {
			options, optionsEN = strings.Join(c.Questions[0].Options, ","), strings.Join(c.Questions[0].OptionsEN, ",")
		}
	}
	if options != "uit,knippert,brandt overdag" || optionsEN != "out,flickering,on during the day" {
		t.Errorf("licht.lamp options = %q, options_en = %q", options, optionsEN)
	}

	lamp := reportBody("licht.lamp", stationLon, stationLat)
	lamp["answers"] = map[string]string{"state": "knippert"}
	rc := submit(t, env, lamp, "Accept-Language", "en")
	var answers string
	env.DB.Raw(`SELECT answers::text FROM reports WHERE id = ?`, rc.ID).Scan(&answers)
	if answers != `{"state": "knippert"}` {
		t.Errorf("stored answers = %s", answers)
	}
	// The English name is no value: the problem names the values, with their names.
	lamp["answers"] = map[string]string{"state": "flickering"}
	res = env.Do(t, "POST", "/api/v1/reports", lamp, "Accept-Language", "en")
	wantProblem(t, res, 422, "validation-failed")
	if !strings.Contains(string(res.Body), "Choose one of: uit (out), knippert (flickering), brandt overdag (on during the day).") {
		t.Errorf("English problem = %s", res.Body)
	}
	res = env.Do(t, "POST", "/api/v1/reports", lamp)
	if !strings.Contains(string(res.Body), "Kies een van deze antwoorden: uit, knippert, brandt overdag.") {
		t.Errorf("Dutch problem = %s", res.Body)
	}
}

func wantProblem(t *testing.T, res *apptest.Response, status int, typ string) {
	t.Helper()
	if res.Status != status {
		t.Errorf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("content type %q, want application/problem+json", ct)
	}
	m := res.Map(t)
	if m["type"] != "/problems/"+typ {
		t.Errorf("type %v, want /problems/%s: %s", m["type"], typ, res.Body)
	}
	if title, _ := m["title"].(string); title == "" {
		t.Errorf("problem without title: %s", res.Body)
	}
	apptest.WantReadableReasons(t, m)
}

// A value of the wrong type in a report is named by its path, with what to give: the
// JSON is valid, so it is not "not valid JSON".
func TestReportValueOfTheWrongType(t *testing.T) {
	env := apptest.Start(t)
	at := `"location":{"type":"Point","coordinates":[6.2967,51.959]}`
	tests := []struct{ body, field, reason string }{
		{`{"category":"licht.lamp",` + at + `,"answers":{"state":"kapot","other":1}}`, "answers.other", "Geef een tekst, tussen aanhalingstekens."},
		{`{"category":"afval.zwerfvuil",` + at + `,"contact":{"wants_updates":"ja"}}`, "contact.wants_updates", "Geef true (ja) of false (nee)."},
		{`{"category":["afval.zwerfvuil"],` + at + `}`, "category", "Geef een tekst, tussen aanhalingstekens."},
	}
	for _, tt := range tests {
		res := env.Do(t, "POST", "/api/v1/reports", tt.body)
		wantProblem(t, res, 422, "validation-failed")
		if errs, _ := res.Map(t)["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["name"] != tt.field ||
			errs[0].(map[string]any)["reason"] != tt.reason {
			t.Errorf("%s = %s, want %s: %s", tt.body, res.Body, tt.field, tt.reason)
		}
	}
}

// A field twice in a report is refused, naming it: which one was meant? Before, the
// last one was filed without a word.
func TestReportFieldTwice(t *testing.T) {
	env := apptest.Start(t)
	at := `"location":{"type":"Point","coordinates":[6.2967,51.959]}`
	for body, field := range map[string]string{
		`{"category":"wegen.gat","category":"wegen.tegel",` + at + `}`:                                        "category",
		`{"category":"afval.zwerfvuil",` + at + `,"contact":{"email":"a@example.nl","email":"b@example.nl"}}`: "contact.email",
		`{"category":"licht.lamp",` + at + `,"answers":{"state":"kapot","state":"knippert"}}`:                 "answers.state",
	} {
		res := env.Do(t, "POST", "/api/v1/reports", body)
		wantProblem(t, res, 422, "validation-failed")
		if errs, _ := res.Map(t)["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["name"] != field {
			t.Errorf("%s = %s, want %s named", body, res.Body, field)
		}
	}
	var reports int64
	env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&reports)
	if reports != 0 {
		t.Errorf("%d reports stored with a field twice", reports)
	}
}

func TestBadInput(t *testing.T) {
	env := apptest.Start(t)
	ok := `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,51.959]}}`
	tests := []struct {
		name        string
		body        string
		contentType string
		headers     []string
		status      int
		typ         string
	}{
		{"not json", `{"category":`, "", nil, 400, "invalid-json"},
		{"empty body", ``, "", nil, 400, "invalid-json"},
		{"array", `[]`, "", nil, 400, "invalid-json"},
		{"trailing data", ok + `{}`, "", nil, 400, "invalid-json"},
		{"wrong type", `{"category":12,"location":{"type":"Point","coordinates":[6.2967,51.959]}}`, "", nil, 422, "validation-failed"},
		{"answer not a text", `{"category":"licht.lamp","location":{"type":"Point","coordinates":[6.2967,51.959]},"answers":{"other":1}}`, "", nil, 422, "validation-failed"},
		{"huge number", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[1e999,51.959]}}`, "", nil, 422, "invalid-location"},
		{"wrong content type", ok, "text/plain", nil, 415, "unsupported-media-type"},
		{"no content type", ok, "-", nil, 415, "unsupported-media-type"},
		{"compressed body", ok, "", []string{"Content-Encoding", "gzip"}, 415, "unsupported-media-type"},
		{"unknown category", `{"category":"bestaat.niet","location":{"type":"Point","coordinates":[6.2967,51.959]}}`, "", nil, 422, "unknown-category"},
		{"main category", `{"category":"afval","location":{"type":"Point","coordinates":[6.2967,51.959]}}`, "", nil, 422, "unknown-category"},
		{"missing category", `{"location":{"type":"Point","coordinates":[6.2967,51.959]}}`, "", nil, 422, "validation-failed"},
		{"missing location", `{"category":"afval.zwerfvuil"}`, "", nil, 422, "validation-failed"},
		{"not a point", `{"category":"afval.zwerfvuil","location":{"type":"LineString","coordinates":[[6.2,51.9],[6.3,51.9]]}}`, "", nil, 422, "invalid-location"},
		{"one coordinate", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967]}}`, "", nil, 422, "invalid-location"},
		{"latitude out of range", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,95]}}`, "", nil, 422, "invalid-location"},
		{"swapped lon lat", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[51.959,6.2967]}}`, "", nil, 422, "outside-area"},
		{"north sea", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[3.5,53.5]}}`, "", nil, 422, "outside-area"},
		{"description too long", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,51.959]},"description":"` + strings.Repeat("a", 2001) + `"}`, "", nil, 422, "validation-failed"},
		{"bad email", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,51.959]},"contact":{"email":"jan@"}}`, "", nil, 422, "validation-failed"},
		{"bad phone", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,51.959]},"contact":{"phone":"bel me"}}`, "", nil, 422, "validation-failed"},
		{"updates without address", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,51.959]},"contact":{"wants_updates":true}}`, "", nil, 422, "validation-failed"},
		{"missing required answer", `{"category":"licht.lamp","location":{"type":"Point","coordinates":[6.2967,51.959]}}`, "", nil, 422, "validation-failed"},
		{"answer not an option", `{"category":"licht.lamp","location":{"type":"Point","coordinates":[6.2967,51.959]},"answers":{"state":"stuk"}}`, "", nil, 422, "validation-failed"},
		{"misspelt field", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,51.959]},"descripton":"Prullenbak puilt uit"}`, "", nil, 422, "validation-failed"},
		{"misspelt contact field", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,51.959]},"contact":{"e-mail":"a@example.nl"}}`, "", nil, 422, "validation-failed"},
		{"unknown question", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,51.959]},"answers":{"kleur":"rood"}}`, "", nil, 422, "validation-failed"},
		{"body too large", `{"category":"afval.zwerfvuil","description":"` + strings.Repeat("a", 70<<10) + `"}`, "", nil, 413, "body-too-large"},
		{"bad idempotency key", ok, "", []string{"Idempotency-Key", "has space"}, 422, "validation-failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := append([]string{}, tt.headers...)
			switch tt.contentType {
			case "":
			case "-":
				headers = append(headers, "Content-Type", "")
			default:
				headers = append(headers, "Content-Type", tt.contentType)
			}
			res := env.Do(t, "POST", "/api/v1/reports", tt.body, headers...)
			wantProblem(t, res, tt.status, tt.typ)
		})
	}
	var n int64
	env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&n)
	if n != 0 {
		t.Errorf("%d reports stored from bad input", n)
	}
	// A GeoJSON point may carry a bounding box (RFC 7946, section 5): not an unknown field.
	if res := env.Do(t, "POST", "/api/v1/reports", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967,51.959],"bbox":[6.2967,51.959,6.2967,51.959]}}`); res.Status != 201 {
		t.Errorf("point with a bbox = %d %s", res.Status, res.Body)
	}
	// A valid answer works, and English problems are available.
	res := env.Do(t, "POST", "/api/v1/reports", `{"category":"licht.lamp","location":{"type":"Point","coordinates":[6.2967,51.959]},"answers":{"state":"knippert"}}`)
	if res.Status != 201 {
		t.Errorf("valid answer = %d %s", res.Status, res.Body)
	}
	res = env.Do(t, "POST", "/api/v1/reports", `{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[3.5,53.5]}}`, "Accept-Language", "en")
	if !strings.Contains(string(res.Body), "outside our area") {
		t.Errorf("English problem missing: %s", res.Body)
	}
	// In English too the field reasons read as sentences, and a group is named in English.
	for _, tt := range []struct{ body, typ string }{
		{`{"category":"bestaat.niet","location":{"type":"Point","coordinates":[6.2967,51.959]}}`, "unknown-category"},
		{`{"category":"afval","location":{"type":"Point","coordinates":[6.2967,51.959]}}`, "unknown-category"},
		{`{"category":"afval.zwerfvuil","location":{"type":"Point","coordinates":[6.2967]}}`, "invalid-location"},
	} {
		res := env.Do(t, "POST", "/api/v1/reports", tt.body, "Accept-Language", "en")
		wantProblem(t, res, 422, tt.typ)
		if strings.Contains(string(res.Body), "Afval") {
			t.Errorf("English problem names the Dutch group: %s", res.Body)
		}
	}
	wantProblem(t, env.Do(t, "GET", "/api/v1/nope", nil), 404, "not-found")
	wantProblem(t, env.Do(t, "DELETE", "/api/v1/reports", nil), 405, "method-not-allowed")
}
