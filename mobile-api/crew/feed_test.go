package crew_test

import (
	"encoding/json"
	"strings"
	"testing"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// A change whose transaction began before another's but commits after it must still
// reach the phone: a cursor that was just the highest feed position seen skipped it.
func TestSyncSeesChangesThatCommitLate(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	early := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	var first taskList
	p.do(t, "GET", "/mobile/v1/tasks", nil).JSON(t, &first)

	// A slow transaction changes the first job (its feed position comes first) ...
	slow := env.DB.Begin()
	defer slow.Rollback()
	if err := slow.Exec(`UPDATE jobs SET description = 'Glas, ook op de stoep' WHERE id = ?`, early).Error; err != nil {
		t.Fatal(err)
	}
	// ... while a new report commits, and the phone syncs past it.
	late := report(t, env, "groen.onkruid", oosseld[0]+0.002, oosseld[1])
	var mid taskList
	p.do(t, "GET", "/mobile/v1/tasks?since="+first.Cursor, nil).JSON(t, &mid)
	if !hasTask(mid, late) {
		t.Fatalf("the new report is not in the delta: %+v", mid)
	}
	if err := slow.Commit().Error; err != nil {
		t.Fatal(err)
	}
	res := p.do(t, "GET", "/mobile/v1/tasks?since="+mid.Cursor, nil)
	if !strings.Contains(string(res.Body), "Glas, ook op de stoep") {
		t.Errorf("the late change never reached the phone: %s", res.Body)
	}
}

func TestSyncCursors(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	job := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	tests := []struct {
		since    string
		status   int
		wantFull bool
	}{
		{"", 200, true},
		{"12", 200, true}, // a cursor from before the change to snapshot cursors
		{"x1", 200, false},
		{"x0", 422, false},
		{"x", 422, false},
		{"-3", 422, false},
		{"y12", 422, false},
	}
	for _, tt := range tests {
		t.Run(tt.since, func(t *testing.T) {
			res := p.do(t, "GET", "/mobile/v1/tasks?since="+tt.since, nil)
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tt.status, res.Body)
			}
			if tt.status != 200 {
				return
			}
			var body struct {
				Full   bool   `json:"full"`
				Cursor string `json:"cursor"`
			}
			json.Unmarshal(res.Body, &body)
			var list taskList
			res.JSON(t, &list)
			if body.Full != tt.wantFull || !strings.HasPrefix(body.Cursor, "x") || !hasTask(list, job) {
				t.Errorf("full %v, cursor %q, tasks %+v", body.Full, body.Cursor, list.Tasks)
			}
		})
	}
}

func hasTask(l taskList, id int64) bool {
	for _, x := range l.Tasks {
		if x.ID == id {
			return true
		}
	}
	return false
}
