package geo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
	"gorm.io/gorm"
)

// ImportOptions tune Store.Import.
type ImportOptions struct {
	// Progress, when it is a terminal, shows a progress bar of the bytes read. Anything
	// else (nil, a file, a buffer) gets no output.
	Progress io.Writer
	// Schematic marks every imported area as schematic: drawn for a demo, not an official
	// boundary. A feature's own "schematic": true property does the same for that feature.
	Schematic bool
	// Kind is the kind of features that name none; without it such a feature's kind comes
	// from its CBS code (GM, WK, BU), or the feature is rejected.
	Kind Kind
}

// ImportResult counts what an import did.
type ImportResult struct {
	Inserted int      // areas that were new
	Updated  int      // areas that existed (by code) and were replaced in place
	Repaired int      // areas whose geometry was invalid and was made valid
	Codes    []string // the imported codes, in file order
}

// Import reads a GeoJSON FeatureCollection of areas from r and writes it to PostGIS in one
// transaction: the whole file or nothing.
//
// Features carry code, name, kind (English or Dutch) and optionally parent (the parent's
// code), or the properties of the CBS Wijk- en Buurtkaart (gemeentecode/gemeentenaam,
// wijkcode/wijknaam, buurtcode/buurtnaam), from which kind and parent follow. Coordinates
// are WGS84 lon/lat or RD New (EPSG:28992), from the file's "crs" member or guessed from
// their magnitude; PostGIS transforms RD New to WGS84.
//
// Areas are matched by code: a known code is updated in place and keeps its id, so
// references to it stay valid. Invalid polygons, common in published boundary files, are
// repaired with ST_MakeValid (keeping the polygonal parts); a feature that is not a
// polygon, has no polygonal part left, or names a parent that exists neither in the file
// nor in the database fails the import with a *FeatureError naming it. Every error that
// is the file's fault wraps ErrInvalidInput.
func (s *Store) Import(ctx context.Context, r io.Reader, opts ImportOptions) (ImportResult, error) {
	if opts.Kind != "" {
		k, err := ParseKind(string(opts.Kind))
		if err != nil {
			return ImportResult{}, err
		}
		opts.Kind = k
	}
	r, finish := withProgress(r, opts.Progress)
	r, err := plainJSON(r)
	if err != nil {
		finish(false)
		return ImportResult{}, err
	}
	var res ImportResult
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w := &importWriter{tx: tx, schematic: opts.Schematic}
		if err := w.run(ctx, r, opts.Kind); err != nil {
			return err
		}
		res = w.res
		return nil
	})
	finish(err == nil)
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// plainJSON unpacks a gzipped file and skips a UTF-8 byte order mark, as some tools
// save GeoJSON: without it the decoder's first error ("invalid character 'ï'") tells an
// operator nothing.
func plainJSON(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(3)
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: a gzip file that cannot be read: %v", ErrInvalidInput, err)
		}
		return plainJSON(zr)
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	return br, nil
}

// withProgress wraps r so a progress bar on w follows it, when w is a terminal.
func withProgress(r io.Reader, w io.Writer) (io.Reader, func(ok bool)) {
	f, isFile := w.(interface{ Fd() uintptr })
	if w == nil || !isFile || !term.IsTerminal(int(f.Fd())) {
		return r, func(bool) {}
	}
	bar := progressbar.NewOptions64(inputSize(r),
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("importing areas"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(10),
		progressbar.OptionThrottle(65*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	pr := progressbar.NewReader(r, bar)
	return &pr, func(ok bool) {
		if ok {
			bar.Finish()
		} else {
			bar.Exit()
			fmt.Fprintln(w)
		}
	}
}

// inputSize is r's remaining length when it knows it, else -1 (a spinner).
func inputSize(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Len() int }:
		return int64(r.Len())
	case *os.File:
		fi, err := r.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		pos, err := r.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		return fi.Size() - pos
	}
	return -1
}

// Batches bound the size of one statement, and are written while the next one is
// decoded. Small batches overlap decoding and writing best: on 15,000 synthetic
// neighbourhoods (12 MB), 100 features per batch imported in about 1.5 s, 500 in 1.9 s
// and 2,000 in 3.2 s.
const (
	batchFeatures = 100
	batchBytes    = 1 << 20
)

type importBatch struct {
	ords      []int32
	codes     []string
	names     []string
	kinds     []string
	parents   []string
	schematic []bool
	geoms     [][]byte // EWKB with the feature's SRID
	bytes     int
}

func (b *importBatch) add(f *decodedFeature, schematic bool) error {
	g, err := ewkb.Marshal(f.Geom, f.SRID)
	if err != nil {
		return fmt.Errorf("geo: encode feature %d: %w", f.Index, err)
	}
	b.ords = append(b.ords, int32(f.Index))
	b.codes = append(b.codes, f.Code)
	b.names = append(b.names, f.Name)
	b.kinds = append(b.kinds, string(f.Kind))
	b.parents = append(b.parents, f.Parent)
	b.schematic = append(b.schematic, schematic || f.Schematic)
	b.geoms = append(b.geoms, g)
	b.bytes += len(g)
	return nil
}

func (b *importBatch) full() bool { return len(b.ords) >= batchFeatures || b.bytes >= batchBytes }

// importWriter writes one file's batches inside the import's transaction.
type importWriter struct {
	tx        *gorm.DB
	schematic bool
	res       ImportResult
	errs      []error // features PostGIS could not repair
	// Every feature with a parent, for the parent pass after all rows are written.
	childOrds    []int32
	childCodes   []string
	childKinds   []string
	childParents []string
}

// run decodes r in one goroutine and writes batches in this one, so parsing a large file
// overlaps with PostGIS's work on the previous batch.
func (w *importWriter) run(ctx context.Context, r io.Reader, kind Kind) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *importBatch, 1)
	decoded := make(chan error, 1)
	go func() {
		defer close(batches)
		b := &importBatch{}
		send := func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			select {
			case batches <- b:
				b = &importBatch{}
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		err := decodeCollection(r, kind, func(f *decodedFeature) error {
			if err := b.add(f, w.schematic); err != nil {
				return err
			}
			if b.full() {
				return send()
			}
			return nil
		})
		if err == nil && len(b.ords) > 0 {
			err = send()
		}
		decoded <- err
	}()

	var writeErr error
	for b := range batches {
		if writeErr != nil {
			continue // drain until the decoder notices
		}
		if writeErr = w.write(b); writeErr != nil {
			cancel()
		}
	}
	decodeErr := <-decoded
	if writeErr != nil {
		// A database failure, or enough features PostGIS could not repair; the decoder
		// only saw the cancellation.
		return writeErr
	}
	if decodeErr != nil || len(w.errs) > 0 {
		// PostGIS's complaints concern features before the decoder's first one.
		return errors.Join(append(w.errs, decodeErr)...)
	}
	if err := w.resolveParents(); err != nil {
		return err
	}
	return w.checkChildren()
}

// upsertSQL writes one batch. Geometries arrive as EWKB in their own SRID; PostGIS
// transforms them to WGS84, checks them and repairs the invalid ones, keeping only
// polygonal parts. Each stage is materialized so no geometry function runs twice.
// A parent that is already in the database (or an earlier batch) is linked at once; the
// others are linked by resolveParents. xmax = 0 tells a fresh row from an updated one.
const upsertSQL = `
WITH input AS MATERIALIZED (
    SELECT t.ord, t.code, t.name, t.kind, t.parent, t.schematic,
           ST_Transform(ST_GeomFromEWKB(t.g), 4326) AS g
    FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::bytea[])
         AS t (ord, code, name, kind, parent, schematic, g)
), checked AS MATERIALIZED (
    SELECT input.*, ST_IsValid(g) AS valid FROM input
), repaired AS MATERIALIZED (
    SELECT ord, code, name, kind, parent, schematic, valid,
           CASE WHEN valid THEN ST_Multi(g)
                ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)) END AS geom
    FROM checked
), upserted AS (
    INSERT INTO areas AS a (code, name, kind, parent_id, schematic, geom)
    SELECT r.code, r.name, r.kind, p.id, r.schematic, r.geom
    FROM repaired AS r LEFT JOIN areas AS p ON p.code = NULLIF(r.parent, '')
    WHERE NOT ST_IsEmpty(r.geom)
    ON CONFLICT (code) DO UPDATE
    SET name = EXCLUDED.name, kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id,
        schematic = EXCLUDED.schematic, geom = EXCLUDED.geom, retired_at = NULL, updated_at = now()
    RETURNING a.code, a.xmax = 0 AS inserted
)
SELECT r.ord, NOT r.valid, u.code IS NOT NULL, coalesce(u.inserted, false)
FROM repaired AS r LEFT JOIN upserted AS u ON u.code = r.code
ORDER BY r.ord`

func (w *importWriter) write(b *importBatch) error {
	rows, err := w.tx.Raw(upsertSQL, b.ords, b.codes, b.names, b.kinds, b.parents, b.schematic, b.geoms).Rows()
	if err != nil {
		return fmt.Errorf("geo: import features %d..%d: %w", b.ords[0], b.ords[len(b.ords)-1], err)
	}
	defer rows.Close()
	byOrd := make(map[int32]int, len(b.ords))
	for i, o := range b.ords {
		byOrd[o] = i
	}
	for rows.Next() {
		var ord int32
		var repaired, written, inserted bool
		if err := rows.Scan(&ord, &repaired, &written, &inserted); err != nil {
			return fmt.Errorf("geo: import: %w", err)
		}
		i := byOrd[ord]
		switch {
		case !written:
			w.errs = append(w.errs, &FeatureError{Index: int(ord), Code: b.codes[i],
				Err: errors.New("geometry has no polygonal part left after repair (ST_MakeValid)")})
			continue
		case inserted:
			w.res.Inserted++
		default:
			w.res.Updated++
		}
		if repaired {
			w.res.Repaired++
		}
		w.res.Codes = append(w.res.Codes, b.codes[i])
		if b.parents[i] != "" {
			w.childOrds = append(w.childOrds, ord)
			w.childCodes = append(w.childCodes, b.codes[i])
			w.childKinds = append(w.childKinds, b.kinds[i])
			w.childParents = append(w.childParents, b.parents[i])
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("geo: import: %w", err)
	}
	if len(w.errs) >= maxFeatureErrors {
		return errors.Join(w.errs...)
	}
	return nil
}

// badParentSQL finds children whose parent does not exist, or is not a level above them.
const badParentSQL = `
SELECT t.ord, coalesce(p.kind, '')
FROM unnest($1::int[], $2::text[], $3::text[]) AS t (ord, kind, parent)
LEFT JOIN areas AS p ON p.code = t.parent
WHERE p.id IS NULL
   OR array_position(ARRAY['municipality', 'district', 'neighbourhood'], p.kind)
      >= array_position(ARRAY['municipality', 'district', 'neighbourhood'], t.kind)
ORDER BY t.ord
LIMIT 20`

// linkParentsSQL links the children whose parent came later in the file.
const linkParentsSQL = `
UPDATE areas AS a SET parent_id = p.id
FROM unnest($1::text[], $2::text[]) AS t (code, parent)
JOIN areas AS p ON p.code = t.parent
WHERE a.code = t.code AND a.parent_id IS DISTINCT FROM p.id`

// resolveParents runs once every row is written, so a parent may come anywhere in the
// file or already be in the database.
func (w *importWriter) resolveParents() error {
	if len(w.childOrds) == 0 {
		return nil
	}
	rows, err := w.tx.Raw(badParentSQL, w.childOrds, w.childKinds, w.childParents).Rows()
	if err != nil {
		return fmt.Errorf("geo: import: check parents: %w", err)
	}
	defer rows.Close()
	var errs []error
	for rows.Next() {
		var ord int32
		var parentKind string
		if err := rows.Scan(&ord, &parentKind); err != nil {
			return fmt.Errorf("geo: import: check parents: %w", err)
		}
		i, _ := slices.BinarySearch(w.childOrds, ord)
		e := &FeatureError{Index: int(ord), Code: w.childCodes[i]}
		if parentKind == "" {
			e.Err = fmt.Errorf("parent %s exists neither in the file nor in the database", w.childParents[i])
		} else {
			e.Err = fmt.Errorf("parent %s is a %s, which cannot contain a %s", w.childParents[i], parentKind, w.childKinds[i])
		}
		errs = append(errs, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("geo: import: check parents: %w", err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := w.tx.Exec(linkParentsSQL, w.childCodes, w.childParents).Error; err != nil {
		return fmt.Errorf("geo: import: link parents: %w", err)
	}
	return w.checkOutside()
}

// outsideSQL finds children that lie outside their parent: a point surely inside the
// child is not in the parent. A wrong parent code, or longitude and latitude swapped.
const outsideSQL = `
SELECT t.ord, p.code
FROM unnest($1::int[], $2::text[]) AS t (ord, code)
JOIN areas AS c ON c.code = t.code
JOIN areas AS p ON p.id = c.parent_id
WHERE NOT ST_Intersects(p.geom, ST_PointOnSurface(c.geom))
ORDER BY t.ord
LIMIT 20`

func (w *importWriter) checkOutside() error {
	rows, err := w.tx.Raw(outsideSQL, w.childOrds, w.childCodes).Rows()
	if err != nil {
		return fmt.Errorf("geo: import: check places: %w", err)
	}
	defer rows.Close()
	var errs []error
	for rows.Next() {
		var ord int32
		var parent string
		if err := rows.Scan(&ord, &parent); err != nil {
			return fmt.Errorf("geo: import: check places: %w", err)
		}
		i, _ := slices.BinarySearch(w.childOrds, ord)
		errs = append(errs, &FeatureError{Index: int(ord), Code: w.childCodes[i],
			Err: fmt.Errorf("lies outside its parent %s (a wrong parent, or longitude and latitude swapped?)", parent)})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("geo: import: check places: %w", err)
	}
	return errors.Join(errs...)
}

// badChildrenSQL finds areas already under an imported area that its new kind cannot
// contain (a district re-imported as a neighbourhood while it has neighbourhoods).
const badChildrenSQL = `
SELECT c.code, p.code, p.kind, c.kind
FROM areas AS p JOIN areas AS c ON c.parent_id = p.id
WHERE p.code = ANY($1::text[])
  AND array_position(ARRAY['municipality', 'district', 'neighbourhood'], p.kind)
      >= array_position(ARRAY['municipality', 'district', 'neighbourhood'], c.kind)
ORDER BY c.code
LIMIT 20`

// checkChildren runs after every import: a kind may change on re-import, but not below
// the areas under it.
func (w *importWriter) checkChildren() error {
	rows, err := w.tx.Raw(badChildrenSQL, w.res.Codes).Rows()
	if err != nil {
		return fmt.Errorf("geo: import: check children: %w", err)
	}
	defer rows.Close()
	var errs []error
	for rows.Next() {
		var child, parent, parentKind, childKind string
		if err := rows.Scan(&child, &parent, &parentKind, &childKind); err != nil {
			return fmt.Errorf("geo: import: check children: %w", err)
		}
		errs = append(errs, fmt.Errorf("geo: area %s would become a %s, which cannot contain its %s %s: %w",
			parent, parentKind, childKind, child, ErrInvalidInput))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("geo: import: check children: %w", err)
	}
	return errors.Join(errs...)
}
