// Package fakesmtp is a local, in-memory SMTP server for the demo and the tests: the
// mail worker's real net/smtp client talks to it as to any mail server, and it keeps
// what it accepted instead of delivering it. It is built on github.com/emersion/go-smtp.
//
// # SMTP
//
// It offers AUTH PLAIN (any user and password are accepted, also without TLS) and no
// STARTTLS. Each accepted message is recorded and logged in one line, without its
// content and with the recipient's address masked (j***@example.org).
//
// # HTTP (for tests and the curious)
//
//   - GET /messages: a JSON array of the accepted messages in order: {"from", "to"
//     (array), "auth_user", "header" (name: first value), "subject" and "body" (decoded),
//     "data" (the raw message), "received_at"}.
//   - POST /fail {"code": 451, "count": 1}: answers the next count recipients (RCPT
//     TO) with that code (400..599) instead of accepting them; calls queue up, like
//     the fake FCM's.
//   - POST /reset: forgets the messages and the scripted failures.
//
// [Start] lives in this package (so it imports "testing"): it is a test fake.
package fakesmtp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net/http"
	netmail "net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one accepted e-mail.
type Message struct {
	From       string            `json:"from"`
	To         []string          `json:"to"`
	AuthUser   string            `json:"auth_user,omitempty"`
	Header     map[string]string `json:"header"`
	Subject    string            `json:"subject"`
	Body       string            `json:"body"`
	Data       string            `json:"data"`
	ReceivedAt time.Time         `json:"received_at"`
}

type failure struct{ code, count int }

// Server is the fake: an SMTP backend (go-smtp) and an HTTP handler. It is safe for
// concurrent use.
type Server struct {
	log *slog.Logger

	mu       sync.Mutex
	messages []Message
	failures []failure
}

// New returns a Server that logs to log (none if nil).
func New(log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{log: log}
}

// Messages returns a copy of the accepted messages, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	copy(out, s.messages)
	return out
}

// FailNext answers the next count recipients with the SMTP code (such as 451 or 550).
func (s *Server) FailNext(code, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{code: code, count: max(count, 1)})
}

// Reset forgets the messages and the scripted failures.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages, s.failures = nil, nil
}

func (s *Server) takeFailure() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) == 0 {
		return 0, false
	}
	f := &s.failures[0]
	code := f.code
	if f.count--; f.count <= 0 {
		s.failures = s.failures[1:]
	}
	return code, true
}

// SMTP returns a go-smtp server for s, not yet listening.
func (s *Server) SMTP() *smtp.Server {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "fake-smtp.localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 1 << 20
	srv.MaxRecipients = 10
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	return srv
}

// session is one SMTP conversation's message in the making.
type session struct {
	s        *Server
	authUser string
	from     string
	to       []string
}

func (se *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (se *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, _ string) error {
		se.authUser = user
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if code, ok := se.s.takeFailure(); ok {
		se.s.log.Info("fake-smtp: refused a recipient as scripted", "code", code, "to", Mask(to))
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: "scripted failure"}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{From: se.from, To: se.to, AuthUser: se.authUser, Data: string(data), Header: map[string]string{}, ReceivedAt: time.Now().UTC()}
	if msg, err := netmail.ReadMessage(bytes.NewReader(data)); err == nil {
		for k, v := range msg.Header {
			m.Header[k] = v[0]
		}
		var dec mime.WordDecoder
		if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
			m.Subject = msg.Header.Get("Subject")
		}
		body := msg.Body
		if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		m.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	se.s.mu.Lock()
	se.s.messages = append(se.s.messages, m)
	n := len(se.s.messages)
	se.s.mu.Unlock()
	masked := make([]string, len(se.to))
	for i, t := range se.to {
		masked[i] = Mask(t)
	}
	se.s.log.Info("fake-smtp: accepted", "n", n, "to", strings.Join(masked, ","), "subject", m.Subject, "bytes", len(data))
	return nil
}

func (se *session) Reset() { se.from, se.to = "", nil }

func (se *session) Logout() error { return nil }

// Mask hides most of an address for the log: its first character and its domain stay
// (jan@example.org is j***@example.org).
func Mask(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return "***"
	}
	return addr[:1] + "***" + addr[at:]
}

// ServeHTTP serves GET /messages, POST /fail and POST /reset.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/messages":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.Messages())
	case r.Method == http.MethodPost && r.URL.Path == "/fail":
		var f struct{ Code, Count int }
		if err := json.NewDecoder(io.LimitReader(r.Body, 4<<10)).Decode(&f); err != nil || f.Code < 400 || f.Code > 599 {
			http.Error(w, `{"error": "give {\"code\": 400..599, \"count\": N}"}`, http.StatusBadRequest)
			return
		}
		s.FailNext(f.Code, f.Count)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == "/reset":
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, fmt.Sprintf("no %s %s: try GET /messages, POST /fail, POST /reset", r.Method, r.URL.Path), http.StatusNotFound)
	}
}

// errClosed reports whether err is what a closed server's Serve returns.
func errClosed(err error) bool {
	return err == nil || errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, http.ErrServerClosed)
}
