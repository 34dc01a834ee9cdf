package job

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"wijkwerk/backend/demo/demotest"
	"wijkwerk/backend/testdb"
)

const month = 30 * 24 * time.Hour

func TestCursorExpired(t *testing.T) {
	tests := []struct {
		name           string
		since, horizon int64
		want           bool
	}{
		{"full sync anyway", 0, 0, false},
		{"full sync after pruning", 0, 500, false},
		{"nothing pruned", 1, 0, false},
		{"above the horizon", 501, 500, false},
		{"at the horizon: that transaction's rows may be gone", 500, 500, true},
		{"below the horizon", 12, 500, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cursorExpired(tt.since, tt.horizon); got != tt.want {
				t.Errorf("cursorExpired(%d, %d) = %v, want %v", tt.since, tt.horizon, got, tt.want)
			}
		})
	}
}

// feedRow is a task_feed row written by hand: seq, transaction id and age.
type feedRow struct {
	seq, xid int64
	age      time.Duration
}

func insertFeed(t *testing.T, db *testdb.DB, rows ...feedRow) {
	t.Helper()
	for _, r := range rows {
		err := db.Exec(`INSERT INTO task_feed (seq, team_id, job_id, xid, at) VALUES (?, 1, ?, ?::text::xid8, now() - make_interval(secs => ?))`,
			r.seq, r.seq, strconv.FormatInt(r.xid, 10), r.age.Seconds()).Error
		if err != nil {
			t.Fatal(err)
		}
	}
}

func feedSeqs(t *testing.T, db *testdb.DB) []int64 {
	t.Helper()
	var seqs []int64
	if err := db.Raw(`SELECT seq FROM task_feed ORDER BY seq`).Scan(&seqs).Error; err != nil {
		t.Fatal(err)
	}
	return seqs
}

func TestPruneFeedDeletesOnlyOldRows(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	s := NewStore(db.DB)
	day := 24 * time.Hour
	insertFeed(t, db,
		feedRow{seq: 1, xid: 100, age: 40 * day},
		feedRow{seq: 2, xid: 300, age: 40 * day},
		feedRow{seq: 3, xid: 200, age: 31 * day},
		feedRow{seq: 4, xid: 250, age: 31 * day},
		feedRow{seq: 5, xid: 400, age: 29 * day}, // young: pruning stops here
		feedRow{seq: 6, xid: 350, age: 40 * day}, // old, but after a young row: next time
		feedRow{seq: 7, xid: 600, age: 0},
	)
	// Batches of 2: two full ones, then an empty one that ends the run.
	n, err := pruneFeed(ctx, db.DB, month, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("deleted %d rows, want 4", n)
	}
	if got, want := feedSeqs(t, db), []int64{5, 6, 7}; !slices.Equal(got, want) {
		t.Errorf("left rows %v, want %v", got, want)
	}
	h, err := s.feedHorizon(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h != 300 {
		t.Errorf("horizon %d, want 300 (the newest deleted transaction)", h)
	}

	// Once row 5 is old too, row 6 goes; the horizon never goes down.
	if err := db.Exec(`UPDATE task_feed SET at = now() - interval '31 days' WHERE seq = 5`).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`UPDATE task_feed_horizon SET xid = '1000'`).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := PruneFeed(ctx, db.DB, month); err != nil || n != 2 {
		t.Errorf("second prune deleted %d rows (err %v), want 2", n, err)
	}
	if got, want := feedSeqs(t, db), []int64{7}; !slices.Equal(got, want) {
		t.Errorf("left rows %v, want %v", got, want)
	}
	if h, _ := s.feedHorizon(ctx); h != 1000 {
		t.Errorf("horizon %d, want 1000", h)
	}

	// Nothing old: nothing deleted.
	if n, err := PruneFeed(ctx, db.DB, month); err != nil || n != 0 {
		t.Errorf("third prune deleted %d rows (err %v), want 0", n, err)
	}
	if _, err := PruneFeed(ctx, db.DB, 0); err == nil {
		t.Error("a retention of 0 pruned")
	}
}

// A sync that took its head before a prune passed its cursor, and read the feed after
// it, must not hand out a delta that lacks the pruned rows.
func TestChangedAfterPruneIsFullSync(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	s := NewStore(db.DB)
	teams := []int64{1}
	var xid int64
	if err := db.Raw(`INSERT INTO task_feed (seq, team_id, job_id, at) VALUES (1, 1, 1, now() - interval '40 days')
RETURNING xid::text::bigint`).Scan(&xid).Error; err != nil {
		t.Fatal(err)
	}
	head, err := s.Head(ctx, teams, xid)
	if err != nil {
		t.Fatal(err)
	}
	if head.Since != xid || head.Changes != 1 {
		t.Fatalf("head before pruning = %+v, want since %d with 1 change", head, xid)
	}
	if _, err := PruneFeed(ctx, db.DB, month); err != nil {
		t.Fatal(err)
	}
	ch, err := s.Changed(ctx, teams, head)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Full || ch.Cursor != head.Xmin {
		t.Errorf("changes after a prune passed the cursor: full %v, cursor %d (head %+v)", ch.Full, ch.Cursor, head)
	}
	// The next head for that cursor says full sync at once.
	if head, err := s.Head(ctx, teams, xid); err != nil || head.Since != 0 || head.Changes != 0 {
		t.Errorf("head after pruning = %+v (err %v), want a full sync", head, err)
	}
	// A cursor from the future (not this database's) is a full sync too.
	if head, err := s.Head(ctx, teams, 1<<40); err != nil || head.Since != 0 || head.Changes != 0 {
		t.Errorf("head for a cursor from the future = %+v (err %v), want a full sync", head, err)
	}
	// A cursor above the horizon is still a delta.
	if head, err := s.Head(ctx, teams, xid+1); err != nil || head.Since != xid+1 {
		t.Errorf("head above the horizon = %+v (err %v), want since %d", head, err, xid+1)
	}
}

// A delta reads whole tasks (photos with them) and the horizon in one statement. A
// prune that passed the cursor after the head makes it a full sync, also when changed
// tasks are still there to read. A head that counted no changes is an empty delta.
func TestChangedDelta(t *testing.T) {
	db := demotest.DB(t)
	ctx := context.Background()
	s := NewStore(db.DB)
	var team int64
	if err := db.Raw(`SELECT id FROM teams ORDER BY id LIMIT 1`).Scan(&team).Error; err != nil || team == 0 {
		t.Fatalf("demo team: %d, %v", team, err)
	}
	teams := []int64{team}
	// An old change of another job (pruned below), then a job of the team with two photos.
	var old int64
	if err := db.Raw(`INSERT INTO task_feed (seq, team_id, job_id, at) VALUES (nextval('job_change_seq'), ?, -1, now() - interval '40 days')
RETURNING xid::text::bigint`, team).Scan(&old).Error; err != nil {
		t.Fatal(err)
	}
	var jobID int64
	if err := db.Raw(`
INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes)
SELECT (SELECT code FROM categories ORDER BY code LIMIT 1), ST_SetSRID(ST_MakePoint(6.29, 51.96), 4326),
       (SELECT id FROM areas ORDER BY id LIMIT 1), ?, 'assigned', current_date, 30
RETURNING id`, team).Scan(&jobID).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO job_photos (job_id, hash, kind, width, height, bytes, created_at)
VALUES (?, 'bbb', 'report', 1, 1, 1, now() - interval '1 minute'), (?, 'aaa', 'before', 1, 1, 1, now())`, jobID, jobID).Error; err != nil {
		t.Fatal(err)
	}

	head, err := s.Head(ctx, teams, old)
	if err != nil || head.Changes != 2 {
		t.Fatalf("head = %+v (err %v), want 2 changes", head, err)
	}
	ch, err := s.Changed(ctx, teams, head)
	if err != nil {
		t.Fatal(err)
	}
	want := []TaskPhoto{{Hash: "bbb", Kind: "report", URL: "/mobile/v1/photos/bbb"}, {Hash: "aaa", Kind: "before", URL: "/mobile/v1/photos/aaa"}}
	if ch.Full || len(ch.Tasks) != 1 || ch.Tasks[0].ID != jobID || !slices.Equal(ch.Tasks[0].Photos, want) {
		t.Fatalf("delta = %+v, want job %d with photos %v", ch, jobID, want)
	}

	// Nothing new since the head: an empty delta, as an empty list. The cursor passes
	// these rows once no older transaction runs anywhere in the cluster (other tests'
	// may), so the head is taken again until it counts none.
	empty, err := s.Head(ctx, teams, head.Xmin)
	for deadline := time.Now().Add(30 * time.Second); err == nil && empty.Changes != 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		empty, err = s.Head(ctx, teams, empty.Xmin)
	}
	if err != nil || empty.Since == 0 || empty.Changes != 0 {
		t.Fatalf("head from the new cursor = %+v (err %v)", empty, err)
	}
	if ch, err := s.Changed(ctx, teams, empty); err != nil || ch.Full || ch.Tasks == nil || len(ch.Tasks) != 0 || ch.Cursor != empty.Xmin {
		t.Errorf("empty delta = %+v (err %v)", ch, err)
	}

	// The old row is pruned after the head: the job is still read, but the answer must
	// be a full sync (the full sync has the job too).
	if _, err := PruneFeed(ctx, db.DB, month); err != nil {
		t.Fatal(err)
	}
	ch, err = s.Changed(ctx, teams, head)
	if err != nil {
		t.Fatal(err)
	}
	if !ch.Full || len(ch.Tasks) != 1 || ch.Tasks[0].ID != jobID {
		t.Errorf("delta after a prune passed its cursor = %+v, want a full sync with job %d", ch, jobID)
	}
}
