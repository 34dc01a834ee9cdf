package resident_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"wijkwerk/backend/app/apptest"
)

// A due date is promised only while the job still needs work and a crew has it. The
// receipt, the tracking page and Open311 (expected_datetime) say so alike: a report
// that no team has (Amsterdam is in the national file but has no teams) or whose job is
// done or could not be done gets due_date null, and no expected_datetime.
func TestDueDateOnlyWhenPromised(t *testing.T) {
	env := apptest.Start(t)

	post := func(lon, lat float64) map[string]any {
		t.Helper()
		res := env.Do(t, "POST", "/api/v1/reports", reportBody("afval.zwerfvuil", lon, lat))
		if res.Status != http.StatusCreated {
			t.Fatalf("POST /api/v1/reports = %d: %s", res.Status, res.Body)
		}
		return res.Map(t)
	}
	queued := post(4.8952, 52.3702)
	if queued["team"] != nil || queued["status"] != "open" {
		t.Fatalf("Amsterdam receipt = %v, want no team and open", queued)
	}
	if due, ok := queued["due_date"]; !ok || due != nil {
		t.Errorf("receipt without a team: due_date = %v (present %v), want null", due, ok)
	}
	crewed := post(stationLon, stationLat)
	if crewed["team"] == nil {
		t.Fatalf("Doetinchem receipt = %v, want a team", crewed)
	}
	var jobDue string
	env.DB.Raw(`SELECT to_char(due_date, 'YYYY-MM-DD') FROM jobs WHERE id = ?`, int64(crewed["job_id"].(float64))).Scan(&jobDue)
	if crewed["due_date"] != jobDue {
		t.Errorf("receipt with a team: due_date = %v, want the job's %s", crewed["due_date"], jobDue)
	}

	check := func(what, code string, wantDue bool) {
		t.Helper()
		res := env.Do(t, "GET", "/api/v1/reports/"+code, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: tracking = %d %s", what, res.Status, res.Body)
		}
		due, present := res.Map(t)["due_date"]
		switch {
		case !present:
			t.Errorf("%s: tracking has no due_date field: %s", what, res.Body)
		case wantDue && due != jobDue:
			t.Errorf("%s: tracking due_date = %v, want %s", what, due, jobDue)
		case !wantDue && due != nil:
			t.Errorf("%s: tracking due_date = %v, want null: no date is promised", what, due)
		}
		res = env.Do(t, "GET", "/open311/v2/requests/"+code+".json", nil)
		var reqs []struct {
			ExpectedDatetime string `json:"expected_datetime"`
		}
		if err := json.Unmarshal(res.Body, &reqs); res.Status != http.StatusOK || err != nil || len(reqs) != 1 {
			t.Fatalf("%s: open311 = %d %s", what, res.Status, res.Body)
		}
		if got := reqs[0].ExpectedDatetime != ""; got != wantDue {
			t.Errorf("%s: open311 expected_datetime %q, but tracking promises a date: %v", what, reqs[0].ExpectedDatetime, wantDue)
		}
	}
	check("no team", queued["tracking_code"].(string), false)
	code := crewed["tracking_code"].(string)
	check("a crew has it", code, true)
	for _, st := range []string{"done", "cannot_complete", "cancelled"} {
		env.DB.Exec(`UPDATE jobs SET status = ? WHERE id = (SELECT job_id FROM reports WHERE tracking_code = ?)`, st, code)
		check(st, code, false)
	}
	// Sent back to a crew: a date is promised again.
	env.DB.Exec(`UPDATE jobs SET status = 'assigned' WHERE id = (SELECT job_id FROM reports WHERE tracking_code = ?)`, code)
	check("sent back to a crew", code, true)
}
