// Package web serves the Wijkwerk PWA from files embedded in the binary: the resident app
// at /, the crew app at /crew and the planner dashboard at /desk, with their hashed
// assets under /assets/ and the service worker at /sw.js.
//
// The files in dist/ are built by the npm project in ui/ (`npm run build`, or `make web`)
// and committed, so `go build` needs no Node.js. A test checks that dist/ was built from
// the sources in ui/ as they are.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

//go:embed all:dist
var dist embed.FS

// Defaults for the base map: PDOK's BRT-Achtergrondkaart, the Dutch government's free
// base map, in Web Mercator tiles.
const (
	DefaultTileURL         = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
	DefaultTileAttribution = "Kaartgegevens © Kadaster (BRT-Achtergrondkaart, PDOK)"
)

// Options adjust what the pages are told at load time.
type Options struct {
	// TileURL is the base map's tile URL template ({z}/{x}/{y}); empty means
	// DefaultTileURL. "none" shows no base map at all.
	TileURL string
	// TileAttribution is shown on the map; empty means DefaultTileAttribution when
	// TileURL is the default, else nothing.
	TileAttribution string
	// Push, when set, lets the crew app register for web push through FCM, and lets the
	// resident page offer updates by push. Without it neither page does anything
	// push-related.
	Push *Push
}

// Register adds the PWA's routes to e with the default options.
func Register(e *echo.Echo) { RegisterWith(e, Options{}) }

// RegisterWith adds the PWA's routes to e. It panics if the embedded build is incomplete,
// which a test catches long before a deployment does.
func RegisterWith(e *echo.Echo, o Options) {
	s, err := newSite(dist, o)
	if err != nil {
		panic(err)
	}
	s.register(e)
}

// The pages and the paths that show them. The apps route on the client with the History
// API, so a reload or a shared link on a sub-path must give the same page.
var pages = []struct {
	file  string
	paths []string
}{
	{"index.html", []string{"/", "/volg", "/volg/*", "/initiatieven", "/initiatieven/*"}},
	{"crew.html", []string{"/crew", "/crew/*"}},
	{"desk.html", []string{"/desk", "/desk/*"}},
}

// file is one servable file with its precompressed variants.
type file struct {
	body        []byte
	gzip, br    []byte
	contentType string
	etag        string // without quotes; the encoding is appended
	cache       string
	extra       map[string]string
}

type site struct {
	files map[string]*file // by URL path
	pages map[string]*file // by page file name
}

// Cache policies: hashed assets never change under their name; everything else is checked
// on every use (and the service worker must be, or updates never arrive).
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheRevalid   = "no-cache"
	cacheDay       = "public, max-age=86400"
)

// contentSecurityPolicy allows scripts and styles from the app only. Images may come from
// any https host, because the tile server is configurable; API calls stay on this origin,
// except that the crew app and the resident page register for push with Firebase's hosts
// (connect, extra).
func contentSecurityPolicy(connect ...string) string {
	return "default-src 'self'; script-src 'self'; style-src 'self'; " +
		"img-src 'self' data: blob: https:; connect-src " + strings.Join(append([]string{"'self'"}, connect...), " ") +
		"; worker-src 'self'; manifest-src 'self'; " +
		"font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
}

func newSite(fsys fs.FS, o Options) (*site, error) {
	root, err := fs.Sub(fsys, "dist")
	if err != nil {
		return nil, err
	}
	s := &site{files: map[string]*file{}, pages: map[string]*file{}}
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := path.Ext(name)
		if ext == ".gz" || ext == ".br" || name == "build.json" {
			return nil
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		f := &file{body: body, contentType: contentType(name), cache: cacheDay}
		f.gzip, _ = fs.ReadFile(root, name+".gz")
		f.br, _ = fs.ReadFile(root, name+".br")
		switch {
		case strings.HasPrefix(name, "assets/"):
			f.cache = cacheImmutable
		case name == "sw.js":
			f.cache = cacheRevalid
			// The worker lives at the root so that it controls /, /crew and /desk.
			f.extra = map[string]string{"Service-Worker-Allowed": "/"}
		}
		if ext == ".html" {
			f.body = configure(body, o)
			f.cache = cacheRevalid
			f.gzip, f.br = gzipBytes(f.body), nil
			var connect []string
			if (name == "crew.html" || name == "index.html") && o.Push != nil {
				connect = pushHosts
			}
			f.extra = map[string]string{"Content-Security-Policy": contentSecurityPolicy(connect...), "Referrer-Policy": "same-origin"}
			s.pages[name] = f
		}
		f.etag = etag(f.body)
		s.files["/"+name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: reading the embedded build: %w", err)
	}
	for _, p := range pages {
		if s.pages[p.file] == nil {
			return nil, fmt.Errorf("web: the embedded build has no %s; run `make web`", p.file)
		}
	}
	if s.files["/sw.js"] == nil {
		return nil, fmt.Errorf("web: the embedded build has no sw.js; run `make web`")
	}
	return s, nil
}

func (s *site) register(e *echo.Echo) {
	methods := []string{http.MethodGet, http.MethodHead}
	for _, p := range pages {
		f := s.pages[p.file]
		for _, route := range p.paths {
			e.Match(methods, route, func(c echo.Context) error { return serve(c, f) })
		}
	}
	for name, f := range s.files {
		if strings.HasSuffix(name, ".html") {
			continue // pages answer on their routes only, not as /index.html
		}
		if strings.HasPrefix(name, "/assets/") {
			continue
		}
		e.Match(methods, name, func(c echo.Context) error { return serve(c, f) })
	}
	e.Match(methods, "/assets/*", func(c echo.Context) error {
		f := s.files["/assets/"+c.Param("*")]
		if f == nil {
			return echo.ErrNotFound
		}
		return serve(c, f)
	})
}

// serve writes f in the best encoding the client accepts.
func serve(c echo.Context, f *file) error {
	h := c.Response().Header()
	body, tag := f.body, f.etag
	enc := acceptedEncoding(c.Request().Header.Get("Accept-Encoding"))
	switch {
	case enc["br"] && f.br != nil:
		body, tag = f.br, tag+"-br"
		h.Set("Content-Encoding", "br")
	case enc["gzip"] && f.gzip != nil:
		body, tag = f.gzip, tag+"-gz"
		h.Set("Content-Encoding", "gzip")
	}
	if f.gzip != nil || f.br != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", f.cache)
	h.Set("ETag", `"`+tag+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	for k, v := range f.extra {
		h.Set(k, v)
	}
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, bytes.NewReader(body))
	return nil
}

// acceptedEncoding reads the encodings of an Accept-Encoding header, leaving out those
// refused with q=0.
func acceptedEncoding(header string) map[string]bool {
	out := map[string]bool{}
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q := strings.ReplaceAll(params, " ", ""); q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			continue
		}
		out[strings.ToLower(strings.TrimSpace(name))] = true
	}
	return out
}

// configure writes the options into a page's meta tags, which the scripts read. The crew
// and resident pages have a place for the push settings; the desk's has none.
func configure(page []byte, o Options) []byte {
	url, attribution := o.TileURL, o.TileAttribution
	if url == "" {
		url = DefaultTileURL
		if attribution == "" {
			attribution = DefaultTileAttribution
		}
	}
	if url == "none" {
		url = ""
	}
	var push string
	if o.Push != nil {
		b, _ := json.Marshal(o.Push)
		push = string(b)
	}
	r := strings.NewReplacer(
		`<meta name="wijkwerk-tile-url" content="">`, `<meta name="wijkwerk-tile-url" content="`+html.EscapeString(url)+`">`,
		`<meta name="wijkwerk-tile-attribution" content="">`, `<meta name="wijkwerk-tile-attribution" content="`+html.EscapeString(attribution)+`">`,
		`<meta name="wijkwerk-push" content="">`, `<meta name="wijkwerk-push" content="`+html.EscapeString(push)+`">`,
	)
	return []byte(r.Replace(string(page)))
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".webmanifest":
		return "application/manifest+json"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}
