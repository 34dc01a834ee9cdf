package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/category"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/job"
	"wijkwerk/backend/photo"
	"wijkwerk/backend/report"
	"wijkwerk/backend/routing"
	"wijkwerk/mobile-api/open311"
)

// The station forecourt in Doetinchem.
const stationLat, stationLon = "51.9590", "6.2967"

// server is a running instance with Open311: the app's own server when app.go mounts
// it, else the handler wired here the way app.go wires it, on the same database.
type server struct {
	env *apptest.Env
	url string // serves /open311/v2
	key string // a valid api_key
}

func start(tb testing.TB, opts ...func(*app.Config)) *server {
	tb.Helper()
	env := apptest.Start(tb, opts...)
	s := &server{env: env, url: env.URL}
	if res := s.do(tb, "GET", "/open311/v2/services.json", "", ""); res.Status != http.StatusOK {
		db := env.DB.DB
		categories := category.NewCache(category.NewStore(db), 30*time.Second)
		reports := report.NewService(db, categories, routing.New(env.App.Areas, db), job.NewStore(db), env.App.Config.PushTTL)
		log := slog.New(slog.NewTextHandler(tbWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn}))
		e := echo.New()
		e.HTTPErrorHandler = httpapi.ErrorHandler(log)
		store, err := photo.NewStore(env.App.Config.PhotoDir)
		if err != nil {
			tb.Fatal(err)
		}
		photos := photo.NewPool(store, photo.DefaultLimits(), 2)
		open311.New(reports, categories, photos, log, nil).Register(e.Group("/open311/v2"))
		srv := httptest.NewServer(e)
		tb.Cleanup(srv.Close)
		s.url = srv.URL
		tb.Log("app.go does not mount /open311/v2 yet: testing the handler wired here")
	}
	key, err := open311.CreateKey(context.Background(), env.DB.DB, "test client")
	if err != nil {
		tb.Fatal(err)
	}
	s.key = key
	return s
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// do sends a request to the Open311 server. Headers come in name, value pairs.
func (s *server) do(tb testing.TB, method, path, body, contentType string, headers ...string) *apptest.Response {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return &apptest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (s *server) get(tb testing.TB, path string, headers ...string) *apptest.Response {
	tb.Helper()
	return s.do(tb, "GET", path, "", "", headers...)
}

const formType = "application/x-www-form-urlencoded"

func (s *server) post(tb testing.TB, format string, form url.Values, headers ...string) *apptest.Response {
	tb.Helper()
	return s.do(tb, "POST", "/open311/v2/requests."+format, form.Encode(), formType, headers...)
}

// form is a valid request for a litter report at the station, with api_key.
func (s *server) form(extra ...string) url.Values {
	f := url.Values{
		"api_key":      {s.key},
		"service_code": {"afval.zwerfvuil"},
		"lat":          {stationLat},
		"long":         {stationLon},
		"description":  {"Zakken afval naast de container"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "-" {
			f.Del(extra[i])
		} else {
			f.Set(extra[i], extra[i+1])
		}
	}
	return f
}

// created is the answer to a POST.
type created struct {
	ServiceRequestID string  `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    string  `json:"service_notice" xml:"service_notice"`
	AccountID        *string `json:"account_id" xml:"account_id"`
}

// submit files form and returns the service_request_id.
func (s *server) submit(tb testing.TB, form url.Values, headers ...string) string {
	tb.Helper()
	res := s.post(tb, "json", form, headers...)
	if res.Status != http.StatusCreated {
		tb.Fatalf("POST requests.json = %d: %s", res.Status, res.Body)
	}
	var out []created
	res.JSON(tb, &out)
	if len(out) != 1 || out[0].ServiceRequestID == "" {
		tb.Fatalf("POST answer %s", res.Body)
	}
	return out[0].ServiceRequestID
}

// request is one request in GET requests, in either format.
type request struct {
	ServiceRequestID  string  `json:"service_request_id" xml:"service_request_id"`
	Status            string  `json:"status" xml:"status"`
	StatusNotes       string  `json:"status_notes" xml:"status_notes"`
	ServiceName       string  `json:"service_name" xml:"service_name"`
	ServiceCode       string  `json:"service_code" xml:"service_code"`
	Description       string  `json:"description" xml:"description"`
	AgencyResponsible string  `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string  `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string  `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string  `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string  `json:"expected_datetime" xml:"expected_datetime"`
	Address           *string `json:"address" xml:"address"`
	AddressID         *string `json:"address_id" xml:"address_id"`
	Zipcode           *string `json:"zipcode" xml:"zipcode"`
	Lat               float64 `json:"lat" xml:"lat"`
	Long              float64 `json:"long" xml:"long"`
	MediaURL          *string `json:"media_url" xml:"media_url"`
}

type requestsXML struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []request `xml:"request"`
}

// requests decodes a GET requests answer of either format, checking its media type.
func requests(tb testing.TB, res *apptest.Response, format string) []request {
	tb.Helper()
	if res.Status != http.StatusOK {
		tb.Fatalf("status %d: %s", res.Status, res.Body)
	}
	wantContentType(tb, res, format)
	if format == "json" {
		var out []request
		res.JSON(tb, &out)
		return out
	}
	var out requestsXML
	decodeXML(tb, res, &out)
	return out.Requests
}

func ids(reqs []request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.ServiceRequestID
	}
	return out
}

func wantContentType(tb testing.TB, res *apptest.Response, format string) {
	tb.Helper()
	want := map[string]string{"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}[format]
	if ct := res.Header.Get("Content-Type"); ct != want {
		tb.Errorf("Content-Type %q, want %q", ct, want)
	}
	if format == "xml" && !bytes.HasPrefix(res.Body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		tb.Errorf("XML without declaration: %.80s", res.Body)
	}
}

func decodeXML(tb testing.TB, res *apptest.Response, v any) {
	tb.Helper()
	if err := xml.Unmarshal(res.Body, v); err != nil {
		tb.Fatalf("body is not XML (%v): %s", err, res.Body)
	}
}

type apiError struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

// wantError checks an Open311 error answer: status, format, and that a description
// contains want.
func wantError(tb testing.TB, res *apptest.Response, format string, status int, want string) {
	tb.Helper()
	if res.Status != status {
		tb.Errorf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	wantContentType(tb, res, format)
	var errs []apiError
	if format == "json" {
		if err := json.Unmarshal(res.Body, &errs); err != nil {
			tb.Fatalf("error body is not a JSON array (%v): %s", err, res.Body)
		}
	} else {
		var doc struct {
			XMLName xml.Name   `xml:"errors"`
			Errors  []apiError `xml:"error"`
		}
		decodeXML(tb, res, &doc)
		errs = doc.Errors
	}
	if len(errs) == 0 {
		tb.Fatalf("no errors in %s", res.Body)
	}
	found := false
	for _, e := range errs {
		if e.Code != status || e.Description == "" {
			tb.Errorf("error %+v, want code %d and a description", e, status)
		}
		found = found || strings.Contains(e.Description, want)
	}
	if !found {
		tb.Errorf("no description contains %q: %s", want, res.Body)
	}
}

var formats = []string{"json", "xml"}
