package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
	"wijkwerk/backend/demo/demotest"
	"wijkwerk/backend/idempotency"
	"wijkwerk/backend/job"
	"wijkwerk/backend/publiccode"
	"wijkwerk/backend/routing"
	"wijkwerk/backend/testdb"
	wgeo "wijkwerk/geo"
)

func TestSets(t *testing.T) {
	f := func(keys ...int64) filing { return filing{lockKeys: keys} }
	tests := []struct {
		name  string
		group []filing
		want  []int // sizes of the runs
	}{
		{"one report", []filing{f(1, 2)}, []int{1}},
		{"apart", []filing{f(1, 2), f(3), f(4, 5)}, []int{3}},
		{"a possible duplicate starts a run", []filing{f(1, 2), f(3), f(2, 6), f(7)}, []int{2, 2}},
		{"twice", []filing{f(1), f(1), f(1)}, []int{1, 1, 1}},
		{"only against its own run", []filing{f(1), f(2), f(1), f(2)}, []int{2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for _, run := range sets(tt.group) {
				got = append(got, len(run))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("runs %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("runs %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestFileGroup files one group the way group commit does, against the demo database:
// new jobs, a report that joins a job of an earlier report in the same group (a second
// statement), a report that joins a job filed before, contact details and keys.
func TestFileGroup(t *testing.T) {
	ctx := context.Background()
	s, db := newTestService(t)

	station := orb.Point{6.2967, 51.9590}
	earlier, _, err := s.Submit(ctx, Submission{Category: "afval.zwerfvuil", Location: station, Channel: "app"}, "")
	if err != nil {
		t.Fatal(err)
	}
	at := func(p orb.Point, bearing, metres float64) orb.Point {
		return geo.PointAtBearingAndDistance(p, bearing, metres)
	}
	subs := []Submission{
		{Category: "wegen.tegel", Location: at(station, 90, 300), Description: "los"},                 // new job
		{Category: "wegen.tegel", Location: at(station, 90, 305), Description: "ook los"},             // joins the one above
		{Category: "afval.zwerfvuil", Location: at(station, 180, 10)},                                 // joins the earlier job
		{Category: "groen.onkruid", Location: at(station, 0, 500), Contact: Contact{Email: "a@b.nl"}}, // new, with contact
	}
	group := make([]filing, len(subs))
	for i := range subs {
		subs[i].Channel = "app"
		group[i] = prepared(t, s, subs[i], "k"+string(rune('a'+i)))
	}
	if runs := sets(group); len(runs) != 2 || len(runs[0]) != 1 {
		t.Fatalf("want the first report in a run of its own, the possible duplicate in a second: %d runs", len(runs))
	}
	out, err := s.group.file(ctx, group)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 4 {
		t.Fatalf("got %d filed, want 4", len(out))
	}
	if out[0].Duplicate || out[0].ReportCount != 1 || out[0].TeamID == 0 {
		t.Errorf("first: %+v, want a new routed job", out[0])
	}
	if !out[1].Duplicate || out[1].JobID != out[0].JobID || out[1].ReportCount != 2 {
		t.Errorf("second: %+v, want it to join job %d as its second report", out[1], out[0].JobID)
	}
	if !out[2].Duplicate || out[2].JobID != earlier.JobID || out[2].ReportCount != 2 {
		t.Errorf("third: %+v, want it to join the earlier job %d", out[2], earlier.JobID)
	}
	if out[3].Duplicate || out[3].JobID == out[0].JobID {
		t.Errorf("fourth: %+v, want a job of its own", out[3])
	}
	for i, f := range out {
		if f.TrackingCode != group[i].code || f.Area.Code == "" || f.ReportID == 0 {
			t.Errorf("filed %d: %+v does not match its filing", i, f)
		}
	}

	var counts struct{ Jobs, Reports, Audit, Contacts, Pushes, Keys int }
	db.Raw(`SELECT (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM reports) AS reports,
  (SELECT count(*) FROM audit_events) AS audit, (SELECT count(*) FROM report_contacts) AS contacts,
  (SELECT count(*) FROM push_outbox) AS pushes, (SELECT count(*) FROM idempotency_keys) AS keys`).Scan(&counts)
	want := struct{ Jobs, Reports, Audit, Contacts, Pushes, Keys int }{Jobs: 3, Reports: 5, Audit: 5, Contacts: 1, Pushes: 3, Keys: 4}
	if counts != want {
		t.Errorf("rows %+v, want %+v", counts, want)
	}
	var reportCounts []int
	db.Raw(`SELECT report_count FROM jobs WHERE id IN (?, ?, ?) ORDER BY id`, earlier.JobID, out[0].JobID, out[3].JobID).Scan(&reportCounts)
	if len(reportCounts) != 3 || reportCounts[0] != 2 || reportCounts[1] != 2 || reportCounts[2] != 1 {
		t.Errorf("report counts %v, want [2 2 1]", reportCounts)
	}
	var actions []string
	db.Raw(`SELECT action FROM audit_events WHERE job_id = ? ORDER BY id`, out[0].JobID).Scan(&actions)
	if len(actions) != 2 || actions[0] != "created" || actions[1] != "report_added" {
		t.Errorf("audit of the new job: %v", actions)
	}
	for i, sub := range subs {
		stored, err := idempotency.Lookup(ctx, db.DB, idempotencyScope, group[i].key, group[i].hash)
		if err != nil || stored == nil {
			t.Fatalf("key %s: %v, %v", group[i].key, stored, err)
		}
		rc, err := storedReceipt(sub.Category, stored.Response)
		if err != nil || rc.TrackingCode != out[i].TrackingCode || rc.ReportCount != out[i].ReportCount {
			got, _ := json.Marshal(rc)
			t.Errorf("key %s stores %s (%v), want the receipt of report %d", group[i].key, got, err, i)
		}
	}
}

// TestFileGroupFailsWhole: when a later statement of a group fails, what the earlier
// ones filed is not committed either (the batch is one transaction).
func TestFileGroupFailsWhole(t *testing.T) {
	ctx := context.Background()
	s, db := newTestService(t)
	station := orb.Point{6.2967, 51.9590}
	var group []filing
	code := publiccode.New()
	for i, p := range []orb.Point{station, geo.PointAtBearingAndDistance(station, 90, 5)} {
		fl := prepared(t, s, Submission{Category: "wegen.tegel", Location: p, Channel: "app"}, fmt.Sprintf("key-%d", i))
		fl.code = code // the second statement fails on the tracking code the first stored
		group = append(group, fl)
	}
	if runs := sets(group); len(runs) != 2 {
		t.Fatalf("want two statements, got %d", len(runs))
	}
	if _, err := s.group.file(ctx, group); !errors.Is(err, database.ErrRetry) {
		t.Fatalf("err = %v, want the tracking code taken (try again)", err)
	}
	var rows int64
	db.Raw(`SELECT (SELECT count(*) FROM reports) + (SELECT count(*) FROM jobs) + (SELECT count(*) FROM idempotency_keys)`).Scan(&rows)
	if rows != 0 {
		t.Errorf("%d rows left of a failed group, want none", rows)
	}
	// The connection is fine afterwards.
	if _, _, err := s.Submit(ctx, Submission{Category: "wegen.tegel", Location: station, Channel: "app"}, "key-0"); err != nil {
		t.Fatal(err)
	}
}

// TestFileGroupWithARetry: a retry whose key was stored before is left out of its
// group's statement and answered from the key; the others in the group are filed.
func TestFileGroupWithARetry(t *testing.T) {
	ctx := context.Background()
	s, db := newTestService(t)
	station := orb.Point{6.2967, 51.9590}
	first, _, err := s.Submit(ctx, Submission{Category: "wegen.tegel", Location: station, Channel: "app"}, "retried")
	if err != nil {
		t.Fatal(err)
	}
	var group []filing
	for i, key := range []string{"new-1", "retried", "new-2"} {
		sub := Submission{Category: "groen.onkruid", Location: geo.PointAtBearingAndDistance(station, 0, float64(200+300*i)), Channel: "app"}
		if key == "retried" {
			sub = Submission{Category: "wegen.tegel", Location: station, Channel: "app"}
		}
		group = append(group, prepared(t, s, sub, key))
	}
	out, err := s.group.file(ctx, group)
	if err != nil {
		t.Fatalf("the group failed for one retry: %v", err)
	}
	if !out[1].KeyTaken || out[0].KeyTaken || out[2].KeyTaken || out[0].ReportID == 0 || out[2].ReportID == 0 {
		t.Errorf("filed %+v, want the retry marked and the others filed", out)
	}
	var reports int64
	db.Raw(`SELECT count(*) FROM reports`).Scan(&reports)
	if reports != 3 {
		t.Errorf("%d reports, want 3 (the retry not again)", reports)
	}
	// Through Submit the retry gets the first answer.
	rc, replayed, err := s.Submit(ctx, Submission{Category: "wegen.tegel", Location: station, Channel: "app"}, "retried")
	if err != nil || !replayed || rc.ID != first.ID {
		t.Errorf("retry = %+v, replayed %v, err %v; want report %d replayed", rc, replayed, err, first.ID)
	}
}

// prepared is sub made ready for filing with key, as Submit does, with a new tracking
// code.
func prepared(t *testing.T, s *Service, sub Submission, key string) filing {
	t.Helper()
	fl, _, err := s.prepare(context.Background(), &sub, key)
	if err != nil {
		t.Fatal(err)
	}
	fl.code = publiccode.New()
	return fl
}

// newTestService is the intake on a fresh demo database, without the HTTP server.
func newTestService(t *testing.T) (*Service, *testdb.DB) {
	db := demotest.DB(t)
	areas := wgeo.NewLive(wgeo.NewStore(db.DB), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := areas.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return NewService(db.DB, category.NewCache(category.NewStore(db.DB), time.Minute), routing.New(areas, db.DB), job.NewStore(db.DB), time.Hour), db
}

// TestFileReadsKeysByKey: the filing statement looks up a report's stored key by the
// key, whatever the planner knows of the table. A plan made while idempotency_keys was
// small once hashed every stored key of the scope for each group, so filing slowed down
// as keys piled up (measured: 0.35 ms per group at 1,100 keys, and growing).
func TestFileReadsKeysByKey(t *testing.T) {
	ctx := context.Background()
	s, db := newTestService(t)
	// Keys the planner has not seen: the demo database was analyzed without any, and
	// autovacuum must not analyze them meanwhile.
	if err := db.Exec(`ALTER TABLE idempotency_keys SET (autovacuum_enabled = off)`).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO idempotency_keys (scope, key, request_hash, status, response)
  SELECT ?, 'old-' || i, '\x00', 201, '{}' FROM generate_series(1, 5000) i`, idempotencyScope).Error; err != nil {
		t.Fatal(err)
	}
	station := orb.Point{6.2967, 51.9590}
	var set []filing
	for i := range 3 {
		sub := Submission{Category: "groen.onkruid", Location: geo.PointAtBearingAndDistance(station, 0, float64(200+300*i)), Channel: "app"}
		set = append(set, prepared(t, s, sub, fmt.Sprintf("new-%d", i)))
	}
	// The statement as intake runs it: prepared on the connection, with a generic plan
	// (see lockSQL); the transaction's own statistics count the stored keys it read.
	var read int64
	err := database.Pipeline(ctx, db.DB, func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SELECT `+planSettingsSQL); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, fileStmt.SQL(), fileArgs(set, time.Hour)...)
		if err != nil {
			return err
		}
		if _, err := pgx.CollectRows(rows, pgx.RowTo[[]byte]); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT COALESCE(idx_tup_fetch, 0) + seq_tup_read FROM pg_stat_xact_user_tables WHERE relname = 'idempotency_keys'`).Scan(&read)
	})
	if err != nil {
		t.Fatal(err)
	}
	if read > int64(len(set)) {
		t.Errorf("the statement read %d stored keys for %d reports, want at most one each", read, len(set))
	}
}
