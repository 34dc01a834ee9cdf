package mail_test

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/mail"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
)

// Each mail says the push's news in the resident's language, with the tracking code and
// link for a reporter only, and a header with nothing personal but the recipient.
func TestCompose(t *testing.T) {
	from, err := netmail.ParseAddress("Wijkwerk Doetinchem <noreply@doetinchem.example>")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 14, 5, 0, 0, time.UTC)
	tests := []struct {
		name        string
		give        mail.News
		wantSubject string
		wantBody    []string // in this order
		wantNot     []string
		wantLang    string
	}{
		{
			name:        "reporter, done, Dutch",
			give:        mail.News{Kind: push.KindDone, Lang: "nl", TrackingCode: "K7QW-2M"},
			wantSubject: "Uw melding is opgelost",
			wantBody: []string{"De ploeg is klaar. Bedankt voor uw melding!", "Uw volgcode is: K7QW-2M",
				"https://wijkwerk.example/volg/K7QW-2M", "omdat u bij uw melding om berichten vroeg", "Met vriendelijke groet,"},
			wantNot:  []string{"Your", "ook zag"},
			wantLang: "nl",
		},
		{
			name:        "reporter, done, English",
			give:        mail.News{Kind: push.KindDone, Lang: "en", TrackingCode: "K7QW-2M"},
			wantSubject: "Your report is solved",
			wantBody: []string{"The crew is done. Thank you for your report!", "Your tracking code is: K7QW-2M",
				"https://wijkwerk.example/volg/K7QW-2M", "asked for updates when you made your report", "Kind regards,"},
			wantNot:  []string{"Uw ", "melding"},
			wantLang: "en",
		},
		{
			name:        "supporter, done, Dutch: no report of their own, no tracking code",
			give:        mail.News{Kind: push.KindDone, Supporter: true, Lang: "nl"},
			wantSubject: "Het is opgelost",
			wantBody:    []string{"Het probleem dat u ook zag, is opgelost. Bedankt dat u het liet weten!", "dat u dit probleem ook zag"},
			wantNot:     []string{"volgcode", "/volg/", "uw melding"},
			wantLang:    "nl",
		},
		{
			name: "reporter, could not be done, English, with the reason",
			give: mail.News{Kind: push.KindNotPossible, Lang: "en", TrackingCode: "AB12",
				Reason: problem.T("Was al opgelost", "Already fixed")},
			wantSubject: "About your report",
			wantBody:    []string{"The crew could not solve this. Reason: Already fixed.", "Your tracking code is: AB12"},
			wantLang:    "en",
		},
		{
			name:        "supporter, tried again, an unknown language is Dutch",
			give:        mail.News{Kind: push.KindRetry, Supporter: true, Lang: "de"},
			wantSubject: "Over het probleem dat u ook zag",
			wantBody:    []string{"We proberen het opnieuw. Een ploeg gaat het oppakken."},
			wantNot:     []string{"volgcode"},
			wantLang:    "nl",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := mail.Compose(tt.give, from, "Jan.Jansen@example.org", "https://wijkwerk.example/", now)
			if err != nil {
				t.Fatal(err)
			}
			if m.From != "noreply@doetinchem.example" || m.To != "Jan.Jansen@example.org" {
				t.Errorf("envelope = %q -> %q", m.From, m.To)
			}
			for _, line := range strings.SplitAfter(string(m.Data), "\n") {
				if !strings.HasSuffix(line, "\r\n") && line != "" {
					t.Errorf("line without CRLF: %q", line)
				}
				if len(line) > 78+2 {
					t.Errorf("line longer than 78 characters: %q", line)
				}
			}
			msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			h := msg.Header
			var dec mime.WordDecoder
			subject, err := dec.DecodeHeader(h.Get("Subject"))
			if err != nil || subject != tt.wantSubject {
				t.Errorf("Subject = %q (%v), want %q", subject, err, tt.wantSubject)
			}
			if date, err := h.Date(); err != nil || !date.Equal(now) {
				t.Errorf("Date = %q (%v)", h.Get("Date"), err)
			}
			if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@doetinchem.example>") {
				t.Errorf("Message-ID = %q", id)
			}
			for name, want := range map[string]string{
				"From": `"Wijkwerk Doetinchem" <noreply@doetinchem.example>`, "To": "<Jan.Jansen@example.org>",
				"Mime-Version": "1.0", "Content-Type": "text/plain; charset=utf-8",
				"Content-Transfer-Encoding": "quoted-printable", "Content-Language": tt.wantLang, "Auto-Submitted": "auto-generated",
			} {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			// The address is in To, and nowhere else.
			header, _, _ := strings.Cut(string(m.Data), "\r\n\r\n")
			if strings.Count(strings.ToLower(string(m.Data)), "jan.jansen") != 1 || !strings.Contains(header, "To: <Jan.Jansen@example.org>") {
				t.Errorf("the address is not only in To:\n%s", m.Data)
			}
			raw, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if err != nil {
				t.Fatal(err)
			}
			body := strings.ReplaceAll(string(raw), "\r\n", "\n")
			at := 0
			for _, w := range tt.wantBody {
				i := strings.Index(body[at:], w)
				if i < 0 {
					t.Errorf("body has no %q after position %d:\n%s", w, at, body)
					continue
				}
				at += i + len(w)
			}
			for _, w := range tt.wantNot {
				if strings.Contains(body, w) {
					t.Errorf("body has %q:\n%s", w, body)
				}
			}
		})
	}
}

// A long body line and non-ASCII text survive the quoted-printable encoding, and a
// subject outside ASCII is encoded.
func TestComposeEncodes(t *testing.T) {
	from := &netmail.Address{Address: "noreply@example.nl"}
	n := mail.News{Kind: push.KindNotPossible, Lang: "nl", TrackingCode: "X",
		Reason: problem.T("Een reden met é en een heel lange zin die veel langer is dan achtenzeventig tekens, zodat quoted-printable hem breekt", "")}
	m, err := mail.Compose(n, from, "a@example.org", "http://localhost:8080", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := netmail.ReadMessage(bytes.NewReader(m.Data))
	raw, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if !strings.Contains(string(raw), "Reden: Een reden met é en een heel lange zin die veel langer is dan achtenzeventig tekens, zodat quoted-printable hem breekt.") {
		t.Errorf("body = %q", raw)
	}
	if !strings.Contains(string(raw), "http://localhost:8080/volg/X") {
		t.Errorf("no tracking link in %q", raw)
	}
	if _, err := mail.Compose(n, from, "not an address", "http://x", time.Now()); err == nil {
		t.Error("Compose took a recipient that is no address")
	}
}

// The SMTP URL: schemes, default ports, and errors that never repeat the password.
func TestParseURL(t *testing.T) {
	tests := []struct {
		give, wantAddr, wantErr string
	}{
		{give: "smtp://mail.example.nl", wantAddr: "mail.example.nl:587"},
		{give: "smtp://user:geheim@mail.example.nl:2525", wantAddr: "mail.example.nl:2525"},
		{give: "smtps://user:geheim@mail.example.nl", wantAddr: "mail.example.nl:465"},
		{give: "http://user:geheim@mail.example.nl", wantErr: "smtp://"},
		{give: "smtp://user:geheim@", wantErr: "no host"},
		{give: "smtp://user:geheim@host/path", wantErr: "no path"},
		{give: "smtp://user:geheim@host:port", wantErr: "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			s, err := mail.ParseURL(tt.give)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "geheim") {
					t.Errorf("err = %v, want one with %q and without the password", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case s.Addr() != tt.wantAddr:
				t.Errorf("Addr = %q, want %q", s.Addr(), tt.wantAddr)
			}
		})
	}
}
