package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"time"
)

// Sender hands messages to one SMTP server with Go's net/smtp: STARTTLS when the server
// offers it (smtp://), or TLS from the start (smtps://), and AUTH PLAIN with the user and
// password of the URL, if any.
type Sender struct {
	addr     string // host:port
	host     string
	implicit bool // smtps://: TLS from the first byte
	auth     smtp.Auth
	// hello is the name this side gives in EHLO.
	hello string
}

// ParseURL checks an SMTP URL, smtp://[user:pass@]host[:port] (port 587 by default) or
// smtps://[user:pass@]host[:port] (port 465), and returns a Sender for it. Its errors
// never repeat the password.
func ParseURL(raw string) (*Sender, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("mail: the SMTP URL is not a URL such as smtp://user:pass@host:587")
	}
	s := &Sender{host: u.Hostname(), hello: "localhost"}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587"
		}
	case "smtps":
		s.implicit = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("mail: the SMTP URL must start with smtp:// or smtps://, not %q", u.Scheme+"://")
	}
	if s.host == "" {
		return nil, errors.New("mail: the SMTP URL has no host")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("mail: the SMTP URL must have no path")
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		pass, _ := u.User.Password()
		// net/smtp's PlainAuth refuses to send them without TLS, but to localhost.
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, s.host)
	}
	return s, nil
}

// Addr is the server's host:port (no user, no password), for the log.
func (s *Sender) Addr() string { return s.addr }

// connectTimeout bounds the dial; the whole conversation is bounded by the context's
// deadline (or sendTimeout).
const connectTimeout = 10 * time.Second

// Send delivers m in one SMTP conversation. Its error is an *Error that says whether
// trying again later may help.
func (s *Sender) Send(ctx context.Context, m Message) error {
	d := net.Dialer{Timeout: connectTimeout}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return &Error{Temporary: true, Err: err}
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(sendTimeout)
	}
	conn.SetDeadline(deadline)
	if s.implicit {
		conn = tls.Client(conn, &tls.Config{ServerName: s.host})
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return classify(err, false)
	}
	defer c.Close()
	if err := s.send(c, m); err != nil {
		return err
	}
	// The message is accepted; a failed QUIT changes nothing.
	c.Quit()
	return nil
}

func (s *Sender) send(c *smtp.Client, m Message) error {
	if err := c.Hello(s.hello); err != nil {
		return classify(err, false)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !s.implicit {
		if err := c.StartTLS(&tls.Config{ServerName: s.host}); err != nil {
			return classify(err, false)
		}
	}
	if s.auth != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			return &Error{Err: errors.New("the SMTP server offers no AUTH, but the URL has a user")}
		}
		if err := c.Auth(s.auth); err != nil {
			return classify(err, false)
		}
	}
	if err := c.Mail(m.From); err != nil {
		return classify(err, false)
	}
	if err := c.Rcpt(m.To); err != nil {
		return classify(err, false)
	}
	w, err := c.Data()
	if err != nil {
		return classify(err, false)
	}
	if _, err := w.Write(m.Data); err != nil {
		return classify(err, true)
	}
	if err := w.Close(); err != nil {
		return classify(err, true)
	}
	return nil
}

// Error is a failed send: Temporary when the server answered 4xx or could not be
// reached (trying later may help), else permanent (5xx, or a broken conversation after
// the message was handed over, which may have been delivered: never sent twice).
type Error struct {
	Temporary bool
	Code      int // the SMTP reply code, 0 if none
	Err       error
}

func (e *Error) Error() string { return "smtp: " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// classify makes an *Error of an SMTP conversation's error. afterData says the message
// was (partly) handed over: a broken connection then may have delivered it.
func classify(err error, afterData bool) error {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return &Error{Temporary: tp.Code >= 400 && tp.Code < 500, Code: tp.Code, Err: err}
	}
	return &Error{Temporary: !afterData, Err: err}
}
