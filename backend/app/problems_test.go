package app_test

import (
	"testing"

	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/problem"
)

// Every problem type a client can meet is explained at GET /problems/{type}, in Dutch
// and in English, and the core ones say more than their title.
func TestProblemDocs(t *testing.T) {
	env := apptest.Start(t)
	core := map[string]bool{}
	for _, k := range problem.Kinds() {
		core[k.Type] = true
	}
	for _, k := range app.ProblemKinds() {
		for _, lang := range []string{"nl", "en"} {
			res := env.Do(t, "GET", "/problems/"+k.Type+"?lang="+lang, nil)
			doc := res.Map(t)
			about, _ := doc["about"].(string)
			if res.Status != 200 || doc["type"] != "/problems/"+k.Type || doc["status"] != float64(k.Status) ||
				doc["title"] != k.Title.In(lang) || about == "" {
				t.Errorf("%s (%s) = %d %s", k.Type, lang, res.Status, res.Body)
			}
			if core[k.Type] && about == k.Title.In(lang) {
				t.Errorf("%s (%s) explains no more than its title", k.Type, lang)
			}
		}
	}
	if res := env.Do(t, "GET", "/problems/no-such-thing", nil); res.Status != 404 {
		t.Errorf("unknown type = %d %s", res.Status, res.Body)
	}
}
