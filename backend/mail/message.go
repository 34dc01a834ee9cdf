package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"time"

	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
)

// News is what one e-mail tells one resident: the same news their app would get as a
// push, in their language, with their tracking code if they reported the job.
type News struct {
	// Kind is what happened to the job (push.KindDone, KindNotPossible, KindRetry).
	Kind push.Kind
	// Supporter says the resident supported the job ("Ik heb dit ook") without a
	// report of their own: the text does not speak of their report, and there is no
	// tracking code.
	Supporter bool
	// Reason is why the job could not be done, for KindNotPossible; may be empty.
	Reason problem.Text
	// Lang is the resident's language: "en" for English, anything else Dutch.
	Lang string
	// TrackingCode is the code of the resident's report; empty for a supporter.
	TrackingCode string
}

// Texts the mail adds to the push's title and body (B1, short sentences).
var (
	codeText      = problem.T("Uw volgcode is: %s", "Your tracking code is: %s")
	linkText      = problem.T("Hier ziet u hoe het gaat met uw melding:", "See how your report is doing here:")
	whyReporter   = problem.T("U krijgt deze e-mail omdat u bij uw melding om berichten vroeg.", "You get this e-mail because you asked for updates when you made your report.")
	whySupporter  = problem.T("U krijgt deze e-mail omdat u liet weten dat u dit probleem ook zag, en om berichten vroeg.", "You get this e-mail because you told us you also saw this problem, and asked for updates.")
	noReplyText   = problem.T("Dit bericht is automatisch verstuurd. U kunt er niet op antwoorden.", "This message was sent automatically. You cannot reply to it.")
	greetingText  = problem.T("Met vriendelijke groet,", "Kind regards,")
	signatureText = problem.T("Wijkwerk", "Wijkwerk")
)

// Text returns the subject and the plain-text body of the e-mail: the push's title as
// subject and its body (push.Request.Text, the one place those texts are made), then the
// tracking code and the link to the tracking page (trackingBase + "/volg/" + code) for a
// reporter, and why the resident gets it.
func (n News) Text(trackingBase string) (subject, body string) {
	title, text := push.Request{Kind: n.Kind, Supporters: n.Supporter, Reason: n.Reason, Lang: n.Lang}.Text()
	lang := n.Lang
	var b strings.Builder
	b.WriteString(text.In(lang))
	b.WriteString("\n\n")
	if n.TrackingCode != "" {
		fmt.Fprintf(&b, codeText.In(lang)+"\n", n.TrackingCode)
		fmt.Fprintf(&b, "%s\n%s\n\n", linkText.In(lang), TrackingURL(trackingBase, n.TrackingCode))
	}
	why := whyReporter
	if n.Supporter {
		why = whySupporter
	}
	fmt.Fprintf(&b, "%s\n%s\n\n%s\n%s\n", why.In(lang), noReplyText.In(lang), greetingText.In(lang), signatureText.In(lang))
	return title.In(lang), b.String()
}

// TrackingURL is the address of the PWA's tracking page of a report: where the
// resident's app goes after a report (/volg/CODE).
func TrackingURL(base, code string) string {
	return strings.TrimRight(base, "/") + "/volg/" + code
}

// Message is one e-mail ready for SMTP: its envelope and its bytes.
type Message struct {
	From, To string // envelope addresses (bare)
	Data     []byte // the header and the body, lines ending in CRLF
}

// Compose builds the e-mail of n to the address to, from from (an address with an
// optional name, as WIJKWERK_MAIL_FROM gives it), dated now. The header holds nothing
// personal but the recipient's own address in To. The body is quoted-printable UTF-8,
// so any line length and character is safe over any SMTP server.
func Compose(n News, from *netmail.Address, to, trackingBase string, now time.Time) (Message, error) {
	rcpt, err := netmail.ParseAddress(to)
	if err != nil {
		return Message{}, fmt.Errorf("mail: recipient is not an address")
	}
	subject, body := n.Text(trackingBase)
	lang := "nl"
	if n.Lang == "en" {
		lang = "en"
	}
	var buf bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&buf, "%s: %s\r\n", name, value) }
	header("From", from.String())
	header("To", (&netmail.Address{Address: rcpt.Address}).String())
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Content-Language", lang)
	// RFC 3834: an automatic message; auto-responders should not answer it.
	header("Auto-Submitted", "auto-generated")
	buf.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&buf)
	if _, err := qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n"))); err != nil {
		return Message{}, fmt.Errorf("mail: compose: %w", err)
	}
	if err := qp.Close(); err != nil {
		return Message{}, fmt.Errorf("mail: compose: %w", err)
	}
	return Message{From: from.Address, To: rcpt.Address, Data: buf.Bytes()}, nil
}

// messageID is a fresh Message-ID in the sender's domain: random, so it tells nothing
// about the resident or the job.
func messageID(from string) string {
	domain := "wijkwerk.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i+1 < len(from) {
		domain = from[i+1:]
	}
	var b [16]byte
	rand.Read(b[:])
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">"
}
