package deskapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/initiative"
	"wijkwerk/backend/initiative/initiativetest"
	"wijkwerk/backend/job"
)

type plannerInitiative struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Status      string `json:"status"`
	TargetLevel string `json:"target_level"`
	Conditions  string `json:"conditions"`
	Contact     *struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"contact"`
	Team *struct {
		ID int64 `json:"id"`
	} `json:"team"`
	Support []struct {
		JobID  int64  `json:"job_id"`
		Kind   string `json:"kind"`
		Status string `json:"status"`
	} `json:"support_jobs"`
}

func TestApprovalCreatesSupportJobsAndRaisesLevelInsidePolygonOnly(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	sw := env.Inside(t, "BU02220101")
	rc := env.Propose(t, initiativetest.Proposal(initiativetest.Rect(sw, 50, 40), "green", "A"))

	inside, outside := initiativetest.Offset(sw, 25, 20), initiativetest.Offset(sw, 52, 20)
	onBorder := initiativetest.Offset(sw, 50, 20)
	if l := env.LevelAt(t, inside, "green"); l != "B" {
		t.Fatalf("level before approval = %s, want B", l)
	}

	res := env.Decide(t, planner, rc.ID, "approve", map[string]string{"conditions": "Alleen inheemse planten."})
	var in plannerInitiative
	res.JSON(t, &in)
	if in.Status != "approved" || in.Conditions != "Alleen inheemse planten." {
		t.Errorf("approved = %s", res.Body)
	}

	// The team is the one that serves the neighbourhood's district for wijkbeheer; the
	// neighbourhood itself has none.
	var want struct {
		TeamID int64
		Own    int64
	}
	env.DB.Raw(`
SELECT (SELECT ta.team_id FROM areas b JOIN team_areas ta ON ta.area_id = b.parent_id AND ta.department = 'wijkbeheer'
        WHERE b.code = 'BU02220101') AS team_id,
       (SELECT count(*) FROM areas b JOIN team_areas ta ON ta.area_id = b.id WHERE b.code = 'BU02220101') AS own`).Scan(&want)
	if want.TeamID == 0 || want.Own != 0 {
		t.Fatalf("demo teams changed: %+v", want)
	}
	if in.Team == nil || in.Team.ID != want.TeamID {
		t.Errorf("initiative team = %+v, want %d", in.Team, want.TeamID)
	}

	var jobs []struct {
		ID           int64
		Kind         string
		CategoryCode string
		TeamID       int64
		Status       string
		QualityLevel string
		Description  string
		AreaCode     string
		Inside       bool
		Created      int
		Pushed       int
	}
	env.DB.Raw(`
SELECT j.id, ij.kind, j.category_code, j.team_id, j.status, j.quality_level, j.description, a.code AS area_code,
       ST_Covers(i.geom, j.location) AS inside,
       (SELECT count(*) FROM audit_events e WHERE e.job_id = j.id AND e.action = 'created') AS created,
       (SELECT count(*) FROM push_outbox p WHERE p.job_id = j.id AND p.team_id = j.team_id AND p.kind = 'assigned') AS pushed
FROM initiative_jobs ij JOIN jobs j ON j.id = ij.job_id JOIN areas a ON a.id = j.area_id JOIN initiatives i ON i.id = ij.initiative_id
WHERE ij.initiative_id = ? ORDER BY ij.kind DESC`, rc.ID).Scan(&jobs)
	if len(jobs) != 2 {
		t.Fatalf("support jobs = %+v, want materials and guidance", jobs)
	}
	wantStart := map[string]string{"materials": "Materialen leveren", "guidance": "Eerste begeleide sessie met vakspecialist"}
	for _, j := range jobs {
		if !strings.HasPrefix(j.Description, wantStart[j.Kind]) {
			t.Errorf("%s job description %q", j.Kind, j.Description)
		}
		// The residents' contact is at the desk only: the crew is told to ask for it.
		if !strings.Contains(j.Description, "\nBel de planner voor het adres en de contactpersoon.") {
			t.Errorf("%s job description %q does not tell the crew to ask the planner for the contact", j.Kind, j.Description)
		}
		if j.CategoryCode != initiative.SupportCategory || j.TeamID != want.TeamID || j.Status != "assigned" || j.QualityLevel != "A" ||
			j.AreaCode != "BU02220101" || !j.Inside || j.Created != 1 || j.Pushed != 1 {
			t.Errorf("%s job = %+v", j.Kind, j)
		}
		for _, p := range []string{"Fenna", "fenna.devries@example.nl", "06-12345678"} {
			if strings.Contains(j.Description, p) {
				t.Errorf("job description holds personal data: %q", j.Description)
			}
		}
	}
	if !strings.Contains(jobs[0].Description, "40 stuks vaste planten; 2 m3 compost") || !strings.Contains(jobs[0].Description, "inheemse") {
		t.Errorf("materials job description %q", jobs[0].Description)
	}

	// The raised level holds inside the polygon (border included) only, for its theme only.
	for _, tt := range []struct {
		name  string
		at    orb.Point
		theme string
		want  string
	}{
		{"inside", inside, "green", "A"},
		{"on the border", onBorder, "green", "A"},
		{"2 m outside", outside, "green", "B"},
		{"inside, other theme", inside, "paving", "B"},
	} {
		if got := env.LevelAt(t, tt.at, tt.theme); got != tt.want {
			t.Errorf("level %s = %s, want %s", tt.name, got, tt.want)
		}
	}

	// Approving twice is not possible.
	res = env.Do(t, "POST", "/api/v1/planner/initiatives/"+strconv.FormatInt(rc.ID, 10)+"/approve", nil, initiativetest.Bearer(planner)...)
	initiativetest.WantProblem(t, res, 409, "invalid-transition")

	// Pausing returns the place to the basic level, resuming raises it again.
	env.Decide(t, planner, rc.ID, "pause", map[string]string{"reason": "Winterstop"})
	if got := env.LevelAt(t, inside, "green"); got != "B" {
		t.Errorf("level while paused = %s, want B", got)
	}
	env.Decide(t, planner, rc.ID, "resume", nil)
	if got := env.LevelAt(t, inside, "green"); got != "A" {
		t.Errorf("level after resume = %s, want A", got)
	}

	// Ending restores the basic level and cancels the support jobs still open.
	res = env.Decide(t, planner, rc.ID, "end", map[string]string{"reason": "De bewoners zijn verhuisd."})
	res.JSON(t, &in)
	if in.Status != "ended" {
		t.Errorf("ended = %s", res.Body)
	}
	if got := env.LevelAt(t, inside, "green"); got != "B" {
		t.Errorf("level after end = %s, want B", got)
	}
	var after struct {
		Cancelled int
		Pushed    int
		Audited   int
		Open      int
	}
	env.DB.Raw(`
SELECT count(*) FILTER (WHERE j.status = 'cancelled' AND j.closed_at IS NOT NULL) AS cancelled,
       count(*) FILTER (WHERE j.status IN ('open', 'assigned', 'accepted', 'in_progress')) AS open,
       (SELECT count(*) FROM push_outbox p JOIN initiative_jobs x ON x.job_id = p.job_id WHERE x.initiative_id = ? AND p.kind = 'cancelled') AS pushed,
       (SELECT count(*) FROM audit_events e JOIN initiative_jobs x ON x.job_id = e.job_id WHERE x.initiative_id = ? AND e.action = 'cancel') AS audited
FROM initiative_jobs ij JOIN jobs j ON j.id = ij.job_id WHERE ij.initiative_id = ?`, rc.ID, rc.ID, rc.ID).Scan(&after)
	if after.Cancelled != 2 || after.Open != 0 || after.Pushed != 2 || after.Audited != 2 {
		t.Errorf("support jobs after end = %+v", after)
	}
	var raises []struct {
		Open bool
	}
	env.DB.Raw(`SELECT raised_until IS NULL AS open FROM quality_raises WHERE initiative_id = ? ORDER BY id`, rc.ID).Scan(&raises)
	if len(raises) != 2 || raises[0].Open || raises[1].Open {
		t.Errorf("raises = %+v, want two closed periods", raises)
	}
	// The history says who did what.
	res = env.Do(t, "GET", "/api/v1/planner/initiatives/"+strconv.FormatInt(rc.ID, 10), nil, initiativetest.Bearer(planner)...)
	var hist struct {
		Events []struct{ Action, To string } `json:"events"`
	}
	res.JSON(t, &hist)
	var actions []string
	for _, e := range hist.Events {
		actions = append(actions, e.Action+">"+e.To)
	}
	if got := strings.Join(actions, " "); got != "proposed>proposed approve>approved pause>paused resume>approved end>ended" {
		t.Errorf("events = %s", got)
	}
}

func TestApprovalWithoutRequestsCreatesNoJobs(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	body := initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220501"), 30), "cleanliness", "A+")
	body["requests"] = map[string]any{}
	rc := env.Propose(t, body)
	var in plannerInitiative
	env.Decide(t, planner, rc.ID, "approve", nil).JSON(t, &in)
	if in.Status != "approved" || len(in.Support) != 0 {
		t.Errorf("approved = %+v, want no support jobs", in)
	}
	if got := env.LevelAt(t, env.Inside(t, "BU02220501"), "cleanliness"); got != "A+" {
		t.Errorf("level = %s, want A+", got)
	}
}

// A proposal whose neighbourhood was retired after it came in cannot be approved (no
// team, no basic level): the planner is told to reject it; nothing changes.
func TestApprovalInRetiredNeighbourhood(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	rc := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220501"), 30), "green", "A"))
	if err := env.DB.Exec(`UPDATE areas SET retired_at = now() WHERE code = 'BU02220501'`).Error; err != nil {
		t.Fatal(err)
	}
	res := env.Do(t, "POST", "/api/v1/planner/initiatives/"+strconv.FormatInt(rc.ID, 10)+"/approve", nil, initiativetest.Bearer(planner)...)
	initiativetest.WantProblem(t, res, 409, "conflict")
	if !strings.Contains(string(res.Body), "niet meer bestaat") {
		t.Errorf("approval in a retired neighbourhood: %s", res.Body)
	}
	var status string
	var jobs int64
	env.DB.Raw(`SELECT status FROM initiatives WHERE id = ?`, rc.ID).Scan(&status)
	env.DB.Raw(`SELECT count(*) FROM initiative_jobs WHERE initiative_id = ?`, rc.ID).Scan(&jobs)
	if status != "proposed" || jobs != 0 {
		t.Errorf("after the refused approval: status %s, %d jobs", status, jobs)
	}
	env.Decide(t, planner, rc.ID, "reject", map[string]string{"reason": "Buurt bestaat niet meer"})
}

func TestConcurrentApprovalsOfOverlappingProposals(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	p := env.Inside(t, "BU02220202")
	a := env.Propose(t, initiativetest.Proposal(initiativetest.Rect(p, 40, 40), "paving", "A"))
	b := env.Propose(t, initiativetest.Proposal(initiativetest.Rect(initiativetest.Offset(p, 20, 20), 40, 40), "paving", "A"))
	var wg sync.WaitGroup
	status := make([]int, 2)
	types := make([]string, 2)
	for i, id := range []int64{a.ID, b.ID} {
		wg.Add(1)
		go func(i int, id int64) {
			defer wg.Done()
			res := env.Do(t, "POST", "/api/v1/planner/initiatives/"+strconv.FormatInt(id, 10)+"/approve", nil, initiativetest.Bearer(planner)...)
			status[i] = res.Status
			types[i], _ = res.Map(t)["type"].(string)
		}(i, id)
	}
	wg.Wait()
	ok, overlap := 0, 0
	for i := range status {
		switch {
		case status[i] == 200:
			ok++
		case status[i] == 422 && types[i] == "/problems/initiative-overlap":
			overlap++
		}
	}
	if ok != 1 || overlap != 1 {
		t.Errorf("approvals = %v %v, want one approved and one overlap", status, types)
	}
}

func TestPlannerScopeAndRoles(t *testing.T) {
	env := initiativetest.Start(t, 0)
	doetinchem := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	zevenaar := env.Login(t, "planner@zevenaar.nl", access.Planner, "GM0299")
	coach := env.Login(t, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	admin := env.Login(t, "admin@wijkwerk.nl", access.Admin)
	rc := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220302"), 40), "furniture", "A"))
	id := strconv.FormatInt(rc.ID, 10)

	list := func(tok, query string) []plannerInitiative {
		t.Helper()
		res := env.Do(t, "GET", "/api/v1/planner/initiatives"+query, nil, initiativetest.Bearer(tok)...)
		if res.Status != 200 {
			t.Fatalf("list = %d %s", res.Status, res.Body)
		}
		var out struct {
			Initiatives []plannerInitiative `json:"initiatives"`
		}
		res.JSON(t, &out)
		return out.Initiatives
	}
	if l := list(doetinchem, "?status=proposed"); len(l) != 1 || l[0].ID != rc.ID {
		t.Errorf("Doetinchem planner's list = %+v", l)
	}
	// The proposer's contact is in the detail only: the list has none, not even null
	// (which reads as erased).
	for _, tok := range []string{doetinchem, admin} {
		res := env.Do(t, "GET", "/api/v1/planner/initiatives", nil, initiativetest.Bearer(tok)...)
		for _, word := range []string{`"contact"`, "fenna", "Fenna", "example.nl"} {
			if strings.Contains(string(res.Body), word) {
				t.Errorf("the list holds %s: %.400s", word, res.Body)
			}
		}
	}
	var detail plannerInitiative
	env.Do(t, "GET", "/api/v1/planner/initiatives/"+id, nil, initiativetest.Bearer(doetinchem)...).JSON(t, &detail)
	if detail.Contact == nil || detail.Contact.Email != "fenna.devries@example.nl" {
		t.Errorf("the detail's contact = %+v", detail.Contact)
	}
	if l := list(doetinchem, "?status=approved"); len(l) != 0 {
		t.Errorf("approved list = %+v, want none", l)
	}
	if l := list(admin, ""); len(l) != 1 {
		t.Errorf("admin's list = %+v", l)
	}
	if l := list(zevenaar, ""); len(l) != 0 {
		t.Errorf("Zevenaar planner sees %+v", l)
	}
	initiativetest.WantProblem(t, env.Do(t, "GET", "/api/v1/planner/initiatives?status=maybe", nil, initiativetest.Bearer(doetinchem)...), 422, "validation-failed")

	// Each with a body the route takes (desk bodies are strict: a field a route does not
	// know is a 422 before anything else).
	for _, tt := range []struct {
		method, path string
		body         map[string]string
	}{
		{"GET", "/api/v1/planner/initiatives/" + id, nil},
		{"POST", "/api/v1/planner/initiatives/" + id + "/approve", map[string]string{"conditions": "ja"}},
		{"POST", "/api/v1/planner/initiatives/" + id + "/reject", map[string]string{"reason": "nee"}},
		{"PUT", "/api/v1/planner/areas/BU02220302/quality", map[string]string{"theme": "green", "level": "A"}},
		{"GET", "/api/v1/planner/areas/BU02220302/quality", nil},
	} {
		var body any
		if tt.body != nil {
			body = tt.body
		}
		initiativetest.WantProblem(t, env.Do(t, tt.method, tt.path, body, initiativetest.Bearer(zevenaar)...), 404, "not-found")
		initiativetest.WantProblem(t, env.Do(t, tt.method, tt.path, body, initiativetest.Bearer(coach)...), 403, "forbidden")
		initiativetest.WantProblem(t, env.Do(t, tt.method, tt.path, body), 401, "unauthorized")
	}
	var report struct {
		Districts []any `json:"districts"`
	}
	res := env.Do(t, "GET", "/api/v1/planner/initiatives/report", nil, initiativetest.Bearer(zevenaar)...)
	res.JSON(t, &report)
	if res.Status != 200 || len(report.Districts) != 0 {
		t.Errorf("Zevenaar report = %d %s", res.Status, res.Body)
	}
	// Nothing changed.
	var status string
	env.DB.Raw(`SELECT status FROM initiatives WHERE id = ?`, rc.ID).Scan(&status)
	if status != "proposed" {
		t.Errorf("status = %s", status)
	}
	// A rejection needs a reason.
	initiativetest.WantProblem(t, env.Do(t, "POST", "/api/v1/planner/initiatives/"+id+"/reject", map[string]string{},
		initiativetest.Bearer(doetinchem)...), 422, "validation-failed")
	initiativetest.WantProblem(t, env.Do(t, "POST", "/api/v1/planner/initiatives/999999/approve", nil,
		initiativetest.Bearer(doetinchem)...), 404, "not-found")
}

func TestBasicLevelsPerAreaAndTheme(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	p := env.Inside(t, "BU02220101")
	put := func(code, theme, level string) {
		t.Helper()
		res := env.Do(t, "PUT", "/api/v1/planner/areas/"+code+"/quality", map[string]string{"theme": theme, "level": level}, initiativetest.Bearer(planner)...)
		if res.Status != 200 {
			t.Fatalf("PUT %s %s %s = %d %s", code, theme, level, res.Status, res.Body)
		}
	}
	// The district's level holds for its neighbourhoods.
	put("WK022201", "green", "A")
	if got := env.LevelAt(t, p, "green"); got != "A" {
		t.Errorf("green level = %s, want A from the district", got)
	}
	if got := env.LevelAt(t, p, "paving"); got != "B" {
		t.Errorf("paving level = %s, want the default B", got)
	}
	// A proposal must aim above it.
	m := initiativetest.WantProblem(t, env.Do(t, "POST", "/api/v1/initiatives",
		initiativetest.Proposal(initiativetest.Square(p, 40), "green", "A")), 422, "initiative-level-not-higher")
	if d, _ := m["detail"].(string); !strings.Contains(d, "al A") {
		t.Errorf("detail = %q", d)
	}
	// The neighbourhood's own level wins over its district's.
	put("BU02220101", "green", "C")
	if got := env.LevelAt(t, p, "green"); got != "C" {
		t.Errorf("green level = %s, want C", got)
	}
	res := env.Do(t, "GET", "/api/v1/planner/areas/BU02220101/quality", nil, initiativetest.Bearer(planner)...)
	var lv initiative.AreaLevels
	res.JSON(t, &lv)
	want := map[string]initiative.AreaLevel{
		"green": {Theme: "green", Level: "C", From: "BU02220101"}, "paving": {Theme: "paving", Level: "B"},
		"cleanliness": {Theme: "cleanliness", Level: "B"}, "furniture": {Theme: "furniture", Level: "B"},
	}
	if len(lv.Levels) != 4 {
		t.Fatalf("levels = %s", res.Body)
	}
	for _, l := range lv.Levels {
		if l != want[l.Theme] {
			t.Errorf("level %+v, want %+v", l, want[l.Theme])
		}
	}
	for _, bad := range []map[string]string{{"theme": "lighting", "level": "A"}, {"theme": "green", "level": "E"}} {
		initiativetest.WantProblem(t, env.Do(t, "PUT", "/api/v1/planner/areas/BU02220101/quality", bad, initiativetest.Bearer(planner)...), 422, "validation-failed")
	}
	initiativetest.WantProblem(t, env.Do(t, "PUT", "/api/v1/planner/areas/BU99999999/quality", map[string]string{"theme": "green", "level": "A"},
		initiativetest.Bearer(planner)...), 404, "not-found")
}

func TestCouncilReportMatchesIndependentSQL(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	propose := func(code, theme, level string, side float64) initiativetest.Receipt {
		return env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, code), side), theme, level))
	}
	// Centrum: two approved (one ended since), one with residents' and crew hours.
	c1 := propose("BU02220101", "green", "A", 40)
	c2 := propose("BU02220102", "cleanliness", "A+", 60)
	// Oosseld: one approved.
	o1 := propose("BU02220301", "paving", "A", 30)
	// Dichteren: rejected; Noord: only proposed. Neither counts.
	d1 := propose("BU02220601", "green", "A", 40)
	propose("BU02220201", "green", "A", 40)
	for _, id := range []int64{c1.ID, c2.ID, o1.ID} {
		env.Decide(t, planner, id, "approve", nil)
	}
	env.Decide(t, planner, d1.ID, "reject", map[string]string{"reason": "Geen budget dit jaar."})
	env.Decide(t, planner, c2.ID, "end", nil)
	for _, w := range []map[string]any{
		{"date": initiativetest.Today(), "hours": 6, "what": "wieden", "people": 3},
		{"date": initiativetest.Today(), "hours": 2.25, "what": "water geven"},
	} {
		if res := env.Do(t, "POST", "/api/v1/initiatives/"+c1.Code+"/contributions", w); res.Status != 201 {
			t.Fatalf("contribute = %d %s", res.Status, res.Body)
		}
	}
	// Crew hours on c1's support jobs, as the crew app registers them.
	var worker int64
	env.DB.Raw(`INSERT INTO workers (name, role) VALUES ('Vakspecialist', 'specialist') RETURNING id`).Scan(&worker)
	if err := env.DB.Exec(`INSERT INTO job_hours (job_id, worker_id, hours)
SELECT job_id, ?, CASE kind WHEN 'guidance' THEN 3.5 ELSE 1.25 END FROM initiative_jobs WHERE initiative_id = ?`, worker, c1.ID).Error; err != nil {
		t.Fatal(err)
	}

	today := initiativetest.Today()
	from := time.Now().AddDate(0, 0, -30).Format(time.DateOnly)
	res := env.Do(t, "GET", "/api/v1/planner/initiatives/report?from="+from+"&to="+today, nil, initiativetest.Bearer(planner)...)
	if res.Status != 200 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	var rep initiative.Report
	res.JSON(t, &rep)

	// The same figures, straight from the tables.
	var want []struct {
		Code          string
		Initiatives   int
		ResidentHours float64
		CrewHours     float64
		GuidanceHours float64
		Materials     int // initiatives whose granted materials count: their job was not cancelled
	}
	// Granted guidance and materials count while their support job is not cancelled (c2
	// ended before anything was delivered); the municipality's hours are the crew's.
	env.DB.Raw(`
SELECT d.code,
       count(*) AS initiatives,
       COALESCE(sum((SELECT sum(c.hours) FROM initiative_contributions c WHERE c.initiative_id = i.id)), 0) AS resident_hours,
       COALESCE(sum((SELECT sum(h.hours) FROM job_hours h JOIN initiative_jobs x ON x.job_id = h.job_id WHERE x.initiative_id = i.id)), 0) AS crew_hours,
       COALESCE(sum(i.guidance_hours) FILTER (WHERE NOT EXISTS (SELECT 1 FROM initiative_jobs x JOIN jobs j ON j.id = x.job_id
                                        WHERE x.initiative_id = i.id AND x.kind = 'guidance' AND j.status = 'cancelled')), 0) AS guidance_hours,
       count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM initiative_jobs x JOIN jobs j ON j.id = x.job_id
                                          WHERE x.initiative_id = i.id AND x.kind = 'materials' AND j.status = 'cancelled')) AS materials
FROM initiatives i JOIN areas n ON n.id = i.area_id JOIN areas d ON d.id = n.parent_id
WHERE i.status IN ('approved', 'active', 'paused', 'ended')
GROUP BY d.code ORDER BY d.code`).Scan(&want)
	var wantM2 []struct {
		Code  string
		Level string
		M2    float64
	}
	env.DB.Raw(`
SELECT d.code, i.target_level AS level, sum(ST_Area(i.geom::geography)) AS m2
FROM initiatives i JOIN areas n ON n.id = i.area_id JOIN areas d ON d.id = n.parent_id
WHERE i.status IN ('approved', 'active', 'paused', 'ended')
GROUP BY 1, 2`).Scan(&wantM2)

	if len(want) != 2 || len(rep.Districts) != len(want) {
		t.Fatalf("districts = %+v, want %+v", rep.Districts, want)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.11 }
	for i, w := range want {
		got := rep.Districts[i]
		if got.Code != w.Code || got.Initiatives != w.Initiatives || !near(got.ResidentHours, w.ResidentHours) ||
			!near(got.CrewHours, w.CrewHours) || !near(got.GuidanceHours, w.GuidanceHours) || !near(got.MunicipalHours, w.CrewHours) {
			t.Errorf("district %+v, want %+v", got, w)
		}
		for _, m := range wantM2 {
			if m.Code == w.Code && !near(got.AreaM2[m.Level], m.M2) {
				t.Errorf("%s m² at %s = %v, want %.1f", w.Code, m.Level, got.AreaM2[m.Level], m.M2)
			}
		}
		// Every approval granted the proposal's materials: 40 plants and 2 m3 compost.
		if len(got.Materials) != 2 || got.Materials[1].Item != "vaste planten" || got.Materials[1].Quantity != float64(40*w.Materials) {
			t.Errorf("%s materials = %+v", w.Code, got.Materials)
		}
	}
	if rep.Districts[0].Code != "WK022201" || rep.Districts[0].ResidentHours != 8.25 || rep.Districts[0].CrewHours != 4.75 {
		t.Errorf("Centrum = %+v", rep.Districts[0])
	}
	if rep.Total.Initiatives != 3 || rep.Total.GuidanceHours != 12 || rep.Total.MunicipalHours != 4.75 {
		t.Errorf("total = %+v", rep.Total)
	}

	// The CSV has the same figures.
	res = env.Do(t, "GET", "/api/v1/planner/initiatives/report?format=csv&from="+from+"&to="+today, nil, initiativetest.Bearer(planner)...)
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv = %d %s", res.Status, res.Header)
	}
	// For Dutch Excel, as the participation export: BOM, semicolons, decimal commas.
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\ufeff"))))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil || !bytes.HasPrefix(res.Body, []byte("\ufeff")) {
		t.Fatalf("csv: %v\n%s", err, res.Body)
	}
	if len(rows) != 4 || rows[0][0] != "Wijkcode" || rows[0][6] != "m² op niveau A" || rows[1][0] != "WK022201" || rows[3][1] != "Totaal" {
		t.Fatalf("csv = %q", rows)
	}
	if rows[1][4] != strconv.Itoa(rep.Districts[0].Initiatives) || rows[1][10] != "8,25" || rows[3][13] != "4,75" ||
		!strings.Contains(rows[1][14], "40 stuks vaste planten") {
		t.Errorf("csv Centrum %q total %q", rows[1], rows[3])
	}

	// Another period has nothing.
	res = env.Do(t, "GET", "/api/v1/planner/initiatives/report?from=2020-01-01&to=2020-12-31", nil, initiativetest.Bearer(planner)...)
	res.JSON(t, &rep)
	if len(rep.Districts) != 0 || rep.Total.Initiatives != 0 {
		t.Errorf("2020 report = %s", res.Body)
	}
	for _, q := range []string{"?from=2026-13-01", "?from=2026-02-01&to=2026-01-01", "?format=xlsx"} {
		initiativetest.WantProblem(t, env.Do(t, "GET", "/api/v1/planner/initiatives/report"+q, nil, initiativetest.Bearer(planner)...), 422, "validation-failed")
	}
}

func TestEraseContactsAfterInitiativeCloses(t *testing.T) {
	// The server erases as it starts too, at a moment the test does not know: with a
	// retention of ten years it leaves this test's contacts alone.
	env := initiativetest.Start(t, 0, func(c *app.Config) { c.ContactRetentionDays = 3650 })
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	ended := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220801"), 40), "green", "A"))
	rejected := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220802"), 40), "green", "A"))
	running := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220803"), 40), "green", "A"))
	recent := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220901"), 40), "green", "A"))
	env.Decide(t, planner, ended.ID, "approve", nil)
	env.Decide(t, planner, ended.ID, "end", nil)
	env.Decide(t, planner, rejected.ID, "reject", map[string]string{"reason": "Past niet in het groenplan."})
	env.Decide(t, planner, running.ID, "approve", nil)
	env.Decide(t, planner, recent.ID, "reject", map[string]string{"reason": "Nee."})
	// Two closed long ago; the recent rejection is within the retention period.
	env.DB.Exec(`UPDATE initiatives SET closed_at = now() - interval '40 days' WHERE id IN (?, ?)`, ended.ID, rejected.ID)

	ctx := context.Background()
	n, err := initiative.EraseContacts(ctx, env.DB.DB, 30*24*time.Hour)
	if err != nil || n != 2 {
		t.Fatalf("erased %d (%v), want 2", n, err)
	}
	if n, _ := initiative.EraseContacts(ctx, env.DB.DB, 30*24*time.Hour); n != 0 {
		t.Errorf("second run erased %d", n)
	}
	var left []int64
	env.DB.Raw(`SELECT initiative_id FROM initiative_contacts ORDER BY 1`).Scan(&left)
	if len(left) != 2 || left[0] != running.ID || left[1] != recent.ID {
		t.Errorf("contacts left for %v, want %d and %d", left, running.ID, recent.ID)
	}
	// What residents proposed stays, without who they are.
	res := env.Do(t, "GET", "/api/v1/planner/initiatives/"+strconv.FormatInt(ended.ID, 10), nil, initiativetest.Bearer(planner)...)
	var in plannerInitiative
	res.JSON(t, &in)
	if res.Status != http.StatusOK || in.Contact != nil || in.Status != "ended" {
		t.Errorf("ended after erasure = %d %s", res.Status, res.Body)
	}
	if strings.Contains(string(res.Body), "fenna") {
		t.Errorf("personal data left: %s", res.Body)
	}
}

// TestSupportPushesRedactTheTitle: the push of a new support job names the initiative
// by its title, which residents may have written their contact details in. The push goes
// through the push service to lock screens, so it carries the title as the public map
// shows it.
func TestSupportPushesRedactTheTitle(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	body := initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220101"), 40), "green", "A")
	body["title"] = "Tuin mail jan.devries@example.nl 0612345678"
	rc := env.Propose(t, body)
	env.Decide(t, planner, rc.ID, "approve", nil)
	var pushes []struct{ TitleNL, BodyNL, TitleEN, BodyEN string }
	env.DB.Raw(`SELECT p.title_nl, p.body_nl, p.title_en, p.body_en FROM push_outbox p JOIN initiative_jobs ij ON ij.job_id = p.job_id
WHERE ij.initiative_id = ? ORDER BY p.id`, rc.ID).Scan(&pushes)
	if len(pushes) != 2 {
		t.Fatalf("pushes = %+v, want one per support job", pushes)
	}
	for _, p := range pushes {
		all := p.TitleNL + p.BodyNL + p.TitleEN + p.BodyEN
		if strings.Contains(all, "jan.devries") || strings.Contains(all, "12345678") {
			t.Errorf("push holds contact details: %+v", p)
		}
		if !strings.Contains(p.BodyNL, " voor Tuin mail [verwijderd] [verwijderd].") {
			t.Errorf("push body %q, want the redacted title", p.BodyNL)
		}
		// The English push, for phones that read English, names the same redacted title.
		if p.TitleEN != "New task: residents' initiative" || !strings.Contains(p.BodyEN, " for Tuin mail [verwijderd] [verwijderd].") ||
			!strings.HasPrefix(p.BodyEN, "Deliver materials") && !strings.HasPrefix(p.BodyEN, "First session") {
			t.Errorf("English push %q / %q", p.TitleEN, p.BodyEN)
		}
	}
}

// TestCouncilReportPeriodIsTheParticipationPeriod: the council report reads its period
// as the participation report does (planner.ParsePeriod): a year that cannot be right is
// a validation problem, not a database error; one date without the other says which is
// missing; neither is this month.
func TestCouncilReportPeriodIsTheParticipationPeriod(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	for _, q := range []string{
		"?from=0000-01-01&to=0000-12-31",
		"?from=9999-12-31&to=9999-12-31",
		"?from=2026-12-01",
		"?to=2026-12-01",
		"?from=2026-02-01&to=2026-01-01",
		"?from=2020-01-01&to=2026-12-31",
		"?from=1-2-2026&to=2026-03-01",
	} {
		report := initiativetest.WantProblem(t, env.Do(t, "GET", "/api/v1/planner/initiatives/report"+q, nil, initiativetest.Bearer(planner)...), 422, "validation-failed")
		participation := initiativetest.WantProblem(t, env.Do(t, "GET", "/api/v1/planner/participation"+q, nil, initiativetest.Bearer(planner)...), 422, "validation-failed")
		if report["detail"] != participation["detail"] {
			t.Errorf("%s: report says %q, participation %q", q, report["detail"], participation["detail"])
		}
	}
	m := initiativetest.WantProblem(t, env.Do(t, "GET", "/api/v1/planner/initiatives/report?from=2026-12-01", nil, initiativetest.Bearer(planner)...), 422, "validation-failed")
	if d, _ := m["detail"].(string); strings.Contains(d, "vóór") || !strings.Contains(d, "to") {
		t.Errorf("report without to: %q, want it to ask for to", d)
	}
	res := env.Do(t, "GET", "/api/v1/planner/initiatives/report", nil, initiativetest.Bearer(planner)...)
	var rep initiative.Report
	res.JSON(t, &rep)
	month := time.Now().In(job.Amsterdam).Format("2006-01")
	if res.Status != 200 || rep.From != month+"-01" || !strings.HasPrefix(rep.To, month) {
		t.Errorf("report without dates = %d %s..%s, want this month", res.Status, rep.From, rep.To)
	}
}

// TestCouncilReportCountsASessionOnce: the municipality's hours are what its crews
// registered. Granted guidance is a promise shown apart: the specialist registers the
// session on the guidance job, so adding the grant counted it twice (3 granted + 5
// registered made 8). An initiative that ended before its support was delivered counts
// no granted materials or guidance, but the crew's hours on it were spent.
func TestCouncilReportCountsASessionOnce(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	guided := initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220101"), 40), "green", "A")
	guided["requests"] = map[string]any{"guidance_hours": 3}
	g := env.Propose(t, guided)
	ended := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220102"), 40), "paving", "A"))
	env.Decide(t, planner, g.ID, "approve", nil)
	env.Decide(t, planner, ended.ID, "approve", nil)
	var worker int64
	env.DB.Raw(`INSERT INTO workers (name, role) VALUES ('Vakspecialist', 'specialist') RETURNING id`).Scan(&worker)
	// The session took 5 hours; before the other one ended, an hour went into loading its materials.
	if err := env.DB.Exec(`INSERT INTO job_hours (job_id, worker_id, hours)
SELECT job_id, ?, CASE initiative_id WHEN ? THEN 5 ELSE 1 END FROM initiative_jobs
WHERE (initiative_id = ? AND kind = 'guidance') OR (initiative_id = ? AND kind = 'materials')`, worker, g.ID, g.ID, ended.ID).Error; err != nil {
		t.Fatal(err)
	}
	env.Decide(t, planner, ended.ID, "end", map[string]string{"reason": "Bewoners gestopt"})

	today := initiativetest.Today()
	q := "?from=" + time.Now().AddDate(0, 0, -7).Format(time.DateOnly) + "&to=" + today
	res := env.Do(t, "GET", "/api/v1/planner/initiatives/report"+q, nil, initiativetest.Bearer(planner)...)
	var rep initiative.Report
	res.JSON(t, &rep)
	if res.Status != 200 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	tot := rep.Total
	if tot.Initiatives != 2 || tot.CrewHours != 6 || tot.MunicipalHours != 6 || tot.GuidanceHours != 3 || len(tot.Materials) != 0 {
		t.Errorf("total = %+v, want 2 initiatives, 6 crew and municipal hours, 3 hours guidance granted, no materials", tot)
	}
	res = env.Do(t, "GET", "/api/v1/planner/initiatives/report"+q+"&format=csv", nil, initiativetest.Bearer(planner)...)
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\ufeff"))))
	cr.Comma = ';'
	rows, err := cr.ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv: %v\n%s", err, res.Body)
	}
	head, total := rows[0][10:], rows[2][10:]
	want := []string{"Uren bewoners", "Uren ploegen (geregistreerd)", "Uren begeleiding toegezegd", "Uren gemeente besteed", "Materialen toegezegd"}
	if strings.Join(head, ";") != strings.Join(want, ";") || strings.Join(total, ";") != "0,00;6,00;3,00;6,00;" {
		t.Errorf("csv header %q total %q", head, total)
	}
}

// TestPauseAndEndKeepTheirReason: the reason a planner gives for a pause or an end is
// the initiative's reason, for the planner as written and on the public tracking page
// without contact details, until resuming clears it.
func TestPauseAndEndKeepTheirReason(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	rc := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220201"), 40), "green", "A"))
	env.Decide(t, planner, rc.ID, "approve", nil)
	reasons := func() (desk, public any) {
		t.Helper()
		res := env.Do(t, "GET", "/api/v1/planner/initiatives/"+strconv.FormatInt(rc.ID, 10), nil, initiativetest.Bearer(planner)...)
		pub := env.Do(t, "GET", "/api/v1/initiatives/"+rc.Code, nil)
		return res.Map(t)["reason"], pub.Map(t)["reason"]
	}
	env.Decide(t, planner, rc.ID, "pause", map[string]string{"reason": "Winterstop, vragen: 06-12345678"})
	if desk, public := reasons(); desk != "Winterstop, vragen: 06-12345678" || public != "Winterstop, vragen: [verwijderd]" {
		t.Errorf("paused: planner's reason %v, public %v", desk, public)
	}
	env.Decide(t, planner, rc.ID, "resume", nil)
	if desk, public := reasons(); desk != "" || public != nil {
		t.Errorf("resumed: planner's reason %v, public %v, want none", desk, public)
	}
	env.Decide(t, planner, rc.ID, "end", map[string]string{"reason": "Bewoners gestopt"})
	if desk, public := reasons(); desk != "Bewoners gestopt" || public != "Bewoners gestopt" {
		t.Errorf("ended: planner's reason %v, public %v", desk, public)
	}
}

// TestDecisionMessagesFitTheirReader: a status in a message is a word of the reader's
// language, not the API's code; and a planner who cannot approve is told what a planner
// can do, not to redraw the polygon or choose another level.
func TestDecisionMessagesFitTheirReader(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	detail := func(res *apptest.Response, status int, typ string) string {
		t.Helper()
		d, _ := initiativetest.WantProblem(t, res, status, typ)["detail"].(string)
		return d
	}
	path := func(id int64, action string) string {
		return "/api/v1/planner/initiatives/" + strconv.FormatInt(id, 10) + "/" + action
	}
	p := env.Inside(t, "BU02220202")
	a := env.Propose(t, initiativetest.Proposal(initiativetest.Rect(p, 40, 40), "paving", "A"))
	b := env.Propose(t, initiativetest.Proposal(initiativetest.Rect(initiativetest.Offset(p, 20, 20), 40, 40), "paving", "A"))

	// Residents cannot log work on a proposal.
	d := detail(env.Do(t, "POST", "/api/v1/initiatives/"+a.Code+"/contributions",
		map[string]any{"date": initiativetest.Today(), "hours": 1, "what": "wieden"}), 409, "invalid-transition")
	if !strings.Contains(d, `"voorgesteld"`) || strings.Contains(d, "proposed") {
		t.Errorf("contribution to a proposal: %q", d)
	}
	env.Decide(t, planner, a.ID, "approve", nil)
	d = detail(env.Do(t, "POST", path(a.ID, "reject"), map[string]string{"reason": "nee"}, initiativetest.Bearer(planner)...), 409, "invalid-transition")
	if !strings.Contains(d, `"goedgekeurd"`) || strings.Contains(d, "approved") {
		t.Errorf("rejecting an approved one: %q", d)
	}
	en := env.Do(t, "POST", path(a.ID, "reject")+"?lang=en", map[string]string{"reason": "no"}, initiativetest.Bearer(planner)...)
	if d := detail(en, 409, "invalid-transition"); !strings.Contains(d, `"approved"`) {
		t.Errorf("in English: %q", d)
	}

	// b overlaps a, which now runs.
	d = detail(env.Do(t, "POST", path(b.ID, "approve"), nil, initiativetest.Bearer(planner)...), 422, "initiative-overlap")
	if strings.Contains(d, "Teken") || strings.Contains(d, "sluit u") || !strings.Contains(d, "niet goedkeuren") || !strings.Contains(d, "Wijs het af") {
		t.Errorf("overlap for the planner: %q", d)
	}

	// The basic level went up to the proposal's level after it was proposed.
	c := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220501"), 30), "green", "A"))
	if res := env.Do(t, "PUT", "/api/v1/planner/areas/BU02220501/quality", map[string]string{"theme": "green", "level": "A"}, initiativetest.Bearer(planner)...); res.Status != 200 {
		t.Fatalf("set level = %d %s", res.Status, res.Body)
	}
	d = detail(env.Do(t, "POST", path(c.ID, "approve"), nil, initiativetest.Bearer(planner)...), 422, "initiative-level-not-higher")
	if strings.Contains(d, "Kies een hoger niveau") || !strings.Contains(d, "niet goedkeuren") || !strings.Contains(d, "Wijs het af") {
		t.Errorf("level not higher for the planner: %q", d)
	}
}

// TestSupportJobsHaveNoReports: a support job comes from an approval, not from a
// resident's report, so the planner's job detail counts no reports for it.
func TestSupportJobsHaveNoReports(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	rc := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220101"), 40), "green", "A"))
	var in plannerInitiative
	env.Decide(t, planner, rc.ID, "approve", nil).JSON(t, &in)
	if len(in.Support) != 2 {
		t.Fatalf("support jobs = %+v", in.Support)
	}
	for _, j := range in.Support {
		res := env.Do(t, "GET", "/api/v1/planner/jobs/"+strconv.FormatInt(j.JobID, 10), nil, initiativetest.Bearer(planner)...)
		m := res.Map(t)
		if res.Status != 200 || m["report_count"] != 0.0 {
			t.Errorf("%s job: %d report_count %v, want 0", j.Kind, res.Status, m["report_count"])
		}
		if reports, _ := m["reports"].([]any); len(reports) != 0 {
			t.Errorf("%s job has reports %v", j.Kind, reports)
		}
	}
}

// TestInitiativesSayWhenTheyCameToTheirStatus: the desk's list and detail give the time
// an initiative came to its status (status_at): paused on, ended on, rejected on, not
// the day it was approved; and the history keeps the reason of a rejection, as it does
// a pause's and an end's.
func TestInitiativesSayWhenTheyCameToTheirStatus(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	running := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220201"), 40), "green", "A"))
	proposed := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220202"), 40), "green", "A"))
	rejected := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220501"), 40), "green", "A"))
	type item struct {
		ID        int64      `json:"id"`
		Status    string     `json:"status"`
		DecidedAt *time.Time `json:"decided_at"`
		CreatedAt time.Time  `json:"created_at"`
		StatusAt  *time.Time `json:"status_at"`
		Events    []struct {
			Action string         `json:"action"`
			At     time.Time      `json:"at"`
			Detail map[string]any `json:"detail"`
		} `json:"events"`
	}
	list := func() map[int64]item {
		t.Helper()
		var body struct {
			Initiatives []item `json:"initiatives"`
		}
		env.Do(t, "GET", "/api/v1/planner/initiatives", nil, initiativetest.Bearer(planner)...).JSON(t, &body)
		m := map[int64]item{}
		for _, x := range body.Initiatives {
			m[x.ID] = x
		}
		return m
	}
	detail := func(id int64) item {
		t.Helper()
		var x item
		env.Do(t, "GET", "/api/v1/planner/initiatives/"+strconv.FormatInt(id, 10), nil, initiativetest.Bearer(planner)...).JSON(t, &x)
		return x
	}
	// eventAt is when the last event with action happened to id, as stored.
	eventAt := func(id int64, action string) time.Time {
		t.Helper()
		var at time.Time
		if err := env.DB.Raw(`SELECT max(at) FROM initiative_events WHERE initiative_id = ? AND action = ?`, id, action).Row().Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	same := func(what string, got *time.Time, want time.Time) {
		t.Helper()
		if got == nil || !got.Equal(want) {
			t.Errorf("%s: status_at = %v, want %v", what, got, want)
		}
	}

	env.Decide(t, planner, running.ID, "approve", nil)
	same("approved", list()[running.ID].StatusAt, eventAt(running.ID, "approve"))
	env.Decide(t, planner, running.ID, "pause", map[string]string{"reason": "Winterstop"})
	paused := list()[running.ID]
	same("paused", paused.StatusAt, eventAt(running.ID, "pause"))
	if paused.DecidedAt == nil || paused.StatusAt == nil || !paused.StatusAt.After(*paused.DecidedAt) {
		t.Errorf("paused: status_at %v, not after the approval (%v)", paused.StatusAt, paused.DecidedAt)
	}
	env.Decide(t, planner, running.ID, "resume", nil)
	same("resumed", list()[running.ID].StatusAt, eventAt(running.ID, "resume"))
	env.Decide(t, planner, running.ID, "end", map[string]string{"reason": "De bewoners zijn verhuisd."})
	same("ended", list()[running.ID].StatusAt, eventAt(running.ID, "end"))
	same("ended, in detail", detail(running.ID).StatusAt, eventAt(running.ID, "end"))
	got := list()[proposed.ID]
	same("proposed", got.StatusAt, got.CreatedAt)

	env.Decide(t, planner, rejected.ID, "reject", map[string]string{"reason": "Hier komt een nieuwe stoep."})
	got = detail(rejected.ID)
	same("rejected", got.StatusAt, eventAt(rejected.ID, "reject"))
	reasons := func(x item) map[string]any {
		out := map[string]any{}
		for _, e := range x.Events {
			if e.Detail != nil && e.Detail["reason"] != nil {
				out[e.Action] = e.Detail["reason"]
			}
		}
		return out
	}
	if r := reasons(got); r["reject"] != "Hier komt een nieuwe stoep." {
		t.Errorf("rejection in the history: reasons %v", r)
	}
	if r := reasons(detail(running.ID)); r["pause"] != "Winterstop" || r["end"] != "De bewoners zijn verhuisd." {
		t.Errorf("pause and end in the history: reasons %v", r)
	}
	// A rejection recorded before its event kept the reason shows the initiative's.
	if err := env.DB.Exec(`UPDATE initiative_events SET detail = '{}' WHERE initiative_id = ? AND action = 'reject'`, rejected.ID).Error; err != nil {
		t.Fatal(err)
	}
	if r := reasons(detail(rejected.ID)); r["reject"] != "Hier komt een nieuwe stoep." {
		t.Errorf("an older rejection in the history: reasons %v", r)
	}
}

// TestApprovalConditionsInTheHistory: the conditions of an approval are in the
// initiative's history for the planner, also for an approval recorded before its event
// kept them. Residents read them without contact details, beside a timeline that holds
// no one's name or address and no event details.
func TestApprovalConditionsInTheHistory(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	rc := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220201"), 40), "green", "A"))
	plain := env.Propose(t, initiativetest.Proposal(initiativetest.Square(env.Inside(t, "BU02220202"), 40), "green", "A"))
	const conditions = "Alleen inheemse planten. Vragen: 06-12345678"
	env.Decide(t, planner, rc.ID, "approve", map[string]string{"conditions": conditions})
	env.Decide(t, planner, plain.ID, "approve", nil)
	// history gives, per action in the planner's history, the conditions it names.
	history := func(id int64) map[string]any {
		t.Helper()
		var x struct {
			Events []struct {
				Action string         `json:"action"`
				Detail map[string]any `json:"detail"`
			} `json:"events"`
		}
		res := env.Do(t, "GET", "/api/v1/planner/initiatives/"+strconv.FormatInt(id, 10), nil, initiativetest.Bearer(planner)...)
		if res.Status != 200 {
			t.Fatalf("detail = %d %s", res.Status, res.Body)
		}
		res.JSON(t, &x)
		out := map[string]any{}
		for _, e := range x.Events {
			if c, ok := e.Detail["conditions"]; ok {
				out[e.Action] = c
			}
		}
		return out
	}
	if h := history(rc.ID); len(h) != 1 || h["approve"] != conditions {
		t.Errorf("conditions in the history = %v, want the approval's %q", h, conditions)
	}
	if h := history(plain.ID); len(h) != 0 {
		t.Errorf("an approval without conditions: conditions in the history %v", h)
	}
	var stored string
	env.DB.Raw(`SELECT detail->>'conditions' FROM initiative_events WHERE initiative_id = ? AND action = 'approve'`, rc.ID).Row().Scan(&stored)
	if stored != conditions {
		t.Errorf("stored event conditions = %q, want %q", stored, conditions)
	}
	// An approval recorded before its event kept the conditions shows the initiative's.
	if err := env.DB.Exec(`UPDATE initiative_events SET detail = detail - 'conditions' WHERE initiative_id = ? AND action = 'approve'`, rc.ID).Error; err != nil {
		t.Fatal(err)
	}
	if h := history(rc.ID); h["approve"] != conditions {
		t.Errorf("an older approval in the history: conditions %v", h)
	}

	// Residents: the conditions without the phone number; the timeline has steps only.
	res := env.Do(t, "GET", "/api/v1/initiatives/"+rc.Code, nil)
	if res.Status != 200 || res.Map(t)["conditions"] != "Alleen inheemse planten. Vragen: [verwijderd]" {
		t.Errorf("public = %d %s", res.Status, res.Body)
	}
	for _, private := range []string{"06-12345678", "Fenna", "fenna.devries@example.nl", "planner@doetinchem.nl", "desk:", `"detail"`, `"actor"`, `"events"`} {
		if strings.Contains(string(res.Body), private) {
			t.Errorf("public answer holds %q: %s", private, res.Body)
		}
	}
}

// A support task says when it ended (closed_at), so the planner's screen shows when a
// done task was done rather than its due date; an open one has none.
func TestSupportJobsSayWhenTheyEnded(t *testing.T) {
	env := initiativetest.Start(t, 0)
	planner := env.Login(t, "planner@doetinchem.nl", access.Planner, "GM0222")
	rc := env.Propose(t, initiativetest.Proposal(initiativetest.Rect(env.Inside(t, "BU02220101"), 50, 40), "green", "A"))
	env.Decide(t, planner, rc.ID, "approve", map[string]string{"conditions": ""})
	done := time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)
	if err := env.DB.Exec(`UPDATE jobs SET status = 'done', closed_at = ? WHERE id =
(SELECT job_id FROM initiative_jobs WHERE initiative_id = ? AND kind = 'materials')`, done, rc.ID).Error; err != nil {
		t.Fatal(err)
	}
	res := env.Do(t, "GET", "/api/v1/planner/initiatives/"+strconv.FormatInt(rc.ID, 10), nil, initiativetest.Bearer(planner)...)
	var got struct {
		Support []struct {
			Kind     string     `json:"kind"`
			Status   string     `json:"status"`
			ClosedAt *time.Time `json:"closed_at"`
		} `json:"support_jobs"`
	}
	res.JSON(t, &got)
	if len(got.Support) != 2 {
		t.Fatalf("support jobs = %s", res.Body)
	}
	for _, j := range got.Support {
		switch {
		case j.Kind == "materials" && (j.Status != "done" || j.ClosedAt == nil || !j.ClosedAt.Equal(done)):
			t.Errorf("done task = %+v, want closed at %v", j, done)
		case j.Kind == "guidance" && j.ClosedAt != nil:
			t.Errorf("open task = %+v, want no closed_at", j)
		}
	}
}
