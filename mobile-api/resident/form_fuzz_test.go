package resident

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/problem"
)

// FuzzMultipartReport feeds arbitrary bodies to the multipart report path (the form
// reader and the form decoder): it must answer a submission or a problem, never panic.
func FuzzMultipartReport(f *testing.F) {
	const boundary = "XyZ"
	f.Add([]byte("--XyZ\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nafval.zwerfvuil\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"lon\"\r\n\r\n6.2967\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"lat\"\r\n\r\n51.959\r\n--XyZ--\r\n"))
	f.Add([]byte("--XyZ\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n{\"category\":\"a\",\"location\":{\"type\":\"Point\",\"coordinates\":[6,52]}}\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n\xff\xd8\xff\r\n--XyZ--\r\n"))
	f.Add([]byte("--XyZ\r\n\r\n--XyZ--"))
	f.Add([]byte(""))
	e := echo.New()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/api/v1/reports", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		c := e.NewContext(req, httptest.NewRecorder())
		form, err := httpapi.ReadForm(c, 1<<20, MaxReportPhotos)
		if err == nil {
			_, err = decodeForm(form.Fields)
			if len(form.Files["photo"]) > MaxReportPhotos {
				t.Fatalf("%d photos accepted", len(form.Files["photo"]))
			}
		}
		if err != nil {
			if _, ok := problem.As(err); !ok {
				t.Fatalf("error is not a problem: %v", err)
			}
		}
	})
}
