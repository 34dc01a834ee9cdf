// Package apptest starts a whole Wijkwerk instance for integration tests: a fresh
// PostGIS database with the Doetinchem demo, the app wired exactly as `wijkwerk serve`
// wires it, and an HTTP test server in front of it.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"wijkwerk/backend/app"
	"wijkwerk/backend/demo/demotest"
	"wijkwerk/backend/logtest"
	"wijkwerk/backend/mail/fakesmtp"
	"wijkwerk/backend/push/fakefcm"
	"wijkwerk/backend/testdb"
)

// Env is a running instance.
type Env struct {
	App  *app.App
	FCM  *fakefcm.Server  // the fake FCM that the app's pushes go to
	SMTP *fakesmtp.Server // the fake SMTP server that the app's e-mails go to
	// Log holds everything the app logged, at every level, for tests that check what
	// it says (and what it never says, such as an e-mail address). A benchmark's is
	// empty: it measures the server, and keeping every line would cost it CPU.
	Log    *logtest.Buffer
	DB     *testdb.DB
	Server *httptest.Server
	URL    string
}

// Start starts an instance with the demo loaded; it stops when the test ends.
// Adjust the configuration with opts before the app is built.
func Start(tb testing.TB, opts ...func(*app.Config)) *Env {
	tb.Helper()
	db := demotest.DB(tb)
	fcm, fcmURL := fakefcm.Start(tb)
	smtpSrv, smtpURL := fakesmtp.Start(tb)
	cfg := app.DefaultConfig()
	cfg.FCMEndpoint = fcmURL
	cfg.DatabaseURL = db.URL
	cfg.Addr = "127.0.0.1:0"
	cfg.RateLimit = 0 // tests that limit turn it on
	cfg.Open311KeyRateLimit = 0
	cfg.PhotoDir = tb.TempDir()
	cfg.FCMProject = "wijkwerk-test"
	cfg.SMTPURL = smtpURL
	cfg.MailFrom = "Wijkwerk Test <noreply@wijkwerk.invalid>"
	cfg.PublicURL = "https://wijkwerk.test"
	for _, o := range opts {
		o(&cfg)
	}
	logs := &logtest.Buffer{}
	var log *slog.Logger
	warnings := slog.NewTextHandler(testWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn})
	if _, bench := tb.(*testing.B); bench {
		log = slog.New(warnings)
	} else {
		log = slog.New(slog.NewMultiHandler(warnings, slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		tb.Fatalf("apptest: %v", err)
	}
	if err := a.Start(ctx); err != nil {
		a.Close()
		tb.Fatalf("apptest: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	tb.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &Env{App: a, FCM: fcm, SMTP: smtpSrv, Log: logs, DB: db, Server: srv, URL: srv.URL}
}

type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// Response is an HTTP answer with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r *Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("apptest: body is not JSON (%v): %s", err, r.Body)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.JSON(tb, &m)
	return m
}

// Do sends a request. A body that is not []byte or string is sent as JSON. Headers come
// in name, value pairs.
func (e *Env) Do(tb testing.TB, method, path string, body any, headers ...string) *Response {
	tb.Helper()
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
		contentType = "application/json"
	case string:
		rd = bytes.NewReader([]byte(b))
		contentType = "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("apptest: %v", err)
		}
		rd = bytes.NewReader(j)
		contentType = "application/json"
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		tb.Fatalf("apptest: %v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("apptest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("apptest: %v", err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// WaitCredentialCache waits until the crew API keeps credential checks, that is until
// it listens for their changes (see /readyz).
func (e *Env) WaitCredentialCache(tb testing.TB) {
	tb.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var ready struct {
			CredentialCache bool `json:"credential_cache"`
		}
		res, err := http.Get(e.URL + "/readyz")
		if err == nil {
			json.NewDecoder(res.Body).Decode(&ready)
			res.Body.Close()
		}
		if ready.CredentialCache {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal("apptest: the credential cache does not listen after 5 s")
		}
	}
}

// WantReadableReasons checks that the field reasons of problem m read as the apps show
// them: an app puts each reason that is not the detail after the detail (problemText in
// the PWA), so such a reason must be a sentence of its own, not a label such as
// "onbekende categorie" or "te klein" glued to the detail.
func WantReadableReasons(tb testing.TB, m map[string]any) {
	tb.Helper()
	errs, _ := m["errors"].([]any)
	for _, e := range errs {
		f, _ := e.(map[string]any)
		reason, _ := f["reason"].(string)
		if reason == m["detail"] {
			continue
		}
		first, _ := utf8.DecodeRuneInString(reason)
		if reason == "" || !unicode.IsUpper(first) || !strings.ContainsAny(reason[len(reason)-1:], ".?!") {
			tb.Errorf("field %v: reason %q is no sentence, and the app shows it after the detail %q", f["name"], reason, m["detail"])
		}
	}
}
