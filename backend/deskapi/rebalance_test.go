package deskapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/deskapi"
	"wijkwerk/backend/job"
	"wijkwerk/backend/push/fakefcm"
	"wijkwerk/backend/worker"
)

// startRebalance starts an instance with the rebalance routes, unless app.go already
// registers them.
func startRebalance(t testing.TB) *apptest.Env {
	t.Helper()
	env := apptest.Start(t)
	if e, ok := env.App.Handler().(*echo.Echo); ok {
		for _, r := range e.Routes() {
			if r.Path == "/api/v1/planner/rebalance" {
				return env
			}
		}
	}
	deskapi.RegisterRebalance(env.App.Desk, env.App.DB, job.Updates{PushTTL: app.DefaultPushTTL})
	return env
}

// addJobs inserts n jobs of category for the team, spread over the neighbourhoods of
// the district with districtCode, and returns their ids.
func addJobs(t testing.TB, env *apptest.Env, n int, category, districtCode, teamCode, status string) []int64 {
	t.Helper()
	var ids []int64
	err := env.DB.Raw(`
WITH b AS (
  SELECT a.id, a.geom, row_number() OVER (ORDER BY a.code) - 1 AS k, count(*) OVER () AS nb
  FROM areas a JOIN areas d ON d.id = a.parent_id WHERE d.code = ?)
INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes)
SELECT c.code, (ST_Dump(ST_GeneratePoints(b.geom, 1, i))).geom, b.id, (SELECT id FROM teams WHERE code = ?), ?, ?, c.effort_minutes
FROM generate_series(1, ?) i JOIN b ON b.k = i % b.nb, categories c
WHERE c.code = ?
RETURNING id`, districtCode, teamCode, status, amsterdamToday().AddDate(0, 0, 3).Format(time.DateOnly), n, category).
		Scan(&ids).Error
	if err != nil || len(ids) != n {
		t.Fatalf("add jobs: %v (%d of %d)", err, len(ids), n)
	}
	return ids
}

type rebalanceMove struct {
	JobID       int64   `json:"job_id"`
	Version     int     `json:"version"`
	FromTeam    int64   `json:"from_team"`
	ToTeam      int64   `json:"to_team"`
	EffortHours float64 `json:"effort_hours"`
	TravelKm    float64 `json:"travel_km"`
	Adjacent    bool    `json:"adjacent"`
	Reason      string  `json:"reason"`
}

type rebalanceTeam struct {
	TeamID        int64    `json:"team_id"`
	Code          string   `json:"code"`
	CapacityHours float64  `json:"capacity_hours"`
	LoadHours     float64  `json:"load_hours"`
	Utilisation   *float64 `json:"utilisation"`
}

type rebalanceProposal struct {
	ID         int64           `json:"id"`
	Week       string          `json:"week"`
	Moves      []rebalanceMove `json:"moves"`
	Before     []rebalanceTeam `json:"before"`
	After      []rebalanceTeam `json:"after"`
	MaxBefore  *float64        `json:"max_before"`
	MaxAfter   *float64        `json:"max_after"`
	LowerBound *float64        `json:"lower_bound"`
}

func propose(t *testing.T, d *desk, body any) rebalanceProposal {
	t.Helper()
	res := d.do(t, "POST", "/api/v1/planner/rebalance", body)
	if res.Status != 200 {
		t.Fatalf("rebalance = %d %s", res.Status, res.Body)
	}
	var p rebalanceProposal
	res.JSON(t, &p)
	return p
}

func teamOf(p []rebalanceTeam, id int64) rebalanceTeam {
	for _, t := range p {
		if t.TeamID == id {
			return t
		}
	}
	return rebalanceTeam{}
}

// waitFCM waits until the fake FCM holds at least n messages, and a moment longer for
// any that should not come.
func waitFCM(t *testing.T, env *apptest.Env, n int) []fakefcm.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(env.FCM.Messages()) < n && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	return env.FCM.Messages()
}

// TestRebalanceDoetinchem overloads Oosseld's team and checks the whole path: the
// proposal moves work only to teams of neighbouring districts, paired work only to a
// team with a specialist, nothing that a crew has accepted; applying it changes the jobs,
// writes audit events and pushes to both sides; applying again is a conflict.
func TestRebalanceDoetinchem(t *testing.T) {
	env := startRebalance(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	otherPlanner := signIn(t, env, "collega@doetinchem.nl", access.Planner, "GM0222")
	zevenaar := signIn(t, env, "planner@zevenaar.nl", access.Planner, "GM0299")
	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")

	oosseld, centrum, huet, wehl := teamID(t, env, "doetinchem-oosseld"), teamID(t, env, "doetinchem-centrum"),
		teamID(t, env, "doetinchem-de-huet"), teamID(t, env, "doetinchem-wehl")
	// Oosseld (WK022203) borders Centrum and De Huet; Wehl (WK022209) lies far away.
	pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "tok-oosseld")
	pairPhone(t, env, "doetinchem-centrum", worker.Specialist, "tok-centrum")
	newWorker(t, env, "doetinchem-centrum", worker.Trainee, "Trainee Centrum")
	pairPhone(t, env, "doetinchem-de-huet", worker.Trainee, "tok-huet") // no specialist
	for i := range 3 {
		newWorker(t, env, "doetinchem-wehl", worker.Specialist, fmt.Sprint("Specialist Wehl ", i))
	}
	pairPhone(t, env, "doetinchem-wehl", worker.Trainee, "tok-wehl")

	// Oosseld: 20 h weeding (a trainee may do it alone), 15 h mowing (paired), 3 h of
	// paving the crew has accepted and 1 h started: 39 h against 32.
	alone := addJobs(t, env, 20, "groen.onkruid", "WK022203", "doetinchem-oosseld", "assigned")
	paired := addJobs(t, env, 10, "groen.gras", "WK022203", "doetinchem-oosseld", "assigned")
	accepted := addJobs(t, env, 4, "wegen.tegel", "WK022203", "doetinchem-oosseld", "accepted")
	started := addJobs(t, env, 1, "groen.onkruid", "WK022203", "doetinchem-oosseld", "in_progress")
	addJobs(t, env, 10, "groen.onkruid", "WK022201", "doetinchem-centrum", "assigned")
	addJobs(t, env, 5, "groen.onkruid", "WK022205", "doetinchem-de-huet", "assigned")
	// A job the afval team has in Oosseld: another department, it stays there.
	afval := addJobs(t, env, 1, "afval.grofvuil", "WK022203", "doetinchem-afval", "assigned")
	newWorker(t, env, "doetinchem-afval", worker.Specialist, "Specialist Afval")

	t.Run("roles", func(t *testing.T) {
		if res := coach.do(t, "POST", "/api/v1/planner/rebalance", nil); res.Status != 403 {
			t.Errorf("job coach = %d %s", res.Status, res.Body)
		}
		if res := env.Do(t, "POST", "/api/v1/planner/rebalance", nil); res.Status != 401 {
			t.Errorf("without session = %d", res.Status)
		}
		for _, body := range []string{`{"week":"48"}`, `{"week":"2025-W01"}`, `{"max_moves":0}`, `{"max_moves":5000}`, `{"threshold":20}`, `{"threshold":"veel"}`} {
			if res := planner.do(t, "POST", "/api/v1/planner/rebalance", body); res.Status != 422 && res.Status != 400 {
				t.Errorf("%s = %d %s", body, res.Status, res.Body)
			}
		}
		res := zevenaar.do(t, "POST", "/api/v1/planner/rebalance", nil)
		if res.Status != 200 {
			t.Fatalf("Zevenaar = %d %s", res.Status, res.Body)
		}
		for _, w := range []string{"Oosseld", "doetinchem", "Ploeg"} {
			if strings.Contains(string(res.Body), w) {
				t.Errorf("Zevenaar's planner sees %q: %s", w, res.Body)
			}
		}
		var p rebalanceProposal
		res.JSON(t, &p)
		if len(p.Moves) != 0 || len(p.Before) != 0 {
			t.Errorf("Zevenaar's proposal = %+v", p)
		}
	})

	p := propose(t, planner, map[string]any{})
	if len(p.Moves) == 0 {
		t.Fatalf("no moves: %+v", p)
	}
	before := teamOf(p.Before, oosseld)
	if before.CapacityHours != 32 || before.LoadHours < 39-1e-9 || before.LoadHours > 39+1e-9 {
		t.Errorf("Oosseld before = %+v, want 39 h of 32", before)
	}
	if len(p.Before) != 13 || len(p.After) != 13 {
		t.Errorf("%d/%d teams before/after, want Doetinchem's 13", len(p.Before), len(p.After))
	}
	if after := teamOf(p.After, oosseld); after.Utilisation == nil || *after.Utilisation > 1 {
		t.Errorf("Oosseld after = %+v, want at most 100%%", after)
	}
	if p.MaxAfter == nil || p.MaxBefore == nil || p.LowerBound == nil || *p.MaxAfter > *p.MaxBefore || *p.LowerBound > *p.MaxAfter+1e-4 {
		t.Errorf("max before %v, after %v, bound %v", p.MaxBefore, p.MaxAfter, p.LowerBound)
	}
	t.Logf("proposal %d: %d moves, max %.3f → %.3f, lower bound %.3f", p.ID, len(p.Moves), *p.MaxBefore, *p.MaxAfter, *p.LowerBound)
	for _, m := range p.Moves {
		switch {
		case m.FromTeam != oosseld:
			t.Errorf("move from team %d: %+v", m.FromTeam, m)
		case m.ToTeam != centrum && m.ToTeam != huet:
			t.Errorf("move to team %d, not a neighbour with room: %+v", m.ToTeam, m)
		case slices.Contains(paired, m.JobID) && m.ToTeam != centrum:
			t.Errorf("paired job %d to a team without a specialist", m.JobID)
		case !slices.Contains(alone, m.JobID) && !slices.Contains(paired, m.JobID):
			t.Errorf("job %d may not move (accepted, started or another department)", m.JobID)
		case !m.Adjacent || !strings.HasPrefix(m.Reason, "Ploeg Oosseld heeft te veel werk"):
			t.Errorf("move %+v", m)
		}
		if m.ToTeam == wehl {
			t.Errorf("job %d to Wehl, which is not next to Oosseld", m.JobID)
		}
	}

	// A planner of two districts sees their two teams only, and moves work only between them.
	t.Run("district scope", func(t *testing.T) {
		d := signIn(t, env, "wijken@doetinchem.nl", access.Planner, "WK022203", "WK022201")
		res := d.do(t, "POST", "/api/v1/planner/rebalance", nil)
		if res.Status != 200 {
			t.Fatalf("rebalance = %d %s", res.Status, res.Body)
		}
		for _, w := range []string{"De Huet", "Wehl", "Afval", "Stedelijk"} {
			if strings.Contains(string(res.Body), w) {
				t.Errorf("district planner sees %q: %s", w, res.Body)
			}
		}
		var dp rebalanceProposal
		res.JSON(t, &dp)
		if len(dp.Before) != 2 || teamOf(dp.Before, oosseld).TeamID == 0 || teamOf(dp.Before, centrum).TeamID == 0 {
			t.Errorf("district planner's teams = %+v", dp.Before)
		}
		if len(dp.Moves) == 0 {
			t.Error("no moves within the two districts")
		}
		for _, m := range dp.Moves {
			if m.FromTeam != oosseld || m.ToTeam != centrum {
				t.Errorf("district planner's move %+v", m)
			}
		}
	})

	// Only the planner who asked (or an admin) may apply it; for others it does not exist.
	for name, d := range map[string]*desk{"Zevenaar": zevenaar, "colleague": otherPlanner} {
		if res := d.do(t, "POST", fmt.Sprintf("/api/v1/planner/rebalance/%d/apply", p.ID), nil); res.Status != 404 {
			t.Errorf("%s applies = %d %s", name, res.Status, res.Body)
		}
	}
	if res := coach.do(t, "POST", fmt.Sprintf("/api/v1/planner/rebalance/%d/apply", p.ID), nil); res.Status != 403 {
		t.Errorf("job coach applies = %d", res.Status)
	}
	if res := planner.do(t, "POST", "/api/v1/planner/rebalance/x/apply", nil); res.Status != 404 {
		t.Errorf("apply x = %d", res.Status)
	}

	// A proposal of a week that has ended meanwhile (made on a Friday, applied on Monday)
	// is refused as proposing one is.
	var week string
	env.DB.Raw(`SELECT week FROM rebalance_proposals WHERE id = ?`, p.ID).Scan(&week)
	env.DB.Exec(`UPDATE rebalance_proposals SET week = '2025-W01' WHERE id = ?`, p.ID)
	if res := planner.do(t, "POST", fmt.Sprintf("/api/v1/planner/rebalance/%d/apply", p.ID), nil); res.Status != 422 ||
		!strings.Contains(string(res.Body), "Deze week is voorbij") {
		t.Errorf("apply of a past week = %d %s", res.Status, res.Body)
	}
	env.DB.Exec(`UPDATE rebalance_proposals SET week = ? WHERE id = ?`, week, p.ID)

	res := planner.do(t, "POST", fmt.Sprintf("/api/v1/planner/rebalance/%d/apply", p.ID), nil)
	if res.Status != 200 {
		t.Fatalf("apply = %d %s", res.Status, res.Body)
	}
	var applied struct {
		ID    int64 `json:"id"`
		Moves []struct {
			JobID   int64 `json:"job_id"`
			Version int   `json:"version"`
			ToTeam  int64 `json:"to_team"`
		} `json:"moves"`
	}
	res.JSON(t, &applied)
	if len(applied.Moves) != len(p.Moves) {
		t.Fatalf("applied %d of %d moves", len(applied.Moves), len(p.Moves))
	}
	toCentrum, toHuet := 0, 0
	for i, m := range p.Moves {
		var row struct {
			TeamID  int64
			Status  string
			Version int
		}
		env.DB.Raw(`SELECT team_id, status, version FROM jobs WHERE id = ?`, m.JobID).Scan(&row)
		if row.TeamID != m.ToTeam || row.Status != "assigned" || row.Version != m.Version+1 || applied.Moves[i].Version != row.Version {
			t.Errorf("job %d after apply = %+v, move %+v", m.JobID, row, m)
		}
		var ev struct {
			Actor, Action, FromStatus, ToStatus string
			Proposal                            int64
		}
		env.DB.Raw(`SELECT actor, action, from_status, to_status, (detail->>'proposal_id')::bigint AS proposal
FROM audit_events WHERE job_id = ? ORDER BY id DESC LIMIT 1`, m.JobID).Scan(&ev)
		if ev.Actor != fmt.Sprintf("desk:%d", planner.id) || ev.Action != "rebalance" || ev.Proposal != p.ID || ev.ToStatus != "assigned" {
			t.Errorf("audit event of job %d = %+v", m.JobID, ev)
		}
		if m.ToTeam == centrum {
			toCentrum++
		} else {
			toHuet++
		}
	}
	// Nothing else moved: not what the crew accepted or started, nor another department's job.
	for _, id := range slices.Concat(accepted, started, afval) {
		var row struct {
			TeamID  int64
			Version int
		}
		env.DB.Raw(`SELECT team_id, version FROM jobs WHERE id = ?`, id).Scan(&row)
		if row.Version != 1 || (row.TeamID != oosseld && id != afval[0]) {
			t.Errorf("job %d changed: %+v", id, row)
		}
	}

	// One push per team that gained or lost work, to its paired phones.
	wantMsgs := 1 // Oosseld
	if toCentrum > 0 {
		wantMsgs++
	}
	if toHuet > 0 {
		wantMsgs++
	}
	msgs := waitFCM(t, env, wantMsgs)
	got := map[string]fakefcm.Message{}
	for _, m := range msgs {
		if _, dup := got[m.Token]; dup {
			t.Errorf("two pushes to %s", m.Token)
		}
		got[m.Token] = m
	}
	if len(msgs) != wantMsgs {
		t.Errorf("%d pushes, want %d: %+v", len(msgs), wantMsgs, msgs)
	}
	if m := got["tok-oosseld"]; m.Data["kind"] != "reassigned" || m.Notification == nil || !strings.Contains(m.Notification.Body, "naar andere ploegen") {
		t.Errorf("Oosseld's push = %+v", m)
	}
	if toCentrum > 0 {
		if m := got["tok-centrum"]; m.Data["kind"] != "assigned" || m.Notification == nil || !strings.HasPrefix(m.Notification.Title, "Nieuwe ta") {
			t.Errorf("Centrum's push = %+v", m)
		}
	}
	if _, ok := got["tok-wehl"]; ok {
		t.Error("Wehl got a push")
	}

	// Applying again changes nothing.
	res = planner.do(t, "POST", fmt.Sprintf("/api/v1/planner/rebalance/%d/apply", p.ID), nil)
	if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "/problems/conflict") {
		t.Errorf("second apply = %d %s", res.Status, res.Body)
	}
	var events int
	env.DB.Raw(`SELECT count(*) FROM audit_events WHERE action = 'rebalance'`).Scan(&events)
	if events != len(p.Moves) {
		t.Errorf("%d rebalance events after two applies, want %d", events, len(p.Moves))
	}
}

// TestRebalanceStale: when one job of a proposal changed after it was made, applying it
// moves nothing and names the stale job; the same goes for a team that lost its
// specialist, or stopped doing the work. A fresh proposal then applies.
func TestRebalanceStale(t *testing.T) {
	env := startRebalance(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	admin := signIn(t, env, "admin@wijkwerk.nl", access.Admin)
	newWorker(t, env, "doetinchem-oosseld", worker.Specialist, "Specialist Oosseld")
	centrumSpecialist := newWorker(t, env, "doetinchem-centrum", worker.Specialist, "Specialist Centrum")
	newWorker(t, env, "doetinchem-centrum", worker.Trainee, "Trainee Centrum")
	addJobs(t, env, 40, "groen.onkruid", "WK022203", "doetinchem-oosseld", "open")
	paired := addJobs(t, env, 4, "groen.gras", "WK022203", "doetinchem-oosseld", "assigned")

	p := propose(t, planner, map[string]any{"max_moves": 5})
	if len(p.Moves) != 5 {
		t.Fatalf("moves = %+v", p.Moves)
	}
	// The crew accepts the first job in the meantime.
	first := p.Moves[0].JobID
	env.DB.Exec(`UPDATE jobs SET status = 'accepted', version = version + 1 WHERE id = ?`, first)
	stale := func(p rebalanceProposal, wantJobs []int64, wantReason string) string {
		t.Helper()
		res := planner.do(t, "POST", fmt.Sprintf("/api/v1/planner/rebalance/%d/apply", p.ID), nil)
		if res.Status != 409 {
			t.Fatalf("apply stale = %d %s", res.Status, res.Body)
		}
		var body struct {
			Type   string `json:"type"`
			Detail string `json:"detail"`
			Stale  []struct {
				JobID  int64  `json:"job_id"`
				Reason string `json:"reason"`
			} `json:"stale"`
		}
		res.JSON(t, &body)
		var got []int64
		for _, s := range body.Stale {
			if s.Reason != wantReason {
				t.Errorf("job %d is stale for %q, want %q", s.JobID, s.Reason, wantReason)
			}
			got = append(got, s.JobID)
		}
		slices.Sort(got)
		slices.Sort(wantJobs)
		if body.Type != "/problems/stale-version" || !slices.Equal(got, wantJobs) {
			t.Errorf("stale answer = %s, want jobs %v", res.Body, wantJobs)
		}
		for _, m := range p.Moves {
			var team int64
			env.DB.Raw(`SELECT team_id FROM jobs WHERE id = ?`, m.JobID).Scan(&team)
			if team != m.FromTeam {
				t.Errorf("job %d moved although the apply failed", m.JobID)
			}
		}
		var events, pushes int
		env.DB.Raw(`SELECT count(*) FROM audit_events WHERE action = 'rebalance'`).Scan(&events)
		env.DB.Raw(`SELECT count(*) FROM push_outbox`).Scan(&pushes)
		if events != 0 || pushes != 0 {
			t.Errorf("%d audit events and %d pushes after a failed apply", events, pushes)
		}
		return body.Detail
	}
	stale(p, []int64{first}, "changed")

	// Paired work proposed for Centrum; then Centrum's only specialist leaves.
	p = propose(t, planner, map[string]any{"max_moves": 1000})
	var pairedMoves []int64
	for _, m := range p.Moves {
		if slices.Contains(paired, m.JobID) {
			pairedMoves = append(pairedMoves, m.JobID)
		}
	}
	if len(pairedMoves) == 0 {
		t.Fatalf("no paired job in %+v", p.Moves)
	}
	env.DB.Exec(`UPDATE workers SET active = false WHERE id = ?`, centrumSpecialist)
	stale(p, pairedMoves, "specialist")
	env.DB.Exec(`UPDATE workers SET active = true WHERE id = ?`, centrumSpecialist)

	// Centrum stops doing wijkbeheer work after the proposal: its moves to Centrum are
	// refused, as a planner's own move of such a job to Centrum is (the same rule).
	centrum := teamID(t, env, "doetinchem-centrum")
	p = propose(t, planner, map[string]any{"max_moves": 1000})
	var toCentrum []int64
	var one rebalanceMove
	for _, m := range p.Moves {
		if m.ToTeam == centrum {
			toCentrum, one = append(toCentrum, m.JobID), m
		}
	}
	if len(toCentrum) == 0 {
		t.Fatalf("no move to Centrum in %+v", p.Moves)
	}
	env.DB.Exec(`UPDATE team_areas SET department = 'elders' WHERE team_id = ? AND department = 'wijkbeheer'`, centrum)
	if res := planner.do(t, "POST", reassignPath(one.JobID), map[string]any{"team_id": centrum, "reason": "x"},
		"If-Match", fmt.Sprint(one.Version)); res.Status != 422 {
		t.Errorf("reassign to a team that does not do the work = %d %s", res.Status, res.Body)
	}
	stale(p, toCentrum, "gone")
	env.DB.Exec(`UPDATE team_areas SET department = 'wijkbeheer' WHERE team_id = ? AND department = 'elders'`, centrum)

	// The planner gives a job of the proposal a new effort estimate. Its version stays (a
	// crew's pending actions on it stay valid), but the proposal weighed the old effort.
	p = propose(t, planner, map[string]any{"max_moves": 3})
	if len(p.Moves) == 0 {
		t.Fatalf("no moves: %+v", p)
	}
	m := p.Moves[0]
	res := planner.do(t, "PUT", fmt.Sprintf("/api/v1/planner/jobs/%d/effort", m.JobID), map[string]any{"minutes": int(m.EffortHours*60) + 30})
	if res.Status != 200 {
		t.Fatalf("effort = %d %s", res.Status, res.Body)
	}
	var version int
	env.DB.Raw(`SELECT version FROM jobs WHERE id = ?`, m.JobID).Scan(&version)
	if version != m.Version {
		t.Errorf("version after an effort change = %d, want %d", version, m.Version)
	}
	if detail := stale(p, []int64{m.JobID}, "effort"); !strings.Contains(detail, "De geschatte tijd van een werkorder in dit voorstel is veranderd.") {
		t.Errorf("detail = %q", detail)
	}

	// The planner's proposal; an admin may apply it too.
	p = propose(t, planner, map[string]any{"max_moves": 3, "threshold": 0.9, "week": thisWeek()})
	if res := admin.do(t, "POST", fmt.Sprintf("/api/v1/planner/rebalance/%d/apply", p.ID), nil); res.Status != 200 {
		t.Fatalf("admin apply = %d %s", res.Status, res.Body)
	}
}

// thisWeek is the current ISO week, as the board writes it.
func thisWeek() string {
	y, w := amsterdamToday().ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// TestRebalanceCapacityChanged: a worker of a receiving team leaves after the proposal
// was made. With its moves that team would now be past its hours, so applying refuses
// (409, nothing moved) and says in Dutch which team has fewer hours; a fresh proposal
// gives the team only what fits.
func TestRebalanceCapacityChanged(t *testing.T) {
	env := startRebalance(t)
	pl := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	centrum := teamID(t, env, "doetinchem-centrum")
	newWorker(t, env, "doetinchem-oosseld", worker.Specialist, "Specialist Oosseld")
	newWorker(t, env, "doetinchem-centrum", worker.Specialist, "Specialist Centrum")
	trainee := newWorker(t, env, "doetinchem-centrum", worker.Trainee, "Trainee Centrum")
	// Oosseld: 40 h against 32. Centrum: 26 h its crew has accepted, against 64.
	addJobs(t, env, 40, "groen.onkruid", "WK022203", "doetinchem-oosseld", "open")
	addJobs(t, env, 26, "groen.onkruid", "WK022201", "doetinchem-centrum", "accepted")

	p := propose(t, pl, map[string]any{})
	var toCentrum []int64
	for _, m := range p.Moves {
		if m.ToTeam == centrum {
			toCentrum = append(toCentrum, m.JobID)
		}
	}
	if c := teamOf(p.After, centrum); len(toCentrum) == 0 || c.CapacityHours != 64 || c.LoadHours <= 32 {
		t.Fatalf("moves to Centrum %v, Centrum after %+v; want work moved there and more than 32 h", toCentrum, c)
	}

	// The trainee leaves for a regular job; their last day was before this week.
	monday := amsterdamToday()
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	res := pl.do(t, "POST", fmt.Sprintf("/api/v1/desk/workers/%d/outflow", trainee),
		map[string]any{"date": monday.Format(time.DateOnly), "kind": "regular_job", "employer": "Hoveniersbedrijf Groen"})
	if res.Status != 201 {
		t.Fatalf("outflow = %d %s", res.Status, res.Body)
	}

	res = pl.do(t, "POST", fmt.Sprintf("/api/v1/planner/rebalance/%d/apply", p.ID), nil)
	if res.Status != 409 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("apply after the trainee left = %d %s", res.Status, res.Body)
	}
	var body struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
		Stale  []struct {
			JobID  int64  `json:"job_id"`
			Reason string `json:"reason"`
		} `json:"stale"`
		Teams []struct {
			TeamID        int64   `json:"team_id"`
			CapacityHours float64 `json:"capacity_hours"`
		} `json:"teams"`
	}
	res.JSON(t, &body)
	var stale []int64
	for _, s := range body.Stale {
		if s.Reason != "capacity" {
			t.Errorf("job %d stale for %q, want capacity", s.JobID, s.Reason)
		}
		stale = append(stale, s.JobID)
	}
	name := teamOf(p.After, centrum)
	wantDetail := "heeft deze week minder uren: nu 32 uur, in het voorstel 64 uur. Met dit voorstel krijgt de ploeg"
	switch {
	case body.Type != "/problems/stale-version" || !slices.Equal(stale, toCentrum):
		t.Errorf("stale answer = %s, want the moves to Centrum %v", res.Body, toCentrum)
	case !strings.Contains(body.Detail, wantDetail) || !strings.HasSuffix(body.Detail, "Er is niets verplaatst. Vraag een nieuw voorstel aan."):
		t.Errorf("detail = %q, want %q about %s", body.Detail, wantDetail, name.Code)
	case len(body.Teams) != 1 || body.Teams[0].TeamID != centrum || body.Teams[0].CapacityHours != 32:
		t.Errorf("teams = %+v", body.Teams)
	}
	var moved, events int
	env.DB.Raw(`SELECT count(*) FROM jobs WHERE team_id = ? AND status = 'assigned'`, centrum).Scan(&moved)
	env.DB.Raw(`SELECT count(*) FROM audit_events WHERE action = 'rebalance'`).Scan(&events)
	if moved != 0 || events != 0 {
		t.Errorf("%d jobs moved to Centrum and %d audit events after a refused apply", moved, events)
	}

	// A fresh proposal fills Centrum up to its 32 hours, not past them, and applies.
	p = propose(t, pl, map[string]any{})
	if c := teamOf(p.After, centrum); c.CapacityHours != 32 || c.Utilisation == nil || *c.Utilisation > 1 {
		t.Errorf("Centrum after the fresh proposal = %+v, want at most 100%% of 32 h", c)
	}
	if res := pl.do(t, "POST", fmt.Sprintf("/api/v1/planner/rebalance/%d/apply", p.ID), nil); res.Status != 200 {
		t.Errorf("fresh apply = %d %s", res.Status, res.Body)
	}
}

// Two applies that fill the same team take turns: while another transaction holds the
// receiving team (as another planner's apply does, with its moves made but not yet
// committed), an apply waits, and then its recheck sees that work. Each alone found
// room; together they pushed a team to 133%.
func TestRebalanceConcurrentAppliesTakeTurns(t *testing.T) {
	env := startRebalance(t)
	pl := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	centrum := teamID(t, env, "doetinchem-centrum")
	newWorker(t, env, "doetinchem-oosseld", worker.Specialist, "Specialist Oosseld")
	newWorker(t, env, "doetinchem-centrum", worker.Specialist, "Specialist Centrum")
	newWorker(t, env, "doetinchem-centrum", worker.Trainee, "Trainee Centrum")
	addJobs(t, env, 40, "groen.onkruid", "WK022203", "doetinchem-oosseld", "open")
	addJobs(t, env, 26, "groen.onkruid", "WK022201", "doetinchem-centrum", "accepted")
	p := propose(t, pl, map[string]any{})
	if !slices.ContainsFunc(p.Moves, func(m rebalanceMove) bool { return m.ToTeam == centrum }) {
		t.Fatalf("no moves to Centrum in %+v", p.Moves)
	}

	other := env.DB.Begin()
	defer other.Rollback()
	if err := other.Exec(`SELECT id FROM teams WHERE id = ? FOR NO KEY UPDATE`, centrum).Error; err != nil {
		t.Fatal(err)
	}
	if err := other.Exec(`UPDATE jobs SET effort_minutes = effort_minutes * 3 WHERE team_id = ? AND status = 'accepted'`, centrum).Error; err != nil {
		t.Fatal(err)
	}
	done := make(chan *apptest.Response, 1)
	go func() { done <- pl.do(t, "POST", fmt.Sprintf("/api/v1/planner/rebalance/%d/apply", p.ID), nil) }()
	select {
	case res := <-done:
		t.Fatalf("apply answered %d while another apply held Centrum: %s", res.Status, res.Body)
	case <-time.After(500 * time.Millisecond):
	}
	if err := other.Commit().Error; err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.Status != 409 || !strings.Contains(string(res.Body), `"capacity"`) {
		t.Fatalf("apply after the other one = %d %s, want 409 for capacity", res.Status, res.Body)
	}
}
