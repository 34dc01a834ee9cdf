package deskapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/push/fakefcm"
	"wijkwerk/backend/team"
	"wijkwerk/backend/worker"
)

// waitFor waits until the fake FCM holds a message for each token, and returns them.
func waitFor(t *testing.T, env *apptest.Env, tokens ...string) map[string][]fakefcm.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := map[string][]fakefcm.Message{}
		for _, m := range env.FCM.Messages() {
			got[m.Token] = append(got[m.Token], m)
		}
		all := true
		for _, tok := range tokens {
			if len(got[tok]) == 0 {
				all = false
			}
		}
		if all || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func reassignPath(id int64) string { return fmt.Sprintf("/api/v1/planner/jobs/%d/reassign", id) }

func TestReassign(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	oosseld, wehl, noord := teamID(t, env, "doetinchem-oosseld"), teamID(t, env, "doetinchem-wehl"), teamID(t, env, "doetinchem-noord")
	pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "tok-oosseld")
	pairPhone(t, env, "doetinchem-wehl", worker.Specialist, "tok-wehl")
	today := amsterdamToday()
	job := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", today.AddDate(0, 0, 2))

	// Without If-Match: 428.
	if res := planner.do(t, "POST", reassignPath(job), map[string]any{"team_id": wehl, "reason": "Drukte"}); res.Status != 428 {
		t.Errorf("without If-Match = %d %s", res.Status, res.Body)
	}
	// Without a reason: 422.
	if res := planner.do(t, "POST", reassignPath(job), map[string]any{"team_id": wehl}, "If-Match", "1"); res.Status != 422 {
		t.Errorf("without reason = %d %s", res.Status, res.Body)
	}
	res := planner.do(t, "POST", reassignPath(job), map[string]any{"team_id": wehl, "reason": "Oosseld heeft te veel werk"}, "If-Match", `"1"`)
	if res.Status != 200 {
		t.Fatalf("reassign = %d %s", res.Status, res.Body)
	}
	m := res.Map(t)
	if m["team_id"] != float64(wehl) || m["status"] != "assigned" || m["version"] != float64(2) || res.Header.Get("ETag") != `"2"` {
		t.Errorf("reassigned job = %s", res.Body)
	}
	var ev struct {
		Actor, Action, FromStatus, ToStatus string
		Reason                              string
		FromTeam, ToTeam                    int64
	}
	env.DB.Raw(`SELECT actor, action, from_status, to_status, detail->>'reason' AS reason,
(detail->>'from_team')::bigint AS from_team, (detail->>'to_team')::bigint AS to_team
FROM audit_events WHERE job_id = ? ORDER BY id DESC LIMIT 1`, job).Scan(&ev)
	if ev.Actor != fmt.Sprintf("desk:%d", planner.id) || ev.Action != "reassign" || ev.Reason != "Oosseld heeft te veel werk" ||
		ev.FromTeam != oosseld || ev.ToTeam != wehl || ev.FromStatus != "assigned" || ev.ToStatus != "assigned" {
		t.Errorf("audit event = %+v", ev)
	}
	// Both teams hear of it: the old one that the task left, the new one that it came.
	msgs := waitFor(t, env, "tok-oosseld", "tok-wehl")
	if o := msgs["tok-oosseld"]; len(o) != 1 || o[0].Data["kind"] != "reassigned" || o[0].Data["job_id"] != fmt.Sprint(job) || o[0].Data["version"] != "2" {
		t.Errorf("old team's pushes = %+v", o)
	}
	if w := msgs["tok-wehl"]; len(w) != 1 || w[0].Data["kind"] != "assigned" || w[0].Data["job_id"] != fmt.Sprint(job) || w[0].Data["version"] != "2" {
		t.Errorf("new team's pushes = %+v", w)
	}

	// The same again with the old version: stale, with the current job.
	res = planner.do(t, "POST", reassignPath(job), map[string]any{"team_id": oosseld, "reason": "Terug"}, "If-Match", "1")
	if res.Status != 409 || res.Map(t)["type"] != "/problems/stale-version" {
		t.Fatalf("stale = %d %s", res.Status, res.Body)
	}
	if cur, _ := res.Map(t)["current"].(map[string]any); cur == nil || cur["version"] != float64(2) || cur["team_id"] != float64(wehl) {
		t.Errorf("stale answer's current = %s", res.Body)
	}
	// Already with this team.
	if res := planner.do(t, "POST", reassignPath(job), map[string]any{"team_id": wehl, "reason": "x"}, "If-Match", "2"); res.Status != 422 {
		t.Errorf("to its own team = %d %s", res.Status, res.Body)
	}

	// A done or cancelled job does not move: 409 invalid-transition.
	for _, status := range []string{"done", "cancelled"} {
		closed := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", status, today)
		res := planner.do(t, "POST", reassignPath(closed), map[string]any{"team_id": wehl, "reason": "x"}, "If-Match", "1")
		if res.Status != 409 || res.Map(t)["type"] != "/problems/invalid-transition" {
			t.Errorf("%s job = %d %s", status, res.Status, res.Body)
		}
	}
	// A job the crew could not finish goes back to a team: assigned again.
	stuck := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "cannot_complete", today)
	env.DB.Exec(`UPDATE jobs SET reason = 'needs_specialist', closed_at = now() WHERE id = ?`, stuck)
	var stuckVersion int
	env.DB.Raw(`SELECT version FROM jobs WHERE id = ?`, stuck).Scan(&stuckVersion)
	res = planner.do(t, "POST", reassignPath(stuck), map[string]any{"team_id": oosseld, "reason": "Nu met specialist"}, "If-Match", fmt.Sprint(stuckVersion))
	if res.Status != 200 || res.Map(t)["status"] != "assigned" {
		t.Errorf("cannot_complete job = %d %s", res.Status, res.Body)
	}
	var reopened struct {
		Reason   string
		ClosedAt *time.Time
	}
	env.DB.Raw(`SELECT reason, closed_at FROM jobs WHERE id = ?`, stuck).Scan(&reopened)
	if reopened.Reason != "" || reopened.ClosedAt != nil {
		t.Errorf("reopened job keeps %+v", reopened)
	}

	// A team outside the planner's area, or none at all: 404, like a job outside it.
	zevenaar, err := team.NewStore(env.DB.DB).Ensure(context.Background(), team.Team{Code: "zevenaar-centrum", Name: "Ploeg Zevenaar"},
		[]team.Service{{AreaCode: "GM0299", Department: "wijkbeheer"}})
	if err != nil {
		t.Fatal(err)
	}
	other := newJob(t, env, "afval.zwerfvuil", "BU02220302", "doetinchem-oosseld", "assigned", today)
	for _, target := range []int64{zevenaar.ID, 999999} {
		res := planner.do(t, "POST", reassignPath(other), map[string]any{"team_id": target, "reason": "x"}, "If-Match", "1")
		if res.Status != 404 {
			t.Errorf("to team %d = %d %s", target, res.Status, res.Body)
		}
	}
	zvJob := newJob(t, env, "afval.zwerfvuil", "GM0299", "zevenaar-centrum", "assigned", today)
	if res := planner.do(t, "POST", reassignPath(zvJob), map[string]any{"team_id": wehl, "reason": "x"}, "If-Match", "1"); res.Status != 404 {
		t.Errorf("job in Zevenaar = %d %s", res.Status, res.Body)
	}
	// Even an admin cannot move a Doetinchem job to the Zevenaar team: it does not work there.
	admin := signIn(t, env, "admin@wijkwerk.nl", access.Admin)
	if res := admin.do(t, "POST", reassignPath(other), map[string]any{"team_id": zevenaar.ID, "reason": "x"}, "If-Match", "1"); res.Status != 422 {
		t.Errorf("admin to another municipality's team = %d %s", res.Status, res.Body)
	}
	// A team that does not do this kind of work: 422.
	if res := planner.do(t, "POST", reassignPath(other), map[string]any{"team_id": teamID(t, env, "doetinchem-handhaving"), "reason": "x"},
		"If-Match", "1"); res.Status != 422 {
		t.Errorf("to enforcement = %d %s", res.Status, res.Body)
	}
	// Trainee rule: paired work only to a team with a specialist. Noord has none; Wehl has one.
	gras := newJob(t, env, "groen.gras", "BU02220301", "doetinchem-oosseld", "assigned", today)
	newWorker(t, env, "doetinchem-noord", worker.Trainee, "Noord Trainee")
	if res := planner.do(t, "POST", reassignPath(gras), map[string]any{"team_id": noord, "reason": "x"}, "If-Match", "1"); res.Status != 422 {
		t.Errorf("paired work to a team without specialist = %d %s", res.Status, res.Body)
	}
	// A specialist who has left (an outflow today, or a contract that ended) does not count.
	gone := newWorker(t, env, "doetinchem-noord", worker.Specialist, "Vertrokken specialist")
	env.DB.Exec(`INSERT INTO worker_outflows (worker_id, date, kind) VALUES (?, (now() AT TIME ZONE 'Europe/Amsterdam')::date, 'regular_job')`, gone)
	ended := newWorker(t, env, "doetinchem-noord", worker.Specialist, "Contract afgelopen")
	env.DB.Exec(`UPDATE workers SET contract_end = (now() AT TIME ZONE 'Europe/Amsterdam')::date - 1 WHERE id = ?`, ended)
	if res := planner.do(t, "POST", reassignPath(gras), map[string]any{"team_id": noord, "reason": "x"}, "If-Match", "1"); res.Status != 422 {
		t.Errorf("paired work to a team whose specialists have left = %d %s", res.Status, res.Body)
	}
	if res := planner.do(t, "POST", reassignPath(gras), map[string]any{"team_id": wehl, "reason": "x"}, "If-Match", "1"); res.Status != 200 {
		t.Errorf("paired work to a team with a specialist = %d %s", res.Status, res.Body)
	}
	// "no" work (trees, stedelijk beheer) to the stedelijk beheer team without specialist.
	boom := newJob(t, env, "groen.boom", "BU02220301", "", "open", today)
	sb := teamID(t, env, "doetinchem-stedelijk-beheer")
	if res := planner.do(t, "POST", reassignPath(boom), map[string]any{"team_id": sb, "reason": "x"}, "If-Match", "1"); res.Status != 422 {
		t.Errorf("specialist work to a team without specialist = %d %s", res.Status, res.Body)
	}
	newWorker(t, env, "doetinchem-stedelijk-beheer", worker.Specialist, "Boomspecialist")
	if res := planner.do(t, "POST", reassignPath(boom), map[string]any{"team_id": sb, "reason": "Uit de wachtrij"}, "If-Match", "1"); res.Status != 200 {
		t.Errorf("from the queue to a team with specialist = %d %s", res.Status, res.Body)
	}
}

func TestBulkReassignAllOrNothing(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	wehl, centrum := teamID(t, env, "doetinchem-wehl"), teamID(t, env, "doetinchem-centrum")
	today := amsterdamToday()
	a := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", today)
	b := newJob(t, env, "afval.hondenpoep", "BU02220302", "doetinchem-oosseld", "accepted", today)
	c := newJob(t, env, "afval.zwerfvuil", "BU02220303", "doetinchem-oosseld", "assigned", today)
	env.DB.Exec(`UPDATE jobs SET version = 3 WHERE id = ?`, c)
	count := func() (events, outbox int64) {
		env.DB.Raw(`SELECT count(*) FROM audit_events WHERE job_id IN (?, ?, ?)`, a, b, c).Scan(&events)
		env.DB.Raw(`SELECT count(*) FROM push_outbox WHERE job_id IN (?, ?, ?)`, a, b, c).Scan(&outbox)
		return
	}
	bulk := func(moves ...map[string]any) *apptest.Response {
		return planner.do(t, "POST", "/api/v1/planner/jobs/reassign", map[string]any{"moves": moves, "reason": "Herverdeling week 48"})
	}
	mv := func(job int64, version int, team int64) map[string]any {
		return map[string]any{"job_id": job, "version": version, "team_id": team}
	}
	// One stale move fails them all; nothing changes.
	res := bulk(mv(a, 1, wehl), mv(b, 1, centrum), mv(c, 1, wehl))
	if res.Status != 409 || res.Map(t)["type"] != "/problems/stale-version" || res.Map(t)["job_id"] != float64(c) {
		t.Fatalf("bulk with a stale move = %d %s", res.Status, res.Body)
	}
	var moved int64
	env.DB.Raw(`SELECT count(*) FROM jobs WHERE id IN (?, ?, ?) AND team_id <> (SELECT id FROM teams WHERE code = 'doetinchem-oosseld')`, a, b, c).Scan(&moved)
	if ev, ob := count(); moved != 0 || ev != 0 || ob != 0 {
		t.Errorf("after a failed bulk: %d moved, %d events, %d pushes", moved, ev, ob)
	}
	// A job twice, or no moves: 422.
	if res := bulk(mv(a, 1, wehl), mv(a, 1, centrum)); res.Status != 422 {
		t.Errorf("a job twice = %d %s", res.Status, res.Body)
	}
	if res := bulk(); res.Status != 422 {
		t.Errorf("no moves = %d %s", res.Status, res.Body)
	}
	// All good: all move.
	res = bulk(mv(a, 1, wehl), mv(b, 1, centrum), mv(c, 3, wehl))
	if res.Status != 200 {
		t.Fatalf("bulk = %d %s", res.Status, res.Body)
	}
	var out struct {
		Jobs []struct {
			ID      int64  `json:"id"`
			TeamID  int64  `json:"team_id"`
			Version int    `json:"version"`
			Status  string `json:"status"`
		} `json:"jobs"`
	}
	res.JSON(t, &out)
	want := map[int64]int64{a: wehl, b: centrum, c: wehl}
	wantVersion := map[int64]int{a: 2, b: 2, c: 4}
	if len(out.Jobs) != 3 || out.Jobs[0].ID != a || out.Jobs[1].ID != b || out.Jobs[2].ID != c {
		t.Fatalf("bulk answer = %s", res.Body)
	}
	for _, j := range out.Jobs {
		if want[j.ID] != j.TeamID || j.Status != "assigned" || wantVersion[j.ID] != j.Version {
			t.Errorf("job %d = %+v", j.ID, j)
		}
	}
	// One push per team and side, not one per job: Oosseld lost 3, Wehl gained 2 (the
	// summary), Centrum gained 1 (the default text of a new task, which the outbox does
	// not keep: the worker sends it, push.Request.OutboxText).
	var pushes []string
	env.DB.Raw(`SELECT concat_ws(':', t.code, o.kind, o.body_nl) FROM push_outbox o JOIN teams t ON t.id = o.team_id
WHERE o.job_id IN (?, ?, ?) ORDER BY t.code, o.kind`, a, b, c).Scan(&pushes)
	if strings.Join(pushes, "|") != "doetinchem-centrum:assigned:|"+
		"doetinchem-oosseld:reassigned:3 taken zijn naar een andere ploeg gegaan. Kijk in de app welke taken nu voor jullie zijn.|"+
		"doetinchem-wehl:assigned:Er zijn 2 taken naar jullie ploeg gegaan. Kijk in de app wat er voor jullie klaarstaat." {
		t.Errorf("pushes = %q", pushes)
	}
	// The same pushes in English, for the phones that read English.
	pushes = nil
	env.DB.Raw(`SELECT concat_ws(':', t.code, o.kind, o.title_en, o.body_en) FROM push_outbox o JOIN teams t ON t.id = o.team_id
WHERE o.job_id IN (?, ?, ?) ORDER BY t.code, o.kind`, a, b, c).Scan(&pushes)
	if strings.Join(pushes, "|") != "doetinchem-centrum:assigned::|"+
		"doetinchem-oosseld:reassigned:Tasks moved:3 tasks moved to another crew. Look in the app to see which tasks are yours now.|"+
		"doetinchem-wehl:assigned:New tasks:2 tasks moved to your crew. Look in the app to see what is ready for you." {
		t.Errorf("English pushes = %q", pushes)
	}
	var detail []string
	env.DB.Raw(`SELECT concat_ws(':', job_id, from_status, detail->>'from_team', detail->>'to_team', detail->>'reason')
FROM audit_events WHERE job_id IN (?, ?, ?) ORDER BY job_id`, a, b, c).Scan(&detail)
	oosseld := teamID(t, env, "doetinchem-oosseld")
	if fmt.Sprint(detail) != fmt.Sprintf("[%d:assigned:%d:%d:Herverdeling week 48 %d:accepted:%d:%d:Herverdeling week 48 %d:assigned:%d:%d:Herverdeling week 48]",
		a, oosseld, wehl, b, oosseld, centrum, c, oosseld, wehl) {
		t.Errorf("audit events = %v", detail)
	}
	if ev, ob := count(); ev != 3 || ob != 3 {
		t.Errorf("after the bulk: %d events, %d pushes; want 3 and 3 (one per team and side)", ev, ob)
	}
}

// A job its crew has started does not move, alone or in a bulk: 409 job-started, with
// the way out, and nothing changes (the crew may be finishing it on a phone without a
// connection, and a move would drop their hours and photos). Assigned and accepted jobs
// still move.
func TestReassignStartedJob(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	wehl, oosseld := teamID(t, env, "doetinchem-wehl"), teamID(t, env, "doetinchem-oosseld")
	crew := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "tok-oosseld")
	today := amsterdamToday()
	// The crew taps Start: in progress, version 2.
	started := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", today)
	if res := crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/start", started), nil, "Idempotency-Key", "start-1", "If-Match", "1"); res.Status != 200 ||
		res.Map(t)["status"] != "in_progress" || res.Map(t)["version"] != float64(2) {
		t.Fatalf("start = %d %s", res.Status, res.Body)
	}
	type state struct {
		Status  string
		TeamID  int64
		Version int
		Events  int
		Pushes  int
	}
	stateOf := func(id int64) (s state) {
		env.DB.Raw(`SELECT status, team_id, version,
(SELECT count(*) FROM audit_events WHERE job_id = j.id) AS events,
(SELECT count(*) FROM push_outbox WHERE job_id = j.id) AS pushes
FROM jobs j WHERE id = ?`, id).Scan(&s)
		return s
	}
	before := stateOf(started)
	refused := func(name string, res *apptest.Response) {
		t.Helper()
		m := res.Map(t)
		if res.Status != 409 || m["type"] != "/problems/job-started" || m["job_id"] != float64(started) {
			t.Errorf("%s = %d %s", name, res.Status, res.Body)
		}
		if d, _ := m["detail"].(string); !strings.Contains(d, "Lukt niet") || !strings.Contains(d, "Werk dat niet lukte") {
			t.Errorf("%s: the detail does not say the way out: %q", name, d)
		}
		if got := stateOf(started); got != before {
			t.Errorf("%s: the started job changed: %+v, was %+v", name, got, before)
		}
	}
	refused("reassign", planner.do(t, "POST", reassignPath(started), map[string]any{"team_id": wehl, "reason": "Noord heeft tijd"}, "If-Match", "2"))
	// A planner who saw it before the crew started it hears the same, not "look again".
	refused("reassign seen before the start", planner.do(t, "POST", reassignPath(started), map[string]any{"team_id": wehl, "reason": "Noord heeft tijd"}, "If-Match", "1"))
	res := planner.do(t, "POST", reassignPath(started), map[string]any{"team_id": wehl, "reason": "Noord heeft tijd"}, "If-Match", "2", "Accept-Language", "en")
	if d, _ := res.Map(t)["detail"].(string); !strings.Contains(d, "The crew has already started this job") {
		t.Errorf("in English = %s", res.Body)
	}

	// In a bulk, it fails the whole batch: the assigned job with it stays too.
	assigned := newJob(t, env, "afval.zwerfvuil", "BU02220302", "doetinchem-oosseld", "assigned", today)
	accepted := newJob(t, env, "afval.zwerfvuil", "BU02220303", "doetinchem-oosseld", "accepted", today)
	bulk := func(ids ...int64) *apptest.Response {
		var moves []map[string]any
		for _, id := range ids {
			moves = append(moves, map[string]any{"job_id": id, "version": stateOf(id).Version, "team_id": wehl})
		}
		return planner.do(t, "POST", "/api/v1/planner/jobs/reassign", map[string]any{"moves": moves, "reason": "Herverdeling"})
	}
	assignedBefore := stateOf(assigned)
	refused("bulk", bulk(assigned, started))
	if got := stateOf(assigned); got != assignedBefore || got.TeamID != oosseld {
		t.Errorf("the assigned job of a refused bulk = %+v, was %+v", got, assignedBefore)
	}

	// Assigned and accepted jobs still move, alone and in a bulk.
	res = planner.do(t, "POST", reassignPath(accepted), map[string]any{"team_id": wehl, "reason": "Wehl heeft tijd"}, "If-Match", "1")
	if res.Status != 200 || res.Map(t)["team_id"] != float64(wehl) || res.Map(t)["status"] != "assigned" {
		t.Errorf("accepted job = %d %s", res.Status, res.Body)
	}
	if res := bulk(assigned); res.Status != 200 {
		t.Errorf("bulk of an assigned job = %d %s", res.Status, res.Body)
	}
	if got := stateOf(assigned); got.TeamID != wehl || got.Status != "assigned" {
		t.Errorf("assigned job after the bulk = %+v", got)
	}
}

// The planner moves a task while the crew finishes it: the job ends in one consistent
// state. The crew first: the planner is told it is done. The planner first: the crew's
// complete, on the version they saw, still counts, as the new team has not begun. The
// task is accepted, not started: a started one does not move at all
// (TestReassignStartedJob).
func TestReassignRacesCrewComplete(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	crew := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	wehl, oosseld := teamID(t, env, "doetinchem-wehl"), teamID(t, env, "doetinchem-oosseld")
	today := amsterdamToday()
	wins := map[string]int{}
	for i := 0; i < 40; i++ {
		job := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "accepted", today)
		var (
			wg                  sync.WaitGroup
			start               = make(chan struct{})
			plannerRes, crewRes *apptest.Response
		)
		wg.Add(2)
		// Let either side start a little later now and then, so both get to win.
		plannerDelay, crewDelay := time.Duration(i%3)*time.Millisecond, time.Duration((i+1)%3)*time.Millisecond
		go func() {
			defer wg.Done()
			<-start
			time.Sleep(plannerDelay)
			plannerRes = planner.do(t, "POST", reassignPath(job), map[string]any{"team_id": wehl, "reason": "Race"}, "If-Match", "1")
		}()
		go func() {
			defer wg.Done()
			<-start
			time.Sleep(crewDelay)
			crewRes = crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/complete", job),
				map[string]any{"hours": []map[string]any{{"worker_id": crew.workerID, "hours": 1}}},
				"Idempotency-Key", fmt.Sprintf("race-%d", i), "If-Match", "1")
		}()
		close(start)
		wg.Wait()
		var state struct {
			Status  string
			TeamID  int64
			Version int
			Hours   int
			Events  string
			Pushes  int
		}
		env.DB.Raw(`SELECT status, team_id, version,
(SELECT count(*) FROM job_hours WHERE job_id = j.id) AS hours,
(SELECT string_agg(action, ',' ORDER BY id) FROM audit_events WHERE job_id = j.id) AS events,
(SELECT count(*) FROM push_outbox WHERE job_id = j.id) AS pushes
FROM jobs j WHERE id = ?`, job).Scan(&state)
		switch {
		case plannerRes.Status == 200 && crewRes.Status == 200:
			wins["planner first, then the crew's work"]++
			// The planner moved it first, but the crew did the work on what they saw, and
			// the new team had not begun: the work counts, the job is done with the crew
			// that did it (job.EventCompleteAfterMove), after the move's two pushes.
			if state.Status != "done" || state.TeamID != oosseld || state.Version != 3 || state.Hours != 1 ||
				state.Events != "reassign,complete_after_move" || state.Pushes != 2 {
				t.Errorf("run %d: the crew's work after the move left the job %+v", i, state)
			}
		case crewRes.Status == 200 && plannerRes.Status != 200:
			wins[fmt.Sprintf("crew (planner got %d)", plannerRes.Status)]++
			if plannerRes.Status != 409 {
				t.Errorf("run %d: planner lost with %d %s", i, plannerRes.Status, plannerRes.Body)
			}
			if state.Status != "done" || state.TeamID != oosseld || state.Version != 2 || state.Hours != 1 ||
				state.Events != "complete" || state.Pushes != 0 {
				t.Errorf("run %d: crew won but the job is %+v", i, state)
			}
		default:
			t.Errorf("run %d: planner %d %s, crew %d %s", i, plannerRes.Status, plannerRes.Body, crewRes.Status, crewRes.Body)
		}
	}
	t.Logf("wins: %v", wins)
	if len(wins) == 0 {
		t.Error("no run had a winner")
	}
}
