package photo

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"
)

// Every fixture is built here, in Go, so the tests show exactly what each input holds.

// gradient returns an opaque image with some structure and a little noise, so encoders
// have something photo-like to work on.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := uint8(rng.IntN(16))
			img.SetRGBA(x, y, color.RGBA{
				R: uint8(255*x/max(1, w-1)) ^ n,
				G: uint8(255*y/max(1, h-1)) ^ n,
				B: uint8((x+y)%256) ^ n,
				A: 255,
			})
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatalf("encode jpeg: %v", err)
	}
	return buf.Bytes()
}

func makeJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	return encodeJPEG(t, gradient(w, h), 90)
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatalf("encode png: %v", err)
	}
	return buf.Bytes()
}

func makePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	return encodePNG(t, gradient(w, h))
}

// transparentPNG is fully transparent; Process must put it on white, not on black.
func transparentPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	return encodePNG(t, image.NewNRGBA(image.Rect(0, 0, w, h)))
}

func makeGIF(t testing.TB) []byte {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		t.Fatalf("encode gif: %v", err)
	}
	return buf.Bytes()
}

// pngChunk writes one PNG chunk with its CRC over type and data.
func pngChunk(buf *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	buf.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	buf.WriteString(typ)
	buf.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	buf.Write(n[:])
}

// handPNG builds a PNG whose IHDR claims w×h 8-bit RGB pixels, followed by a small valid
// zlib stream (one scanline's worth) and IEND. For a huge w×h the file stays under a
// hundred bytes: a decompression bomb in its simplest form.
func handPNG(t testing.TB, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8] = 8 // bit depth
	ihdr[9] = 2 // colour type RGB
	pngChunk(&buf, "IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(make([]byte, 64)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	pngChunk(&buf, "IDAT", z.Bytes())
	pngChunk(&buf, "IEND", nil)
	return buf.Bytes()
}

// withJPEGSize patches the first SOF0 segment of a JPEG to claim w×h pixels.
func withJPEGSize(t testing.TB, data []byte, w, h uint16) []byte {
	t.Helper()
	out := bytes.Clone(data)
	i := bytes.Index(out, []byte{0xFF, 0xC0})
	if i < 0 || i+9 > len(out) {
		t.Fatal("no SOF0 segment")
	}
	binary.BigEndian.PutUint16(out[i+5:], h)
	binary.BigEndian.PutUint16(out[i+7:], w)
	return out
}

// bitWriter writes the least significant bit first, as VP8L wants.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint
}

func (w *bitWriter) write(v uint32, n uint) {
	w.acc |= uint64(v) << w.n
	w.n += n
	for w.n >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.n > 0 {
		return append(w.buf, byte(w.acc))
	}
	return w.buf
}

// vp8lSolid encodes a lossless WebP bitstream (the VP8L chunk payload) of one colour.
// golang.org/x/image has no WebP encoder; this is the smallest real encoder there is: no
// transforms, no colour cache, and for each of the five prefix codes a "simple code"
// with a single symbol, which costs zero bits per pixel. The format is in RFC 9649.
func vp8lSolid(w, h int, c color.NRGBA) []byte {
	var bw bitWriter
	bw.write(0x2f, 8) // signature
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	alpha := uint32(0)
	if c.A != 255 {
		alpha = 1
	}
	bw.write(alpha, 1)
	bw.write(0, 3) // version
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	// Green, red, blue, alpha, distance.
	for _, sym := range []uint8{c.G, c.R, c.B, c.A, 0} {
		bw.write(1, 1) // simple code
		bw.write(0, 1) // one symbol
		bw.write(1, 1) // the symbol has 8 bits
		bw.write(uint32(sym), 8)
	}
	return bw.bytes()
}

// riffWebP wraps chunks (four-character code, payload) in a RIFF WEBP container.
func riffWebP(chunks ...any) []byte {
	var body bytes.Buffer
	body.WriteString("WEBP")
	for i := 0; i+1 < len(chunks); i += 2 {
		fourcc, data := chunks[i].(string), chunks[i+1].([]byte)
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(data)))
		body.WriteString(fourcc)
		body.Write(n[:])
		body.Write(data)
		if len(data)%2 == 1 {
			body.WriteByte(0)
		}
	}
	var out bytes.Buffer
	out.WriteString("RIFF")
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(body.Len()))
	out.Write(n[:])
	out.Write(body.Bytes())
	return out.Bytes()
}

// makeWebP returns a lossless WebP of one colour.
func makeWebP(w, h int, c color.NRGBA) []byte {
	return riffWebP("VP8L", vp8lSolid(w, h, c))
}

// webpVP8X returns a WebP whose extended header claims a canvas of w×h (up to 2^24 per
// side), followed by a 1×1 lossless image.
func webpVP8X(w, h int) []byte {
	x := make([]byte, 10)
	x[4], x[5], x[6] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
	x[7], x[8], x[9] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
	return riffWebP("VP8X", x, "VP8L", vp8lSolid(1, 1, color.NRGBA{A: 255}))
}

// Two widely used 1×1 WebP files, from Modernizr's WebP feature detection (which browsers
// decode with libwebp). They show that Process reads WebP files not made by our own
// encoder, and they cover the lossy (VP8) path, which vp8lSolid cannot produce.
var (
	webpLossless1x1 = mustBase64("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	webpLossy1x1    = mustBase64("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA")
)

func mustBase64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// exifAPP1 builds an APP1 segment with EXIF data as a phone writes it: an orientation,
// a description, and a GPS sub-IFD with a latitude. bo picks Motorola or Intel order.
func exifAPP1(bo binary.ByteOrder, orientation uint16) []byte {
	desc := []byte("GPS 51.9653N 6.2906E Doetinchem\x00")
	const ifd0 = 8
	const n0, nGPS = 3, 2
	descOff := ifd0 + 2 + n0*12 + 4
	gpsOff := descOff + len(desc)
	gpsOff += gpsOff % 2
	ratOff := gpsOff + 2 + nGPS*12 + 4
	tiff := make([]byte, ratOff+24)
	if bo == binary.BigEndian {
		copy(tiff, "MM\x00*")
	} else {
		copy(tiff, "II*\x00")
	}
	bo.PutUint32(tiff[4:], ifd0)
	entry := func(at int, tag, typ uint16, count uint32) []byte {
		bo.PutUint16(tiff[at:], tag)
		bo.PutUint16(tiff[at+2:], typ)
		bo.PutUint32(tiff[at+4:], count)
		return tiff[at+8 : at+12]
	}
	const typeASCII, typeShort, typeLong, typeRational = 2, 3, 4, 5

	bo.PutUint16(tiff[ifd0:], n0)
	bo.PutUint32(entry(ifd0+2, 0x010E, typeASCII, uint32(len(desc))), uint32(descOff))
	bo.PutUint16(entry(ifd0+14, 0x0112, typeShort, 1), orientation)
	bo.PutUint32(entry(ifd0+26, 0x8825, typeLong, 1), uint32(gpsOff))
	copy(tiff[descOff:], desc)

	bo.PutUint16(tiff[gpsOff:], nGPS)
	copy(entry(gpsOff+2, 0x0001, typeASCII, 2), "N\x00")
	bo.PutUint32(entry(gpsOff+14, 0x0002, typeRational, 3), uint32(ratOff))
	for i, v := range []uint32{51, 1, 57, 1, 5508, 100} {
		bo.PutUint32(tiff[ratOff+4*i:], v)
	}

	seg := []byte{0xFF, 0xE1, 0, 0}
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, tiff...)
	binary.BigEndian.PutUint16(seg[2:], uint16(len(seg)-2))
	return seg
}

// segment builds a JPEG marker segment with a payload.
func segment(marker byte, payload string) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	seg = append(seg, payload...)
	binary.BigEndian.PutUint16(seg[2:], uint16(len(seg)-2))
	return seg
}

// afterSOI inserts segments right after the start-of-image marker, where phones put them.
func afterSOI(data []byte, segs ...[]byte) []byte {
	out := append([]byte(nil), data[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, data[2:]...)
}

// withMetadata returns a JPEG carrying everything Process must drop: EXIF with GPS, XMP,
// an ICC profile and a comment.
func withMetadata(t testing.TB, data []byte, orientation uint16) []byte {
	t.Helper()
	return afterSOI(data,
		exifAPP1(binary.BigEndian, orientation),
		segment(0xE1, "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>GPS secret</x:xmpmeta>"),
		segment(0xE2, "ICC_PROFILE\x00\x01\x01not really a profile"),
		segment(0xFE, "taken at Dorpsstraat 1"),
	)
}

// jpegMarkers lists the markers of a JPEG up to the start of scan.
func jpegMarkers(t testing.TB, data []byte) []byte {
	t.Helper()
	var ms []byte
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := data[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			return ms
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
	}
	t.Fatal("no start of scan")
	return nil
}
