package photo

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"runtime"
	"strings"
	"testing"

	"wijkwerk/backend/problem"
)

// checkOutput asserts what every successful Process result must be: a JPEG of the size
// Photo reports, named by its hash, with no metadata segment at all.
func checkOutput(t testing.TB, out []byte, p Photo, wantW, wantH int) {
	t.Helper()
	if p.ContentType != "image/jpeg" {
		t.Errorf("ContentType = %q, want image/jpeg", p.ContentType)
	}
	if p.Bytes != int64(len(out)) {
		t.Errorf("Bytes = %d, want %d", p.Bytes, len(out))
	}
	if sum := sha256.Sum256(out); p.Hash != hex.EncodeToString(sum[:]) {
		t.Errorf("Hash = %s, want sha256 of the output", p.Hash)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("output is not a JPEG: %v", err)
	}
	if cfg.Width != p.Width || cfg.Height != p.Height {
		t.Errorf("output is %dx%d, Photo says %dx%d", cfg.Width, cfg.Height, p.Width, p.Height)
	}
	if p.Width != wantW || p.Height != wantH {
		t.Errorf("size = %dx%d, want %dx%d", p.Width, p.Height, wantW, wantH)
	}
	for _, m := range jpegMarkers(t, out) {
		if (m >= 0xE0 && m <= 0xEF) || m == 0xFE {
			t.Errorf("output has metadata segment FF%02X", m)
		}
	}
	for _, s := range []string{"Exif", "\xFF\xE1", "GPS", "ICC_PROFILE", "xmpmeta", "Dorpsstraat"} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("output contains %q", s)
		}
	}
}

func TestProcessAccepts(t *testing.T) {
	small := makeJPEG(t, 64, 48)
	gray := image.NewGray(image.Rect(0, 0, 30, 20))
	deep := image.NewNRGBA64(image.Rect(0, 0, 30, 20))
	for i := range deep.Pix {
		deep.Pix[i] = 0xFF
	}
	pal := image.NewPaletted(image.Rect(0, 0, 30, 20), color.Palette{color.Black, color.White})

	tests := []struct {
		name         string
		give         []byte
		lim          Limits
		wantW, wantH int
	}{
		{name: "jpeg", give: small, wantW: 64, wantH: 48},
		{name: "jpeg grey", give: encodeJPEG(t, gray, 90), wantW: 30, wantH: 20},
		{name: "jpeg with exif gps, xmp, icc, comment", give: withMetadata(t, small, 1), wantW: 64, wantH: 48},
		{name: "png", give: makePNG(t, 50, 30), wantW: 50, wantH: 30},
		{name: "png 16-bit", give: encodePNG(t, deep), wantW: 30, wantH: 20},
		{name: "png paletted", give: encodePNG(t, pal), wantW: 30, wantH: 20},
		{name: "png transparent", give: transparentPNG(t, 20, 10), wantW: 20, wantH: 10},
		{name: "webp lossless", give: makeWebP(33, 17, color.NRGBA{200, 30, 40, 255}), wantW: 33, wantH: 17},
		{name: "webp lossless with alpha", give: makeWebP(8, 8, color.NRGBA{10, 20, 30, 128}), wantW: 8, wantH: 8},
		{name: "webp lossless 1x1 modernizr", give: webpLossless1x1, wantW: 1, wantH: 1},
		{name: "webp lossy 1x1 modernizr", give: webpLossy1x1, wantW: 1, wantH: 1},
		{name: "scaled landscape jpeg", give: makeJPEG(t, 300, 100), lim: Limits{MaxSide: 60}, wantW: 60, wantH: 20},
		{name: "scaled portrait png", give: makePNG(t, 100, 300), lim: Limits{MaxSide: 60}, wantW: 20, wantH: 60},
		{name: "scaled transparent png", give: transparentPNG(t, 200, 100), lim: Limits{MaxSide: 50}, wantW: 50, wantH: 25},
		{name: "scaled webp keeps one pixel", give: makeWebP(1000, 1, color.NRGBA{A: 255}), lim: Limits{MaxSide: 100}, wantW: 100, wantH: 1},
		{name: "scaled size rounds to nearest", give: makeJPEG(t, 300, 200), lim: Limits{MaxSide: 100}, wantW: 100, wantH: 67},
		{name: "scaled to default max side", give: makeJPEG(t, 3000, 2000), wantW: 2048, wantH: 1365},
		{name: "exactly max side", give: makeJPEG(t, 64, 64), lim: Limits{MaxSide: 64}, wantW: 64, wantH: 64},
		{name: "exactly max pixels", give: makeJPEG(t, 100, 100), lim: Limits{MaxPixels: 100 * 100}, wantW: 100, wantH: 100},
		{name: "exactly max bytes", give: small, lim: Limits{MaxBytes: int64(len(small))}, wantW: 64, wantH: 48},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, p, err := Process(bytes.NewReader(tt.give), tt.lim)
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			checkOutput(t, out, p, tt.wantW, tt.wantH)
		})
	}
}

// pixel decodes a JPEG and returns the colour at (x, y), at 8 bits per channel.
func pixel(t testing.TB, data []byte, x, y int) color.RGBA {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode output: %v", err)
	}
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) bool { return max(x, y)-min(x, y) <= 24 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

func TestProcessColours(t *testing.T) {
	white := color.RGBA{255, 255, 255, 255}
	tests := []struct {
		name string
		give []byte
		lim  Limits
		want color.RGBA
	}{
		{name: "transparent png becomes white", give: transparentPNG(t, 16, 16), want: white},
		{name: "transparent png scaled becomes white", give: transparentPNG(t, 64, 64), lim: Limits{MaxSide: 16}, want: white},
		{name: "webp colour kept", give: makeWebP(16, 16, color.NRGBA{200, 30, 40, 255}), want: color.RGBA{200, 30, 40, 255}},
		{name: "half-transparent webp on white", give: makeWebP(16, 16, color.NRGBA{0, 0, 0, 128}), want: color.RGBA{127, 127, 127, 255}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, p, err := Process(bytes.NewReader(tt.give), tt.lim)
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			if got := pixel(t, out, p.Width/2, p.Height/2); !near(got, tt.want) {
				t.Errorf("centre = %v, want about %v", got, tt.want)
			}
		})
	}
}

// quadrants returns a 40×20 JPEG whose top-left quadrant is red and the rest blue.
func quadrants(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0, 0, 255, 255}
			if x < w/2 && y < h/2 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return encodeJPEG(t, img, 95)
}

func TestProcessOrientation(t *testing.T) {
	type corner int
	const (
		topLeft corner = iota
		topRight
		bottomLeft
		bottomRight
	)
	tests := []struct {
		name         string
		orientation  uint16
		order        binary.ByteOrder
		size         int // longest side of the source; MaxSide is 40
		wantW, wantH int
		wantRed      corner
	}{
		{"1 as is", 1, binary.BigEndian, 40, 40, 20, topLeft},
		{"2 mirrored", 2, binary.BigEndian, 40, 40, 20, topRight},
		{"3 turned 180", 3, binary.BigEndian, 40, 40, 20, bottomRight},
		{"4 upside down mirrored", 4, binary.BigEndian, 40, 40, 20, bottomLeft},
		{"5 transposed", 5, binary.BigEndian, 40, 20, 40, topLeft},
		{"6 turn clockwise", 6, binary.BigEndian, 40, 20, 40, topRight},
		{"7 transversed", 7, binary.BigEndian, 40, 20, 40, bottomRight},
		{"8 turn counter-clockwise", 8, binary.BigEndian, 40, 20, 40, bottomLeft},
		{"6 little-endian exif", 6, binary.LittleEndian, 40, 20, 40, topRight},
		{"6 after scaling down", 6, binary.BigEndian, 400, 20, 40, topRight},
		{"0 is not valid and ignored", 0, binary.BigEndian, 40, 40, 20, topLeft},
		{"9 is not valid and ignored", 9, binary.BigEndian, 40, 40, 20, topLeft},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := afterSOI(quadrants(t, tt.size, tt.size/2), exifAPP1(tt.order, tt.orientation))
			out, p, err := Process(bytes.NewReader(src), Limits{MaxSide: 40})
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			checkOutput(t, out, p, tt.wantW, tt.wantH)
			red, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}
			centres := map[corner]image.Point{
				topLeft:     {p.Width / 4, p.Height / 4},
				topRight:    {3 * p.Width / 4, p.Height / 4},
				bottomLeft:  {p.Width / 4, 3 * p.Height / 4},
				bottomRight: {3 * p.Width / 4, 3 * p.Height / 4},
			}
			for c, at := range centres {
				want := blue
				if c == tt.wantRed {
					want = red
				}
				if got := pixel(t, out, at.X, at.Y); !near(got, want) {
					t.Errorf("quadrant %d at %v = %v, want %v", c, at, got, want)
				}
			}
		})
	}
}

func TestJPEGOrientationIgnoresBrokenExif(t *testing.T) {
	good := afterSOI(makeJPEG(t, 8, 8), exifAPP1(binary.BigEndian, 6))
	i := bytes.Index(good, []byte("Exif"))
	tests := []struct {
		name string
		give []byte
		want int
	}{
		{"good", good, 6},
		{"no exif", makeJPEG(t, 8, 8), 1},
		{"not a jpeg", []byte("hello"), 1},
		{"cut in the tiff header", good[:i+10], 1},
		{"cut in the ifd", good[:i+30], 1},
		{"segment longer than the file", good[:i+60], 1},
		{"bad byte order", bytes.Replace(good, []byte("MM\x00*"), []byte("XX\x00*"), 1), 1},
		{"exif after start of scan", append([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 2}, exifAPP1(binary.BigEndian, 6)...), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jpegOrientation(tt.give); got != tt.want {
				t.Errorf("jpegOrientation = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestProcessRejects(t *testing.T) {
	small := makeJPEG(t, 64, 48)
	png := makePNG(t, 64, 48)
	webp := makeWebP(64, 48, color.NRGBA{1, 2, 3, 255})
	lossy := webpLossy1x1
	badCRC := handPNG(t, 4, 4)
	badCRC[8+4+4+13] ^= 0xFF // first byte of the IHDR CRC

	tests := []struct {
		name      string
		give      []byte
		lim       Limits
		wantKind  problem.Kind
		wantCause error // nil: any cause, such as a decoder's error
	}{
		{name: "zero bytes", give: nil, wantKind: problem.ValidationFailed, wantCause: errEmpty},
		{name: "text", give: []byte("just some text, not a photo"), wantKind: problem.UnsupportedMedia, wantCause: errUnsupported},
		{name: "gif", give: makeGIF(t), wantKind: problem.UnsupportedMedia, wantCause: errUnsupported},
		{name: "pdf", give: []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), wantKind: problem.UnsupportedMedia, wantCause: errUnsupported},
		{name: "svg", give: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), wantKind: problem.UnsupportedMedia, wantCause: errUnsupported},
		{name: "riff but wave", give: []byte("RIFF\x04\x00\x00\x00WAVEfmt "), wantKind: problem.UnsupportedMedia, wantCause: errUnsupported},
		{name: "one byte", give: []byte{0xFF}, wantKind: problem.UnsupportedMedia, wantCause: errUnsupported},
		{name: "jpeg cut in half", give: small[:len(small)/2], wantKind: problem.ValidationFailed},
		{name: "png cut in half", give: png[:len(png)/2], wantKind: problem.ValidationFailed},
		{name: "webp cut in half", give: webp[:len(webp)/2], wantKind: problem.ValidationFailed},
		{name: "lossy webp cut in half", give: lossy[:len(lossy)/2], wantKind: problem.ValidationFailed},
		{name: "jpeg magic, then junk", give: []byte("\xFF\xD8\xFF\xE0 this is not a jpeg at all"), wantKind: problem.ValidationFailed},
		{name: "png signature only", give: []byte("\x89PNG\r\n\x1a\n"), wantKind: problem.ValidationFailed},
		{name: "png with bad crc", give: badCRC, wantKind: problem.ValidationFailed},
		{name: "png zero width", give: handPNG(t, 0, 10), wantKind: problem.ValidationFailed},
		{name: "jpeg zero height", give: withJPEGSize(t, small, 64, 0), wantKind: problem.ValidationFailed},
		{name: "too many bytes", give: small, lim: Limits{MaxBytes: int64(len(small)) - 1}, wantKind: problem.BodyTooLarge, wantCause: errTooLarge},
		{name: "png 100000x100000", give: handPNG(t, 100000, 100000), wantKind: problem.ValidationFailed, wantCause: errTooManyPixels},
		{name: "png 2^31-1 square", give: handPNG(t, 1<<31-1, 1<<31-1), wantKind: problem.ValidationFailed},
		{name: "png one pixel over the cap", give: handPNG(t, 101, 100), lim: Limits{MaxPixels: 100 * 100}, wantKind: problem.ValidationFailed, wantCause: errTooManyPixels},
		{name: "jpeg 60000x60000", give: withJPEGSize(t, small, 60000, 60000), wantKind: problem.ValidationFailed, wantCause: errTooManyPixels},
		{name: "webp 16384x16384", give: makeWebP(16384, 16384, color.NRGBA{A: 255}), wantKind: problem.ValidationFailed, wantCause: errTooManyPixels},
		{name: "webp canvas 10000x10000", give: webpVP8X(10000, 10000), wantKind: problem.ValidationFailed, wantCause: errTooManyPixels},
		{name: "webp canvas smaller than its image", give: riffWebP("VP8X", make([]byte, 10), "VP8L", vp8lSolid(16000, 16000, color.NRGBA{A: 255})), wantKind: problem.ValidationFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := Process(bytes.NewReader(tt.give), tt.lim)
			if err == nil {
				t.Fatalf("Process accepted it (%d bytes out)", len(out))
			}
			p, ok := err.(*problem.Error)
			if !ok {
				t.Fatalf("error %T %v, want *problem.Error", err, err)
			}
			if p.Type != tt.wantKind.Type || p.Status != tt.wantKind.Status {
				t.Errorf("kind = %s (%d), want %s (%d): %v", p.Type, p.Status, tt.wantKind.Type, tt.wantKind.Status, err)
			}
			if tt.wantCause != nil && !errors.Is(err, tt.wantCause) {
				t.Errorf("cause = %v, want %v", p.Err, tt.wantCause)
			}
			if p.Detail.NL == "" || p.Detail.EN == "" {
				t.Errorf("detail = %+v, want Dutch and English", p.Detail)
			}
			if len(p.Fields) != 1 || p.Fields[0].Name != "photo" {
				t.Errorf("fields = %+v, want one named photo", p.Fields)
			}
		})
	}
}

// TestProcessHugePNGDoesNotAllocate checks the bomb guard: a 100000×100000 PNG (40 GB of
// pixels) is refused after reading its header, with almost nothing allocated.
func TestProcessHugePNGDoesNotAllocate(t *testing.T) {
	give := handPNG(t, 100000, 100000)
	if len(give) > 300 {
		t.Fatalf("fixture is %d bytes, want a few hundred at most", len(give))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := Process(bytes.NewReader(give), DefaultLimits())
	runtime.ReadMemStats(&after)
	if !errors.Is(err, errTooManyPixels) {
		t.Fatalf("err = %v, want too many pixels", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("allocated %d bytes, want under 1 MiB", n)
	}
}

func TestProcessMessages(t *testing.T) {
	_, _, err := Process(bytes.NewReader(make([]byte, 3<<20)), Limits{MaxBytes: 2 << 20})
	p, _ := problem.As(err)
	if p == nil || !strings.Contains(p.Detail.NL, "2 MB") || !strings.Contains(p.Detail.EN, "2 MB") {
		t.Errorf("too large: %+v", err)
	}
	_, _, err = Process(bytes.NewReader(handPNG(t, 2000, 2000)), Limits{MaxPixels: 2_500_000})
	p, _ = problem.As(err)
	if p == nil || !strings.Contains(p.Detail.NL, "2,5 megapixel") || !strings.Contains(p.Detail.EN, "2.5 megapixels") {
		t.Errorf("too many pixels: %+v", err)
	}
}

// countingReader counts the bytes read from an endless stream.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	clear(p)
	r.n += int64(len(p))
	return len(p), nil
}

func TestProcessReadsAtMostMaxBytesPlusOne(t *testing.T) {
	r := &countingReader{}
	_, _, err := Process(r, Limits{MaxBytes: 1000})
	if !problem.Of(err, problem.BodyTooLarge) {
		t.Fatalf("err = %v, want body too large", err)
	}
	if r.n > 1001 {
		t.Errorf("read %d bytes, want at most 1001", r.n)
	}
}

func TestProcessReadError(t *testing.T) {
	cut := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(makeJPEG(t, 8, 8)[:50]), errReader{cut})
	_, _, err := Process(r, DefaultLimits())
	if !problem.Of(err, problem.BadRequest) || !errors.Is(err, cut) {
		t.Errorf("err = %v, want bad request caused by %v", err, cut)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestProcessIsDeterministic(t *testing.T) {
	give := withMetadata(t, makeJPEG(t, 300, 200), 6)
	_, a, err := Process(bytes.NewReader(give), Limits{MaxSide: 100})
	if err != nil {
		t.Fatal(err)
	}
	_, b, err := Process(bytes.NewReader(give), Limits{MaxSide: 100})
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("two runs differ: %+v and %+v", a, b)
	}
}

func FuzzProcess(f *testing.F) {
	small := makeJPEG(f, 24, 16)
	png := makePNG(f, 24, 16)
	webp := makeWebP(24, 16, color.NRGBA{9, 99, 199, 255})
	for _, seed := range [][]byte{
		small,
		withMetadata(f, small, 6),
		afterSOI(small, exifAPP1(binary.LittleEndian, 8)),
		encodeJPEG(f, image.NewGray(image.Rect(0, 0, 9, 9)), 50),
		png,
		transparentPNG(f, 9, 9),
		webp,
		webpVP8X(30, 20),
		webpLossless1x1,
		webpLossy1x1,
		small[:len(small)/2],
		png[:len(png)/2],
		webp[:len(webp)/2],
		handPNG(f, 100000, 100000),
		handPNG(f, 16, 16),
		withJPEGSize(f, small, 60000, 60000),
		makeGIF(f),
		[]byte("%PDF-1.7\n"),
		{},
	} {
		f.Add(seed)
	}
	// Small limits keep each run fast; the code paths are the same as with the defaults.
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20, MaxSide: 64}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, p, err := Process(bytes.NewReader(data), lim)
		if err != nil {
			if _, ok := err.(*problem.Error); !ok {
				t.Fatalf("error %T %v, want *problem.Error", err, err)
			}
			return
		}
		if p.Width > lim.MaxSide || p.Height > lim.MaxSide || p.Width < 1 || p.Height < 1 {
			t.Fatalf("size %dx%d outside 1..%d", p.Width, p.Height, lim.MaxSide)
		}
		checkOutput(t, out, p, p.Width, p.Height)
	})
}

// BenchmarkProcess measures a typical phone photo: a 3000×2000 JPEG (6 megapixels),
// decoded, scaled to 2048×1365 and re-encoded.
func BenchmarkProcess(b *testing.B) {
	give := makeJPEG(b, 3000, 2000)
	b.SetBytes(int64(len(give)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Process(bytes.NewReader(give), DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
