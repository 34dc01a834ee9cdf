package fakesmtp

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

// Start starts a Server on a free port of 127.0.0.1 that stops when the test ends, and
// returns it with its SMTP URL (smtp://127.0.0.1:PORT, for WIJKWERK_SMTP_URL).
func Start(tb testing.TB) (*Server, string) {
	tb.Helper()
	s := New(nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("fakesmtp: %v", err)
	}
	srv := s.SMTP()
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return s, "smtp://" + ln.Addr().String()
}

// ListenAndServe serves a new Server, SMTP on addr and the HTTP listing on httpAddr
// (both HOST:PORT), until ctx is done. It logs where it listens and one line per message
// (addresses masked, no content). It backs `wijkwerk fake-smtp`.
func ListenAndServe(ctx context.Context, addr, httpAddr string, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	s := New(log)
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	hln, err := lc.Listen(ctx, "tcp", httpAddr)
	if err != nil {
		ln.Close()
		return err
	}
	srv := s.SMTP()
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("fake-smtp: listening", "smtp_url", "smtp://"+ln.Addr().String(), "messages", "http://"+hln.Addr().String()+"/messages")
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	go func() { errc <- hs.Serve(hln) }()
	select {
	case err := <-errc:
		srv.Close()
		hs.Close()
		if !errClosed(err) {
			return err
		}
		return nil
	case <-ctx.Done():
	}
	srv.Close()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return hs.Shutdown(shutdownCtx)
}
