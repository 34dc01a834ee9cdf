package resident_test

import (
	"net/http"
	"testing"

	"wijkwerk/backend/app/apptest"
)

// Text that PostgreSQL cannot store (a NUL character, bytes that are not UTF-8) is the
// client's mistake wherever it comes in: never a 500.
func TestTextTheDatabaseCannotTake(t *testing.T) {
	env := apptest.Start(t)
	withNUL := func(field string) map[string]any {
		b := reportBody("afval.zwerfvuil", stationLon, stationLat)
		switch field {
		case "description":
			b["description"] = "glas\u0000op straat"
		case "answer":
			b["category"] = "licht.lamp"
			b["answers"] = map[string]string{"state": "kapot\u0000"}
		case "app_token":
			b["contact"] = map[string]any{"app_token": "tok\u0000en"}
		}
		return b
	}
	tests := []struct {
		name, method, path string
		body               any
		status             int
		typ                string
	}{
		{"report description", "POST", "/api/v1/reports", withNUL("description"), 422, "validation-failed"},
		{"report answer", "POST", "/api/v1/reports", withNUL("answer"), 422, "validation-failed"},
		{"report app token", "POST", "/api/v1/reports", withNUL("app_token"), 422, "validation-failed"},
		{"tracking code", "GET", "/api/v1/reports/AB%00CD", nil, 404, "not-found"},
		{"tracking code, not UTF-8", "GET", "/api/v1/reports/%FF%FE", nil, 404, "not-found"},
		{"photo", "GET", "/api/v1/photos/%00", nil, 404, "not-found"},
		{"nearby category", "GET", "/api/v1/reports/nearby?lon=6.29&lat=51.965&category=a%00b", nil, 422, "unknown-category"},
		{"initiative code", "GET", "/api/v1/initiatives/%00", nil, 404, "not-found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := env.Do(t, tt.method, tt.path, tt.body)
			if res.Status == http.StatusInternalServerError {
				t.Fatalf("%s %s = 500: %s", tt.method, tt.path, res.Body)
			}
			wantProblem(t, res, tt.status, tt.typ)
		})
	}
	var reports int64
	env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&reports)
	if reports != 0 {
		t.Errorf("%d reports stored from bad text", reports)
	}
}

// Control characters (a terminal escape, a vertical tab, a right-to-left override) never
// reach what others read: the description is stored without them, line breaks kept.
func TestControlCharactersLeaveTheDescription(t *testing.T) {
	env := apptest.Start(t)
	b := reportBody("afval.zwerfvuil", stationLon, stationLat)
	b["description"] = "\u001b[31mGlas\u000b op\r\nstraat \u202egnimaal\u202c\u0085"
	rc := submit(t, env, b)
	var got string
	env.DB.Raw(`SELECT description FROM reports WHERE id = ?`, rc.ID).Scan(&got)
	if want := "[31mGlas op\nstraat gnimaal"; got != want {
		t.Errorf("stored description %q, want %q", got, want)
	}
}

// Bytes that are not UTF-8 in a report's JSON are refused, naming the field, as in an
// initiative: before, they were stored as U+FFFD and the crew read "��".
func TestReportTextThatIsNotUTF8(t *testing.T) {
	env := apptest.Start(t)
	at := `"location":{"type":"Point","coordinates":[6.2967,51.959]}`
	for body, field := range map[string]string{
		"{\"category\":\"afval.zwerfvuil\"," + at + ",\"description\":\"glas \xff\xfe op straat\"}": "description",
		"{\"category\":\"licht.lamp\"," + at + ",\"answers\":{\"state\":\"kapot\xc3\"}}":            "answers.state",
	} {
		res := env.Do(t, "POST", "/api/v1/reports", []byte(body))
		wantProblem(t, res, 422, "validation-failed")
		if errs, _ := res.Map(t)["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["name"] != field {
			t.Errorf("%q = %s, want %s named", body, res.Body, field)
		}
	}
	var reports int64
	env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&reports)
	if reports != 0 {
		t.Errorf("%d reports stored from text that is not UTF-8", reports)
	}
}

// Bytes that are not UTF-8 in any text field of a multipart report are refused as in its
// JSON (validation-failed, naming the field), and nothing of the report is kept: before,
// a description or an answer was stored with U+FFFD in their place.
func TestMultipartTextThatIsNotUTF8(t *testing.T) {
	env := apptest.Start(t)
	img := string(jpegBytesOf(t, 40))
	bad := "glas \xff\xfe op straat"
	place := []formPart{{"category", "", "licht.lamp"}, {"lon", "", "6.2967"}, {"lat", "", "51.959"}, {"answers[state]", "", "uit"}}
	// with is the place with field name set to value (added, or in place of its own).
	with := func(name, value string) []formPart {
		parts := []formPart{}
		for _, p := range place {
			if p.name != name {
				parts = append(parts, p)
			}
		}
		return append(parts, formPart{name, "", value}, formPart{"photo", "a.jpg", img})
	}
	js := "{\"category\":\"afval.zwerfvuil\",\"location\":{\"type\":\"Point\",\"coordinates\":[6.2967,51.959]},\"description\":\"" + bad + "\"}"
	tests := []struct {
		name  string
		parts []formPart
		field string
	}{
		{"description", with("description", bad), "description"},
		{"category", with("category", "licht.\xc3"), "category"},
		{"answer", with("answers[state]", "kapot\xc3"), "answers[state]"},
		{"email", with("email", "jan\xff@example.org"), "email"},
		{"phone", with("phone", "06 \xff1234 5678"), "phone"},
		{"app token", with("app_token", "tok\xfe"), "app_token"},
		{"wants updates", with("wants_updates", "ja\xff"), "wants_updates"},
		{"lon", with("lon", "6.29\xff"), "lon"},
		{"the report as JSON", []formPart{{"report", "", js}, {"photo", "a.jpg", img}}, "report"},
		{"a field's name", with("answers[st\xffate]", "uit"), "answers[st\uFFFDate]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := postParts(t, env, "/api/v1/reports", tt.parts)
			wantProblem(t, res, 422, "validation-failed")
			if errs, _ := res.Map(t)["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["name"] != tt.field {
				t.Errorf("problem = %s, want field %q named", res.Body, tt.field)
			}
			if d, _ := res.Map(t)["detail"].(string); d != "Deze tekst bevat ongeldige tekens. Typ hem opnieuw." {
				t.Errorf("detail = %q, as the JSON path says it", d)
			}
		})
	}
	var reports int64
	env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&reports)
	if n := photoFiles(t, env); reports != 0 || n != 0 {
		t.Errorf("%d reports and %d photo files kept from text that is not UTF-8", reports, n)
	}
	// The same form with good text is filed.
	if res := postParts(t, env, "/api/v1/reports", with("description", "glas op straat")); res.Status != 201 {
		t.Errorf("the good form = %d %s", res.Status, res.Body)
	}
}
