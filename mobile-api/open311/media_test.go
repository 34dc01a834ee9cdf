package open311_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wijkwerk/backend/app/apptest"
)

// pngWithText is a small PNG of shade, carrying text in a tEXt chunk as a camera app
// might carry where and by whom it was taken.
func pngWithText(tb testing.TB, shade uint8, text string) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := 0; y < 24; y++ {
		for x := 0; x < 32; x++ {
			img.Set(x, y, color.RGBA{uint8(7 * x), uint8(9 * y), shade, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	data := "Comment\x00" + text
	var chunk bytes.Buffer
	binary.Write(&chunk, binary.BigEndian, uint32(len(data)))
	chunk.WriteString("tEXt" + data)
	binary.Write(&chunk, binary.BigEndian, crc32.ChecksumIEEE(chunk.Bytes()[4:]))
	const afterIHDR = 8 + 25
	out := append([]byte{}, b.Bytes()[:afterIHDR]...)
	out = append(out, chunk.Bytes()...)
	return append(out, b.Bytes()[afterIHDR:]...)
}

// postMedia sends form as multipart/form-data with a file part field holding data.
func (s *server) postMedia(tb testing.TB, format string, form url.Values, field string, data []byte, headers ...string) *apptest.Response {
	tb.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if data != nil {
		fw, err := mw.CreateFormFile(field, "small.png")
		if err != nil {
			tb.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return s.do(tb, "POST", "/open311/v2/requests."+format, body.String(), mw.FormDataContentType(), headers...)
}

// photoFiles lists the files in the instance's photo directory, at any depth.
func (s *server) photoFiles(tb testing.TB) []string {
	tb.Helper()
	var files []string
	err := filepath.WalkDir(s.env.App.Config.PhotoDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

func TestPostRequestWithMedia(t *testing.T) {
	s := start(t)
	const secret = "GPS 51.95901 6.29671 camera of Jan Jansen"
	res := s.postMedia(t, "json", s.form(), "media", pngWithText(t, 10, secret))
	if res.Status != http.StatusCreated {
		t.Fatalf("POST with media = %d: %s", res.Status, res.Body)
	}
	var out []created
	res.JSON(t, &out)
	if len(out) != 1 || out[0].ServiceRequestID == "" || strings.Contains(out[0].ServiceNotice, "media_url") {
		t.Fatalf("answer %s", res.Body)
	}
	id := out[0].ServiceRequestID
	var photos []struct {
		Hash, Kind string
		JobID      int64
	}
	s.env.DB.Raw(`SELECT p.hash, p.kind, p.job_id FROM job_photos p JOIN reports r ON r.job_id = p.job_id WHERE r.tracking_code = ?`, id).Scan(&photos)
	if len(photos) != 1 || photos[0].Kind != "report" {
		t.Fatalf("photos of %s: %+v", id, photos)
	}
	files := s.photoFiles(t)
	if len(files) != 1 {
		t.Fatalf("photo files %v", files)
	}
	stored, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(stored, []byte{0xFF, 0xD8, 0xFF}) || bytes.Contains(stored, []byte("Jansen")) || bytes.Contains(stored, []byte("GPS")) {
		t.Errorf("stored photo is not a JPEG without the original's metadata: %.40q", stored)
	}
	// A resident's photo is not public, so media_url stays empty...
	if got := requests(t, s.get(t, "/open311/v2/requests/"+id+".json"), "json"); len(got) != 1 || *got[0].MediaURL != "" {
		t.Errorf("media_url before an after-photo: %+v", got)
	}
	// ...until the crew's after-photo, which the tracking page shows too: then it is its URL.
	s.env.DB.Exec(`UPDATE jobs SET status = 'done' WHERE id = ?`, photos[0].JobID)
	s.env.DB.Exec(`INSERT INTO job_photos (job_id, hash, kind, width, height, bytes) VALUES (?, ?, 'after', 32, 24, 100)`, photos[0].JobID, photos[0].Hash)
	track := s.env.Do(t, "GET", "/api/v1/reports/"+id, nil).Map(t)
	trackPhotos, _ := track["photos"].([]any)
	if len(trackPhotos) != 1 {
		t.Fatalf("tracking photos %v", track["photos"])
	}
	for _, format := range formats {
		got := requests(t, s.get(t, "/open311/v2/requests/"+id+"."+format), format)
		if len(got) != 1 || *got[0].MediaURL != s.url+trackPhotos[0].(string) {
			t.Errorf("%s: media_url %q, want %q", format, *got[0].MediaURL, s.url+trackPhotos[0].(string))
		}
		photo := s.get(t, strings.TrimPrefix(*got[0].MediaURL, s.url))
		if photo.Status != http.StatusOK || photo.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("GET media_url = %d %s", photo.Status, photo.Header.Get("Content-Type"))
		}
	}

	// media_url is not fetched, and the answer says so.
	for lang, want := range map[string]string{"nl": "halen geen foto op van media_url", "en": "do not fetch photos from media_url"} {
		res := s.post(t, "json", s.form("media_url", "https://example.net/foto.jpg", "lat", "51.9650", "long", "6.2900"), "Accept-Language", lang)
		if res.Status != http.StatusCreated || !strings.Contains(string(res.Body), want) {
			t.Errorf("media_url (%s) = %d: %s", lang, res.Status, res.Body)
		}
	}

	// Refused photos and refused requests keep nothing on disk and file nothing.
	var reportsBefore int64
	s.env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&reportsBefore)
	tests := []struct {
		name   string
		form   url.Values
		field  string
		data   []byte
		status int
		want   string
	}{
		{"not a photo", s.form(), "media", []byte("%PDF-1.4 nope"), 415, "JPEG"},
		{"broken photo", s.form(), "media", pngWithText(t, 20, "x")[:60], 400, "foto"},
		{"empty photo", s.form(), "media", []byte{}, 400, "foto"},
		{"photo in another field", s.form(), "photo", pngWithText(t, 30, "x"), 400, "media"},
		{"unknown service_code", s.form("service_code", "bestaat.niet"), "media", pngWithText(t, 40, "x"), 400, "bestaat.niet"},
		{"outside every area", s.form("lat", "53.5", "long", "3.5"), "media", pngWithText(t, 50, "x"), 400, "niet in een gebied"},
		{"no api_key", s.form("api_key", "-"), "media", pngWithText(t, 60, "x"), 401, "api_key"},
	}
	for _, tt := range tests {
		for _, format := range formats {
			t.Run(tt.name+"/"+format, func(t *testing.T) {
				wantError(t, s.postMedia(t, format, tt.form, tt.field, tt.data), format, tt.status, tt.want)
				if files := s.photoFiles(t); len(files) != 1 {
					t.Errorf("photo files after a refused request: %v", files)
				}
			})
		}
	}
	var reportsAfter int64
	s.env.DB.Raw(`SELECT count(*) FROM reports`).Scan(&reportsAfter)
	if reportsAfter != reportsBefore {
		t.Errorf("%d reports filed by refused requests", reportsAfter-reportsBefore)
	}
	// A multipart request without a photo is a request like any other.
	if res := s.postMedia(t, "xml", s.form("lat", "51.9700", "long", "6.3000"), "", nil); res.Status != http.StatusCreated {
		t.Errorf("multipart without media = %d: %s", res.Status, res.Body)
	}
}
