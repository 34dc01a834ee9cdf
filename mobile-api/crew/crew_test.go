package crew_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/team"
	"wijkwerk/backend/worker"
)

// A point in the schematic Oosseld district of Doetinchem.
var oosseld = [2]float64{6.318, 51.962}

type phone struct {
	env    *apptest.Env
	token  string
	worker struct {
		ID      int64   `json:"id"`
		TeamIDs []int64 `json:"team_ids"`
	}
}

func (p *phone) do(t *testing.T, method, path string, body any, headers ...string) *apptest.Response {
	t.Helper()
	return p.env.Do(t, method, path, body, append([]string{"Authorization", "Bearer " + p.token}, headers...)...)
}

// pairPhone creates a worker in the team with code and pairs a phone for them.
func pairPhone(t *testing.T, env *apptest.Env, teamCode string, role worker.Role) *phone {
	t.Helper()
	ctx := context.Background()
	tm, err := team.NewStore(env.DB.DB).Find(ctx, teamCode)
	if err != nil {
		t.Fatal(err)
	}
	ws := worker.NewStore(env.DB.DB)
	w, err := ws.Create(ctx, tm.ID, role, "Test "+string(role))
	if err != nil {
		t.Fatal(err)
	}
	pc, err := ws.IssuePairingCode(ctx, w.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": pc.Code})
	if res.Status != 200 {
		t.Fatalf("pair = %d %s", res.Status, res.Body)
	}
	p := &phone{env: env}
	var body struct {
		Token  string `json:"token"`
		Worker *struct {
			ID      int64   `json:"id"`
			TeamIDs []int64 `json:"team_ids"`
		} `json:"worker"`
	}
	res.JSON(t, &body)
	p.token = body.Token
	p.worker.ID, p.worker.TeamIDs = body.Worker.ID, body.Worker.TeamIDs
	// The code works once.
	if res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": pc.Code}); res.Status != 401 {
		t.Errorf("second use of a pairing code = %d", res.Status)
	}
	return p
}

func report(t *testing.T, env *apptest.Env, category string, lon, lat float64) int64 {
	t.Helper()
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{
		"category": category, "location": map[string]any{"type": "Point", "coordinates": []float64{lon, lat}},
	})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	var rc struct {
		JobID int64 `json:"job_id"`
	}
	res.JSON(t, &rc)
	return rc.JobID
}

type taskList struct {
	Tasks []struct {
		ID          int64  `json:"id"`
		Version     int    `json:"version"`
		Status      string `json:"status"`
		Removed     bool   `json:"removed"`
		ReportCount int    `json:"report_count"`
		Category    struct {
			Code string `json:"code"`
		} `json:"category"`
		Photos []struct {
			Hash, Kind, URL string
		} `json:"photos"`
	} `json:"tasks"`
	Cursor string `json:"cursor"`
	Full   bool   `json:"full"`
}

func TestPairingAndAuth(t *testing.T) {
	env := apptest.Start(t)
	// A wrong code says so: not "U bent niet ingelogd", which tells a crew member nothing.
	for _, code := range []string{"", "1234", "00000000", "abcdefgh"} {
		res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": code})
		got := res.Map(t)
		if res.Status != 401 || got["type"] != "/problems/invalid-pairing-code" || got["title"] != "Deze koppelcode klopt niet of is verlopen" ||
			got["detail"] != "Deze koppelcode klopt niet of is verlopen. Vraag de planner om een nieuwe." {
			t.Errorf("pair %q = %d %s", code, res.Status, res.Body)
		}
	}
	if got := env.Do(t, "POST", "/mobile/v1/pair?lang=en", map[string]string{"code": "00000000"}).Map(t); got["title"] != "This pairing code is wrong or has expired" {
		t.Errorf("pair in English = %v", got)
	}
	if res := env.Do(t, "GET", "/mobile/v1/tasks", nil); res.Status != 401 {
		t.Errorf("tasks without credential = %d", res.Status)
	}
	if res := env.Do(t, "GET", "/mobile/v1/tasks", nil, "Authorization", "Bearer nope"); res.Status != 401 {
		t.Errorf("tasks with a bad credential = %d", res.Status)
	}
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Trainee)
	if res := p.do(t, "GET", "/mobile/v1/tasks", nil); res.Status != 200 {
		t.Errorf("tasks = %d %s", res.Status, res.Body)
	}
	if res := p.do(t, "PUT", "/mobile/v1/device", map[string]string{"token": "fcm-token-1", "platform": "android"}); res.Status != 204 {
		t.Errorf("device = %d %s", res.Status, res.Body)
	}
	for _, bad := range []string{"nokia", "", "web phone"} {
		if res := p.do(t, "PUT", "/mobile/v1/device", map[string]string{"token": "x", "platform": bad}); res.Status != 422 {
			t.Errorf("device with platform %q = %d", bad, res.Status)
		}
	}
	var tok, platform string
	env.DB.Raw(`SELECT fcm_token, platform FROM devices WHERE worker_id = ?`, p.worker.ID).Row().Scan(&tok, &platform)
	if tok != "fcm-token-1" || platform != "android" {
		t.Errorf("stored token %q for %q", tok, platform)
	}
	// The same rule as pairing: any case, kept in lower case.
	if res := p.do(t, "PUT", "/mobile/v1/device", map[string]string{"token": "fcm-token-1", "platform": " iOS "}); res.Status != 204 {
		t.Errorf("device with platform iOS = %d %s", res.Status, res.Body)
	}
	env.DB.Raw(`SELECT platform FROM devices WHERE worker_id = ?`, p.worker.ID).Scan(&platform)
	if platform != "ios" {
		t.Errorf("stored platform %q, want ios", platform)
	}
	// Revoked credentials stop working: revoked here in the database, as by another
	// replica, as soon as the notification arrives (TestCredentialCache).
	env.DB.Exec(`UPDATE devices SET revoked_at = now() WHERE worker_id = ?`, p.worker.ID)
	eventually(t, "the revoked credential is refused", func() bool {
		return p.do(t, "GET", "/mobile/v1/tasks", nil).Status == 401
	})
	// A new code ends the worker's earlier unused one; the newest works.
	ws := worker.NewStore(env.DB.DB)
	older, err := ws.IssuePairingCode(context.Background(), p.worker.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	newer, err := ws.IssuePairingCode(context.Background(), p.worker.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	if res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": older.Code}); res.Status != 401 {
		t.Errorf("pair with a replaced code = %d, want 401", res.Status)
	}
	if res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": newer.Code}); res.Status != 200 {
		t.Errorf("pair with the newest code = %d %s", res.Status, res.Body)
	}
}

// Pairing keeps what the phone says it is (the PWA sends "web"), so the desk's list of
// phones can name it; a platform that is not a short word is refused and the code still
// works afterwards.
func TestPairingRecordsPlatform(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	tm, err := team.NewStore(env.DB.DB).Find(ctx, "doetinchem-oosseld")
	if err != nil {
		t.Fatal(err)
	}
	ws := worker.NewStore(env.DB.DB)
	w, err := ws.Create(ctx, tm.ID, worker.Specialist, "Test platform")
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		t.Helper()
		pc, err := ws.IssuePairingCode(ctx, w.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		return pc.Code
	}
	pc := code()
	for _, bad := range []string{"nokia", "web phone", "web/1", "<script>", "wéb", strings.Repeat("a", 33)} {
		res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": pc, "platform": bad})
		if res.Status != 422 || !strings.Contains(string(res.Body), `"platform"`) {
			t.Errorf("pair with platform %q = %d %s", bad, res.Status, res.Body)
		}
	}
	// The refusals did not use the code up. "Web" is kept as "web".
	if res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": pc, "platform": " Web "}); res.Status != 200 {
		t.Fatalf("pair with platform Web = %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": code(), "platform": "IOS"}); res.Status != 200 {
		t.Fatalf("pair with platform IOS = %d %s", res.Status, res.Body)
	}
	// Without a platform (older apps) it stays unknown.
	if res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": code()}); res.Status != 200 {
		t.Fatalf("pair without platform = %d %s", res.Status, res.Body)
	}
	devices, err := ws.Devices(ctx, w.ID) // newest first, as the desk shows them
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range devices {
		got = append(got, d.Platform)
	}
	if want := []string{"", "ios", "web"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("platforms = %q, want %q", got, want)
	}
}

func TestTaskSync(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	other := pairPhone(t, env, "doetinchem-wehl", worker.Specialist)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])

	res := p.do(t, "GET", "/mobile/v1/tasks", nil)
	var full taskList
	res.JSON(t, &full)
	if len(full.Tasks) != 1 || full.Tasks[0].ID != jobID || !full.Full || full.Cursor == "0" {
		t.Fatalf("full sync = %s", res.Body)
	}
	if res := other.do(t, "GET", "/mobile/v1/tasks", nil); strings.Contains(string(res.Body), fmt.Sprintf(`"id":%d`, jobID)) {
		t.Errorf("another team sees the task: %s", res.Body)
	}
	// Nothing changed: nothing new in the delta, and 304 with the ETag. (A task the phone
	// has may come again, unchanged, while a transaction older than its change still runs
	// somewhere in the cluster: the cursor is the oldest running transaction.)
	res = p.do(t, "GET", "/mobile/v1/tasks?since="+full.Cursor, nil)
	var delta taskList
	res.JSON(t, &delta)
	for _, tk := range delta.Tasks {
		if tk.ID != jobID || tk.Version != full.Tasks[0].Version {
			t.Errorf("delta with nothing new = %s", res.Body)
		}
	}
	etag := res.Header.Get("ETag")
	if res := p.do(t, "GET", "/mobile/v1/tasks?since="+full.Cursor, nil, "If-None-Match", etag); res.Status != 304 {
		t.Errorf("If-None-Match = %d, want 304", res.Status)
	}
	// A full sync has no ETag and is always answered: only reading the tasks tells
	// whether they changed.
	if res := p.do(t, "GET", "/mobile/v1/tasks", nil, "If-None-Match", etag); res.Status != 200 || res.Header.Get("ETag") != "" {
		t.Errorf("full sync with If-None-Match = %d, ETag %q; want 200 without an ETag", res.Status, res.Header.Get("ETag"))
	}
	// A duplicate report changes the task; a new report adds one.
	report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1]+0.0001)
	second := report(t, env, "groen.onkruid", oosseld[0]+0.002, oosseld[1])
	if res := p.do(t, "GET", "/mobile/v1/tasks?since="+full.Cursor, nil, "If-None-Match", etag); res.Status != 200 {
		t.Errorf("after a change If-None-Match = %d, want 200", res.Status)
	}
	res = p.do(t, "GET", "/mobile/v1/tasks?since="+full.Cursor, nil)
	delta = taskList{}
	res.JSON(t, &delta)
	if len(delta.Tasks) != 2 {
		t.Fatalf("delta = %s", res.Body)
	}
	for _, tk := range delta.Tasks {
		if tk.ID == jobID && tk.ReportCount != 2 {
			t.Errorf("task %d report count %d, want 2", tk.ID, tk.ReportCount)
		}
		if tk.ID != jobID && tk.ID != second {
			t.Errorf("unexpected task %d", tk.ID)
		}
	}
	// A task moved to another team comes back as removed.
	var wehl int64
	env.DB.Raw(`SELECT id FROM teams WHERE code = 'doetinchem-wehl'`).Scan(&wehl)
	env.DB.Exec(`UPDATE jobs SET team_id = ? WHERE id = ?`, wehl, second)
	res = p.do(t, "GET", "/mobile/v1/tasks?since="+delta.Cursor, nil)
	var moved taskList
	res.JSON(t, &moved)
	gone := false
	for _, tk := range moved.Tasks {
		switch {
		case tk.ID == second && tk.Removed:
			gone = true
		case tk.ID == jobID && !tk.Removed: // sent again, see above
		default:
			t.Errorf("moved: unexpected task %+v", tk)
		}
	}
	// A removed task is only what the phone needs to drop it: no empty category, no pin at 0,0.
	if strings.Contains(string(res.Body), `"coordinates":[0,0]`) || strings.Contains(string(res.Body), `"code":""`) {
		t.Errorf("a removed task with empty fields: %s", res.Body)
	}
	if !gone {
		t.Errorf("moved task = %s", res.Body)
	}
	if res := p.do(t, "GET", "/mobile/v1/tasks?since=abc", nil); res.Status != 422 {
		t.Errorf("bad cursor = %d", res.Status)
	}
}

// TestTaskSyncTeamChange: a worker who joins or leaves a team gets a full sync from their
// old cursor: the new team's tasks come, the old team's go. A delta would miss both,
// since the feed's changes before the cursor were never sent for the new team.
func TestTaskSyncTeamChange(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	mine := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	theirs := report(t, env, "groen.onkruid", oosseld[0]+0.002, oosseld[1])
	if err := env.DB.Exec(`UPDATE jobs SET team_id = (SELECT id FROM teams WHERE code = 'doetinchem-wehl') WHERE id = ?`, theirs).Error; err != nil {
		t.Fatal(err)
	}
	var list taskList
	p.do(t, "GET", "/mobile/v1/tasks", nil).JSON(t, &list)
	ids := func(l taskList) string {
		var out []string
		for _, tk := range l.Tasks {
			if !tk.Removed {
				out = append(out, fmt.Sprint(tk.ID))
			}
		}
		slices.Sort(out)
		return strings.Join(out, " ")
	}
	if ids(list) != fmt.Sprint(mine) {
		t.Fatalf("before = %+v", list)
	}
	// sync asks from cursor until the answer is a full sync (the credential cache hears of
	// a team change within milliseconds).
	sync := func(cursor string) taskList {
		t.Helper()
		for i := 0; ; i++ {
			var l taskList
			res := p.do(t, "GET", "/mobile/v1/tasks?since="+cursor, nil)
			res.JSON(t, &l)
			if l.Full || i == 20 {
				return l
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if err := env.DB.Exec(`INSERT INTO worker_teams (worker_id, team_id) SELECT ?, id FROM teams WHERE code = 'doetinchem-wehl'`, p.worker.ID).Error; err != nil {
		t.Fatal(err)
	}
	joined := sync(list.Cursor)
	if want := strings.Join([]string{fmt.Sprint(mine), fmt.Sprint(theirs)}, " "); !joined.Full || ids(joined) != want {
		t.Errorf("after joining Wehl: full %v, tasks %s; want a full sync of %s", joined.Full, ids(joined), want)
	}
	if err := env.DB.Exec(`DELETE FROM worker_teams WHERE worker_id = ? AND team_id = (SELECT id FROM teams WHERE code = 'doetinchem-oosseld')`, p.worker.ID).Error; err != nil {
		t.Fatal(err)
	}
	left := sync(joined.Cursor)
	if !left.Full || ids(left) != fmt.Sprint(theirs) {
		t.Errorf("after leaving Oosseld: full %v, tasks %s; want a full sync of %d", left.Full, ids(left), theirs)
	}
	// With no change, a delta from the new cursor stays a delta.
	var same taskList
	p.do(t, "GET", "/mobile/v1/tasks?since="+left.Cursor, nil).JSON(t, &same)
	if same.Full {
		t.Errorf("no change, yet a full sync")
	}
	// A cursor from before cursors named their teams gets a full sync too.
	old, _, _ := strings.Cut(left.Cursor, "t")
	var fromOld taskList
	if res := p.do(t, "GET", "/mobile/v1/tasks?since="+old, nil); res.Status != 200 {
		t.Errorf("old cursor = %d %s", res.Status, res.Body)
	} else if res.JSON(t, &fromOld); !fromOld.Full {
		t.Errorf("old cursor: not a full sync")
	}
}

func TestTaskActions(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	path := fmt.Sprintf("/mobile/v1/tasks/%d/", jobID)

	res := p.do(t, "POST", path+"accept", nil, "Idempotency-Key", "a1", "If-Match", `"1"`)
	if res.Status != 200 || res.Map(t)["version"] != float64(2) || res.Map(t)["status"] != "accepted" {
		t.Fatalf("accept = %d %s", res.Status, res.Body)
	}
	// A replay returns the first answer.
	replay := p.do(t, "POST", path+"accept", nil, "Idempotency-Key", "a1", "If-Match", `"1"`)
	if replay.Status != 200 || replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.Body, res.Body) {
		t.Errorf("replay = %d %s", replay.Status, replay.Body)
	}
	// So does a retry after the worker joined another team (their phone's first answer
	// was lost): what the server knows of the worker is not part of the request.
	if err := env.DB.Exec(`INSERT INTO worker_teams (worker_id, team_id) SELECT ?, id FROM teams WHERE code = 'doetinchem-wehl'`, p.worker.ID).Error; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ { // the credential cache hears of the change within milliseconds
		time.Sleep(100 * time.Millisecond)
		if again := p.do(t, "POST", path+"accept", nil, "Idempotency-Key", "a1", "If-Match", `"1"`); again.Status != 200 || !bytes.Equal(again.Body, res.Body) {
			t.Fatalf("replay after a team change = %d %s", again.Status, again.Body)
		}
	}
	// A stale version gives 409 with the current task.
	stale := p.do(t, "POST", path+"start", nil, "Idempotency-Key", "s0", "If-Match", "1")
	if stale.Status != 409 || stale.Map(t)["type"] != "/problems/stale-version" {
		t.Errorf("stale = %d %s", stale.Status, stale.Body)
	}
	if cur, _ := stale.Map(t)["current"].(map[string]any); cur == nil || cur["version"] != float64(2) {
		t.Errorf("stale answer lacks the current task: %s", stale.Body)
	}
	// An action that does not fit the state.
	// It comes with the task as it is now, and says its status in words.
	if res := p.do(t, "POST", path+"accept", nil, "Idempotency-Key", "a2", "If-Match", "2"); res.Status != 409 || res.Map(t)["type"] != "/problems/invalid-transition" {
		t.Errorf("accept twice = %d %s", res.Status, res.Body)
	} else if cur, _ := res.Map(t)["current"].(map[string]any); cur == nil || cur["status"] != "accepted" || cur["version"] != float64(2) ||
		!strings.Contains(res.Map(t)["detail"].(string), "“Ingepland”") {
		t.Errorf("accept twice: %s", res.Body)
	}
	for _, tt := range []struct {
		name    string
		headers []string
		body    any
		status  int
	}{
		{"no if-match", []string{"Idempotency-Key", "x1"}, nil, 428},
		{"no key", []string{"If-Match", "2"}, nil, 422},
		{"bad reason", []string{"Idempotency-Key", "x2", "If-Match", "2"}, map[string]any{"reason": "zin"}, 422},
	} {
		action := "start"
		if tt.name == "bad reason" {
			action = "cannot-complete"
		}
		if res := p.do(t, "POST", path+action, tt.body, tt.headers...); res.Status != tt.status {
			t.Errorf("%s = %d %s", tt.name, res.Status, res.Body)
		}
	}
	if res := p.do(t, "POST", path+"start", nil, "Idempotency-Key", "s1", "If-Match", "2"); res.Status != 200 {
		t.Fatalf("start = %d %s", res.Status, res.Body)
	}
	// Hours for someone outside the team are refused; for the team they are kept.
	if res := p.do(t, "POST", path+"complete", map[string]any{"hours": []map[string]any{{"worker_id": 999999, "hours": 1}}},
		"Idempotency-Key", "c0", "If-Match", "3"); res.Status != 422 {
		t.Errorf("hours of a stranger = %d %s", res.Status, res.Body)
	}
	res = p.do(t, "POST", path+"complete", map[string]any{"note": "Opgeruimd", "hours": []map[string]any{{"worker_id": p.worker.ID, "hours": 1.5}}},
		"Idempotency-Key", "c1", "If-Match", "3")
	if res.Status != 200 || res.Map(t)["status"] != "done" {
		t.Fatalf("complete = %d %s", res.Status, res.Body)
	}
	var hours float64
	env.DB.Raw(`SELECT sum(hours) FROM job_hours WHERE job_id = ?`, jobID).Scan(&hours)
	if hours != 1.5 {
		t.Errorf("hours = %v", hours)
	}
	var events []string
	env.DB.Raw(`SELECT action FROM audit_events WHERE job_id = ? ORDER BY id`, jobID).Scan(&events)
	if strings.Join(events, ",") != "created,accept,start,complete" {
		t.Errorf("audit = %v", events)
	}
	// The resident's tracking page shows it is done.
	var code string
	env.DB.Raw(`SELECT tracking_code FROM reports WHERE job_id = ?`, jobID).Scan(&code)
	if m := env.Do(t, "GET", "/api/v1/reports/"+code, nil).Map(t); m["status"] != "done" {
		t.Errorf("tracking = %v", m)
	}
	// Another team cannot touch it.
	other := pairPhone(t, env, "doetinchem-wehl", worker.Specialist)
	if res := other.do(t, "POST", path+"accept", nil, "Idempotency-Key", "o1", "If-Match", "4"); res.Status != 404 {
		t.Errorf("other team = %d", res.Status)
	}
}

// A phone that was offline replays its queue: every action twice, the second time out of
// order. The end state is right and nothing is doubled.
func TestReplayQueuedActions(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	type act struct {
		path, key, version string
		body               any
	}
	var queue []act
	var jobs []int64
	for i := 0; i < 5; i++ {
		id := report(t, env, "afval.zwerfvuil", oosseld[0]+float64(i)*0.001, oosseld[1])
		jobs = append(jobs, id)
		base := fmt.Sprintf("/mobile/v1/tasks/%d/", id)
		queue = append(queue,
			act{base + "accept", fmt.Sprintf("k%d-1", i), "1", nil},
			act{base + "start", fmt.Sprintf("k%d-2", i), "2", nil},
			act{base + "complete", fmt.Sprintf("k%d-3", i), "3", map[string]any{"hours": []map[string]any{{"worker_id": p.worker.ID, "hours": 2}}}},
		)
	}
	// Five more actions that conflict: stale versions.
	for i := 0; i < 5; i++ {
		queue = append(queue, act{fmt.Sprintf("/mobile/v1/tasks/%d/start", jobs[i]), fmt.Sprintf("late%d", i), "1", nil})
	}
	send := func(a act) *apptest.Response {
		return p.do(t, "POST", a.path, a.body, "Idempotency-Key", a.key, "If-Match", a.version)
	}
	first := map[string]int{}
	for _, a := range queue {
		first[a.key] = send(a).Status
	}
	shuffled := append([]act{}, queue...)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, a := range shuffled {
		res := send(a)
		if strings.HasPrefix(a.key, "late") {
			if res.Status != 409 {
				t.Errorf("%s: %d, want 409", a.key, res.Status)
			}
			continue
		}
		if res.Status != first[a.key] || res.Status != 200 {
			t.Errorf("%s: first %d, replay %d %s", a.key, first[a.key], res.Status, res.Body)
		}
	}
	var st struct {
		Done, Hours, Events int64
	}
	env.DB.Raw(`SELECT (SELECT count(*) FROM jobs WHERE status = 'done') AS done,
		(SELECT count(*) FROM job_hours) AS hours,
		(SELECT count(*) FROM audit_events) AS events`).Scan(&st)
	if st.Done != 5 || st.Hours != 5 || st.Events != 5*4 {
		t.Errorf("state = %+v, want 5 done, 5 hour rows, 20 events", st)
	}
}

func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 100, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func upload(t *testing.T, p *phone, jobID int64, kind string, data []byte) *apptest.Response {
	t.Helper()
	return uploadForm(t, p, jobID, []string{kind}, [][]byte{data})
}

// uploadForm posts a photo form with the kind fields and photos given.
func uploadForm(t *testing.T, p *phone, jobID int64, kinds []string, photos [][]byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, k := range kinds {
		mw.WriteField("kind", k)
	}
	for _, data := range photos {
		fw, _ := mw.CreateFormFile("photo", "foto.jpg")
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/mobile/v1/tasks/%d/photos", p.env.URL, jobID), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+p.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(res.Body)
	return &apptest.Response{Status: res.StatusCode, Header: res.Header, Body: b.Bytes()}
}

func TestPhotos(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	img := jpegBytes(t, 64, 48)

	res := upload(t, p, jobID, "after", img)
	if res.Status != 201 {
		t.Fatalf("upload = %d %s", res.Status, res.Body)
	}
	hash, _ := res.Map(t)["hash"].(string)
	if res := upload(t, p, jobID, "after", img); res.Status != 201 || res.Map(t)["hash"] != hash {
		t.Errorf("same photo again = %d %s", res.Status, res.Body)
	}
	var n int64
	env.DB.Raw(`SELECT count(*) FROM job_photos WHERE job_id = ?`, jobID).Scan(&n)
	if n != 1 {
		t.Errorf("%d photo rows, want 1", n)
	}
	for _, tt := range []struct {
		name   string
		kind   string
		data   []byte
		status int
	}{
		{"not an image", "after", []byte("hello, this is text"), 415},
		{"truncated", "after", img[:len(img)/2], 422},
		{"bad kind", "during", img, 422},
	} {
		if res := upload(t, p, jobID, tt.kind, tt.data); res.Status != tt.status {
			t.Errorf("%s = %d %s", tt.name, res.Status, res.Body)
		}
	}
	// One kind and one photo per upload, said plainly.
	if res := uploadForm(t, p, jobID, []string{"before", "after"}, [][]byte{img}); res.Status != 422 || !strings.Contains(string(res.Body), "Stuur ieder veld één keer.") {
		t.Errorf("two kinds = %d %s", res.Status, res.Body)
	}
	if res := uploadForm(t, p, jobID, []string{"after"}, [][]byte{img, img}); res.Status != 422 || !strings.Contains(string(res.Body), "Stuur één foto.") {
		t.Errorf("two photos = %d %s", res.Status, res.Body)
	}
	res = p.do(t, "GET", "/mobile/v1/photos/"+hash, nil)
	if res.Status != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("get photo = %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	other := pairPhone(t, env, "doetinchem-wehl", worker.Specialist)
	if res := other.do(t, "GET", "/mobile/v1/photos/"+hash, nil); res.Status != 404 {
		t.Errorf("other team's photo = %d", res.Status)
	}
	if res := upload(t, other, jobID, "after", img); res.Status != 404 {
		t.Errorf("other team's upload = %d", res.Status)
	}
	defer func() {
		// A photo for a task that moved to another team while the phone was offline, which
		// that team has begun, is a conflict with the task marked removed, as an action
		// is: the phone drops it. (Before that team begins, it is kept: late_test.go.)
		env.DB.Exec(`UPDATE jobs SET team_id = (SELECT id FROM teams WHERE code = 'doetinchem-wehl'), status = 'in_progress' WHERE id = ?`, jobID)
		res := upload(t, p, jobID, "before", jpegBytes(t, 32, 24))
		if cur, _ := res.Map(t)["current"].(map[string]any); res.Status != 409 || cur == nil || cur["removed"] != true {
			t.Errorf("photo for a task that moved away = %d %s", res.Status, res.Body)
		}
	}()
	// The task lists its photo.
	var tl taskList
	p.do(t, "GET", "/mobile/v1/tasks", nil).JSON(t, &tl)
	if len(tl.Tasks) != 1 || len(tl.Tasks[0].Photos) != 1 || tl.Tasks[0].Photos[0].Kind != "after" {
		t.Errorf("tasks = %+v", tl.Tasks)
	}
}
