package deskapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// specialistIDs is whom a phone may pick as the specialist it worked with.
func specialistIDs(t *testing.T, p *phone) []int64 {
	t.Helper()
	res := p.do(t, "GET", "/mobile/v1/specialists", nil)
	if res.Status != 200 {
		t.Fatalf("specialists = %d %s", res.Status, res.Body)
	}
	var out struct {
		Specialists []struct {
			ID int64 `json:"id"`
		} `json:"specialists"`
	}
	res.JSON(t, &out)
	var ids []int64
	for _, s := range out.Specialists {
		ids = append(ids, s.ID)
	}
	return ids
}

// pushedTo reassigns a new job of Wehl to Oosseld and returns which of tokens got a push
// of it, once want did (or after 10 s).
func pushedTo(t *testing.T, env *apptest.Env, planner *desk, want string, tokens ...string) []string {
	t.Helper()
	before := map[string]int{}
	for _, m := range env.FCM.Messages() {
		before[m.Token]++
	}
	job := newJob(t, env, "afval.zwerfvuil", "BU02220901", "doetinchem-wehl", "assigned", amsterdamToday().AddDate(0, 0, 3))
	if res := planner.do(t, "POST", reassignPath(job), map[string]any{"team_id": teamID(t, env, "doetinchem-oosseld"), "reason": "test"},
		"If-Match", `"1"`); res.Status != 200 {
		t.Fatalf("reassign = %d %s", res.Status, res.Body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		now := map[string]int{}
		for _, m := range env.FCM.Messages() {
			now[m.Token]++
		}
		if now[want] > before[want] || time.Now().After(deadline) {
			time.Sleep(200 * time.Millisecond) // a push to another phone would have come with it
			now = map[string]int{}
			for _, m := range env.FCM.Messages() {
				now[m.Token]++
			}
			var got []string
			for _, tok := range tokens {
				if now[tok] > before[tok] {
					got = append(got, tok)
				}
			}
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A planner ends the access of a crew member who left: their phone is refused at once
// (even before the change notification would reach the API), gets no pushes, and they
// are no specialist to book hours with; their hours stay. A job coach may not; a planner
// of other areas does not find them. Giving access back needs a new pairing code.
func TestWorkerDeactivate(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	zevenaar := signIn(t, env, "planner@zevenaar.nl", access.Planner, "GM0299")
	leaver := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "tok-leaver")
	trainee := pairPhone(t, env, "doetinchem-oosseld", worker.Trainee, "tok-trainee")
	done := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "done", amsterdamToday())
	env.DB.Exec(`INSERT INTO job_hours (job_id, worker_id, hours) VALUES (?, ?, 2)`, done, leaver.workerID)

	if ids := specialistIDs(t, trainee); !slices.Contains(ids, leaver.workerID) {
		t.Fatalf("specialists before = %v, want %d", ids, leaver.workerID)
	}
	// The phone's check is kept now; no notification may help refuse it.
	env.WaitCredentialCache(t)
	for _, tr := range [][2]string{{"devices", "devices_crew_auth"}, {"workers", "workers_crew_auth"}} {
		if err := env.DB.Exec(fmt.Sprintf(`ALTER TABLE %s DISABLE TRIGGER %s`, tr[0], tr[1])).Error; err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { env.DB.Exec(fmt.Sprintf(`ALTER TABLE %s ENABLE TRIGGER %s`, tr[0], tr[1])) })
	}
	if res := leaver.do(t, "GET", "/mobile/v1/tasks", nil); res.Status != 200 {
		t.Fatalf("tasks before = %d %s", res.Status, res.Body)
	}

	path := fmt.Sprintf("/api/v1/desk/workers/%d/deactivate", leaver.workerID)
	if res := coach.do(t, "POST", path, nil); res.Status != 403 {
		t.Errorf("job coach deactivates = %d, want 403", res.Status)
	}
	if res := zevenaar.do(t, "POST", path, nil); res.Status != 404 {
		t.Errorf("planner of other areas deactivates = %d, want 404", res.Status)
	}
	for i := 0; i < 2; i++ { // twice: the same
		res := planner.do(t, "POST", path, nil)
		if res.Status != 200 || res.Map(t)["active"] != false || res.Map(t)["has_access"] != false || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("deactivate %d = %d %s", i, res.Status, res.Body)
		}
	}
	// The phone: refused at once, for everything.
	job := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", amsterdamToday().AddDate(0, 0, 2))
	for _, call := range [][2]string{{"GET", "/mobile/v1/tasks"}, {"GET", "/mobile/v1/specialists"},
		{"POST", fmt.Sprintf("/mobile/v1/tasks/%d/accept", job)}} {
		// The phone is told what it can do: ask the planner, not pair again by itself.
		if res := leaver.do(t, call[0], call[1], nil, "If-Match", `"1"`, "Idempotency-Key", "k1"); res.Status != 401 ||
			!strings.Contains(string(res.Body), "Vraag uw planner om een nieuwe koppelcode.") {
			t.Errorf("%s %s after deactivating = %d %s, want 401", call[0], call[1], res.Status, res.Body)
		}
	}
	if ids := specialistIDs(t, trainee); slices.Contains(ids, leaver.workerID) {
		t.Errorf("specialists after = %v, still %d", ids, leaver.workerID)
	}
	// Booking hours with them: TestHoursOfColleaguesWhoLeft.
	// Pushes: the team's other phone gets them, theirs not.
	if got := pushedTo(t, env, planner, "tok-trainee", "tok-leaver", "tok-trainee"); fmt.Sprint(got) != "[tok-trainee]" {
		t.Errorf("pushed to %v, want [tok-trainee]", got)
	}
	var devices struct {
		Devices []struct {
			HasPush   bool    `json:"has_push"`
			RevokedAt *string `json:"revoked_at"`
		} `json:"devices"`
	}
	planner.do(t, "GET", fmt.Sprintf("/api/v1/desk/workers/%d/devices", leaver.workerID), nil).JSON(t, &devices)
	if len(devices.Devices) != 1 || devices.Devices[0].HasPush || devices.Devices[0].RevokedAt == nil {
		t.Errorf("devices after deactivating = %+v", devices)
	}
	if res := planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/pairing-code", leaver.workerID), nil); res.Status != 404 {
		t.Errorf("pairing code for a deactivated worker = %d %s", res.Status, res.Body)
	}
	// Their hours stay in history, and the desk still lists them.
	var (
		hours float64
		res   *apptest.Response
	)
	env.DB.Raw(`SELECT sum(hours) FROM job_hours WHERE worker_id = ?`, leaver.workerID).Scan(&hours)
	if hours != 2 {
		t.Errorf("hours after deactivating = %v", hours)
	}
	if res := planner.do(t, "GET", "/api/v1/desk/workers", nil); !strings.Contains(string(res.Body), fmt.Sprintf(`"id":%d,"name":"Crew doetinchem-oosseld specialist","role":"specialist","active":false,"has_access":false`, leaver.workerID)) {
		t.Errorf("workers after deactivating = %s", res.Body)
	}

	// Access back: the old phone stays unpaired; a new code pairs a phone.
	res = planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/reactivate", leaver.workerID), nil)
	if res.Status != 200 || res.Map(t)["active"] != true || res.Map(t)["has_access"] != true {
		t.Fatalf("reactivate = %d %s", res.Status, res.Body)
	}
	if res := leaver.do(t, "GET", "/mobile/v1/tasks", nil); res.Status != 401 {
		t.Errorf("the old phone after reactivating = %d, want 401", res.Status)
	}
	res = planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/pairing-code", leaver.workerID), nil)
	if res.Status != 201 {
		t.Fatalf("pairing code after reactivating = %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": res.Map(t)["code"].(string)}); res.Status != 200 {
		t.Errorf("pair after reactivating = %d %s", res.Status, res.Body)
	}
	if res := planner.do(t, "POST", "/api/v1/desk/workers/999999/deactivate", nil); res.Status != 404 {
		t.Errorf("deactivate an unknown worker = %d", res.Status)
	}
}

// A colleague who left may still get hours for work that began while they were with the
// crew (their hours stay), counted on their last day with the crew at the latest; work
// that began after they left refuses the whole complete. The work began when the crew
// last pressed start, else when the job was made.
func TestHoursOfColleaguesWhoLeft(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	sanne := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	tim := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	gone := newWorker(t, env, "doetinchem-oosseld", worker.Specialist, "Gone")
	today := amsterdamToday()
	// gone flowed out yesterday: with the crew up to the day before.
	if err := env.DB.Exec(`INSERT INTO worker_outflows (worker_id, date, kind) VALUES (?, ?, 'regular_job')`,
		gone, today.AddDate(0, 0, -1).Format(time.DateOnly)).Error; err != nil {
		t.Fatal(err)
	}
	// job makes a job of daysAgo days ago, started startedAgo days ago (-1: never).
	job := func(daysAgo, startedAgo int) int64 {
		status := "assigned"
		if startedAgo >= 0 {
			status = "in_progress"
		}
		id := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", status, today.AddDate(0, 0, 3))
		env.DB.Exec(`UPDATE jobs SET created_at = now() - make_interval(days => ?) WHERE id = ?`, daysAgo, id)
		if startedAgo >= 0 {
			env.DB.Exec(`INSERT INTO audit_events (job_id, actor, action, from_status, to_status, at)
VALUES (?, 'worker:1', 'start', 'assigned', 'in_progress', now() - make_interval(days => ?))`, id, startedAgo)
		}
		return id
	}
	complete := func(id int64, workers ...int64) *apptest.Response {
		var h []map[string]any
		for _, w := range workers {
			h = append(h, map[string]any{"worker_id": w, "hours": 1})
		}
		return sanne.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/complete", id), map[string]any{"hours": h},
			"Idempotency-Key", fmt.Sprint("c", id), "If-Match", "1")
	}
	// hoursOn is the Amsterdam day each worker's hours of job id count on.
	hoursOn := func(id int64) map[int64]string {
		var rows []struct {
			WorkerID int64
			Day      string
		}
		env.DB.Raw(`SELECT worker_id, to_char(created_at AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD') AS day FROM job_hours WHERE job_id = ?`, id).Scan(&rows)
		out := map[int64]string{}
		for _, r := range rows {
			out[r.WorkerID] = r.Day
		}
		return out
	}
	day := func(ago int) string { return today.AddDate(0, 0, -ago).Format(time.DateOnly) }

	yesterdays := job(1, -1)
	if res := planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/deactivate", tim.workerID), nil); res.Status != 200 {
		t.Fatalf("deactivate = %d %s", res.Status, res.Body)
	}
	// Tim worked on it this morning, before the desk ended his access.
	if res := complete(yesterdays, sanne.workerID, tim.workerID); res.Status != 200 {
		t.Errorf("hours with Tim, deactivated today = %d %s", res.Status, res.Body)
	}
	if got := hoursOn(yesterdays); len(got) != 2 || got[tim.workerID] != day(0) || got[sanne.workerID] != day(0) {
		t.Errorf("hours of yesterday's job count on %v, want both today", got)
	}
	// Started three days ago, while gone was with the crew: their hours count on their
	// last day, the day before yesterday, not on the day the phone books them.
	started := job(5, 3)
	if res := complete(started, sanne.workerID, gone); res.Status != 200 {
		t.Errorf("hours with gone, for work started before they left = %d %s", res.Status, res.Body)
	}
	if got := hoursOn(started); got[gone] != day(2) || got[sanne.workerID] != day(0) {
		t.Errorf("hours of the started job count on %v, want gone %s and Sanne %s", got, day(2), day(0))
	}
	// Made yesterday, or started yesterday: gone had left; the whole complete is refused.
	for _, id := range []int64{job(1, -1), job(5, 1)} {
		res := complete(id, sanne.workerID, gone)
		if res.Status != 422 || !strings.Contains(string(res.Body), "Gone werkte niet meer bij de ploeg toen dit werk begon.") {
			t.Errorf("hours with gone, for work begun after they left = %d %s", res.Status, res.Body)
		}
		var status string
		env.DB.Raw(`SELECT status FROM jobs WHERE id = ?`, id).Scan(&status)
		if n := len(hoursOn(id)); n != 0 || status == "done" {
			t.Errorf("after the refused complete: %d hours, status %s", n, status)
		}
	}
	// Someone the desk deactivated before the day was kept was with the crew on no day.
	env.DB.Exec(`UPDATE workers SET deactivated_on = NULL WHERE id = ?`, tim.workerID)
	if res := complete(job(5, 3), sanne.workerID, tim.workerID); res.Status != 422 {
		t.Errorf("hours with a worker deactivated on no known day = %d %s", res.Status, res.Body)
	}
}

// A worker whose outflow date or contract end has passed loses phone access, pushes and
// their place among the specialists by the dates alone, at once; a corrected date gives
// it back. Another replica's change (here written straight to the database) reaches
// the API's kept credential checks through the notification.
func TestWorkerAccessEndsWithTheDates(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	leaver := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "tok-leaver")
	trainee := pairPhone(t, env, "doetinchem-oosseld", worker.Trainee, "tok-trainee")
	env.WaitCredentialCache(t)
	today := amsterdamToday()
	works := func() bool {
		t.Helper()
		res := leaver.do(t, "GET", "/mobile/v1/tasks", nil)
		if res.Status != 200 && res.Status != 401 {
			t.Fatalf("tasks = %d %s", res.Status, res.Body)
		}
		return res.Status == 200
	}
	listed := func() bool { return slices.Contains(specialistIDs(t, trainee), leaver.workerID) }
	if !works() || !listed() {
		t.Fatal("the phone does not work before")
	}
	// The team's head count on the desk counts who is with the crew, by the same dates.
	crew := func() int {
		t.Helper()
		var body struct {
			Teams []struct {
				Code    string `json:"code"`
				Workers int    `json:"workers"`
			} `json:"teams"`
		}
		planner.do(t, "GET", "/api/v1/desk/teams", nil).JSON(t, &body)
		for _, tm := range body.Teams {
			if tm.Code == "doetinchem-oosseld" {
				return tm.Workers
			}
		}
		t.Fatalf("no team doetinchem-oosseld in %+v", body.Teams)
		return 0
	}
	before := crew()
	outflowPath := fmt.Sprintf("/api/v1/desk/workers/%d/outflow", leaver.workerID)
	// An outflow next week changes nothing yet.
	res := coach.do(t, "POST", outflowPath, map[string]any{"date": today.AddDate(0, 0, 7).Format(time.DateOnly), "kind": "regular_job", "employer": "Groen BV"})
	if res.Status != 201 || !works() || !listed() {
		t.Fatalf("outflow next week = %d %s; works %v", res.Status, res.Body, works())
	}
	// Today: the phone is refused at once, gets no pushes, and is no specialist to pick.
	res = coach.do(t, "POST", outflowPath, map[string]any{"date": today.Format(time.DateOnly), "kind": "regular_job", "employer": "Groen BV"})
	if res.Status != 201 {
		t.Fatalf("outflow today = %d %s", res.Status, res.Body)
	}
	todayOutflow := int64(res.Map(t)["id"].(float64))
	if works() || listed() {
		t.Errorf("after an outflow today: works %v, listed %v", works(), listed())
	}
	if n := crew(); n != before-1 {
		t.Errorf("team counts %d workers after the outflow, %d before", n, before)
	}
	if got := pushedTo(t, env, planner, "tok-trainee", "tok-leaver", "tok-trainee"); fmt.Sprint(got) != "[tok-trainee]" {
		t.Errorf("pushed to %v, want [tok-trainee]", got)
	}
	var w struct {
		Active    bool `json:"active"`
		HasAccess bool `json:"has_access"`
	}
	res = planner.do(t, "GET", "/api/v1/desk/workers", nil)
	if !strings.Contains(string(res.Body), fmt.Sprintf(`"id":%d,"name":"Crew doetinchem-oosseld specialist","role":"specialist","active":true,"has_access":false`, leaver.workerID)) {
		t.Errorf("workers = %s", res.Body)
	}
	// The outflow was a mistake: removed, the phone works again.
	if res := coach.do(t, "DELETE", fmt.Sprintf("/api/v1/desk/workers/%d/outflows/%d", leaver.workerID, todayOutflow), nil); res.Status != 204 {
		t.Fatalf("delete outflow = %d %s", res.Status, res.Body)
	}
	if !works() || !listed() {
		t.Errorf("after removing the outflow: works %v, listed %v", works(), listed())
	}
	// A contract that ended yesterday: refused; extended: back.
	milestones := fmt.Sprintf("/api/v1/desk/workers/%d/milestones", leaver.workerID)
	res = coach.do(t, "PUT", milestones, map[string]any{"contract_end": today.AddDate(0, 0, -1).Format(time.DateOnly)})
	res.JSON(t, &w)
	if res.Status != 200 || !w.Active || w.HasAccess || works() || listed() {
		t.Errorf("contract ended yesterday = %d %s; works %v", res.Status, res.Body, works())
	}
	if res := coach.do(t, "PUT", milestones, map[string]any{"contract_end": today.Format(time.DateOnly)}); res.Status != 200 || !works() {
		t.Errorf("contract ends today (its last day) = %d; works %v", res.Status, works())
	}
	// Written by another replica: the notification empties the kept check.
	if !works() {
		t.Fatal("not working before the direct outflow")
	}
	env.DB.Exec(`INSERT INTO worker_outflows (worker_id, date, kind) VALUES (?, ?, 'other')`, leaver.workerID, today.Format(time.DateOnly))
	deadline := time.Now().Add(3 * time.Second)
	for works() {
		if time.Now().After(deadline) {
			t.Fatal("an outflow written elsewhere did not refuse the phone within 3 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if res := planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/pairing-code", leaver.workerID), nil); res.Status != 404 {
		t.Errorf("pairing code after the outflow = %d", res.Status)
	}
}

// Absences and outflows can be listed and removed by whoever may add them, in their
// areas; the same absence twice (a double click) is one; a removed absence gives the
// capacity back. Absence reasons (maybe sickness) are for planners and admins only.
func TestAbsencesAndOutflowsListAndRemove(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	admin := signIn(t, env, "admin@wijkwerk.nl", access.Admin)
	zevenaar := signIn(t, env, "planner@zevenaar.nl", access.Planner, "GM0299")
	oosseld := teamID(t, env, "doetinchem-oosseld")
	bram := newWorker(t, env, "doetinchem-oosseld", worker.Specialist, "Bram Jansen")
	other := newWorker(t, env, "doetinchem-oosseld", worker.Trainee, "Piet Klaassen")
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
	full := capacity()
	absences := fmt.Sprintf("/api/v1/desk/workers/%d/absences", bram)
	body := map[string]any{"from": "2027-01-11", "to": "2027-01-12", "reason": "sick"}
	first := planner.do(t, "POST", absences, body)
	if first.Status != 201 {
		t.Fatalf("absence = %d %s", first.Status, first.Body)
	}
	id := int64(first.Map(t)["id"].(float64))
	if again := planner.do(t, "POST", absences, body); again.Status != 200 || again.Map(t)["id"] != first.Map(t)["id"] {
		t.Errorf("the same absence again = %d %s, want 200 with id %d", again.Status, again.Body, id)
	}
	// Another reason or other days is another absence.
	training := planner.do(t, "POST", absences, map[string]any{"from": "2027-02-01", "to": "2027-02-01", "reason": "training"})
	if training.Status != 201 {
		t.Fatalf("second absence = %d %s", training.Status, training.Body)
	}
	var n int64
	env.DB.Raw(`SELECT count(*) FROM worker_absences WHERE worker_id = ?`, bram).Scan(&n)
	if n != 2 {
		t.Errorf("%d absences stored, want 2", n)
	}
	if c := capacity(); !near(c, full-12.8) {
		t.Errorf("capacity with the absence = %v, want %v", c, full-12.8)
	}
	var got struct {
		Absences []struct {
			ID     int64  `json:"id"`
			From   string `json:"from"`
			To     string `json:"to"`
			Reason string `json:"reason"`
		} `json:"absences"`
	}
	for who, d := range map[string]*desk{"planner": planner, "admin": admin} {
		res := d.do(t, "GET", absences, nil)
		res.JSON(t, &got)
		if res.Status != 200 || res.Header.Get("Cache-Control") != "no-store" || len(got.Absences) != 2 ||
			got.Absences[1].ID != id || got.Absences[1].From != "2027-01-11" || got.Absences[1].To != "2027-01-12" || got.Absences[1].Reason != "sick" {
			t.Errorf("%s lists absences = %d %s", who, res.Status, res.Body)
		}
	}
	one := fmt.Sprintf("%s/%d", absences, id)
	for who, tt := range map[string]struct {
		d    *desk
		want int
	}{"coach": {coach, 403}, "zevenaar": {zevenaar, 404}} {
		if res := tt.d.do(t, "GET", absences, nil); res.Status != tt.want || strings.Contains(string(res.Body), "sick") {
			t.Errorf("%s lists absences = %d %s, want %d", who, res.Status, res.Body, tt.want)
		}
		if res := tt.d.do(t, "DELETE", one, nil); res.Status != tt.want {
			t.Errorf("%s removes an absence = %d, want %d", who, res.Status, tt.want)
		}
	}
	// Nowhere else: not in the list of workers, not on the board.
	for _, path := range []string{"/api/v1/desk/workers", "/api/v1/planner/board?week=2027-W02"} {
		if res := planner.do(t, "GET", path, nil); strings.Contains(string(res.Body), `"sick"`) {
			t.Errorf("%s shows an absence reason: %s", path, res.Body)
		}
	}
	if res := planner.do(t, "DELETE", fmt.Sprintf("/api/v1/desk/workers/%d/absences/%d", other, id), nil); res.Status != 404 {
		t.Errorf("remove through another worker = %d, want 404", res.Status)
	}
	if res := planner.do(t, "DELETE", one, nil); res.Status != 204 {
		t.Fatalf("remove = %d %s", res.Status, res.Body)
	}
	if res := planner.do(t, "DELETE", one, nil); res.Status != 404 || !strings.Contains(res.Header.Get("Content-Type"), "problem+json") {
		t.Errorf("remove again = %d %s", res.Status, res.Body)
	}
	if c := capacity(); !near(c, full) {
		t.Errorf("capacity after removing = %v, want %v", c, full)
	}
	planner.do(t, "GET", absences, nil).JSON(t, &got)
	if len(got.Absences) != 1 || got.Absences[0].Reason != "training" {
		t.Errorf("absences after removing = %+v", got)
	}

	// Outflows: for planners and job coaches alike.
	outflows := fmt.Sprintf("/api/v1/desk/workers/%d/outflows", other)
	res := coach.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/outflow", other), map[string]any{"date": "2027-01-04", "kind": "education"})
	if res.Status != 201 {
		t.Fatalf("outflow = %d %s", res.Status, res.Body)
	}
	oid := int64(res.Map(t)["id"].(float64))
	if c := capacity(); !near(c, full-32) {
		t.Errorf("capacity after the outflow = %v, want %v", c, full-32)
	}
	var outs struct {
		Outflows []struct {
			ID   int64  `json:"id"`
			Date string `json:"date"`
			Kind string `json:"kind"`
		} `json:"outflows"`
	}
	for who, d := range map[string]*desk{"planner": planner, "coach": coach} {
		res := d.do(t, "GET", outflows, nil)
		res.JSON(t, &outs)
		if res.Status != 200 || len(outs.Outflows) != 1 || outs.Outflows[0].ID != oid || outs.Outflows[0].Date != "2027-01-04" || outs.Outflows[0].Kind != "education" {
			t.Errorf("%s lists outflows = %d %s", who, res.Status, res.Body)
		}
	}
	if res := zevenaar.do(t, "GET", outflows, nil); res.Status != 404 {
		t.Errorf("planner of other areas lists outflows = %d", res.Status)
	}
	if res := zevenaar.do(t, "DELETE", fmt.Sprintf("%s/%d", outflows, oid), nil); res.Status != 404 {
		t.Errorf("planner of other areas removes an outflow = %d", res.Status)
	}
	if res := coach.do(t, "DELETE", fmt.Sprintf("%s/%d", outflows, oid), nil); res.Status != 204 {
		t.Fatalf("remove outflow = %d %s", res.Status, res.Body)
	}
	if res := coach.do(t, "DELETE", fmt.Sprintf("%s/%d", outflows, oid), nil); res.Status != 404 {
		t.Errorf("remove outflow again = %d", res.Status)
	}
	if c := capacity(); !near(c, full) {
		t.Errorf("capacity after removing the outflow = %v, want %v", c, full)
	}
	if res := coach.do(t, "GET", "/api/v1/desk/workers", nil); strings.Contains(string(res.Body), `"education"`) {
		t.Errorf("the removed outflow is still the worker's latest: %s", res.Body)
	}
}

// Ending a worker's access takes them out of capacity from that day on, as an outflow
// does; the weeks before keep their hours (the board's history does not change).
func TestDeactivationKeepsPastWeeks(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	oosseld := teamID(t, env, "doetinchem-oosseld")
	bram := newWorker(t, env, "doetinchem-oosseld", worker.Specialist, "Bram Jansen")
	capacity := func(week string) float64 {
		t.Helper()
		var b boardJSON
		planner.do(t, "GET", "/api/v1/planner/board?week="+week, nil).JSON(t, &b)
		for _, tm := range b.Teams {
			if tm.ID == oosseld {
				return tm.CapacityHours
			}
		}
		t.Fatalf("no team %d on the board of %s", oosseld, week)
		return 0
	}
	today := amsterdamToday()
	lastWeek, nextWeek := isoWeek(today.AddDate(0, 0, -7)), isoWeek(today.AddDate(0, 0, 7))
	past, next := capacity(lastWeek), capacity(nextWeek)
	if res := planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/deactivate", bram), nil); res.Status != 200 {
		t.Fatalf("deactivate = %d %s", res.Status, res.Body)
	}
	if got := capacity(lastWeek); got != past {
		t.Errorf("last week's capacity %v after ending access, %v before", got, past)
	}
	if got := capacity(nextWeek); got >= next {
		t.Errorf("next week's capacity %v after ending access, %v before: the worker still counts", got, next)
	}
	// Given back, they count again.
	if res := planner.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/reactivate", bram), nil); res.Status != 200 {
		t.Fatalf("reactivate = %d %s", res.Status, res.Body)
	}
	if got := capacity(nextWeek); got != next {
		t.Errorf("next week's capacity %v after reactivating, %v before", got, next)
	}
}

func isoWeek(d time.Time) string {
	y, w := d.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// An outflow before a worker's placement began belongs to an earlier placement, also
// when there is no placement start and the placement begins on the day the worker was
// registered (planner.FirstDay, worker.FirstDaySQL): someone registered again today,
// whose outflow is from last year, has their phone, pushes, a place among the
// specialists and hours, as the planner counts them. An outflow on or after the day they
// were registered ends all of it.
func TestOutflowOfAnEarlierPlacement(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	trainee := pairPhone(t, env, "doetinchem-oosseld", worker.Trainee, "tok-trainee")
	env.WaitCredentialCache(t)
	today := amsterdamToday()
	// registeredToday makes a specialist of Oosseld registered now, without a placement
	// start, with an outflow on day.
	registeredToday := func(name string, day time.Time) int64 {
		id := newWorker(t, env, "doetinchem-oosseld", worker.Specialist, name)
		if err := env.DB.Exec(`UPDATE workers SET created_at = now(), placement_start = NULL WHERE id = ?`, id).Error; err != nil {
			t.Fatal(err)
		}
		if err := env.DB.Exec(`INSERT INTO worker_outflows (worker_id, date, kind, employer) VALUES (?, ?, 'regular_job', 'Groen BV')`,
			id, day.Format(time.DateOnly)).Error; err != nil {
			t.Fatal(err)
		}
		return id
	}
	works := func(p *phone) bool {
		t.Helper()
		res := p.do(t, "GET", "/mobile/v1/tasks", nil)
		if res.Status != 200 && res.Status != 401 {
			t.Fatalf("tasks = %d %s", res.Status, res.Body)
		}
		return res.Status == 200
	}
	hasAccess := func(id int64) bool {
		t.Helper()
		var body struct {
			Workers []struct {
				ID        int64 `json:"id"`
				HasAccess bool  `json:"has_access"`
			} `json:"workers"`
		}
		planner.do(t, "GET", "/api/v1/desk/workers", nil).JSON(t, &body)
		for _, w := range body.Workers {
			if w.ID == id {
				return w.HasAccess
			}
		}
		t.Fatalf("worker %d is not on the desk's list", id)
		return false
	}
	complete := func(p *phone, workers ...int64) *apptest.Response {
		t.Helper()
		id := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", today.AddDate(0, 0, 3))
		var h []map[string]any
		for _, w := range workers {
			h = append(h, map[string]any{"worker_id": w, "hours": 1})
		}
		return p.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/complete", id), map[string]any{"hours": h},
			"Idempotency-Key", fmt.Sprint("c", id), "If-Match", "1")
	}

	// Back: the outflow of last year is from before this placement. Pairing checks access too.
	backID := registeredToday("Ruud Terug", today.AddDate(-1, 0, 0))
	back := pairWorker(t, env, backID, "tok-back")
	if !works(back) || !hasAccess(backID) || !slices.Contains(specialistIDs(t, trainee), backID) {
		t.Errorf("registered today with last year's outflow: works %v, has access %v, listed %v",
			works(back), hasAccess(backID), slices.Contains(specialistIDs(t, trainee), backID))
	}
	if res := complete(trainee, trainee.workerID, backID); res.Status != 200 {
		t.Errorf("hours with Ruud = %d %s", res.Status, res.Body)
	}
	var bookedToday bool
	env.DB.Raw(`SELECT (created_at AT TIME ZONE 'Europe/Amsterdam')::date = (now() AT TIME ZONE 'Europe/Amsterdam')::date
FROM job_hours WHERE worker_id = ?`, backID).Scan(&bookedToday)
	if !bookedToday {
		t.Error("Ruud's hours do not count today, as if he had left last year")
	}

	// Left: an outflow on the day of registering is this placement's. Paired before it.
	leftID := newWorker(t, env, "doetinchem-oosseld", worker.Specialist, "Lies Weg")
	env.DB.Exec(`UPDATE workers SET created_at = now() WHERE id = ?`, leftID)
	left := pairWorker(t, env, leftID, "tok-left")
	if !works(left) {
		t.Fatal("Lies's phone does not work before her outflow")
	}
	env.DB.Exec(`INSERT INTO worker_outflows (worker_id, date, kind) VALUES (?, ?, 'other')`, leftID, today.Format(time.DateOnly))
	for deadline := time.Now().Add(3 * time.Second); works(left); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("an outflow on the day of registering did not refuse the phone")
		}
	}
	if hasAccess(leftID) || slices.Contains(specialistIDs(t, trainee), leftID) {
		t.Errorf("after an outflow on the day of registering: has access %v, listed %v", hasAccess(leftID), slices.Contains(specialistIDs(t, trainee), leftID))
	}
	if res := complete(trainee, trainee.workerID, leftID); res.Status != 422 || !strings.Contains(string(res.Body), "Lies Weg werkte niet meer bij de ploeg") {
		t.Errorf("hours with Lies = %d %s", res.Status, res.Body)
	}
	if got := pushedTo(t, env, planner, "tok-back", "tok-back", "tok-left"); fmt.Sprint(got) != "[tok-back]" {
		t.Errorf("pushed to %v, want [tok-back]", got)
	}
}
