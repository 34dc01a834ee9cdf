package photo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"wijkwerk/backend/problem"
)

// Store keeps processed photos as files, named by the sha256 of their bytes. The same
// photo sent twice (a retried upload, a resident and a crew sharing one) is stored once.
type Store struct {
	dir string
}

// NewStore returns a Store that keeps its files under dir, creating dir (mode 0750) if
// it is missing.
func NewStore(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("photo: store directory is empty")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("photo: create store: %w", err)
	}
	return &Store{dir: dir}, nil
}

// ValidHash reports whether h is 64 lowercase hex characters. Only such names reach the
// file system, so a hash from a URL cannot walk out of the store ("../etc/passwd").
func ValidHash(h string) bool {
	if len(h) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// path returns the file for a valid hash, sharded as ab/cd/abcd....jpg so that no
// directory holds more than a few thousand files.
func (s *Store) path(hash string) string {
	return filepath.Join(s.dir, hash[0:2], hash[2:4], hash+".jpg")
}

// Save writes data, the bytes Process returned with p, under p.Hash. It writes to a
// temporary file and renames it, so a reader never sees half a photo. Saving the same
// photo again is a no-op. A p.Hash that is not the sha256 of data is refused, so a file's
// name always matches its content.
func (s *Store) Save(data []byte, p Photo) error {
	_, err := s.save(data, p)
	return err
}

// save is Save, returning the file it wrote (nil when the photo was stored before).
func (s *Store) save(data []byte, p Photo) (fs.FileInfo, error) {
	if !ValidHash(p.Hash) {
		return nil, fmt.Errorf("photo: save: invalid hash %q", p.Hash)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != p.Hash {
		return nil, fmt.Errorf("photo: save %s: hash does not match the data", p.Hash)
	}
	dst := s.path(p.Hash)
	if _, err := os.Stat(dst); err == nil {
		// Stored before: it is in use again now, so the sweep (which spares young
		// files) leaves it while the request that saved it attaches it.
		now := time.Now()
		err := os.Chtimes(dst, now, now)
		if err == nil {
			return nil, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("photo: save %s: %w", p.Hash, err)
		}
		// Swept just now: write it again.
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("photo: save %s: %w", p.Hash, err)
	}
	if err := writeAtomic(dir, dst, data); err != nil {
		return nil, fmt.Errorf("photo: save %s: %w", p.Hash, err)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		return nil, nil // written, but not to be discarded: it cannot be told apart
	}
	return fi, nil
}

// writeAtomic writes data to a temporary file in dir and renames it to dst. Two saves of
// the same photo at once both succeed: each renames identical bytes into place.
func writeAtomic(dir, dst string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Chmod(0o640); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, dst); err != nil {
		return err
	}
	// Make the rename itself survive a crash. Not every platform can sync a directory,
	// and the photo is already in place, so a failure here is not an error.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// Open returns the stored photo with the given hash; the caller closes it. A hash that is
// not 64 lowercase hex characters, or that is not stored, gives a problem.NotFound error
// that also satisfies errors.Is(err, fs.ErrNotExist).
func (s *Store) Open(hash string) (io.ReadSeekCloser, error) {
	if !ValidHash(hash) {
		return nil, notFound(fmt.Errorf("photo: open: invalid hash %q: %w", hash, fs.ErrNotExist))
	}
	f, err := os.Open(s.path(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(fmt.Errorf("photo: open: %w", err))
	}
	if err != nil {
		return nil, fmt.Errorf("photo: open: %w", err)
	}
	return f, nil
}

func notFound(cause error) *problem.Error {
	return problem.NotFound.Wrap(cause, problem.T(
		"Deze foto bestaat niet.", "This photo does not exist."))
}

// InUse reports which of hashes something still refers to.
type InUse func(ctx context.Context, hashes []string) (map[string]bool, error)

// Discard removes the photos of hashes that inUse says nothing refers to, unless one was
// saved again at or after since: a request is about to attach it (Save refreshes a photo
// stored before). It returns how many files it removed. A desk user who takes a photo
// off a job passes the time the removal began, so the file goes at once when no other
// job has it, rather than a day later with the sweep.
func (s *Store) Discard(ctx context.Context, since time.Time, inUse InUse, hashes ...string) (int64, error) {
	var valid []string
	for _, h := range hashes {
		if ValidHash(h) {
			valid = append(valid, h)
		}
	}
	n, err := s.discard(ctx, since, inUse, valid)
	if err != nil {
		return n, fmt.Errorf("photo: discard: %w", err)
	}
	return n, nil
}

// discard removes the photos of hashes (valid ones) that inUse says nothing refers to
// and that were last saved before cutoff.
func (s *Store) discard(ctx context.Context, cutoff time.Time, inUse InUse, hashes []string) (int64, error) {
	if len(hashes) == 0 {
		return 0, nil
	}
	used, err := inUse(ctx, hashes)
	if err != nil {
		return 0, err
	}
	var removed int64
	for _, h := range hashes {
		if used[h] {
			continue
		}
		// Saved again since it was listed: a request is about to attach it.
		if fi, err := os.Stat(s.path(h)); err != nil || !fi.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(s.path(h)); err == nil {
			removed++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
	}
	return removed, nil
}

// sweepBatch is how many photos Sweep asks about at once.
const sweepBatch = 500

// Sweep removes the photos last saved before cutoff that inUse says nothing refers to,
// and temporary files of saves that died halfway, and returns how many files it
// removed. A photo is saved before the request that carries it is filed, and stays when
// that request is refused (a reused Idempotency-Key, a task that moved) or the server
// stops in between; a resident's photo must not stay on disk for ever. Save refreshes a
// photo stored before, so a cutoff well behind the longest request keeps every photo
// a request is about to attach. Several servers may sweep at once.
func (s *Store) Sweep(ctx context.Context, cutoff time.Time, inUse InUse) (int64, error) {
	var removed int64
	var batch []string
	flush := func() error {
		n, err := s.discard(ctx, cutoff, inUse, batch)
		removed += n
		batch = batch[:0]
		return err
	}
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed by another sweep meanwhile
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil || !fi.ModTime().Before(cutoff) {
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, ".tmp-") {
			if os.Remove(path) == nil {
				removed++
			}
			return nil
		}
		hash, ok := strings.CutSuffix(name, ".jpg")
		if !ok || !ValidHash(hash) || path != s.path(hash) {
			return nil // not ours
		}
		batch = append(batch, hash)
		if len(batch) == sweepBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return removed, fmt.Errorf("photo: sweep: %w", err)
	}
	return removed, nil
}
