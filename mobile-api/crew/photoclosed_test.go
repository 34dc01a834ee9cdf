package crew_test

import (
	"context"
	"fmt"
	"testing"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/worker"
)

// A closed task (done, could not be done, cancelled) takes no more photos from its crew:
// a done job's after-photos are public at once, and nobody checks what comes after the
// end. The refusal is a 409 of its own type, in Dutch and English; the tracking page
// keeps showing only the photo taken with the work.
func TestClosedTaskTakesNoPhotos(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{
		"category": "afval.zwerfvuil",
		"location": map[string]any{"type": "Point", "coordinates": []float64{oosseld[0], oosseld[1]}},
	})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	m := res.Map(t)
	jobID, code := int64(m["job_id"].(float64)), m["tracking_code"].(string)
	if res := upload(t, p, jobID, "after", jpegBytes(t, 32, 24)); res.Status != 201 {
		t.Fatalf("after-photo with the work = %d %s", res.Status, res.Body)
	}
	if res := p.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID), map[string]any{},
		"Idempotency-Key", "closed-1", "If-Match", "1"); res.Status != 200 {
		t.Fatalf("complete = %d %s", res.Status, res.Body)
	}

	for _, status := range []string{"done", "cannot_complete", "cancelled"} {
		env.DB.Exec(`UPDATE jobs SET status = ? WHERE id = ?`, status, jobID)
		for i, kind := range []string{"after", "before"} {
			res := upload(t, p, jobID, kind, jpegBytes(t, 40+i, 30))
			if m := res.Map(t); res.Status != 409 || m["type"] != "/problems/task-closed" {
				t.Errorf("%s-photo for a %s task = %d %s", kind, status, res.Status, res.Body)
			}
		}
	}
	// Said in the crew member's language; the job is refused before any photo is read.
	res = p.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/photos", jobID), nil)
	if m := res.Map(t); res.Status != 409 || m["detail"] != "Deze taak is afgesloten (“Geannuleerd”). Er kunnen geen foto's meer bij." {
		t.Errorf("in Dutch = %d %s", res.Status, res.Body)
	}
	res = p.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/photos?lang=en", jobID), nil)
	if m := res.Map(t); res.Status != 409 || m["detail"] != "This task is closed (“Cancelled”). No more photos can be added." {
		t.Errorf("in English = %d %s", res.Status, res.Body)
	}
	var n int
	env.DB.Raw(`SELECT count(*) FROM job_photos WHERE job_id = ?`, jobID).Scan(&n)
	if n != 1 {
		t.Errorf("%d photos stored, want the 1 taken with the work", n)
	}
	env.DB.Exec(`UPDATE jobs SET status = 'done' WHERE id = ?`, jobID)
	if tr := env.Do(t, "GET", "/api/v1/reports/"+code, nil).Map(t); len(tr["photos"].([]any)) != 1 {
		t.Errorf("tracking photos = %v, want 1", tr["photos"])
	}

	// The store checks again under the job's lock: a crew's complete may land between
	// the first check and the photo.
	err := job.NewStore(env.DB.DB).AddPhoto(context.Background(), jobID, p.worker.TeamIDs, job.Photo{Hash: "ab", Kind: "after"})
	if !problem.Of(err, job.TaskClosed) {
		t.Errorf("AddPhoto on a done job = %v, want task-closed", err)
	}
}
