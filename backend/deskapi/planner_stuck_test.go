package deskapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/worker"
)

// stuckList is the answer of GET planner/cannot-complete.
type stuckList struct {
	Jobs []struct {
		ID             int64     `json:"id"`
		Version        int       `json:"version"`
		Status         string    `json:"status"`
		Category       string    `json:"category"`
		CategoryNameNL string    `json:"category_name_nl"`
		TeamID         *int64    `json:"team_id"`
		TeamName       string    `json:"team_name"`
		AreaName       string    `json:"area_name"`
		Reason         string    `json:"reason"`
		ReasonText     string    `json:"reason_text"`
		ReportedBy     *int64    `json:"reported_by"`
		ReportedByName string    `json:"reported_by_name"`
		WaitingSince   time.Time `json:"waiting_since"`
		WaitingDays    int       `json:"waiting_days"`
	} `json:"jobs"`
	Count     int  `json:"count"`
	Truncated bool `json:"truncated"`
}

func (l stuckList) ids() []int64 {
	out := []int64{}
	for _, j := range l.Jobs {
		out = append(out, j.ID)
	}
	return out
}

func closePath(id int64) string { return fmt.Sprintf("/api/v1/planner/jobs/%d/close", id) }

// TestCannotComplete follows jobs a crew could not complete through the desk: they are
// counted on the board, listed with the crew's reason (oldest first, filtered like the
// other lists), and leave the list when a planner closes them or sends them back to work.
func TestCannotComplete(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	zevenaar := signIn(t, env, "planner@zevenaar.nl", access.Planner, "GM0299")
	oosseld, wehl := teamID(t, env, "doetinchem-oosseld"), teamID(t, env, "doetinchem-wehl")
	crew := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	today := amsterdamToday()

	list := func(t *testing.T, d *desk, query string) stuckList {
		t.Helper()
		res := d.do(t, "GET", "/api/v1/planner/cannot-complete"+query, nil)
		if res.Status != 200 || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("cannot-complete%s = %d %s", query, res.Status, res.Body)
		}
		var l stuckList
		res.JSON(t, &l)
		if l.Count != len(l.Jobs) {
			t.Errorf("count %d for %d jobs", l.Count, len(l.Jobs))
		}
		return l
	}
	boardCount := func(t *testing.T) (total, team int) {
		t.Helper()
		res := planner.do(t, "GET", "/api/v1/planner/board", nil)
		if res.Status != 200 {
			t.Fatalf("board = %d %s", res.Status, res.Body)
		}
		var b struct {
			Teams []struct {
				ID             int64 `json:"id"`
				OpenJobs       int   `json:"open_jobs"`
				CannotComplete int   `json:"cannot_complete"`
			} `json:"teams"`
			Total struct {
				CannotComplete int `json:"cannot_complete"`
			} `json:"total"`
		}
		res.JSON(t, &b)
		for _, x := range b.Teams {
			if x.ID == oosseld {
				team = x.CannotComplete
			}
		}
		return b.Total.CannotComplete, team
	}
	// crewGivesUp has the crew say through its phone that job id could not be done.
	crewGivesUp := func(t *testing.T, id int64, version int, reason, text string) {
		t.Helper()
		res := crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/cannot-complete", id), map[string]any{"reason": reason, "text": text},
			"Idempotency-Key", fmt.Sprintf("cc-%d-%d", id, version), "If-Match", fmt.Sprint(version))
		if res.Status != 200 {
			t.Fatalf("cannot-complete = %d %s", res.Status, res.Body)
		}
	}

	if got := list(t, planner, ""); len(got.Jobs) != 0 || got.Truncated {
		t.Fatalf("list before = %+v", got)
	}
	// One the crew gives up on now, through the phone; one that has waited three days.
	fresh := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", today.AddDate(0, 0, 2))
	crewGivesUp(t, fresh, 1, "needs_specialist", "Er ligt asbest")
	old := newJob(t, env, "afval.zwerfvuil", "BU02220302", "doetinchem-oosseld", "cannot_complete", today.AddDate(0, 0, -5))
	env.DB.Exec(`UPDATE jobs SET reason = 'already_fixed', closed_at = now() - interval '3 days' WHERE id = ?`, old)
	// Not waiting for the desk: open, done, or in Zevenaar (for the Zevenaar planner only).
	newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", today.AddDate(0, 0, -2))
	newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "done", today)
	elsewhere := newJob(t, env, "afval.zwerfvuil", "GM0299", "", "cannot_complete", today)
	env.DB.Exec(`UPDATE jobs SET reason = 'no_access', closed_at = now() WHERE id = ?`, elsewhere)

	l := list(t, planner, "")
	if fmt.Sprint(l.ids()) != fmt.Sprint([]int64{old, fresh}) || l.Truncated {
		t.Fatalf("list = %v, want the longest waiting first [%d %d]", l.ids(), old, fresh)
	}
	o, f := l.Jobs[0], l.Jobs[1]
	if o.Reason != "already_fixed" || o.WaitingDays != 3 || o.ReportedBy != nil || o.Status != "cannot_complete" || o.AreaName == "" {
		t.Errorf("old job = %+v", o)
	}
	if f.Reason != "needs_specialist" || f.ReasonText != "Er ligt asbest" || f.WaitingDays != 0 ||
		f.ReportedBy == nil || *f.ReportedBy != crew.workerID || f.ReportedByName != "Crew doetinchem-oosseld specialist" ||
		f.TeamID == nil || *f.TeamID != oosseld || f.TeamName != "Ploeg Oosseld" || f.Category != "afval.zwerfvuil" ||
		f.CategoryNameNL == "" || f.Version != 2 || time.Since(f.WaitingSince) > time.Minute {
		t.Errorf("fresh job = %+v", f)
	}
	if got := list(t, zevenaar, ""); fmt.Sprint(got.ids()) != fmt.Sprint([]int64{elsewhere}) {
		t.Errorf("Zevenaar's list = %v, want [%d]", got.ids(), elsewhere)
	}
	if total, team := boardCount(t); total != 2 || team != 2 {
		t.Errorf("board counts %d (team %d), want 2", total, team)
	}

	// Filters and pages, as the other lists.
	filters := []struct {
		query string
		want  []int64
		trunc bool
	}{
		{fmt.Sprintf("?team_id=%d", oosseld), []int64{old, fresh}, false},
		{fmt.Sprintf("?team_id=%d", wehl), []int64{}, false},
		{"?reason=needs_specialist", []int64{fresh}, false},
		{"?reason=not_ours", []int64{}, false},
		{"?limit=1", []int64{old}, true},
		{"?limit=2", []int64{old, fresh}, false},
	}
	for _, tt := range filters {
		t.Run("filter"+tt.query, func(t *testing.T) {
			got := list(t, planner, tt.query)
			if fmt.Sprint(got.ids()) != fmt.Sprint(tt.want) || got.Truncated != tt.trunc {
				t.Errorf("= %v truncated %v, want %v %v", got.ids(), got.Truncated, tt.want, tt.trunc)
			}
		})
	}
	for _, q := range []string{"?team_id=x", "?reason=lazy", "?limit=0", fmt.Sprintf("?limit=%d", 100000)} {
		res := planner.do(t, "GET", "/api/v1/planner/cannot-complete"+q, nil)
		if res.Status != 422 || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s = %d %s %s", q, res.Status, res.Header.Get("Content-Type"), res.Body)
		}
	}

	// Closing: If-Match is needed and must be current.
	if res := planner.do(t, "POST", closePath(old), map[string]any{"note": "Klopt"}); res.Status != 428 {
		t.Errorf("close without If-Match = %d %s", res.Status, res.Body)
	}
	res := planner.do(t, "POST", closePath(old), map[string]any{"note": "Klopt"}, "If-Match", "7")
	if res.Status != 409 || res.Map(t)["type"] != "/problems/stale-version" {
		t.Errorf("stale close = %d %s", res.Status, res.Body)
	}
	if res := zevenaar.do(t, "POST", closePath(old), nil, "If-Match", "1"); res.Status != 404 {
		t.Errorf("close by another municipality = %d %s", res.Status, res.Body)
	}
	if res := planner.do(t, "POST", closePath(old), map[string]any{"note": strings.Repeat("x", 501)}, "If-Match", "1"); res.Status != 422 {
		t.Errorf("close with a long note = %d %s", res.Status, res.Body)
	}
	res = planner.do(t, "POST", closePath(old), map[string]any{"note": "Bewoner heeft het zelf opgeruimd"}, "If-Match", `"1"`)
	if res.Status != 200 || res.Header.Get("ETag") != `"2"` {
		t.Fatalf("close = %d %s", res.Status, res.Body)
	}
	if m := res.Map(t); m["status"] != "cannot_complete" || m["version"] != float64(2) {
		t.Errorf("closed job = %s", res.Body)
	}
	var ev struct{ Actor, Action, FromStatus, ToStatus, Reason string }
	env.DB.Raw(`SELECT actor, action, from_status, to_status, detail->>'reason' AS reason
FROM audit_events WHERE job_id = ? ORDER BY id DESC LIMIT 1`, old).Scan(&ev)
	if ev.Actor != fmt.Sprintf("desk:%d", planner.id) || ev.Action != "close" || ev.FromStatus != "cannot_complete" ||
		ev.ToStatus != "cannot_complete" || ev.Reason != "Bewoner heeft het zelf opgeruimd" {
		t.Errorf("audit event = %+v", ev)
	}
	if got := list(t, planner, ""); fmt.Sprint(got.ids()) != fmt.Sprint([]int64{fresh}) {
		t.Errorf("list after close = %v", got.ids())
	}
	if total, _ := boardCount(t); total != 1 {
		t.Errorf("board counts %d after close, want 1", total)
	}
	// Closed once is closed; only a job the crew could not complete can be closed.
	res = planner.do(t, "POST", closePath(old), nil, "If-Match", "2")
	if res.Status != 409 || res.Map(t)["type"] != "/problems/invalid-transition" {
		t.Errorf("close again = %d %s", res.Status, res.Body)
	}
	open := newJob(t, env, "afval.zwerfvuil", "BU02220301", "doetinchem-oosseld", "assigned", today)
	res = planner.do(t, "POST", closePath(open), nil, "If-Match", "1")
	if res.Status != 409 || res.Map(t)["type"] != "/problems/invalid-transition" {
		t.Errorf("close an assigned job = %d %s", res.Status, res.Body)
	}
	// The history shows who closed it and why.
	res = planner.do(t, "GET", fmt.Sprintf("/api/v1/planner/jobs/%d", old), nil)
	if body := string(res.Body); res.Status != 200 || !strings.Contains(body, `"action":"close"`) || !strings.Contains(body, "zelf opgeruimd") {
		t.Errorf("detail after close = %d %s", res.Status, body)
	}

	// Back to work, from the list: reassigned to the same team, now with a specialist.
	res = planner.do(t, "POST", reassignPath(fresh), map[string]any{"team_id": oosseld, "reason": "Specialist gaat mee"}, "If-Match", "2")
	if res.Status != 200 || res.Map(t)["status"] != "assigned" {
		t.Fatalf("reassign from the list = %d %s", res.Status, res.Body)
	}
	if got := list(t, planner, ""); len(got.Jobs) != 0 {
		t.Errorf("list after reassign = %v", got.ids())
	}
	// A closed job can still go back to work; if the crew then gives up again, it waits
	// for the desk again.
	res = planner.do(t, "POST", reassignPath(old), map[string]any{"team_id": oosseld, "reason": "Toch nog kijken"}, "If-Match", "2")
	if res.Status != 200 {
		t.Fatalf("reassign a closed job = %d %s", res.Status, res.Body)
	}
	crewGivesUp(t, old, 3, "other", "Auto staat erop")
	if got := list(t, planner, ""); fmt.Sprint(got.ids()) != fmt.Sprint([]int64{old}) || got.Jobs[0].ReasonText != "Auto staat erop" {
		t.Errorf("list after the crew gave up again = %+v", got)
	}
	if total, team := boardCount(t); total != 1 || team != 1 {
		t.Errorf("board counts %d (team %d) at the end, want 1", total, team)
	}
}

// A resident who heard their report could not be done hears it is tried again when a
// planner sends the work back to a crew; a move of other work tells residents nothing.
func TestSentBackToWorkTellsResidents(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	oosseld := teamID(t, env, "doetinchem-oosseld")
	crew := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	var pt struct{ Lon, Lat float64 }
	env.DB.Raw(`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas WHERE code = 'BU02220301') s`).Scan(&pt)
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{"category": "wegen.tegel",
		"location": map[string]any{"type": "Point", "coordinates": []float64{pt.Lon, pt.Lat}},
		"contact":  map[string]any{"wants_updates": true, "app_token": "resident-app-1", "email": "back-to-work@example.org"}})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	var rc struct {
		JobID int64 `json:"job_id"`
	}
	res.JSON(t, &rc)
	version := func() (v int) {
		env.DB.Raw(`SELECT version FROM jobs WHERE id = ?`, rc.JobID).Scan(&v)
		return v
	}
	residentPushes := func() []string {
		var kinds []string
		env.DB.Raw(`SELECT kind FROM push_outbox WHERE job_id = ? AND 'resident-app-1' = ANY(tokens) ORDER BY id`, rc.JobID).Scan(&kinds)
		return kinds
	}

	res = crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/cannot-complete", rc.JobID), map[string]any{"reason": "needs_specialist"},
		"Idempotency-Key", "cc-retry-1", "If-Match", fmt.Sprint(version()))
	if res.Status != 200 {
		t.Fatalf("cannot-complete = %d %s", res.Status, res.Body)
	}
	res = planner.do(t, "POST", fmt.Sprintf("/api/v1/planner/jobs/%d/reassign", rc.JobID), map[string]any{"team_id": oosseld, "reason": "Specialist gaat mee"},
		"If-Match", fmt.Sprint(version()))
	if res.Status != 200 {
		t.Fatalf("reassign = %d %s", res.Status, res.Body)
	}
	if got := strings.Join(residentPushes(), ","); got != "not_possible,retry" {
		t.Errorf("resident pushes = %s, want not_possible,retry", got)
	}
	var title, body string
	env.DB.Raw(`SELECT title_nl, body_nl FROM push_outbox WHERE job_id = ? AND kind = 'retry'`, rc.JobID).Row().Scan(&title, &body)
	if title != "Over uw melding" || !strings.HasPrefix(body, "We proberen het opnieuw.") {
		t.Errorf("retry push = %q / %q", title, body)
	}

	// Moving the work again, now it is assigned, is no news for the resident.
	wehl := teamID(t, env, "doetinchem-wehl")
	pairPhone(t, env, "doetinchem-wehl", worker.Specialist, "")
	res = planner.do(t, "POST", fmt.Sprintf("/api/v1/planner/jobs/%d/reassign", rc.JobID), map[string]any{"team_id": wehl, "reason": "Wehl heeft tijd"},
		"If-Match", fmt.Sprint(version()))
	if res.Status != 200 {
		t.Fatalf("second reassign = %d %s", res.Status, res.Body)
	}
	if got := strings.Join(residentPushes(), ","); got != "not_possible,retry" {
		t.Errorf("resident pushes after a move = %s, want no more", got)
	}
	// The resident gave an e-mail address too: the same two pieces of news go by mail.
	var mails []string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mails = mails[:0]
		for _, m := range env.SMTP.Messages() {
			mails = append(mails, m.Subject+" | "+strings.SplitN(m.Body, "\n", 2)[0])
		}
		if len(mails) >= 2 {
			break
		}
	}
	slices.Sort(mails) // one batch may send both at once
	if got := strings.Join(mails, "; "); got != "Over uw melding | Het lukte de ploeg niet om dit op te lossen. Reden: Er is een specialist nodig.; "+
		"Over uw melding | We proberen het opnieuw. Een ploeg gaat het oppakken." {
		t.Errorf("mails = %s", got)
	}
}
