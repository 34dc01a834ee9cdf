package crew_test

import (
	"io/fs"
	"path/filepath"
	"testing"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// A task takes at most five photos of each kind; the sixth is a 422 that says so, while
// the same photo again and a photo of the other kind still go.
func TestPhotosPerTaskAreLimited(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])

	for i := range 5 {
		if res := upload(t, p, jobID, "after", jpegBytes(t, 40+i, 30)); res.Status != 201 {
			t.Fatalf("after-photo %d = %d %s", i+1, res.Status, res.Body)
		}
	}
	res := upload(t, p, jobID, "after", jpegBytes(t, 60, 30))
	if m := res.Map(t); res.Status != 422 || m["type"] != "/problems/validation-failed" ||
		m["detail"] != "Deze taak heeft al 5 foto's van na het werk. Meer kan niet." {
		t.Errorf("sixth after-photo = %d %s", res.Status, res.Body)
	}
	// The refused photo was not written: the photo directory holds the five only.
	if n := photoFiles(t, env.App.Config.PhotoDir); n != 5 {
		t.Errorf("%d photo files after the refused sixth, want 5", n)
	}
	if res := upload(t, p, jobID, "after", jpegBytes(t, 40, 30)); res.Status != 201 {
		t.Errorf("the first after-photo again = %d %s", res.Status, res.Body)
	}
	if res := upload(t, p, jobID, "before", jpegBytes(t, 60, 30)); res.Status != 201 {
		t.Errorf("a before-photo = %d %s", res.Status, res.Body)
	}
	var n int
	env.DB.Raw(`SELECT count(*) FROM job_photos WHERE job_id = ? AND kind = 'after'`, jobID).Scan(&n)
	if n != 5 {
		t.Errorf("%d after-photos stored, want 5", n)
	}
}

// photoFiles counts the files under dir, at any depth.
func photoFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
