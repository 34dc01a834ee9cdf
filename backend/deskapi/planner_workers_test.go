package deskapi_test

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

func TestEffortOverride(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	today := amsterdamToday()
	job := newJob(t, env, "groen.gras", "BU02220901", "doetinchem-wehl", "accepted", today.AddDate(0, 0, 4)) // 90 minutes by default
	wehlHours := func() float64 {
		var b boardJSON
		planner.do(t, "GET", "/api/v1/planner/board", nil).JSON(t, &b)
		for _, tm := range b.Teams {
			if tm.Code == "doetinchem-wehl" {
				return tm.EstimatedHours
			}
		}
		t.Fatal("no Wehl on the board")
		return 0
	}
	if h := wehlHours(); h != 1.5 {
		t.Fatalf("hours before = %v", h)
	}
	path := fmt.Sprintf("/api/v1/planner/jobs/%d/effort", job)
	res := planner.do(t, "PUT", path, map[string]any{"minutes": 240})
	if res.Status != 200 {
		t.Fatalf("effort = %d %s", res.Status, res.Body)
	}
	m := res.Map(t)
	if m["effort_override_minutes"] != float64(240) || m["effective_effort_minutes"] != float64(240) ||
		m["effort_minutes"] != float64(90) || m["version"] != float64(1) {
		t.Errorf("after override = %s", res.Body)
	}
	if h := wehlHours(); h != 4 {
		t.Errorf("hours after = %v", h)
	}
	// null goes back to the category's default.
	if res := planner.do(t, "PUT", path, map[string]any{"minutes": nil}); res.Status != 200 || res.Map(t)["effective_effort_minutes"] != float64(90) {
		t.Errorf("reset = %d %s", res.Status, res.Body)
	}
	for _, body := range []any{map[string]any{}, map[string]any{"minutes": 0}, map[string]any{"minutes": 1.5},
		map[string]any{"minutes": "60"}, map[string]any{"minutes": 100000}} {
		if res := planner.do(t, "PUT", path, body); res.Status != 422 {
			t.Errorf("effort %v = %d %s", body, res.Status, res.Body)
		}
	}
	var events []string
	env.DB.Raw(`SELECT action FROM audit_events WHERE job_id = ? ORDER BY id`, job).Scan(&events)
	if strings.Join(events, ",") != "effort,effort" {
		t.Errorf("audit = %v", events)
	}
	done := newJob(t, env, "groen.gras", "BU02220901", "doetinchem-wehl", "done", today)
	if res := planner.do(t, "PUT", fmt.Sprintf("/api/v1/planner/jobs/%d/effort", done), map[string]any{"minutes": 30}); res.Status != 409 {
		t.Errorf("effort of a done job = %d %s", res.Status, res.Body)
	}
}

func TestJobListsAndMap(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	today := amsterdamToday()
	late := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", today.AddDate(0, 0, -2))
	soon := newJob(t, env, "afval.zwerfvuil", "BU02220901", "doetinchem-wehl", "accepted", today)
	later := newJob(t, env, "groen.onkruid", "BU02220101", "", "open", today.AddDate(0, 0, 20))
	newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "done", today.AddDate(0, 0, -2))
	newJob(t, env, "afval.zwerfvuil", "GM0299", "", "open", today.AddDate(0, 0, -2)) // Zevenaar

	ids := func(path string) []int64 {
		res := planner.do(t, "GET", path, nil)
		if res.Status != 200 {
			t.Fatalf("%s = %d %s", path, res.Status, res.Body)
		}
		var out struct {
			Jobs []struct {
				ID      int64 `json:"id"`
				Overdue bool  `json:"overdue"`
			} `json:"jobs"`
		}
		res.JSON(t, &out)
		var got []int64
		for _, j := range out.Jobs {
			got = append(got, j.ID)
		}
		return got
	}
	if got := ids("/api/v1/planner/overdue"); fmt.Sprint(got) != fmt.Sprint([]int64{late}) {
		t.Errorf("overdue = %v, want [%d]", got, late)
	}
	if got := ids("/api/v1/planner/due-soon"); fmt.Sprint(got) != fmt.Sprint([]int64{soon}) {
		t.Errorf("due soon = %v, want [%d]", got, soon)
	}
	if got := ids(fmt.Sprintf("/api/v1/planner/due-soon?team_id=%d", teamID(t, env, "doetinchem-oosseld"))); len(got) != 0 {
		t.Errorf("due soon for Oosseld = %v", got)
	}
	if res := planner.do(t, "GET", "/api/v1/planner/overdue?team_id=x", nil); res.Status != 422 {
		t.Errorf("bad team_id = %d", res.Status)
	}
	res := planner.do(t, "GET", "/api/v1/planner/jobs.geojson", nil, "Accept-Language", "en")
	if res.Status != 200 || res.Header.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("geojson = %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			Geometry struct {
				Type        string     `json:"type"`
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	res.JSON(t, &fc)
	if fc.Type != "FeatureCollection" || len(fc.Features) != 3 {
		t.Fatalf("geojson = %s", res.Body)
	}
	for _, f := range fc.Features {
		p := f.Properties
		lon, lat := f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
		if f.Type != "Feature" || f.Geometry.Type != "Point" || lon < 6.1 || lon > 6.5 || lat < 51.8 || lat > 52.1 {
			t.Errorf("feature = %+v", f)
		}
		switch int64(p["id"].(float64)) {
		case late:
			if p["overdue"] != true || p["team_name"] != "Ploeg Oosseld" || p["category"] != "afval.zwerfvuil" || p["category_name"] != "Litter" {
				t.Errorf("late job = %v", p)
			}
		case soon:
			if p["overdue"] != false || p["status"] != "accepted" || p["due_date"] != today.Format(time.DateOnly) {
				t.Errorf("soon job = %v", p)
			}
		case later:
			if p["team_id"] != nil || p["status"] != "open" {
				t.Errorf("queued job = %v", p)
			}
		default:
			t.Errorf("unexpected feature %v", p)
		}
	}
}

func TestWorkersAndParticipation(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	admin := signIn(t, env, "admin@wijkwerk.nl", access.Admin)
	oosseld := teamID(t, env, "doetinchem-oosseld")

	// Create a trainee: the evaluation is due three months after the placement starts.
	res := planner.do(t, "POST", "/api/v1/desk/workers", map[string]any{
		"team_id": oosseld, "name": "Sanne de Vries", "role": "trainee", "contract_hours": 24, "placement_start": "2026-09-01"})
	if res.Status != 201 {
		t.Fatalf("create = %d %s", res.Status, res.Body)
	}
	var sanne struct {
		ID             int64   `json:"id"`
		ContractHours  float64 `json:"contract_hours"`
		PlacementStart string  `json:"placement_start"`
		EvaluationDue  string  `json:"evaluation_due"`
		ContractEnd    *string `json:"contract_end"`
		Teams          []struct {
			Name string `json:"name"`
		} `json:"teams"`
	}
	res.JSON(t, &sanne)
	if sanne.ContractHours != 24 || sanne.PlacementStart != "2026-09-01" || sanne.EvaluationDue != "2026-12-01" ||
		sanne.ContractEnd != nil || len(sanne.Teams) != 1 || sanne.Teams[0].Name != "Ploeg Oosseld" {
		t.Errorf("created = %s", res.Body)
	}
	for _, bad := range []map[string]any{
		{"team_id": oosseld, "name": "", "role": "trainee"},
		{"team_id": oosseld, "name": "X", "role": "baas"},
		{"team_id": oosseld, "name": "X", "role": "trainee", "contract_hours": 80},
		{"team_id": oosseld, "name": "X", "role": "trainee", "placement_start": "1-9-2026"},
		{"team_id": oosseld, "name": "X", "role": "trainee", "placement_start": "2026-09-01", "contract_end": "2026-08-01"},
	} {
		if res := planner.do(t, "POST", "/api/v1/desk/workers", bad); res.Status != 422 {
			t.Errorf("create %v = %d %s", bad, res.Status, res.Body)
		}
	}
	// Milestones: a job coach moves the evaluation and sets the contract end.
	res = coach.do(t, "PUT", fmt.Sprintf("/api/v1/desk/workers/%d/milestones", sanne.ID), map[string]any{
		"placement_start": "2026-09-01", "evaluation_due": "2026-11-20", "contract_end": "2027-08-31"})
	if res.Status != 200 || res.Map(t)["evaluation_due"] != "2026-11-20" || res.Map(t)["contract_end"] != "2027-08-31" ||
		res.Map(t)["contract_hours"] != float64(24) {
		t.Errorf("milestones = %d %s", res.Status, res.Body)
	}
	// Only what a request names changes: left out stays, null clears; the result is
	// checked as a whole; contract hours have one decimal.
	milestones := func(body string) *apptest.Response {
		t.Helper()
		return coach.do(t, "PUT", fmt.Sprintf("/api/v1/desk/workers/%d/milestones", sanne.ID), body)
	}
	if res := milestones(`{"contract_hours": 28}`); res.Status != 200 || res.Map(t)["placement_start"] != "2026-09-01" ||
		res.Map(t)["evaluation_due"] != "2026-11-20" || res.Map(t)["contract_end"] != "2027-08-31" || res.Map(t)["contract_hours"] != float64(28) {
		t.Errorf("contract hours only = %d %s", res.Status, res.Body)
	}
	if res := milestones(`{"contract_end": null}`); res.Status != 200 || res.Map(t)["contract_end"] != nil || res.Map(t)["evaluation_due"] != "2026-11-20" {
		t.Errorf("clearing the contract end = %d %s", res.Status, res.Body)
	}
	if res := milestones(`{"contract_end": "2026-08-01"}`); res.Status != 422 {
		t.Errorf("a contract end before the placement start that stays = %d %s", res.Status, res.Body)
	}
	if res := milestones(`{"contract_hours": 12.345}`); res.Status != 422 || !strings.Contains(string(res.Body), "één cijfer achter de komma") {
		t.Errorf("contract hours 12.345 = %d %s", res.Status, res.Body)
	}
	if res := milestones(`{"contract_hours": 24, "contract_end": "2027-08-31"}`); res.Status != 200 {
		t.Errorf("back = %d %s", res.Status, res.Body)
	}
	// A specialist, and a trainee who leaves for a regular job in November.
	bram := newWorker(t, env, "doetinchem-oosseld", worker.Specialist, "Bram Jansen")
	piet := newWorker(t, env, "doetinchem-oosseld", worker.Trainee, "Piet Klaassen")
	res = planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/outflow", piet),
		map[string]any{"date": "2026-11-16", "kind": "regular_job", "employer": "Hoveniersbedrijf Groen"})
	if res.Status != 201 || res.Map(t)["kind"] != "regular_job" {
		t.Errorf("outflow = %d %s", res.Status, res.Body)
	}
	// The same again (a double click) is the one recorded before, not a second outflow.
	again := planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/outflow", piet),
		map[string]any{"date": "2026-11-16", "kind": "regular_job", "employer": "Hoveniersbedrijf Groen"})
	if again.Status != 200 || again.Map(t)["id"] != res.Map(t)["id"] {
		t.Errorf("the same outflow again = %d %s, want 200 with id %v", again.Status, again.Body, res.Map(t)["id"])
	}
	if res := planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/outflow", piet), map[string]any{"date": "2026-11-16", "kind": "pensioen"}); res.Status != 422 {
		t.Errorf("bad outflow kind = %d", res.Status)
	}
	// A typed year that cannot be right is refused, naming the field.
	for path, body := range map[string]map[string]any{
		"outflow":    {"date": "2206-11-16", "kind": "regular_job"},
		"milestones": {"placement_start": "0001-01-01"},
		"absences":   {"from": "1926-01-11", "to": "2027-01-12", "reason": "sick"},
	} {
		who, method := planner, "POST"
		if path == "milestones" {
			who, method = coach, "PUT"
		}
		res := who.do(t, method, fmt.Sprintf("/api/v1/desk/workers/%d/%s", piet, path), body)
		if res.Status != 422 || !strings.Contains(string(res.Body), "Deze datum kan niet kloppen") {
			t.Errorf("%s with %v = %d %s", path, body, res.Status, res.Body)
		}
	}
	// Absences lower the capacity of the week.
	capacity := func() float64 {
		var b boardJSON
		planner.do(t, "GET", "/api/v1/planner/board?week=2027-W02", nil).JSON(t, &b)
		for _, tm := range b.Teams {
			if tm.ID == oosseld {
				return tm.CapacityHours
			}
		}
		return -1
	}
	// Piet left; Sanne 24 h and Bram 32 h remain.
	if c := capacity(); c != 56 {
		t.Errorf("capacity = %v, want 56", c)
	}
	res = planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/absences", bram),
		map[string]any{"from": "2027-01-11", "to": "2027-01-12", "reason": "sick"})
	if res.Status != 201 {
		t.Fatalf("absence = %d %s", res.Status, res.Body)
	}
	if c := capacity(); c != 56-12.8 {
		t.Errorf("capacity with absence = %v, want %v", c, 56-12.8)
	}
	for _, bad := range []map[string]any{
		{"from": "2027-01-12", "to": "2027-01-11", "reason": "sick"},
		{"from": "2027-01-11", "to": "2027-01-12", "reason": "griep en koorts"},
		{"to": "2027-01-12", "reason": "sick"},
	} {
		if res := planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/absences", bram), bad); res.Status != 422 {
			t.Errorf("absence %v = %d %s", bad, res.Status, res.Body)
		}
	}
	// A pairing code from the desk pairs a phone.
	res = planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/pairing-code", bram), nil)
	if res.Status != 201 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("pairing code = %d %s", res.Status, res.Body)
	}
	code, _ := res.Map(t)["code"].(string)
	res = env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": code})
	if res.Status != 200 {
		t.Fatalf("pair with the desk's code = %d %s", res.Status, res.Body)
	}
	bearer := "Bearer " + res.Map(t)["token"].(string)
	// Bram's app is in English: so are his pushes, and the desk says so.
	if res := env.Do(t, "PUT", "/mobile/v1/device", map[string]string{"token": "lost-phone-token", "platform": "android", "lang": "en"}, "Authorization", bearer); res.Status >= 300 {
		t.Fatalf("register push token = %d %s", res.Status, res.Body)
	}

	// The phone is lost: a planner sees it and unpairs it; it stops working at once.
	var devices struct {
		Devices []struct {
			ID        int64   `json:"id"`
			HasPush   bool    `json:"has_push"`
			Lang      string  `json:"lang"`
			RevokedAt *string `json:"revoked_at"`
		} `json:"devices"`
	}
	devicesPath := fmt.Sprintf("/api/v1/desk/workers/%d/devices", bram)
	res = planner.do(t, "GET", devicesPath, nil)
	res.JSON(t, &devices)
	if res.Status != 200 || len(devices.Devices) != 1 || !devices.Devices[0].HasPush || devices.Devices[0].RevokedAt != nil {
		t.Fatalf("devices = %d %s", res.Status, res.Body)
	}
	if devices.Devices[0].Lang != "en" {
		t.Errorf("device lang = %q, want en: %s", devices.Devices[0].Lang, res.Body)
	}
	if strings.Contains(string(res.Body), "lost-phone-token") {
		t.Errorf("devices show the push token: %s", res.Body)
	}
	revoke := fmt.Sprintf("%s/%d/revoke", devicesPath, devices.Devices[0].ID)
	if res := coach.do(t, "POST", revoke, nil); res.Status != 403 {
		t.Errorf("job coach revokes a device = %d, want 403", res.Status)
	}
	if res := planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/devices/%d/revoke", piet, devices.Devices[0].ID), nil); res.Status != 404 {
		t.Errorf("revoke through another worker = %d, want 404", res.Status)
	}
	// The crew API keeps the credential check while it listens for changes; with the
	// notification switched off, only the desk's own revocation can refuse the phone at
	// once (it empties that cache itself).
	env.WaitCredentialCache(t)
	if err := env.DB.Exec(`ALTER TABLE devices DISABLE TRIGGER devices_crew_auth`).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.DB.Exec(`ALTER TABLE devices ENABLE TRIGGER devices_crew_auth`) })
	if res := env.Do(t, "GET", "/mobile/v1/tasks", nil, "Authorization", bearer); res.Status != 200 {
		t.Fatalf("tasks before revoking = %d", res.Status)
	}
	for i := 0; i < 2; i++ { // twice: revoking is idempotent
		if res := planner.do(t, "POST", revoke, nil); res.Status != 200 || !strings.Contains(string(res.Body), `"revoked_at":"`) || !strings.Contains(string(res.Body), `"lang":"en"`) {
			t.Fatalf("revoke = %d %s", res.Status, res.Body)
		}
	}
	if res := env.Do(t, "GET", "/mobile/v1/tasks", nil, "Authorization", bearer); res.Status != 401 {
		t.Errorf("tasks after revoking = %d, want 401", res.Status)
	}
	res = planner.do(t, "GET", devicesPath, nil)
	res.JSON(t, &devices)
	if len(devices.Devices) != 1 || devices.Devices[0].HasPush || devices.Devices[0].RevokedAt == nil {
		t.Errorf("devices after revoking = %s", res.Body)
	}

	// Hours in November: Bram 3, Sanne 2.5 (paired work), Piet 1 before he left.
	gras := newJob(t, env, "groen.gras", "BU02220301", "doetinchem-oosseld", "done", amsterdamToday())
	zwerf := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "done", amsterdamToday())
	env.DB.Exec(`INSERT INTO job_hours (job_id, worker_id, hours, created_at) VALUES
(?, ?, 2, '2026-11-10 10:00+01'), (?, ?, 2.5, '2026-11-10 10:00+01'), (?, ?, 1, '2026-11-30 23:30+01'),
(?, ?, 1, '2026-11-05 09:00+01'), (?, ?, 4, '2026-12-01 00:30+01')`,
		gras, bram, gras, sanne.ID, zwerf, bram, zwerf, piet, zwerf, sanne.ID)

	// A job coach writes a development note; it must show nowhere else.
	const secret = "Komt vaak te laat, gesprek gepland"
	res = coach.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/notes", sanne.ID),
		map[string]any{"skill": "punctuality", "score": 2, "text": secret})
	if res.Status != 201 || res.Map(t)["author"] != "coach@doetinchem.nl" {
		t.Fatalf("note = %d %s", res.Status, res.Body)
	}
	for _, bad := range []map[string]any{{"skill": "humour", "text": "x"}, {"skill": "craft", "score": 6, "text": "x"}, {"skill": "craft", "text": " "}} {
		if res := coach.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/notes", sanne.ID), bad); res.Status != 422 {
			t.Errorf("note %v = %d %s", bad, res.Status, res.Body)
		}
	}
	if res := coach.do(t, "GET", fmt.Sprintf("/api/v1/desk/workers/%d/notes", sanne.ID), nil); res.Status != 200 || !strings.Contains(string(res.Body), secret) {
		t.Errorf("coach reads notes = %d %s", res.Status, res.Body)
	}
	// Only job coaches need them (AVG): planners and admins do not read them.
	for who, d := range map[string]*desk{"planner": planner, "admin": admin} {
		if res := d.do(t, "GET", fmt.Sprintf("/api/v1/desk/workers/%d/notes", sanne.ID), nil); res.Status != 403 || strings.Contains(string(res.Body), secret) {
			t.Errorf("%s reads notes = %d %s", who, res.Status, res.Body)
		}
	}

	// Participation in November.
	res = planner.do(t, "GET", "/api/v1/planner/participation?from=2026-11-01&to=2026-11-30", nil)
	if res.Status != 200 {
		t.Fatalf("participation = %d %s", res.Status, res.Body)
	}
	var p struct {
		Workers struct {
			Active int            `json:"active"`
			ByRole map[string]int `json:"by_role"`
		} `json:"workers"`
		Hours struct {
			Total      float64            `json:"total"`
			ByRole     map[string]float64 `json:"by_role"`
			ByCategory []struct {
				Category     string  `json:"category"`
				Hours        float64 `json:"hours"`
				TraineeHours float64 `json:"trainee_hours"`
			} `json:"by_category"`
		} `json:"hours"`
		EvaluationsDue struct {
			Count   int `json:"count"`
			Workers []struct {
				WorkerID int64 `json:"worker_id"`
			} `json:"workers"`
		} `json:"evaluations_due"`
		Outflow struct {
			Count  int            `json:"count"`
			ByKind map[string]int `json:"by_kind"`
			Rate   *float64       `json:"rate"`
		} `json:"outflow"`
	}
	res.JSON(t, &p)
	if p.Workers.Active != 3 || p.Workers.ByRole["trainee"] != 2 || p.Workers.ByRole["specialist"] != 1 {
		t.Errorf("workers = %+v", p.Workers)
	}
	if p.Hours.Total != 6.5 || p.Hours.ByRole["trainee"] != 3.5 || p.Hours.ByRole["specialist"] != 3 || len(p.Hours.ByCategory) != 2 ||
		p.Hours.ByCategory[1].Category != "groen.gras" || p.Hours.ByCategory[1].Hours != 4.5 || p.Hours.ByCategory[1].TraineeHours != 2.5 {
		t.Errorf("hours = %+v", p.Hours)
	}
	if p.EvaluationsDue.Count != 1 || p.EvaluationsDue.Workers[0].WorkerID != sanne.ID {
		t.Errorf("evaluations = %+v", p.EvaluationsDue)
	}
	if p.Outflow.Count != 1 || p.Outflow.ByKind["regular_job"] != 1 || p.Outflow.Rate == nil || *p.Outflow.Rate != 0.5 { // one of two trainees
		t.Errorf("outflow = %+v", p.Outflow)
	}
	if res := planner.do(t, "GET", "/api/v1/planner/participation?from=2026-11-30&to=2026-11-01", nil); res.Status != 422 {
		t.Errorf("reversed period = %d", res.Status)
	}

	// The CSV: Dutch Excel's format, one row per worker, no notes.
	for who, d := range map[string]*desk{"planner": planner, "coach": coach} {
		res := d.do(t, "GET", "/api/v1/planner/participation.csv?from=2026-11-01&to=2026-11-30", nil)
		if res.Status != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.Contains(res.Header.Get("Content-Disposition"), `filename="participatie-2026-11-01-2026-11-30.csv"`) {
			t.Fatalf("%s csv = %d %v", who, res.Status, res.Header)
		}
		body := string(res.Body)
		if !strings.HasPrefix(body, "\ufeff") {
			t.Errorf("csv has no byte order mark")
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("csv does not parse: %v", err)
		}
		want := [][]string{
			{"Naam", "Rol", "Ploeg", "Uren in periode", "Evaluatie gepland", "Einde contract", "Uitstroom datum", "Uitstroom soort", "Werkgever"},
			{"Bram Jansen", "vakspecialist", "Ploeg Oosseld", "3,00", "", "", "", "", ""},
			{"Piet Klaassen", "leerwerker", "Ploeg Oosseld", "1,00", "", "", "2026-11-16", "regulier werk", "Hoveniersbedrijf Groen"},
			{"Sanne de Vries", "leerwerker", "Ploeg Oosseld", "2,50", "2026-11-20", "2027-08-31", "", "", ""},
		}
		if fmt.Sprint(recs) != fmt.Sprint(want) {
			t.Errorf("%s csv =\n%q\nwant\n%q", who, recs, want)
		}
	}
	// Notes appear in no list or report.
	for _, path := range []string{"/api/v1/desk/workers", "/api/v1/planner/participation?from=2026-11-01&to=2026-11-30",
		"/api/v1/planner/participation.csv?from=2026-11-01&to=2026-11-30"} {
		for who, d := range map[string]*desk{"planner": planner, "coach": coach, "admin": admin} {
			if res := d.do(t, "GET", path, nil); res.Status != 200 || strings.Contains(string(res.Body), secret) ||
				strings.Contains(string(res.Body), "punctuality") {
				t.Errorf("%s %s = %d and shows the note", who, path, res.Status)
			}
		}
	}
}

// TestWorkerCountsFromRegistration: a worker without a placement start counts from the
// day they were registered, on the board (capacity and crew) as in participation: a week
// before they existed does not count their hours.
func TestWorkerCountsFromRegistration(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	wehl := teamID(t, env, "doetinchem-wehl")
	res := planner.do(t, "POST", "/api/v1/desk/workers", map[string]any{
		"team_id": wehl, "name": "Kees Bakker", "role": "specialist", "contract_hours": 40})
	if res.Status != 201 || res.Map(t)["placement_start"] != nil {
		t.Fatalf("create = %d %s", res.Status, res.Body)
	}
	id := int64(res.Map(t)["id"].(float64))
	// Registered on Wednesday 25 November 2026 (23:30 UTC on the 24th is past midnight
	// in Amsterdam).
	if err := env.DB.Exec(`UPDATE workers SET created_at = '2026-11-24 23:30+00' WHERE id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		week        string
		hours       float64
		specialists int
	}{
		{"2026-W47", 0, 0},  // before they were registered
		{"2026-W48", 24, 1}, // Wednesday to Friday: 3 of 5 days of 40 h
		{"2026-W49", 40, 1},
	} {
		var b boardJSON
		if res := planner.do(t, "GET", "/api/v1/planner/board?week="+tt.week, nil); res.Status != 200 {
			t.Fatalf("board %s = %d %s", tt.week, res.Status, res.Body)
		} else {
			res.JSON(t, &b)
		}
		found := false
		for _, tm := range b.Teams {
			if tm.ID != wehl {
				continue
			}
			found = true
			if tm.CapacityHours != tt.hours || tm.Workers.Specialist != tt.specialists {
				t.Errorf("%s: Wehl has %v h and %d specialists, want %v h and %d", tt.week, tm.CapacityHours, tm.Workers.Specialist, tt.hours, tt.specialists)
			}
		}
		if !found {
			t.Errorf("%s: no Wehl on the board: %+v", tt.week, b.Teams)
		}
	}
	for _, tt := range []struct {
		from, to string
		active   float64
	}{
		{"2026-11-16", "2026-11-24", 0},
		{"2026-11-16", "2026-11-25", 1},
	} {
		res := planner.do(t, "GET", "/api/v1/planner/participation?from="+tt.from+"&to="+tt.to, nil)
		if res.Status != 200 {
			t.Fatalf("participation = %d %s", res.Status, res.Body)
		}
		if w := res.Map(t)["workers"].(map[string]any); w["active"] != tt.active {
			t.Errorf("participation %s to %s: %v active, want %v", tt.from, tt.to, w["active"], tt.active)
		}
	}
}
