package deskapi_test

import (
	"fmt"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/worker"
)

// While the desk decides what happens to a report its crew could not do, residents see it
// open, in Open311 as on the tracking page, with the next step: the municipality decides.
// Sent back to work it stays open; closed by the desk it is closed.
func TestResidentsSeeTheDeskDecide(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	crew := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{"category": "afval.zwerfvuil",
		"location": map[string]any{"type": "Point", "coordinates": []float64{6.318, 51.962}}, "description": "Zakken bij het hek"})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	var rep struct {
		TrackingCode string `json:"tracking_code"`
		JobID        int64  `json:"job_id"`
	}
	res.JSON(t, &rep)
	giveUp := func(version int) {
		t.Helper()
		res := crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/cannot-complete", rep.JobID), map[string]any{"reason": "needs_equipment"},
			"Idempotency-Key", fmt.Sprint("cc", version), "If-Match", fmt.Sprint(version))
		if res.Status != 200 {
			t.Fatalf("cannot-complete = %d %s", res.Status, res.Body)
		}
	}
	// check compares what Open311 (both languages, and the status filter) and the
	// tracking page say with what residents should see.
	check := func(step, status, notice, noticeEN, next string) {
		t.Helper()
		var reqs []struct {
			Status        string `json:"status"`
			ServiceNotice string `json:"service_notice"`
		}
		env.Do(t, "GET", "/open311/v2/requests/"+rep.TrackingCode+".json", nil).JSON(t, &reqs)
		if len(reqs) != 1 || reqs[0].Status != status || reqs[0].ServiceNotice != notice {
			t.Errorf("%s: Open311 = %+v, want %s, %q", step, reqs, status, notice)
		}
		env.Do(t, "GET", "/open311/v2/requests/"+rep.TrackingCode+".json?lang=en", nil).JSON(t, &reqs)
		if len(reqs) != 1 || reqs[0].ServiceNotice != noticeEN {
			t.Errorf("%s: Open311 in English = %+v, want %q", step, reqs, noticeEN)
		}
		env.Do(t, "GET", "/open311/v2/requests.json?status="+status, nil).JSON(t, &reqs)
		if len(reqs) != 1 {
			t.Errorf("%s: status=%s lists %d requests, want it", step, status, len(reqs))
		}
		var tr struct {
			Status string  `json:"status"`
			Open   bool    `json:"open"`
			Next   *string `json:"next"`
		}
		env.Do(t, "GET", "/api/v1/reports/"+rep.TrackingCode, nil).JSON(t, &tr)
		got := ""
		if tr.Next != nil {
			got = *tr.Next
		}
		if tr.Open != (status == "open") || got != next {
			t.Errorf("%s: tracking = open %v, next %q; want %s, %q", step, tr.Open, got, status, next)
		}
	}
	const (
		waitNL = "De ploeg kon dit niet doen. De gemeente beslist nu wat er verder gebeurt."
		waitEN = "The crew could not do this. The municipality now decides what happens next."
		nextNL = "De gemeente beslist nu wat er verder gebeurt."
	)
	giveUp(1)
	check("awaiting the desk", "open", waitNL, waitEN, nextNL)
	if res := planner.do(t, "POST", reassignPath(rep.JobID), map[string]any{"team_id": teamID(t, env, "doetinchem-oosseld"), "reason": "Met de kraan"},
		"If-Match", "2"); res.Status != 200 {
		t.Fatalf("reassign = %d %s", res.Status, res.Body)
	}
	check("sent back", "open", "We pakken dit binnen 3 werkdagen op.", "We handle this within 3 working days.", "")
	giveUp(3)
	check("awaiting again", "open", waitNL, waitEN, nextNL)
	if res := planner.do(t, "POST", closePath(rep.JobID), map[string]any{"note": "Kan niet"}, "If-Match", "4"); res.Status != 200 {
		t.Fatalf("close = %d %s", res.Status, res.Body)
	}
	// Closed by the desk: Open311 says so, and why (the crew's reason from the fixed
	// list), as the tracking page does; never the planner's note ("Kan niet").
	check("closed by the desk", "closed", "De gemeente heeft deze melding afgesloten. Reden: Er is ander materieel nodig.",
		"The municipality has closed this report. Reason: Needs other equipment.", "")
}
