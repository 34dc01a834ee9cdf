// Package photo takes in photos from residents' and crews' phones and stores them.
//
// A photo from a phone is untrusted: it may be of a type we do not read, be cut off, claim
// a size that would exhaust memory once decoded, or carry the sender's home address in its
// GPS tags. Process checks and rebuilds every photo into a fresh JPEG with no metadata;
// Store keeps the result on disk under its content hash.
//
// The package imports no HTTP library. Every client mistake is a *problem.Error.
package photo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"strconv"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"wijkwerk/backend/problem"
)

// ContentType is the media type of every photo that Process returns.
const ContentType = "image/jpeg"

// jpegQuality keeps phone photos readable for a crew at a fraction of the size.
const jpegQuality = 85

// Limits bound what Process accepts and keeps. A zero or negative field takes its value
// from DefaultLimits, so Limits{MaxBytes: 1 << 20} changes only the byte limit.
type Limits struct {
	MaxBytes  int64 // default 10 MiB
	MaxPixels int   // width*height cap, default 40 megapixels
	MaxSide   int   // longest side we keep; larger images are scaled down to this, default 2048
}

// DefaultLimits returns the limits for photos from phones: 10 MiB, 40 megapixels, and a
// longest side of 2048 pixels, which is enough to see a pothole or a broken lamp post.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000, MaxSide: 2048}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = d.MaxSide
	}
	return l
}

// Photo describes a processed photo as it is stored.
type Photo struct {
	Hash          string // hex sha256 of the stored (re-encoded) bytes
	Width, Height int
	Bytes         int64
	ContentType   string // "image/jpeg" always after re-encoding
}

// The causes behind the problems that Process returns. They are for logs and tests; the
// client sees only the problem's text.
var (
	errEmpty         = errors.New("photo: empty input")
	errTooLarge      = errors.New("photo: too many bytes")
	errUnsupported   = errors.New("photo: unsupported image type")
	errNoDimensions  = errors.New("photo: zero width or height")
	errTooManyPixels = errors.New("photo: too many pixels")
)

// format is an image type we accept, found from the first bytes of the data.
type format struct {
	name         string
	decodeConfig func(io.Reader) (image.Config, error)
	decode       func(io.Reader) (image.Image, error)
}

var (
	formatJPEG = format{"jpeg", jpeg.DecodeConfig, jpeg.Decode}
	formatPNG  = format{"png", png.DecodeConfig, png.Decode}
	formatWebP = format{"webp", webp.DecodeConfig, webp.Decode}
)

// sniff finds the real type of the data from its magic bytes. The file name and the
// content type the client sent are not trusted.
func sniff(data []byte) (format, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return formatJPEG, true
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return formatPNG, true
	case len(data) >= 12 && string(data[0:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return formatWebP, true
	}
	return format{}, false
}

// Process checks a photo and rebuilds it as a JPEG without metadata.
//
// It reads at most lim.MaxBytes+1 bytes from r. The type comes from the bytes, never from
// a file name or a client's content type: JPEG, PNG and WebP are accepted. The header is
// read first, and an image with zero width or height or more than lim.MaxPixels pixels is
// refused before any pixels are decoded, so a small file cannot claim gigabytes of memory.
// The EXIF orientation of a JPEG is applied, so the photo stands the right way up after
// its metadata is gone. Transparent areas become white. An image with a side longer
// than lim.MaxSide is scaled down. The result is re-encoded as JPEG quality 85, which
// drops all metadata (EXIF with GPS, ICC profiles, XMP, comments).
//
// Every error is a *problem.Error: BodyTooLarge for too many bytes, UnsupportedMedia for a
// type we do not take, ValidationFailed for an empty, broken or oversized image, and
// BadRequest when reading r fails (the cause, such as a cut-off upload, is in its Err).
//
// Decoding and scaling are costly: a 6-megapixel photo takes about 150 MB and a second of
// CPU, one at the default pixel cap about 400 MB and a few seconds. Callers should bound
// how many photos are processed at once.
func Process(r io.Reader, lim Limits) ([]byte, Photo, error) {
	lim = lim.withDefaults()

	// One byte more than allowed tells a photo of exactly MaxBytes from a larger one.
	data, err := io.ReadAll(io.LimitReader(r, min(lim.MaxBytes, math.MaxInt64-1)+1))
	if err != nil {
		return nil, Photo{}, fail(problem.BadRequest, fmt.Errorf("photo: read: %w", err), problem.T(
			"De foto kwam niet goed aan. Probeer het opnieuw.",
			"The photo did not arrive completely. Please try again."))
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, Photo{}, fail(problem.BodyTooLarge, errTooLarge, problem.Sprintf(
			"De foto is te groot. Het maximum is %s.",
			"The photo is too large. The maximum is %s.", sizeText(lim.MaxBytes)))
	}
	if len(data) == 0 {
		return nil, Photo{}, fail(problem.ValidationFailed, errEmpty, problem.T(
			"De foto is leeg.", "The photo is empty."))
	}

	f, ok := sniff(data)
	if !ok {
		return nil, Photo{}, fail(problem.UnsupportedMedia, errUnsupported, problem.T(
			"Dit soort bestand kunnen we niet gebruiken. Stuur een foto als JPEG, PNG of WebP.",
			"We cannot use this type of file. Send a photo as JPEG, PNG or WebP."))
	}

	cfg, err := f.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, Photo{}, broken(fmt.Errorf("photo: %s header: %w", f.name, err))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, Photo{}, broken(fmt.Errorf("%w: %dx%d", errNoDimensions, cfg.Width, cfg.Height))
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(lim.MaxPixels) {
		return nil, Photo{}, fail(problem.ValidationFailed,
			fmt.Errorf("%w: %dx%d", errTooManyPixels, cfg.Width, cfg.Height),
			problem.T(
				"De foto heeft te veel pixels. Het maximum is "+megapixels(lim.MaxPixels, ',')+" megapixel.",
				"The photo has too many pixels. The maximum is "+megapixels(lim.MaxPixels, '.')+" megapixels."))
	}

	img, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, Photo{}, broken(fmt.Errorf("photo: decode %s: %w", f.name, err))
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		// The decoders check this themselves; this guards the pixel cap against a
		// decoder that does not.
		return nil, Photo{}, broken(fmt.Errorf("photo: %s decoded as %dx%d, header said %dx%d",
			f.name, b.Dx(), b.Dy(), cfg.Width, cfg.Height))
	}

	orientation := 1
	if f.name == formatJPEG.name {
		orientation = jpegOrientation(data)
	}
	img = fit(img, lim.MaxSide)
	img = orient(img, orientation)

	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		// Encoding an in-memory image into a buffer fails only on a bug.
		return nil, Photo{}, fail(problem.Internal, fmt.Errorf("photo: encode: %w", err), problem.T(
			"De foto kon niet worden opgeslagen.", "The photo could not be saved."))
	}
	out := buf.Bytes()
	sum := sha256.Sum256(out)
	b := img.Bounds()
	return out, Photo{
		Hash:        hex.EncodeToString(sum[:]),
		Width:       b.Dx(),
		Height:      b.Dy(),
		Bytes:       int64(len(out)),
		ContentType: ContentType,
	}, nil
}

// fail builds the problem for the photo field.
func fail(k problem.Kind, cause error, detail problem.Text) *problem.Error {
	return &problem.Error{
		Kind:   k,
		Detail: detail,
		Fields: []problem.Field{{Name: "photo", Reason: detail}},
		Err:    cause,
	}
}

// broken is the problem for an image that claims a type we take but does not decode.
func broken(cause error) *problem.Error {
	return fail(problem.ValidationFailed, cause, problem.T(
		"De foto is kapot of niet compleet. Probeer het opnieuw.",
		"The photo is damaged or incomplete. Please try again."))
}

// sizeText writes a byte count for people; the units read the same in Dutch and English.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// megapixels writes a pixel count in megapixels, with one decimal below ten; point is the
// decimal separator (a comma in Dutch).
func megapixels(n int, point byte) string {
	if n%1_000_000 == 0 || n >= 10_000_000 {
		return strconv.Itoa(n / 1_000_000)
	}
	return strconv.Itoa(n/1_000_000) + string(point) + strconv.Itoa(n/100_000%10)
}

// fit scales img down so that its longest side is at most maxSide, and puts any
// transparent areas on white, since JPEG has no transparency.
func fit(img image.Image, maxSide int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	opaque := isOpaque(img)
	if w <= maxSide && h <= maxSide {
		if opaque {
			return img
		}
		dst := whiteRGBA(w, h)
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
		return dst
	}

	nw, nh := maxSide, maxSide
	if w >= h {
		nh = max(1, int((int64(h)*int64(maxSide)+int64(w)/2)/int64(w)))
	} else {
		nw = max(1, int((int64(w)*int64(maxSide)+int64(h)/2)/int64(h)))
	}
	if opaque {
		dst := image.NewRGBA(image.Rect(0, 0, nw, nh))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
		return dst
	}
	dst := whiteRGBA(nw, nh)
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	return dst
}

func isOpaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return ok && o.Opaque()
}

func whiteRGBA(w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return dst
}
