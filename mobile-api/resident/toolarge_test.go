package resident_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"wijkwerk/backend/app/apptest"
)

// A body past the limit says the limit in plain words: in kB or MB, and for photos how
// many of how many MB, never a count of bytes. Both when Content-Length tells at once and
// when a chunked body turns out too large while it is read.
func TestTooLargeSaysTheLimitPlainly(t *testing.T) {
	env := apptest.Start(t)

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("category", "afval.zwerfvuil")
	for range 4 {
		w, _ := mw.CreateFormFile("photo", "foto.jpg")
		w.Write(bytes.Repeat([]byte{0xff}, 10<<20))
	}
	mw.Close()

	tests := []struct {
		name        string
		body        []byte
		contentType string
		chunked     bool
		lang        string
		want        string
	}{
		{name: "JSON, Content-Length", body: []byte(`{"description":"` + strings.Repeat("a", 70<<10) + `"}`),
			contentType: "application/json", lang: "nl", want: "Dit is te groot. Stuur hoogstens 64 kB."},
		{name: "JSON, chunked, English", body: []byte(`{"description":"` + strings.Repeat("a", 70<<10) + `"}`),
			contentType: "application/json", chunked: true, lang: "en", want: "This is too large. Send at most 64 kB."},
		{name: "photos, Content-Length", body: form.Bytes(), contentType: mw.FormDataContentType(), lang: "nl",
			want: "Dit is te groot. Stuur hoogstens 3 foto's van elk hoogstens 10 MB."},
		{name: "photos, chunked, English", body: form.Bytes(), contentType: mw.FormDataContentType(), chunked: true, lang: "en",
			want: "This is too large. Send at most 3 photos of at most 10 MB each."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // no length known: sent chunked
			}
			req := httptest.NewRequest("POST", "/api/v1/reports", body)
			if tt.chunked {
				req.ContentLength = -1
			}
			req.Header.Set("Content-Type", tt.contentType)
			req.Header.Set("Accept-Language", tt.lang)
			rec := httptest.NewRecorder()
			env.App.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
			}
			var p struct {
				Type   string `json:"type"`
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != "/problems/body-too-large" || p.Detail != tt.want {
				t.Errorf("problem = %s %q, want %q", p.Type, p.Detail, tt.want)
			}
		})
	}
}
