package crew_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/job"
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
	var first taskList
	p.do(t, "GET", "/mobile/v1/tasks", nil).JSON(t, &first)
	_, teams, _ := strings.Cut(first.Cursor, "t") // the fingerprint of the phone's teams
	tests := []struct {
		since    string
		status   int
		wantFull bool
	}{
		{"", 200, true},
		{"12", 200, true}, // a cursor from before the change to snapshot cursors
		{"x1t" + teams, 200, false},
		{"x1", 200, true},   // from before cursors named the teams
		{"x1t0", 200, true}, // of other teams
		{"x1t" + strings.Repeat("a", 17), 422, false},
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

// The feed is pruned: a phone whose cursor is older than the pruned rows gets a full sync
// that leaves it with the right task list, and a phone with a newer cursor still gets a
// delta.
func TestSyncAfterFeedPruning(t *testing.T) {
	env := apptest.Start(t)
	ctx := context.Background()
	// The server prunes as it starts (and then hourly).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var ran bool
		env.DB.Raw(`SELECT pruned_at IS NOT NULL FROM task_feed_horizon`).Scan(&ran)
		if ran {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not prune the task feed")
		}
	}
	old := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	recent := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	moved := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	var first taskList
	old.do(t, "GET", "/mobile/v1/tasks", nil).JSON(t, &first)
	if !hasTask(first, moved) {
		t.Fatalf("full sync = %+v", first)
	}

	// Changes the old phone has not fetched: a new task, and one that leaves the team.
	kept := report(t, env, "groen.onkruid", oosseld[0]+0.002, oosseld[1])
	var wehl int64
	env.DB.Raw(`SELECT id FROM teams WHERE code = 'doetinchem-wehl'`).Scan(&wehl)
	if err := env.DB.Exec(`UPDATE jobs SET team_id = ? WHERE id = ?`, wehl, moved).Error; err != nil {
		t.Fatal(err)
	}
	// Before pruning, the old phone's cursor gets a delta (and an ETag for it).
	res := old.do(t, "GET", "/mobile/v1/tasks?since="+first.Cursor, nil)
	var delta taskList
	res.JSON(t, &delta)
	if delta.Full || !hasTask(delta, kept) {
		t.Fatalf("delta before pruning = %s", res.Body)
	}
	etag := res.Header.Get("ETag")

	// The recent phone syncs once every change so far is older than its cursor (a
	// transaction running anywhere in the cluster holds the cursor back).
	var newest int64
	env.DB.Raw(`SELECT max(xid)::text::bigint FROM task_feed`).Scan(&newest)
	var base taskList
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		base = taskList{}
		recent.do(t, "GET", "/mobile/v1/tasks", nil).JSON(t, &base)
		if cursorXid(t, base.Cursor) > newest {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cursor %s never passed transaction %d", base.Cursor, newest)
		}
	}

	// All of it ages past the retention and is pruned.
	if err := env.DB.Exec(`UPDATE task_feed SET at = now() - interval '40 days' WHERE xid < ?::text::xid8`,
		strconv.FormatInt(cursorXid(t, base.Cursor), 10)).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := job.PruneFeed(ctx, env.DB.DB, 30*24*time.Hour); err != nil || n == 0 {
		t.Fatalf("pruned %d rows (err %v)", n, err)
	}
	later := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1]+0.002)

	// The old phone: its ETag no longer matches, and it gets a full sync with the team's
	// open tasks, without the one that moved away.
	res = old.do(t, "GET", "/mobile/v1/tasks?since="+first.Cursor, nil, "If-None-Match", etag)
	if res.Status != 200 {
		t.Fatalf("old cursor with its ETag = %d, want 200", res.Status)
	}
	var full taskList
	res.JSON(t, &full)
	var want []int64
	env.DB.Raw(`SELECT id FROM jobs WHERE team_id = ? AND status IN ('open','assigned','accepted','in_progress') ORDER BY id`,
		old.worker.TeamIDs[0]).Scan(&want)
	var got []int64
	for _, tk := range full.Tasks {
		if tk.Removed {
			t.Errorf("a full sync sends removed task %d", tk.ID)
		}
		got = append(got, tk.ID)
	}
	slices.Sort(got)
	if !full.Full || !slices.Equal(got, want) || !slices.Contains(got, kept) || !slices.Contains(got, later) || slices.Contains(got, moved) {
		t.Errorf("old cursor after pruning: full %v, tasks %v, want %v (kept %d, later %d, not %d)", full.Full, got, want, kept, later, moved)
	}
	if etag := res.Header.Get("ETag"); strings.Contains(etag, "-"+first.Cursor[1:]+"-") {
		t.Errorf("full sync answered with the delta ETag %s", etag)
	}

	// The recent phone: a delta with the change after pruning.
	res = recent.do(t, "GET", "/mobile/v1/tasks?since="+base.Cursor, nil)
	var fresh taskList
	res.JSON(t, &fresh)
	if fresh.Full || !hasTask(fresh, later) {
		t.Errorf("recent cursor after pruning = %s", res.Body)
	}
}

func cursorXid(t *testing.T, cursor string) int64 {
	t.Helper()
	pos, _, _ := strings.Cut(strings.TrimPrefix(cursor, "x"), "t")
	n, err := strconv.ParseInt(pos, 10, 64)
	if err != nil || !strings.HasPrefix(cursor, "x") {
		t.Fatalf("cursor %q", cursor)
	}
	return n
}
