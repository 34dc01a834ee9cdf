package crew_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// The hours of a complete are kept all together or not at all: one worker who is not an
// active member of the team refuses the whole complete (TestHoursProblemNamesColleagues
// has what it says), and leaves
// the task as it was.
func TestCompleteHoursAllOrNothing(t *testing.T) {
	env := apptest.Start(t)
	specialist := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	seconded := pairPhone(t, env, "doetinchem-oosseld", worker.Seconded)
	inactive := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	elsewhere := pairPhone(t, env, "doetinchem-wehl", worker.Specialist)
	env.DB.Exec(`UPDATE workers SET active = false WHERE id = ?`, inactive.worker.ID)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	path := fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID)
	hours := func(ids ...int64) map[string]any {
		var h []map[string]any
		for i, id := range ids {
			h = append(h, map[string]any{"worker_id": id, "hours": 1.25 + float64(i)})
		}
		return map[string]any{"hours": h}
	}
	s, sec := specialist.worker.ID, seconded.worker.ID

	for i, bad := range []int64{elsewhere.worker.ID, inactive.worker.ID, 999999} {
		res := specialist.do(t, "POST", path, hours(s, sec, bad), "Idempotency-Key", fmt.Sprint("bad", i), "If-Match", "1")
		if res.Status != 422 || !strings.Contains(string(res.Body), `"hours"`) {
			t.Errorf("hours with worker %d = %d %s", bad, res.Status, res.Body)
		}
	}
	var state struct {
		Status  string
		Version int
		Hours   int
		Events  int
	}
	env.DB.Raw(`SELECT status, version, (SELECT count(*) FROM job_hours WHERE job_id = j.id) AS hours,
(SELECT count(*) FROM audit_events WHERE job_id = j.id AND action = 'complete') AS events
FROM jobs j WHERE id = ?`, jobID).Scan(&state)
	if state.Status != "assigned" || state.Version != 1 || state.Hours != 0 || state.Events != 0 {
		t.Errorf("after refused completes the task is %+v", state)
	}

	res := specialist.do(t, "POST", path, hours(s, sec), "Idempotency-Key", "good", "If-Match", "1")
	if res.Status != 200 || res.Map(t)["status"] != "done" {
		t.Fatalf("complete = %d %s", res.Status, res.Body)
	}
	var rows []struct {
		WorkerID int64
		Hours    float64
	}
	env.DB.Raw(`SELECT worker_id, hours FROM job_hours WHERE job_id = ? ORDER BY hours`, jobID).Scan(&rows)
	if len(rows) != 2 || rows[0].WorkerID != s || rows[0].Hours != 1.25 || rows[1].WorkerID != sec || rows[1].Hours != 2.25 {
		t.Errorf("hours = %+v", rows)
	}
}

// Each action takes its own fields only, fields it does not know are refused by name,
// and hours count in hundredths, as stored: what is refused leaves the task as it was.
func TestActionFields(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	base := fmt.Sprintf("/mobile/v1/tasks/%d/", jobID)
	me := p.worker.ID
	hours := func(h float64) []map[string]any { return []map[string]any{{"worker_id": me, "hours": h}} }
	tests := []struct {
		action    string
		body      map[string]any
		wantField string
	}{
		{"accept", map[string]any{"hours": hours(1)}, "hours"},
		{"accept", map[string]any{"note": "klaar"}, "note"},
		{"start", map[string]any{"reason": "unsafe"}, "reason"},
		{"start", map[string]any{"text": "te gevaarlijk"}, "text"},
		{"cannot-complete", map[string]any{"reason": "unsafe", "hours": hours(1)}, "hours"},
		{"complete", map[string]any{"reason": "unsafe", "hours": hours(1)}, "reason"},
		{"complete", map[string]any{"hours": hours(0.004)}, "hours"},  // 0.00 in hundredths
		{"complete", map[string]any{"hours": hours(24.006)}, "hours"}, // 24.01
		// A field the action does not know is refused by name, not dropped: a misspelt
		// "hours" or "note" would otherwise close the task without the crew's hours or words.
		{"complete", map[string]any{"hour": hours(1)}, "hour"},
		{"complete", map[string]any{"notes": "klaar"}, "notes"},
		{"complete", map[string]any{"hours": []map[string]any{{"worker_id": me, "hours": 1, "overtime": 2}}}, "hours.0.overtime"},
		{"cannot-complete", map[string]any{"reason": "unsafe", "reason_text": "tak hangt los"}, "reason_text"},
		{"accept", map[string]any{"when": "2026-11-27T08:00:00Z"}, "when"},
	}
	for i, tt := range tests {
		res := p.do(t, "POST", base+tt.action, tt.body, "Idempotency-Key", fmt.Sprint("f", i), "If-Match", "1")
		if res.Status != 422 || !strings.Contains(string(res.Body), `"`+tt.wantField+`"`) || !strings.Contains(res.Header.Get("Content-Type"), "problem+json") {
			t.Errorf("%s with %v = %d %s, want 422 on %s", tt.action, tt.body, res.Status, res.Body, tt.wantField)
		}
	}
	var version, events int
	env.DB.Raw(`SELECT version, (SELECT count(*) FROM audit_events WHERE job_id = j.id) FROM jobs j WHERE id = ?`, jobID).Row().Scan(&version, &events)
	if version != 1 || events != 1 {
		t.Errorf("after refused actions: version %d, %d audit events, want 1 and 1 (created)", version, events)
	}
	// 1.234 is kept as 1.23: the audit says what is stored.
	res := p.do(t, "POST", base+"complete", map[string]any{"hours": hours(1.234)}, "Idempotency-Key", "ok", "If-Match", "1")
	if res.Status != 200 {
		t.Fatalf("complete = %d %s", res.Status, res.Body)
	}
	var stored float64
	var audit string
	env.DB.Raw(`SELECT (SELECT hours FROM job_hours WHERE job_id = ?), (SELECT detail->'hours'->0->>'hours' FROM audit_events WHERE job_id = ? AND action = 'complete')`,
		jobID, jobID).Row().Scan(&stored, &audit)
	if stored != 1.23 || audit != "1.23" {
		t.Errorf("stored %v hours, audit says %q, want 1.23 for both", stored, audit)
	}
}

// A trainee's phone that completes without hours did the work itself: the category's
// trainee rule applies to it. A specialist's phone may.
func TestCompleteWithoutHoursFollowsTheTraineeRule(t *testing.T) {
	env := apptest.Start(t)
	trainee := pairPhone(t, env, "doetinchem-oosseld", worker.Trainee)
	specialist := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	for _, rule := range []string{"no", "paired"} {
		jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
		if err := env.DB.Exec(`UPDATE categories SET trainee = ? WHERE code = 'afval.zwerfvuil'`, rule).Error; err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID)
		res := trainee.do(t, "POST", path, map[string]any{"note": "klaar"}, "Idempotency-Key", "t"+rule, "If-Match", "1")
		if res.Status != 422 || !strings.Contains(string(res.Body), "niet alleen") {
			t.Errorf("rule %s: a trainee completes alone = %d %s", rule, res.Status, res.Body)
		}
		res = specialist.do(t, "POST", path, map[string]any{"note": "klaar"}, "Idempotency-Key", "s"+rule, "If-Match", "1")
		if res.Status != 200 {
			t.Errorf("rule %s: a specialist completes without hours = %d %s", rule, res.Status, res.Body)
		}
		// The job is done: the next report is a new job, not a duplicate.
	}
}

// A trainee's phone lists the team's active specialists (names only, no other roles),
// and completes work that needs one with their hours together.
func TestTraineeCompletesWithASpecialist(t *testing.T) {
	env := apptest.Start(t)
	trainee := pairPhone(t, env, "doetinchem-oosseld", worker.Trainee)
	ws := worker.NewStore(env.DB.DB)
	var team int64
	env.DB.Raw(`SELECT id FROM teams WHERE code = 'doetinchem-oosseld'`).Scan(&team)
	var wehl int64
	env.DB.Raw(`SELECT id FROM teams WHERE code = 'doetinchem-wehl'`).Scan(&wehl)
	mk := func(teamID int64, role worker.Role, name string) worker.Worker {
		w, err := ws.Create(context.Background(), teamID, role, name)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	sanne := mk(team, worker.Specialist, "Sanne Visser")
	mk(team, worker.Specialist, "Ahmed Bakker")
	mk(team, worker.Seconded, "Gert Smit")
	gone := mk(team, worker.Specialist, "Vertrokken Vakman")
	env.DB.Exec(`UPDATE workers SET active = false WHERE id = ?`, gone.ID)
	mk(wehl, worker.Specialist, "Wehl Vakman")

	res := trainee.do(t, "GET", "/mobile/v1/specialists", nil)
	var list struct {
		Specialists []map[string]any `json:"specialists"`
	}
	res.JSON(t, &list)
	var names []string
	for _, s := range list.Specialists {
		names = append(names, s["name"].(string))
		if teams, _ := s["team_ids"].([]any); len(s) != 3 || len(teams) != 1 || teams[0] != float64(team) {
			t.Errorf("specialist %v carries more than id, name and the phone's team", s)
		}
	}
	if res.Status != 200 || strings.Join(names, ",") != "Ahmed Bakker,Sanne Visser" {
		t.Errorf("specialists = %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, "GET", "/mobile/v1/specialists", nil); res.Status != 401 {
		t.Errorf("without a credential = %d", res.Status)
	}

	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	env.DB.Exec(`UPDATE categories SET trainee = 'paired' WHERE code = 'afval.zwerfvuil'`)
	path := fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID)
	both := map[string]any{"hours": []map[string]any{{"worker_id": trainee.worker.ID, "hours": 1.5}, {"worker_id": sanne.ID, "hours": 1.5}}}
	if res := trainee.do(t, "POST", path, both, "Idempotency-Key", "together", "If-Match", "1"); res.Status != 200 {
		t.Errorf("complete together = %d %s", res.Status, res.Body)
	}
}

// Hours that are not a list of {worker_id, hours} are valid JSON with a wrong value: a
// 422 naming the field and saying what to give, not "not valid JSON".
func TestCompleteHoursOfTheWrongType(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	path := fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID)
	tests := []struct{ body, field, reason string }{
		{`{"hours": 1.5}`, "hours", "Geef een lijst, tussen [ en ]."},
		{fmt.Sprintf(`{"hours": [{"worker_id": %d, "hours": "1,5"}]}`, p.worker.ID), "hours.0.hours", "Geef een getal, zoals 1.5."},
	}
	for i, tt := range tests {
		res := p.do(t, "POST", path, tt.body, "Idempotency-Key", fmt.Sprint("w", i), "If-Match", "1")
		var got struct {
			Type   string `json:"type"`
			Errors []struct{ Name, Reason string }
		}
		res.JSON(t, &got)
		if res.Status != 422 || got.Type != "/problems/validation-failed" || len(got.Errors) != 1 ||
			got.Errors[0].Name != tt.field || got.Errors[0].Reason != tt.reason {
			t.Errorf("complete %s = %d %s, want 422 on %s: %s", tt.body, res.Status, res.Body, tt.field, tt.reason)
		}
	}
}

// Hours that round to 0 (they are kept in hundredths) are refused with what the least
// is: 0.01 hours. "More than 0" told whoever typed 0.001 nothing.
func TestCompleteTooFewHoursSaysTheLeast(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	path := fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID)
	body := map[string]any{"hours": []map[string]any{{"worker_id": p.worker.ID, "hours": 0.001}}}
	for lang, want := range map[string]string{
		"nl": "Geef per collega minstens 0,01 uur en hoogstens 24 uur. We ronden af op 0,01 uur.",
		"en": "Give each worker at least 0.01 hours and at most 24 hours. We round to 0.01 hours.",
	} {
		res := p.do(t, "POST", path, body, "Idempotency-Key", "few-"+lang, "If-Match", "1", "Accept-Language", lang)
		if got := res.Map(t); res.Status != 422 || got["detail"] != want {
			t.Errorf("%s: 0.001 hours = %d %s, want 422 saying %q", lang, res.Status, res.Body, want)
		}
	}
}

// A crew member knows colleagues by name, not by id: hours that may not be given name
// every colleague at fault, in Dutch and English, and keep the field. Whoever is not
// the phone's colleague (another crew's worker, or no worker at all) stays unnamed: the
// crew has no business learning who that is.
func TestHoursProblemNamesColleagues(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	teamID := func(code string) int64 {
		var id int64
		env.DB.Raw(`SELECT id FROM teams WHERE code = ?`, code).Scan(&id)
		return id
	}
	oosseldID, wehlID := teamID("doetinchem-oosseld"), teamID("doetinchem-wehl")
	// The phone's worker is in Wehl's crew too: Wehl's workers are colleagues.
	if err := env.DB.Exec(`INSERT INTO worker_teams (worker_id, team_id) VALUES (?, ?)`, p.worker.ID, wehlID).Error; err != nil {
		t.Fatal(err)
	}
	ws := worker.NewStore(env.DB.DB)
	mk := func(teamID int64, name string) int64 {
		w, err := ws.Create(context.Background(), teamID, worker.Specialist, name)
		if err != nil {
			t.Fatal(err)
		}
		return w.ID
	}
	gert, ahmed := mk(oosseldID, "Gert Smit"), mk(oosseldID, "Ahmed Bakker")
	// Their contracts ended yesterday, before this work began.
	env.DB.Exec(`UPDATE workers SET contract_end = (now() AT TIME ZONE 'Europe/Amsterdam')::date - 1 WHERE id IN (?, ?)`, gert, ahmed)
	wim := mk(wehlID, "Wim Jansen")
	stranger := mk(teamID("doetinchem-handhaving"), "Geheime Naam")
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	path := fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID)

	tests := []struct {
		name    string
		workers []int64
		nl, en  string
	}{
		{"one who left", []int64{p.worker.ID, gert},
			"Gert Smit werkte niet meer bij de ploeg toen dit werk begon. Geef de uren van wie het werk deed.",
			"Gert Smit no longer worked with the crew when this work began. Give the hours of who did the work."},
		{"two who left", []int64{gert, p.worker.ID, ahmed},
			"Gert Smit en Ahmed Bakker werkten niet meer bij de ploeg toen dit werk begon. Geef de uren van wie het werk deed.",
			"Gert Smit and Ahmed Bakker no longer worked with the crew when this work began. Give the hours of who did the work."},
		{"a colleague of another crew", []int64{p.worker.ID, wim},
			"Wim Jansen hoort niet bij de ploeg van deze taak. Geef de uren van wie het werk deed.",
			"Wim Jansen is not in the crew of this task. Give the hours of who did the work."},
		{"not a colleague", []int64{p.worker.ID, stranger},
			"U gaf uren op voor iemand die niet in uw ploeg zit. Geef de uren van wie het werk deed.",
			"You gave hours for someone who is not in your crew. Give the hours of who did the work."},
		{"no such worker", []int64{p.worker.ID, 999999},
			"U gaf uren op voor iemand die niet in uw ploeg zit. Geef de uren van wie het werk deed.",
			"You gave hours for someone who is not in your crew. Give the hours of who did the work."},
		{"all at once", []int64{stranger, ahmed, wim, 999999, p.worker.ID},
			"Ahmed Bakker werkte niet meer bij de ploeg toen dit werk begon. Wim Jansen hoort niet bij de ploeg van deze taak. " +
				"U gaf uren op voor 2 mensen die niet in uw ploeg zitten. Geef de uren van wie het werk deed.",
			"Ahmed Bakker no longer worked with the crew when this work began. Wim Jansen is not in the crew of this task. " +
				"You gave hours for 2 people who are not in your crew. Give the hours of who did the work."},
	}
	for i, tt := range tests {
		var h []map[string]any
		for _, id := range tt.workers {
			h = append(h, map[string]any{"worker_id": id, "hours": 1})
		}
		for lang, want := range map[string]string{"nl": tt.nl, "en": tt.en} {
			res := p.do(t, "POST", path, map[string]any{"hours": h},
				"Idempotency-Key", fmt.Sprint("h", i, lang), "If-Match", "1", "Accept-Language", lang)
			var got struct {
				Type   string `json:"type"`
				Detail string `json:"detail"`
				Errors []struct{ Name, Reason string }
			}
			res.JSON(t, &got)
			if res.Status != 422 || got.Type != "/problems/validation-failed" || got.Detail != want ||
				len(got.Errors) != 1 || got.Errors[0].Name != "hours" || got.Errors[0].Reason != want {
				t.Errorf("%s (%s) = %d %s, want 422 on hours saying %q", tt.name, lang, res.Status, res.Body, want)
			}
			if strings.ContainsAny(strings.NewReplacer("2 mensen", "", "2 people", "").Replace(got.Detail), "0123456789") {
				t.Errorf("%s (%s): %q names a worker by id", tt.name, lang, got.Detail)
			}
			if strings.Contains(string(res.Body), "Geheime Naam") {
				t.Errorf("%s (%s): another crew's worker is named: %s", tt.name, lang, res.Body)
			}
		}
	}
}
