package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"

	"wijkwerk/backend/problem"
)

// A database that cannot be reached is a 503 with Retry-After (try again), not a 500
// (a bug); other database errors stay internal.
func TestToProblemUnreachable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name string
		err  error
		want problem.Kind
	}{
		{"connection refused", fmt.Errorf("report: file: %w", refused), problem.Unavailable},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, problem.Unavailable},
		{"connection exception", &pgconn.PgError{Code: "08006"}, problem.Unavailable},
		{"too many connections", &pgconn.PgError{Code: "53300"}, problem.Unavailable},
		{"statement timeout of ours", fmt.Errorf("x: %w", context.DeadlineExceeded), problem.Unavailable},
		{"unique violation", &pgconn.PgError{Code: "23505"}, problem.Internal},
		{"a bug", errors.New("nil map"), problem.Internal},
	}
	for _, tt := range tests {
		p := toProblem(tt.err)
		if p.Kind != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, p.Type, tt.want.Type)
		}
		if tt.want == problem.Unavailable && p.Headers["Retry-After"] == "" {
			t.Errorf("%s: no Retry-After", tt.name)
		}
	}
}

// A wrong method is 405 with Allow, also under a group with middleware (whose catch-all
// Echo routes to a 404); a path without any route stays 404.
func TestMethodNotAllowedUnderGroup(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(slog.New(slog.DiscardHandler))
	pass := func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	ok := func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
	g := e.Group("/api/planner", pass)
	g.GET("/board", ok)
	g.POST("/board", ok)
	g.GET("/jobs/:id", ok)
	g.POST("/jobs/:id/reassign", ok)
	e.GET("/plain", ok)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/api/planner/board", 204, ""},
		{"DELETE", "/api/planner/board", 405, "GET, POST"},
		{"PUT", "/api/planner/jobs/7", 405, "GET"},
		{"GET", "/api/planner/jobs/7/reassign", 405, "POST"},
		{"GET", "/api/planner/nothing", 404, ""},
		{"DELETE", "/api/planner/nothing", 404, ""},
		{"POST", "/plain", 405, "OPTIONS, GET"}, // Echo's own answer
		{"GET", "/nothing", 404, ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.status || rec.Header().Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q", tt.method, tt.path, rec.Code, rec.Header().Get("Allow"), tt.status, tt.allow)
		}
		if tt.status >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: Content-Type %q", tt.method, tt.path, rec.Header().Get("Content-Type"))
		}
	}
}

// HEAD is answered for GET routes (also under a group with middleware): the GET's status
// and headers, no body; a path without a GET route is still 405.
func TestHeadAsGet(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(slog.New(slog.DiscardHandler))
	e.Pre(HeadAsGet)
	pass := func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	var method string // as a log would show it
	e.GET("/healthz", func(c echo.Context) error {
		method = Method(c)
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.Group("/api", pass).GET("/x", func(c echo.Context) error { return c.String(http.StatusOK, "hello") })
	e.POST("/post", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	for _, tt := range []struct {
		path   string
		status int
	}{{"/healthz", 200}, {"/api/x", 200}, {"/post", 405}, {"/nothing", 404}} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, tt.path, nil))
		if rec.Code != tt.status || (tt.status == 200 && rec.Body.Len() != 0) {
			t.Errorf("HEAD %s = %d with %d body bytes, want %d and none", tt.path, rec.Code, rec.Body.Len(), tt.status)
		}
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/healthz", nil))
	if rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("HEAD /healthz Content-Type %q", rec.Header().Get("Content-Type"))
	}
	if method != http.MethodHead {
		t.Errorf("HEAD /healthz logged as %s", method)
	}
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if method != http.MethodGet {
		t.Errorf("GET /healthz logged as %s", method)
	}
}
