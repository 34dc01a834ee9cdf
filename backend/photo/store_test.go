package photo

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
