// Package initiativetest starts Wijkwerk with the initiative routes for integration
// tests, and helps draw polygons in the Doetinchem demo.
package initiativetest

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/deskapi"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/initiative"
	"wijkwerk/backend/job"
	"wijkwerk/backend/ratelimit"
	"wijkwerk/mobile-api/initiatives"
)

// Env is a running instance with the initiative routes.
type Env struct {
	*apptest.Env
	Initiatives *initiative.Service
}

// Password is the password of the desk users that Login creates.
const Password = "lang-genoeg-wachtwoord"

// Start starts an instance with the demo and wires the initiative routes on it, as
// app.New will: residents' routes under /api/v1 behind a rate limiter of perMinute
// (0 turns it off), planners' routes on the desk groups.
func Start(tb testing.TB, perMinute int, opts ...func(*app.Config)) *Env {
	tb.Helper()
	env := apptest.Start(tb, opts...)
	svc := initiative.NewService(env.App.DB, app.DefaultPushTTL)
	api := env.App.Handler().(*echo.Echo).Group("/api/v1")
	initiatives.New(svc, httpapi.RateLimit(ratelimit.New(env.App.DB, perMinute))).Register(api)
	deskapi.RegisterInitiatives(env.App.Desk, svc)
	return &Env{Env: env, Initiatives: svc}
}

// Login creates a desk user and returns a session token.
func (e *Env) Login(tb testing.TB, email string, role access.Role, areas ...string) string {
	tb.Helper()
	if _, err := access.NewStore(e.DB.DB).CreateUser(context.Background(), email, Password, role, areas); err != nil {
		tb.Fatal(err)
	}
	res := e.Do(tb, "POST", "/api/v1/desk/login", map[string]string{"email": email, "password": Password})
	if res.Status != http.StatusOK {
		tb.Fatalf("login = %d %s", res.Status, res.Body)
	}
	tok, _ := res.Map(tb)["token"].(string)
	return tok
}

// Bearer returns the Authorization header pair for a token.
func Bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// Point runs query, which selects one point as lon and lat, and returns it.
func (e *Env) Point(tb testing.TB, query string, args ...any) orb.Point {
	tb.Helper()
	var p struct{ Lon, Lat float64 }
	if err := e.DB.Raw(query, args...).Scan(&p).Error; err != nil {
		tb.Fatal(err)
	}
	if p.Lon == 0 && p.Lat == 0 {
		tb.Fatalf("no point from %s", query)
	}
	return orb.Point{p.Lon, p.Lat}
}

// Inside returns a point well inside the area with code.
func (e *Env) Inside(tb testing.TB, code string) orb.Point {
	tb.Helper()
	return e.Point(tb, `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM areas WHERE code = ?) s`, code)
}

// Chain returns the ids of the areas that contain p, smallest first, from the app's
// area index, as report intake gets them.
func (e *Env) Chain(tb testing.TB, p orb.Point) []int64 {
	tb.Helper()
	chain := e.App.Areas.Index().Locate(p)
	if len(chain) == 0 {
		tb.Fatalf("no area contains %v", p)
	}
	return initiative.AreaIDs(chain)
}

// LevelAt is initiative.LevelAt on the test database.
func (e *Env) LevelAt(tb testing.TB, p orb.Point, theme string) string {
	tb.Helper()
	l, err := initiative.LevelAt(context.Background(), e.DB.DB, p, e.Chain(tb, p), theme)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// Rect returns a GeoJSON polygon: a rectangle of w by h metres with its south-west
// corner at p.
func Rect(p orb.Point, w, h float64) map[string]any {
	dLon, dLat := Metres(p, w, h)
	x, y := p[0], p[1]
	return map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{
		{x, y}, {x + dLon, y}, {x + dLon, y + dLat}, {x, y + dLat}, {x, y},
	}}}
}

// Square is Rect centred on p with side s metres.
func Square(p orb.Point, s float64) map[string]any {
	dLon, dLat := Metres(p, s/2, s/2)
	return Rect(orb.Point{p[0] - dLon, p[1] - dLat}, s, s)
}

// Metres converts east and north distances at p to degrees of longitude and latitude.
func Metres(p orb.Point, east, north float64) (dLon, dLat float64) {
	const metresPerDegree = 111_320.0
	return east / (metresPerDegree * math.Cos(p[1]*math.Pi/180)), north / metresPerDegree
}

// Offset moves p east and north by metres.
func Offset(p orb.Point, east, north float64) orb.Point {
	dLon, dLat := Metres(p, east, north)
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// Proposal returns a valid proposal body for polygon.
func Proposal(polygon any, theme, level string) map[string]any {
	return map[string]any{
		"polygon":      polygon,
		"theme":        theme,
		"target_level": level,
		"title":        "Bloemrijke berm Kastanjelaan",
		"description":  "We willen de grasstrook omvormen tot een bloemrijke berm.",
		"commitment":   map[string]any{"tasks": "wieden, water geven, zwerfvuil rapen", "hours_per_month": 12, "people": 4},
		"requests": map[string]any{
			"materials":      []map[string]any{{"item": "vaste planten", "quantity": 40, "unit": "stuks"}, {"item": "compost", "quantity": 2, "unit": "m3"}},
			"guidance_hours": 6,
		},
		"contact": map[string]any{"name": "Fenna de Vries-Oosterhuis", "email": "fenna.devries@example.nl", "phone": "06-12345678"},
	}
}

// Receipt is the answer to a proposal.
type Receipt struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Status      string `json:"status"`
	BasicLevel  string `json:"basic_level"`
	TargetLevel string `json:"target_level"`
	Area        struct {
		Code string `json:"code"`
		Kind string `json:"kind"`
	} `json:"area"`
	AreaM2 float64 `json:"area_m2"`
}

// Propose posts body and fails the test unless it is accepted.
func (e *Env) Propose(tb testing.TB, body any) Receipt {
	tb.Helper()
	res := e.Do(tb, "POST", "/api/v1/initiatives", body)
	if res.Status != http.StatusCreated {
		tb.Fatalf("POST /api/v1/initiatives = %d: %s", res.Status, res.Body)
	}
	var rc Receipt
	res.JSON(tb, &rc)
	return rc
}

// Decide posts a planner's action and fails the test unless it succeeds.
func (e *Env) Decide(tb testing.TB, token string, id int64, action string, body any) *apptest.Response {
	tb.Helper()
	res := e.Do(tb, "POST", "/api/v1/planner/initiatives/"+strconv.FormatInt(id, 10)+"/"+action, body, Bearer(token)...)
	if res.Status != http.StatusOK {
		tb.Fatalf("%s %d = %d: %s", action, id, res.Status, res.Body)
	}
	return res
}

// Today is today's date in Amsterdam, as contributions want it.
func Today() string { return time.Now().In(job.Amsterdam).Format(time.DateOnly) }

// WantProblem checks that res is a problem document with status and type, and returns
// its members.
func WantProblem(tb testing.TB, res *apptest.Response, status int, typ string) map[string]any {
	tb.Helper()
	if res.Status != status {
		tb.Errorf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != httpapi.ProblemContentType {
		tb.Errorf("content type %q, want %s", ct, httpapi.ProblemContentType)
	}
	m := res.Map(tb)
	if m["type"] != "/problems/"+typ {
		tb.Errorf("type %v, want /problems/%s: %s", m["type"], typ, res.Body)
	}
	if title, _ := m["title"].(string); title == "" {
		tb.Errorf("problem without title: %s", res.Body)
	}
	apptest.WantReadableReasons(tb, m)
	return m
}
