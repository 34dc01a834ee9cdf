package deskapi_test

import (
	"context"
	"strings"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/initiative/initiativetest"
)

const password = "lang-genoeg-wachtwoord"

// login creates a desk user and returns a session token.
func login(t *testing.T, env *apptest.Env, email string, role access.Role, areas ...string) string {
	t.Helper()
	if _, err := access.NewStore(env.DB.DB).CreateUser(context.Background(), email, password, role, areas); err != nil {
		t.Fatal(err)
	}
	res := env.Do(t, "POST", "/api/v1/desk/login", map[string]string{"email": email, "password": password})
	if res.Status != 200 {
		t.Fatalf("login = %d %s", res.Status, res.Body)
	}
	tok, _ := res.Map(t)["token"].(string)
	return tok
}

func TestLoginAndScope(t *testing.T) {
	env := apptest.Start(t)
	doetinchem := login(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	zevenaar := login(t, env, "planner@zevenaar.nl", access.Planner, "GM0299")
	admin := login(t, env, "admin@wijkwerk.nl", access.Admin)

	if res := env.Do(t, "POST", "/api/v1/desk/login", map[string]string{"email": "planner@doetinchem.nl", "password": "fout"}); res.Status != 401 {
		t.Errorf("bad password = %d", res.Status)
	}
	if res := env.Do(t, "POST", "/api/v1/desk/login", map[string]string{"email": "niemand@x.nl", "password": password}); res.Status != 401 {
		t.Errorf("unknown user = %d", res.Status)
	}
	if res := env.Do(t, "GET", "/api/v1/desk/teams", nil); res.Status != 401 {
		t.Errorf("teams without session = %d", res.Status)
	}
	teams := func(tok string) string {
		res := env.Do(t, "GET", "/api/v1/desk/teams", nil, "Authorization", "Bearer "+tok)
		if res.Status != 200 {
			t.Fatalf("teams = %d %s", res.Status, res.Body)
		}
		return string(res.Body)
	}
	if b := teams(doetinchem); !strings.Contains(b, "Ploeg Oosseld") || !strings.Contains(b, `"department":"wijkbeheer"`) {
		t.Errorf("Doetinchem planner's teams = %.300s", b)
	}
	if b := teams(zevenaar); strings.Contains(b, "Ploeg") {
		t.Errorf("Zevenaar planner sees Doetinchem teams: %.300s", b)
	}
	if b := teams(admin); !strings.Contains(b, "Ploeg Oosseld") {
		t.Errorf("admin's teams = %.300s", b)
	}
	if res := env.Do(t, "POST", "/api/v1/desk/logout", nil, "Authorization", "Bearer "+doetinchem); res.Status != 204 {
		t.Errorf("logout = %d", res.Status)
	}
	if res := env.Do(t, "GET", "/api/v1/desk/me", nil, "Authorization", "Bearer "+doetinchem); res.Status != 401 {
		t.Errorf("after logout = %d", res.Status)
	}
}

func TestAdminEditsCategories(t *testing.T) {
	env := apptest.Start(t)
	admin := login(t, env, "admin@wijkwerk.nl", access.Admin)
	planner := login(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	body := map[string]any{
		"parent_code": "licht", "name_nl": "Lantaarnpaal scheef", "name_en": "Lamp post leaning",
		"department": "stedelijk_beheer", "handling_days": 4, "effort_minutes": 45, "trainee": "paired", "theme": "furniture",
		"questions": []map[string]any{{"key": "hoek", "text_nl": "Hoe scheef staat hij?", "text_en": "How much does it lean?",
			"type": "choice", "options": []string{"een beetje", "erg"}, "options_en": []string{"a little", "a lot"}, "required": true}},
	}
	if res := env.Do(t, "PUT", "/api/v1/desk/categories/licht.scheef", body, "Authorization", "Bearer "+planner); res.Status != 403 {
		t.Errorf("planner edit = %d", res.Status)
	}
	if res := env.Do(t, "PUT", "/api/v1/desk/categories/licht.scheef", body, "Authorization", "Bearer "+admin); res.Status != 200 {
		t.Fatalf("admin edit = %d %s", res.Status, res.Body)
	}
	// Residents can use it at once, and intake asks its question.
	report := map[string]any{"category": "licht.scheef", "location": map[string]any{"type": "Point", "coordinates": []float64{6.2967, 51.959}}}
	if res := env.Do(t, "POST", "/api/v1/reports", report); res.Status != 422 {
		t.Errorf("report without the answer = %d %s", res.Status, res.Body)
	}
	report["answers"] = map[string]string{"hoek": "erg"}
	if res := env.Do(t, "POST", "/api/v1/reports", report); res.Status != 201 {
		t.Errorf("report = %d %s", res.Status, res.Body)
	}
	// The English names of the options are kept, and the value stays the answer.
	if res := env.Do(t, "GET", "/api/v1/categories", nil); !strings.Contains(string(res.Body), `"options":["een beetje","erg"],"options_en":["a little","a lot"]`) {
		t.Errorf("categories after the edit: %s", res.Body)
	}
	for _, bad := range []map[string]any{
		{"name_nl": "", "department": "afval"},
		{"parent_code": "bestaat.niet", "name_nl": "x", "department": "afval"},
		{"parent_code": "afval", "name_nl": "x", "department": "brandweer"},
		{"parent_code": "afval", "name_nl": "x", "department": "afval", "trainee": "soms"},
		{"parent_code": "afval", "name_nl": "x", "department": "afval", "questions": []map[string]any{{"key": "hoe", "text_nl": "Hoe?",
			"type": "choice", "options": []string{"vol", "kapot"}, "options_en": []string{"full"}}}}, // English names must match the options
		{"parent_code": "afval", "name_nl": "x", "department": "afval", "questions": []map[string]any{{"key": "hoe", "text_nl": "Hoe?",
			"type": "choice", "options": []string{"vol", "kapot"}, "options_en": []string{"out", "out"}}}}, // two alike: a resident cannot tell them apart
		{"parent_code": "afval", "name_nl": "x", "department": "afval", "questions": []map[string]any{{"key": "hoe", "text_nl": "Hoe?",
			"type": "choice", "options": []string{"vol", "vol\u200b"}}}}, // alike once cleaned
	} {
		if res := env.Do(t, "PUT", "/api/v1/desk/categories/afval.test", bad, "Authorization", "Bearer "+admin); res.Status != 422 {
			t.Errorf("bad category %v = %d %s", bad, res.Status, res.Body)
		}
	}
	// A misspelt field is refused, as in a report, naming where it is; nothing changes.
	misspelt := map[string]any{"parent_code": "licht", "name_nl": "Lantaarnpaal scheef", "department": "stedelijk_beheer",
		"questions": []map[string]any{{"key": "hoek", "text_nl": "Hoe scheef staat hij?", "type": "choice",
			"options": []string{"een beetje", "erg"}, "optionz_en": []string{"slightly", "very"}, "required": true}}}
	res := env.Do(t, "PUT", "/api/v1/desk/categories/licht.scheef", misspelt, "Authorization", "Bearer "+admin)
	if initiativetest.WantProblem(t, res, 422, "validation-failed"); !strings.Contains(string(res.Body), `"name":"questions.0.optionz_en"`) {
		t.Errorf("misspelt field = %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, "GET", "/api/v1/categories", nil); !strings.Contains(string(res.Body), `"options_en":["a little","a lot"]`) {
		t.Errorf("categories after the refused edit: %s", res.Body)
	}
	// Hidden characters are taken out of what residents read and answer: the option
	// "knip\apert" is stored as "knippert", and a report can choose it.
	hidden := map[string]any{"parent_code": "afval", "name_nl": "Lamp\u202e kapot\a", "department": "afval",
		"questions": []map[string]any{{"key": "staat", "text_nl": "Wat\u200b is er?", "type": "choice", "options": []string{"uit\u202e", "knip\apert"}, "required": true}}}
	if res := env.Do(t, "PUT", "/api/v1/desk/categories/afval.lamp", hidden, "Authorization", "Bearer "+admin); res.Status != 200 ||
		!strings.Contains(string(res.Body), `"name_nl":"Lamp kapot"`) || !strings.Contains(string(res.Body), `"options":["uit","knippert"]`) {
		t.Errorf("category with hidden characters = %d %s", res.Status, res.Body)
	}
	rep := env.Do(t, "POST", "/api/v1/reports", map[string]any{"category": "afval.lamp",
		"location": map[string]any{"type": "Point", "coordinates": []float64{6.2967, 51.959}}, "answers": map[string]string{"staat": "knippert"}})
	if rep.Status != 201 {
		t.Errorf("report answering the cleaned option = %d %s", rep.Status, rep.Body)
	}
}
