package push

import (
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
)

const day = 24 * time.Hour

// outboxIDs returns the ids of the outbox rows, in order.
func (f *fixture) outboxIDs() []int64 {
	f.t.Helper()
	var ids []int64
	if err := f.db.Raw(`SELECT id FROM push_outbox ORDER BY id`).Scan(&ids).Error; err != nil {
		f.t.Fatal(err)
	}
	return ids
}

// Prune deletes finished outbox rows older than the cutoff with their deliveries, and
// keeps young ones, those still to be sent, and those a worker or another pruner holds.
func testPrune(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("P", 2)
	req := func(job int64) Request { return Request{JobID: job, TeamID: team, Kind: KindAssigned, Version: 1} }
	w := f.worker(Options{})

	// Five rows sent to both devices: done, two deliveries each.
	var sent []int64
	for range 5 {
		sent = append(sent, f.enqueue(req(f.job(team)), time.Hour))
	}
	f.runOnce(w, 5)
	oldDone, oldDone2, oldLocked, youngDone, doneAtCutoff := sent[0], sent[1], sent[2], sent[3], sent[4]
	f.exec(`UPDATE push_outbox SET done_at = now() - interval '8 days' WHERE id IN (?, ?, ?)`, oldDone, oldDone2, oldLocked)
	f.exec(`UPDATE push_outbox SET done_at = now() - interval '6 days' WHERE id = ?`, youngDone)

	// Rows not done: waiting long (but not expired), expired long ago and never handled
	// (no worker ran), the same but leased by a worker, and expired lately.
	waiting := f.enqueue(req(f.job(team)), 60*day)
	f.exec(`UPDATE push_outbox SET created_at = now() - interval '40 days', next_attempt_at = now() - interval '1 hour' WHERE id = ?`, waiting)
	abandoned := f.enqueue(req(f.job(team)), time.Hour)
	f.exec(`UPDATE push_outbox SET created_at = now() - interval '9 days', expires_at = now() - interval '8 days', next_attempt_at = now() - interval '9 days' WHERE id = ?`, abandoned)
	leased := f.enqueue(req(f.job(team)), time.Hour)
	f.exec(`UPDATE push_outbox SET expires_at = now() - interval '8 days', next_attempt_at = now() - interval '9 days', leased_until = now() + interval '1 minute', attempts = 1 WHERE id = ?`, leased)
	expiredLately := f.enqueue(req(f.job(team)), time.Hour)
	f.exec(`UPDATE push_outbox SET expires_at = now() - interval '1 day', next_attempt_at = now() - interval '1 day' WHERE id = ?`, expiredLately)

	if n := f.id(`SELECT count(*) FROM push_outbox`); n != 9 {
		t.Fatalf("%d outbox rows before pruning, want 9", n)
	}
	if n := f.id(`SELECT count(*) FROM push_deliveries`); n != 10 {
		t.Fatalf("%d deliveries before pruning, want 10", n)
	}

	// Another pruner (or a worker) holds one old row: it is skipped, not waited for.
	var cutoff time.Time
	if err := f.db.Raw(`SELECT now() - interval '7 days'`).Scan(&cutoff).Error; err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE push_outbox SET done_at = ? WHERE id = ?`, cutoff, doneAtCutoff)
	held := make(chan struct{})
	release := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- database.Tx(f.ctx, f.db.DB, func(tx *gorm.DB) error {
			if err := tx.Exec(`SELECT 1 FROM push_outbox WHERE id = ? FOR UPDATE`, oldLocked).Error; err != nil {
				close(held)
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	// Batches of 2: the two old done rows fill one, the next finds none; then the
	// abandoned row.
	got, err := Prune(f.ctx, f.db.DB, cutoff, 2)
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := (Pruned{Outbox: 3, Deliveries: 4}); got != want {
		t.Errorf("Prune = %+v, want %+v", got, want)
	}
	want := []int64{oldLocked, youngDone, doneAtCutoff, waiting, leased, expiredLately}
	if ids := f.outboxIDs(); !slices.Equal(ids, want) {
		t.Errorf("outbox rows left %v, want %v (deleted %v, %v, %v)", ids, want, oldDone, oldDone2, abandoned)
	}
	if n := f.id(`SELECT count(*) FROM push_deliveries WHERE outbox_id IN (?, ?)`, oldDone, oldDone2); n != 0 {
		t.Errorf("%d deliveries of pruned rows left", n)
	}
	if n := f.id(`SELECT count(*) FROM push_deliveries`); n != 6 {
		t.Errorf("%d deliveries left, want 6", n)
	}

	// Once released, the held row goes too; then there is nothing left to prune.
	if got, err := Prune(f.ctx, f.db.DB, cutoff, PruneBatch); err != nil || got != (Pruned{Outbox: 1, Deliveries: 2}) {
		t.Errorf("second Prune = %+v (err %v), want the held row and its 2 deliveries", got, err)
	}
	if got, err := Prune(f.ctx, f.db.DB, cutoff, PruneBatch); err != nil || got != (Pruned{}) {
		t.Errorf("third Prune = %+v (err %v), want nothing", got, err)
	}
	if _, err := Prune(f.ctx, f.db.DB, cutoff, 0); err == nil {
		t.Error("a batch of 0 pruned")
	}

	// The rows kept still work: the waiting row is sent, the one that expired lately is
	// given up; the leased row waits for its lease.
	f.fcm.Reset()
	f.runOnce(w, 2)
	if s := f.outbox(waiting); !s.Done || s.LastError != "" {
		t.Errorf("waiting row after pruning = %+v, want sent", s)
	}
	if got := f.sentTo(); len(got) != 2 || got[tokens[0]] != 1 || got[tokens[1]] != 1 {
		t.Errorf("sent to %v, want each token once", got)
	}
	if s := f.outbox(expiredLately); !s.Done || s.LastError != "expired" {
		t.Errorf("row that expired lately = %+v, want expired", s)
	}
	if s := f.outbox(leased); s.Done {
		t.Errorf("leased row = %+v, want it left alone", s)
	}
}
