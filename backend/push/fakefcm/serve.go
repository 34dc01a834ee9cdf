package fakefcm

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Start starts a new [Server] on an httptest server that is closed when the
// test ends, and returns it with its base URL (no trailing slash and no
// "/v1"; the SDK endpoint is baseURL+"/v1").
func Start(tb testing.TB) (*Server, string) {
	tb.Helper()
	s := New()
	ts := httptest.NewServer(s)
	tb.Cleanup(ts.Close)
	return s, ts.URL
}

// ListenAndServe serves a new [Server] on addr (HOST:PORT) until ctx is done,
// then shuts down gracefully (5 s at most) and returns nil. It returns an
// error if it cannot listen or the server fails. It logs a "listening" line
// and one line per accepted message to log (slog.Default() if nil); messages'
// titles, bodies and data are never logged, tokens only by their first 8
// characters. It backs `wijkwerk fake-fcm --addr HOST:PORT`.
func ListenAndServe(ctx context.Context, addr string, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	s := New()
	s.log = log

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("fake-fcm: listening",
		"addr", ln.Addr().String(),
		"endpoint", "http://"+ln.Addr().String()+"/v1")

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		_ = hs.Close()
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
