package photo

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"wijkwerk/backend/problem"
)

// newStore returns a Store in a fresh directory that the test removes afterwards.
func newStore(t testing.TB) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "photos")
	s, err := NewStore(dir)
	if err != nil {
		t.Fatalf("NewStore: %v", err)
	}
	return s, dir
}

// processed returns a processed photo, ready to save.
func processed(t testing.TB, w, h int) ([]byte, Photo) {
	t.Helper()
	data, p, err := Process(bytes.NewReader(makeJPEG(t, w, h)), DefaultLimits())
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	return data, p
}

func readAll(t testing.TB, s *Store, hash string) []byte {
	t.Helper()
	f, err := s.Open(hash)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	got, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return got
}

func TestNewStoreCreatesDir(t *testing.T) {
	_, dir := newStore(t)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() || fi.Mode().Perm()&^0o750 != 0 {
		t.Errorf("dir mode = %v, want a directory with at most 0750", fi.Mode())
	}
	if _, err := NewStore(dir); err != nil {
		t.Errorf("NewStore on an existing dir: %v", err)
	}
	if _, err := NewStore(""); err == nil {
		t.Error("NewStore(\"\") succeeded")
	}
}

func TestStoreRoundTrip(t *testing.T) {
	s, dir := newStore(t)
	data, p := processed(t, 40, 30)
	if err := s.Save(data, p); err != nil {
		t.Fatalf("Save: %v", err)
	}
	want := filepath.Join(dir, p.Hash[:2], p.Hash[2:4], p.Hash+".jpg")
	if _, err := os.Stat(want); err != nil {
		t.Errorf("not sharded as ab/cd/abcd...jpg: %v", err)
	}
	if got := readAll(t, s, p.Hash); !bytes.Equal(got, data) {
		t.Errorf("read %d bytes back, want the %d saved", len(got), len(data))
	}

	// The file seeks, so an HTTP layer can serve ranges.
	f, err := s.Open(p.Hash)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, err := f.Seek(-2, io.SeekEnd); err != nil || n != int64(len(data))-2 {
		t.Fatalf("Seek = %d, %v", n, err)
	}
	tail, _ := io.ReadAll(f)
	if !bytes.Equal(tail, []byte{0xFF, 0xD9}) {
		t.Errorf("last bytes = % x, want the JPEG end marker", tail)
	}
}

func TestStoreSaveTwice(t *testing.T) {
	s, dir := newStore(t)
	data, p := processed(t, 40, 30)
	for i := range 2 {
		if err := s.Save(data, p); err != nil {
			t.Fatalf("Save %d: %v", i+1, err)
		}
	}
	// Many saves at once, as when a crew's phone retries an upload.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- s.Save(data, p) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Save: %v", err)
		}
	}
	if got := readAll(t, s, p.Hash); !bytes.Equal(got, data) {
		t.Error("content changed after saving again")
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Errorf("files = %v, want exactly one (no temporary files left)", files)
	}
}

func TestStoreSaveRefusesWrongHash(t *testing.T) {
	s, _ := newStore(t)
	data, p := processed(t, 40, 30)
	other, q := processed(t, 30, 40)
	tests := []struct {
		name string
		data []byte
		p    Photo
	}{
		{"hash of other data", other, p},
		{"data of other hash", data, q},
		{"path in hash", data, Photo{Hash: "../../etc/passwd"}},
		{"empty hash", data, Photo{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Save(tt.data, tt.p); err == nil {
				t.Error("Save accepted it")
			}
		})
	}
}

func TestStoreOpenRejects(t *testing.T) {
	s, dir := newStore(t)
	data, p := processed(t, 40, 30)
	if err := s.Save(data, p); err != nil {
		t.Fatal(err)
	}
	// A file just outside the store that a traversal would reach.
	secret := filepath.Join(filepath.Dir(dir), "secret")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		give string
	}{
		{"missing", strings.Repeat("0", 64)},
		{"traversal", "../etc/passwd"},
		{"traversal to a file that exists", "../secret"},
		{"absolute path", "/etc/passwd"},
		{"empty", ""},
		{"upper case", strings.ToUpper(p.Hash)},
		{"too short", p.Hash[:63]},
		{"too long", p.Hash + "0"},
		{"with extension", p.Hash[:60] + ".jpg"},
		{"not hex", strings.Repeat("g", 64)},
		{"nul byte", p.Hash[:63] + "\x00"},
		{"slashes", p.Hash[:2] + "/" + p.Hash[3:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := s.Open(tt.give)
			if err == nil {
				f.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("err = %v, want fs.ErrNotExist", err)
			}
			if !problem.Of(err, problem.NotFound) {
				t.Errorf("err = %v, want a not-found problem", err)
			}
		})
	}
}

// Sweep removes old photos nothing refers to and old temporary files; it keeps photos in
// use, young ones, one saved again (a request is about to attach it) and files not ours.
func TestStoreSweep(t *testing.T) {
	s, dir := newStore(t)
	old := time.Now().Add(-48 * time.Hour)
	save := func(w int, age time.Time) string {
		data, p := processed(t, w, 10)
		if err := s.Save(data, p); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(s.path(p.Hash), age, age); err != nil {
			t.Fatal(err)
		}
		return p.Hash
	}
	used, orphan, young, again := save(10, old), save(11, old), save(12, time.Now()), save(13, old)
	data, p := processed(t, 13, 10)
	if err := s.Save(data, p); err != nil { // the same photo, saved again now
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".tmp-123")
	foreign := filepath.Join(dir, "README")
	for _, f := range []string{tmp, foreign} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	var asked []string
	inUse := func(_ context.Context, hashes []string) (map[string]bool, error) {
		asked = append(asked, hashes...)
		return map[string]bool{used: true}, nil
	}
	n, err := s.Sweep(context.Background(), time.Now().Add(-24*time.Hour), inUse)
	if err != nil || n != 2 {
		t.Fatalf("Sweep = %d, %v; want 2 (the orphan and the temporary file)", n, err)
	}
	exists := func(path string) bool { _, err := os.Stat(path); return err == nil }
	if exists(s.path(orphan)) || exists(tmp) {
		t.Error("the orphan or the temporary file is still there")
	}
	for _, h := range []string{used, young, again} {
		if !exists(s.path(h)) {
			t.Errorf("photo %s… was removed", h[:8])
		}
	}
	if !exists(foreign) {
		t.Error("a file that is not a photo was removed")
	}
	if len(asked) != 2 {
		t.Errorf("asked about %d photos, want the 2 old ones", len(asked))
	}
	// What it cannot ask about, it keeps.
	gone := save(14, old)
	if _, err := s.Sweep(context.Background(), time.Now().Add(-24*time.Hour), func(context.Context, []string) (map[string]bool, error) {
		return nil, errors.New("database down")
	}); err == nil || !exists(s.path(gone)) {
		t.Errorf("Sweep with a failing inUse: err %v, photo kept %v", err, exists(s.path(gone)))
	}
}

// Discard removes the photos it is given that nothing refers to, at once; it keeps one in
// use, one saved again since the removal began (a request is about to attach it), and
// ignores what is no hash.
func TestStoreDiscard(t *testing.T) {
	s, _ := newStore(t)
	save := func(w int) string {
		data, p := processed(t, w, 10)
		if err := s.Save(data, p); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Minute)
		if err := os.Chtimes(s.path(p.Hash), old, old); err != nil {
			t.Fatal(err)
		}
		return p.Hash
	}
	gone, used, again := save(20), save(21), save(22)
	since := time.Now()
	data, p := processed(t, 22, 10)
	if err := s.Save(data, p); err != nil { // the same photo, saved again after since
		t.Fatal(err)
	}
	inUse := func(_ context.Context, hashes []string) (map[string]bool, error) {
		return map[string]bool{used: true}, nil
	}
	n, err := s.Discard(context.Background(), since, inUse, gone, used, again, "../../etc/passwd")
	if err != nil || n != 1 {
		t.Fatalf("Discard = %d, %v; want 1", n, err)
	}
	exists := func(h string) bool { _, err := os.Stat(s.path(h)); return err == nil }
	if exists(gone) || !exists(used) || !exists(again) {
		t.Errorf("after Discard: unused %v, in use %v, saved again %v; want false, true, true", exists(gone), exists(used), exists(again))
	}
}
