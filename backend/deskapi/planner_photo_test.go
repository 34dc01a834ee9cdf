package deskapi_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// TestRemovePhoto: a planner (or an admin) takes a photo off a job in their areas from
// the desk, through the real API. The public tracking page and the public photo address
// no longer show it, the file is gone from disk unless another job has the same photo,
// and the job's history says who removed a photo of which kind (not which photo). Outside
// the user's areas it is not found; a job coach may not remove photos.
func TestRemovePhoto(t *testing.T) {
	dir := t.TempDir()
	env := apptest.Start(t, func(c *app.Config) { c.PhotoDir = dir })
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	admin := signIn(t, env, "admin@wijkwerk.nl", access.Admin)
	elsewhere := signIn(t, env, "planner@zevenaar.nl", access.Planner, "GM0299")
	coach := signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222")
	crew := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	var pt struct{ Lon, Lat float64 }
	env.DB.Raw(`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas WHERE code = 'BU02220301') s`).Scan(&pt)
	report := func(category string, lon float64) (int64, string) {
		res := env.Do(t, "POST", "/api/v1/reports", map[string]any{"category": category,
			"location": map[string]any{"type": "Point", "coordinates": []float64{lon, pt.Lat}}})
		if res.Status != 201 {
			t.Fatalf("report = %d %s", res.Status, res.Body)
		}
		m := res.Map(t)
		return int64(m["job_id"].(float64)), m["tracking_code"].(string)
	}
	upload := func(jobID int64, kind string, shade uint8) string { return uploadPhoto(t, crew, jobID, kind, shade) }
	file := func(hash string) bool {
		_, err := os.Stat(filepath.Join(dir, hash[0:2], hash[2:4], hash+".jpg"))
		return err == nil
	}
	tracked := func(code string) []any {
		tr := env.Do(t, "GET", "/api/v1/reports/"+code, nil).Map(t)
		photos, _ := tr["photos"].([]any)
		return photos
	}

	// The crew finishes a job with two after-photos; the second photo is also another
	// (open) job's before-photo.
	jobID, code := report("afval.zwerfvuil", pt.Lon)
	other, _ := report("wegen.tegel", pt.Lon+0.001)
	a, b := upload(jobID, "after", 40), upload(jobID, "after", 140)
	if upload(other, "before", 140) != b {
		t.Fatal("the same photo has another hash")
	}
	if res := crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID), map[string]any{},
		"Idempotency-Key", "done", "If-Match", "1"); res.Status != 200 {
		t.Fatalf("complete = %d %s", res.Status, res.Body)
	}
	if n := len(tracked(code)); n != 2 {
		t.Fatalf("tracking shows %d photos, want 2", n)
	}

	path := func(id int64, kind, hash string) string {
		return fmt.Sprintf("/api/v1/planner/jobs/%d/photos/%s/%s", id, kind, hash)
	}
	for _, tt := range []struct {
		name   string
		user   *desk
		path   string
		status int
	}{
		{"another municipality's planner", elsewhere, path(jobID, "after", a), 404},
		{"a job coach", coach, path(jobID, "after", a), 403},
		{"the wrong kind", planner, path(jobID, "before", a), 404},
		{"no such kind", planner, path(jobID, "during", a), 404},
		{"not a hash", planner, path(jobID, "after", "..%2F..%2Fetc"), 404},
		{"another job", planner, path(other, "after", a), 404},
	} {
		if res := tt.user.do(t, "DELETE", tt.path, nil); res.Status != tt.status {
			t.Errorf("%s = %d %s, want %d", tt.name, res.Status, res.Body, tt.status)
		}
	}
	if n := len(tracked(code)); n != 2 || !file(a) {
		t.Fatalf("after refusals: tracking shows %d photos, file kept %v", n, file(a))
	}

	res := planner.do(t, "DELETE", path(jobID, "after", a), nil)
	if res.Status != 204 {
		t.Fatalf("remove = %d %s", res.Status, res.Body)
	}
	if photos := tracked(code); len(photos) != 1 || photos[0] != "/api/v1/photos/"+b {
		t.Errorf("tracking photos = %v, want only the other one", photos)
	}
	if res := env.Do(t, "GET", "/api/v1/photos/"+a, nil); res.Status != 404 {
		t.Errorf("public photo after removal = %d", res.Status)
	}
	if file(a) {
		t.Error("the removed photo's file is still on disk")
	}
	if res := planner.do(t, "DELETE", path(jobID, "after", a), nil); res.Status != 404 {
		t.Errorf("remove again = %d %s", res.Status, res.Body)
	}

	// The admin removes the other one: off this job, but the file stays for the job that
	// has it too.
	if res := admin.do(t, "DELETE", path(jobID, "after", b), nil); res.Status != 204 {
		t.Fatalf("admin remove = %d %s", res.Status, res.Body)
	}
	if n := len(tracked(code)); n != 0 {
		t.Errorf("tracking shows %d photos, want none", n)
	}
	if !file(b) {
		t.Error("a photo another job has was removed from disk")
	}
	var n int
	env.DB.Raw(`SELECT count(*) FROM job_photos WHERE job_id = ? AND hash = ?`, other, b).Scan(&n)
	if n != 1 {
		t.Errorf("the other job has %d rows of the photo, want 1", n)
	}

	// The history: who removed a photo of which kind, never which photo.
	res = planner.do(t, "GET", fmt.Sprintf("/api/v1/planner/jobs/%d", jobID), nil)
	var d struct {
		Photos  []struct{ Hash string } `json:"photos"`
		History []struct {
			Action, From, To, By string
			ByName               string `json:"by_name"`
			PhotoKind            string `json:"photo_kind"`
		} `json:"history"`
	}
	res.JSON(t, &d)
	if len(d.Photos) != 0 {
		t.Errorf("detail photos = %+v", d.Photos)
	}
	var removals []string
	for _, e := range d.History {
		if e.Action == "remove_photo" {
			removals = append(removals, e.By+"/"+e.ByName+"/"+e.PhotoKind+"/"+e.From+"/"+e.To)
		}
	}
	want := []string{"desk/planner@doetinchem.nl/after/done/done", "desk/admin@wijkwerk.nl/after/done/done"}
	if strings.Join(removals, " ") != strings.Join(want, " ") {
		t.Errorf("removals in the history = %v, want %v", removals, want)
	}
	var details []string
	env.DB.Raw(`SELECT detail::text FROM audit_events WHERE job_id = ? AND action = 'remove_photo'`, jobID).Scan(&details)
	for _, s := range details {
		if strings.Contains(s, a) || strings.Contains(s, b) {
			t.Errorf("the audit keeps which photo: %s", s)
		}
	}
}

func shadedJPEG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 48; x++ {
			img.Set(x, y, color.RGBA{shade, uint8(3 * x), uint8(5 * y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRemovedPhotoLeavesThePhones: a photo the desk removes goes from the crew's phones
// at their next delta sync (the ETag they hold no longer matches), from an open task and
// from a done one, and a done job's after-photo goes from the public tracking page. The
// task's version stays, so an action a phone queued against it before the removal is not
// refused as stale.
func TestRemovedPhotoLeavesThePhones(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) { c.PhotoDir = t.TempDir() })
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	crew := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist, "")
	var pt struct{ Lon, Lat float64 }
	env.DB.Raw(`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas WHERE code = 'BU02220301') s`).Scan(&pt)
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{"category": "afval.zwerfvuil",
		"location": map[string]any{"type": "Point", "coordinates": []float64{pt.Lon, pt.Lat}}})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	jobID, code := int64(res.Map(t)["job_id"].(float64)), res.Map(t)["tracking_code"].(string)
	upload := func(kind string, shade uint8) string { return uploadPhoto(t, crew, jobID, kind, shade) }
	type task struct {
		ID      int64
		Version int
		Status  string
		Photos  []struct{ Hash, Kind string }
	}
	type page struct {
		Tasks  []task
		Cursor string
	}
	// synced is where the phone stands: its cursor and the ETag of the delta from it,
	// which answers 304 while nothing changes.
	synced := func() (string, string) {
		t.Helper()
		var full page
		crew.do(t, "GET", "/mobile/v1/tasks", nil).JSON(t, &full)
		res := crew.do(t, "GET", "/mobile/v1/tasks?since="+full.Cursor, nil)
		etag := res.Header.Get("ETag")
		if res.Status != 200 || etag == "" {
			t.Fatalf("delta = %d %q %s", res.Status, etag, res.Body)
		}
		if res := crew.do(t, "GET", "/mobile/v1/tasks?since="+full.Cursor, nil, "If-None-Match", etag); res.Status != 304 {
			t.Fatalf("delta without changes = %d, want 304", res.Status)
		}
		return full.Cursor, etag
	}
	// delta is the phone's next sync: the task as it comes, or nil if it does not.
	delta := func(cursor, etag string) *task {
		t.Helper()
		res := crew.do(t, "GET", "/mobile/v1/tasks?since="+cursor, nil, "If-None-Match", etag)
		if res.Status != 200 {
			t.Fatalf("delta after the removal = %d, want 200 (the phone keeps the photo)", res.Status)
		}
		var p page
		res.JSON(t, &p)
		for _, x := range p.Tasks {
			if x.ID == jobID {
				return &x
			}
		}
		return nil
	}
	hashes := func(x *task) []string {
		var out []string
		for _, p := range x.Photos {
			out = append(out, p.Kind+":"+p.Hash)
		}
		return out
	}
	remove := func(kind, hash string) {
		t.Helper()
		if res := planner.do(t, "DELETE", fmt.Sprintf("/api/v1/planner/jobs/%d/photos/%s/%s", jobID, kind, hash), nil); res.Status != 204 {
			t.Fatalf("remove = %d %s", res.Status, res.Body)
		}
	}

	// An open task: the phone has two before-photos, and the start queued against
	// version 1.
	a, b := upload("before", 40), upload("before", 140)
	cursor, etag := synced()
	remove("before", a)
	x := delta(cursor, etag)
	if x == nil {
		t.Fatal("the task is not in the delta after its photo was removed")
	}
	if got := hashes(x); len(got) != 1 || got[0] != "before:"+b {
		t.Errorf("photos after the removal = %v, want only before:%s", got, b)
	}
	if x.Version != 1 {
		t.Errorf("version after the removal = %d, want 1 (unchanged)", x.Version)
	}
	if res := crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/start", jobID), map[string]any{},
		"Idempotency-Key", "start", "If-Match", "1"); res.Status != 200 {
		t.Fatalf("the start queued before the removal = %d %s, want 200", res.Status, res.Body)
	}

	// A done task: its after-photo was public; it goes from the tracking page and from
	// the phone's list of done tasks.
	after := upload("after", 90)
	if res := crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID), map[string]any{},
		"Idempotency-Key", "done", "If-Match", "2"); res.Status != 200 {
		t.Fatalf("complete = %d %s", res.Status, res.Body)
	}
	tracked := func() []any {
		photos, _ := env.Do(t, "GET", "/api/v1/reports/"+code, nil).Map(t)["photos"].([]any)
		return photos
	}
	if photos := tracked(); len(photos) != 1 || photos[0] != "/api/v1/photos/"+after {
		t.Fatalf("tracking photos = %v, want the after-photo", photos)
	}
	var last page
	crew.do(t, "GET", "/mobile/v1/tasks?since="+cursor, nil).JSON(t, &last)
	res = crew.do(t, "GET", "/mobile/v1/tasks?since="+last.Cursor, nil)
	cursor, etag = last.Cursor, res.Header.Get("ETag")
	remove("after", after)
	x = delta(cursor, etag)
	if x == nil {
		t.Fatal("the done task is not in the delta after its photo was removed")
	}
	if got := hashes(x); len(got) != 1 || got[0] != "before:"+b || x.Status != "done" || x.Version != 3 {
		t.Errorf("done task after the removal: photos %v, status %s, version %d; want only before:%s, done, 3", got, x.Status, x.Version, b)
	}
	if photos := tracked(); len(photos) != 0 {
		t.Errorf("tracking photos after the removal = %v, want none", photos)
	}
}

// uploadPhoto sends a before or after photo of one shade (so its hash differs per shade)
// for job jobID from crew's phone, and returns its hash.
func uploadPhoto(t *testing.T, crew *phone, jobID int64, kind string, shade uint8) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", kind)
	fw, _ := mw.CreateFormFile("photo", "foto.jpg")
	fw.Write(shadedJPEG(t, shade))
	mw.Close()
	res := crew.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/photos", jobID), body.Bytes(), "Content-Type", mw.FormDataContentType())
	if res.Status != 201 {
		t.Fatalf("%s-photo = %d %s", kind, res.Status, res.Body)
	}
	return res.Map(t)["hash"].(string)
}
