package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"wijkwerk/mobile-api/web"
)

func newServer(t *testing.T, o web.Options) *echo.Echo {
	t.Helper()
	e := echo.New()
	web.RegisterWith(e, o)
	// An API route beside the app, to check that the app's routes leave it alone.
	e.GET("/api/v1/categories", func(c echo.Context) error { return c.JSON(200, map[string]any{"categories": []any{}}) })
	return e
}

func get(t *testing.T, e *echo.Echo, path string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestPages(t *testing.T) {
	e := newServer(t, web.Options{})
	tests := []struct {
		give     string
		wantPage string // a word only that page's <title> has
	}{
		{"/", "Melding doen"},
		{"/volg", "Melding doen"},
		{"/volg/K7QM-4X2P", "Melding doen"},
		{"/initiatieven", "Melding doen"},
		{"/initiatieven/nieuw", "Melding doen"},
		{"/crew", "Wijkwerk Ploeg"},
		{"/crew/taak/12", "Wijkwerk Ploeg"},
		{"/desk", "Wijkwerk Planning"},
		{"/desk/anything", "Wijkwerk Planning"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			rec := get(t, e, tt.give)
			if rec.Code != 200 {
				t.Fatalf("status = %d", rec.Code)
			}
			body := rec.Body.String()
			if !strings.Contains(body, "<title>") || !strings.Contains(body, tt.wantPage) {
				t.Errorf("page for %s is not %q", tt.give, tt.wantPage)
			}
			if !strings.Contains(body, `<html lang="nl">`) {
				t.Error("page has no lang attribute")
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control = %q, want no-cache", got)
			}
			if rec.Header().Get("Content-Security-Policy") == "" {
				t.Error("no Content-Security-Policy")
			}
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Errorf("Content-Type = %q", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestAPIRoutesAreNotSwallowed(t *testing.T) {
	e := newServer(t, web.Options{})
	for _, p := range []string{"/api/v1/planner/board", "/api/v1/initiatives.geojson", "/mobile/v1/nothing", "/index.html", "/assets/missing.js", "/crewmember"} {
		if rec := get(t, e, p); rec.Code != 404 {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
	if rec := get(t, e, "/api/v1/categories"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "categories") {
		t.Errorf("the API route beside the app answered %d %s", rec.Code, rec.Body.String())
	}
}

func TestAssetsAreImmutableAndCompressed(t *testing.T) {
	e := newServer(t, web.Options{})
	page := get(t, e, "/").Body.String()
	i := strings.Index(page, `<script type="module" src="`)
	if i < 0 {
		t.Fatal("no module script on the page")
	}
	src := page[i+len(`<script type="module" src="`):]
	src = src[:strings.IndexByte(src, '"')]

	plain := get(t, e, src)
	if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("plain asset: %d %q", plain.Code, plain.Header().Get("Content-Encoding"))
	}
	if got := plain.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control = %q", got)
	}
	if got := plain.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/javascript") {
		t.Errorf("Content-Type = %q", got)
	}
	for _, enc := range []string{"br", "gzip"} {
		rec := get(t, e, src, "Accept-Encoding", enc)
		if rec.Header().Get("Content-Encoding") != enc {
			t.Errorf("Accept-Encoding %s: Content-Encoding = %q", enc, rec.Header().Get("Content-Encoding"))
		}
		if rec.Body.Len() >= plain.Body.Len() {
			t.Errorf("%s body %d is not smaller than %d", enc, rec.Body.Len(), plain.Body.Len())
		}
		if !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
			t.Error("no Vary: Accept-Encoding")
		}
	}
	if rec := get(t, e, src, "Accept-Encoding", "br;q=0, gzip"); rec.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("br;q=0 still got %q", rec.Header().Get("Content-Encoding"))
	}
	etag := plain.Header().Get("ETag")
	if rec := get(t, e, src, "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match = %d, want 304", rec.Code)
	}
}

func TestServiceWorker(t *testing.T) {
	e := newServer(t, web.Options{})
	rec := get(t, e, "/sw.js")
	if rec.Code != 200 {
		t.Fatalf("status = %d", rec.Code)
	}
	if got := rec.Header().Get("Service-Worker-Allowed"); got != "/" {
		t.Errorf("Service-Worker-Allowed = %q", got)
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-cache" {
		t.Errorf("Cache-Control = %q", got)
	}
	if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/javascript") {
		t.Errorf("Content-Type = %q", got)
	}
	for _, want := range []string{`"/crew"`, `"/desk"`, `"/assets/`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("sw.js does not precache %s", want)
		}
	}
	if rec := get(t, e, "/manifest.webmanifest"); rec.Code != 200 || rec.Header().Get("Content-Type") != "application/manifest+json" {
		t.Errorf("manifest: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestTileOptions(t *testing.T) {
	tests := []struct {
		name     string
		give     web.Options
		wantURL  string
		wantAttr string
	}{
		{"default", web.Options{}, web.DefaultTileURL, "Kadaster"},
		{"own", web.Options{TileURL: "https://tiles.example.nl/{z}/{x}/{y}.png?a=1&b=2", TileAttribution: "© Voorbeeld"},
			"https://tiles.example.nl/{z}/{x}/{y}.png?a=1&amp;b=2", "© Voorbeeld"},
		{"none", web.Options{TileURL: "none"}, `content=""`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := get(t, newServer(t, tt.give), "/crew").Body.String()
			if !strings.Contains(body, tt.wantURL) || !strings.Contains(body, tt.wantAttr) {
				t.Errorf("page does not carry %q / %q:\n%s", tt.wantURL, tt.wantAttr, body)
			}
		})
	}
}

// TestBuildIsFresh fails when the sources in ui/ changed after dist/ was built: run
// `make web` (npm run build in mobile-api/web/ui) and commit dist/.
func TestBuildIsFresh(t *testing.T) {
	var info struct {
		SourceHash string `json:"source_hash"`
		Pages      map[string]struct {
			JSGzipBytes int `json:"js_gzip_bytes"`
		} `json:"pages"`
	}
	b, err := os.ReadFile("dist/build.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	if got := sourceHash(t, "ui"); got != info.SourceHash {
		t.Errorf("dist/ was built from other sources than ui/ holds now (hash %s, built %s): run `make web`", got[:12], info.SourceHash[:min(12, len(info.SourceHash))])
	}
	// The resident page must stay light: under 200 KB of JavaScript, gzipped.
	if n := info.Pages["index"].JSGzipBytes; n == 0 || n > 200<<10 {
		t.Errorf("resident page JavaScript = %d bytes gzipped, want 1..%d", n, 200<<10)
	}
}

// sourceHash mirrors sourceHash in ui/build.mjs.
func sourceHash(t *testing.T, dir string) string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, "src"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "build.mjs", "package-lock.json")
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(f + "\n"))
		h.Write(b)
		h.Write([]byte("\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestPushOptions(t *testing.T) {
	push, err := web.ParsePush(`{"apiKey":"AIzaSyExample","projectId":"wijkwerk-prod","messagingSenderId":"1234","appId":"1:1234:web:ab","measurementId":"G-X"}`,
		"BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U")
	if err != nil {
		t.Fatal(err)
	}
	firebaseHosts := "https://firebaseinstallations.googleapis.com https://fcmregistrations.googleapis.com"
	meta := `<meta name="wijkwerk-push" content="{&#34;config&#34;:{&#34;apiKey&#34;:&#34;AIzaSyExample&#34;,&#34;projectId&#34;:&#34;wijkwerk-prod&#34;,&#34;messagingSenderId&#34;:&#34;1234&#34;,&#34;appId&#34;:&#34;1:1234:web:ab&#34;},&#34;vapidKey&#34;:&#34;BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U&#34;}">`
	tests := []struct {
		name        string
		give        web.Options
		path        string
		wantMeta    string
		wantConnect string
	}{
		{"crew without push", web.Options{}, "/crew", `<meta name="wijkwerk-push" content="">`, "connect-src 'self';"},
		{"crew with push", web.Options{Push: push}, "/crew/taak/3", meta, "connect-src 'self' " + firebaseHosts + ";"},
		// The resident page offers updates by push: it registers with Firebase too.
		{"resident without push", web.Options{}, "/", `<meta name="wijkwerk-push" content="">`, "connect-src 'self';"},
		{"resident with push", web.Options{Push: push}, "/", meta, "connect-src 'self' " + firebaseHosts + ";"},
		{"tracking page with push", web.Options{Push: push}, "/volg/ABCDE-FGHIJ", meta, "connect-src 'self' " + firebaseHosts + ";"},
		{"desk with push", web.Options{Push: push}, "/desk", "", "connect-src 'self';"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, newServer(t, tt.give), tt.path)
			body := rec.Body.String()
			if tt.wantMeta != "" && !strings.Contains(body, tt.wantMeta) {
				t.Errorf("page lacks %s", tt.wantMeta)
			}
			if tt.wantMeta == "" && strings.Contains(body, "wijkwerk-push") {
				t.Errorf("page %s carries the push settings", tt.path)
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, tt.wantConnect) {
				t.Errorf("Content-Security-Policy = %q, want %q", csp, tt.wantConnect)
			}
		})
	}
}

func TestParsePush(t *testing.T) {
	const key = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"
	const config = `{"apiKey":"a","projectId":"p","messagingSenderId":"1","appId":"1:1:web:1"}`
	tests := []struct {
		name       string
		giveConfig string
		giveKey    string
		wantNil    bool
		wantErr    string
	}{
		{name: "neither", wantNil: true},
		{name: "both", giveConfig: config, giveKey: key},
		{name: "padded key", giveConfig: config, giveKey: key + "="},
		{name: "config only", giveConfig: config, wantErr: "without a VAPID key"},
		{name: "key only", giveKey: key, wantErr: "without a Firebase web configuration"},
		{name: "array", giveConfig: `[1]`, giveKey: key, wantErr: "not a JSON object"},
		{name: "empty apiKey", giveConfig: `{"apiKey":" ","projectId":"p","messagingSenderId":"1","appId":"x"}`, giveKey: key, wantErr: "lacks apiKey"},
		{name: "short key", giveConfig: config, giveKey: "BEl62iUYgUivxIkv69yViEuiBIa", wantErr: "not a web push public key"},
		{name: "private key shape", giveConfig: config, giveKey: "vTD1cvZyKmSE6pNhaR-DJo6A8BS1xSvwHR1t1SgJjRw", wantErr: "not a web push public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := web.ParsePush(tt.giveConfig, tt.giveKey)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (p == nil) != tt.wantNil {
				t.Errorf("ParsePush = %+v, want nil: %v", p, tt.wantNil)
			}
		})
	}
}

// TestEnglishSaysCrew: the Dutch "ploeg" is "crew" in every English string of the PWA, as
// in the crew app's name and the server's English problems (backend/problem's test). A
// {team} placeholder is a name and stays.
func TestEnglishSaysCrew(t *testing.T) {
	src, err := os.ReadFile("ui/src/strings.en.js")
	if err != nil {
		t.Fatal(err)
	}
	entry := regexp.MustCompile(`(?m)^\s*'([^']+)':\s*'((?:[^'\\]|\\.)*)',?\s*$`)
	placeholder := regexp.MustCompile(`\{\w+\}`)
	team := regexp.MustCompile(`\b[Tt]eams?\b`)
	found := entry.FindAllStringSubmatch(string(src), -1)
	if len(found) < 300 {
		t.Fatalf("only %d strings read from strings.en.js: has its layout changed?", len(found))
	}
	for _, m := range found {
		if team.MatchString(placeholder.ReplaceAllString(m[2], "")) {
			t.Errorf("%s: %q says team, not crew", m[1], m[2])
		}
	}
}
