package fakesmtp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/logtest"
	"wijkwerk/backend/mail/fakesmtp"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// `wijkwerk fake-smtp`: net/smtp hands it mail, GET /messages lists it decoded, POST /fail
// refuses the next recipient, POST /reset forgets; the log masks the address.
func TestListenAndServe(t *testing.T) {
	smtpAddr, httpAddr := freeAddr(t), freeAddr(t)
	logs := &logtest.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- fakesmtp.ListenAndServe(ctx, smtpAddr, httpAddr, slog.New(slog.NewTextHandler(logs, nil)))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ListenAndServe: %v", err)
		}
	})
	base := "http://" + httpAddr
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), "listening"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("fake-smtp does not listen")
		}
	}
	msg := "Subject: =?utf-8?q?Caf=C3=A9?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nZo=C3=AB\r\n"
	send := func() error {
		return smtp.SendMail(smtpAddr, smtp.PlainAuth("", "demo", "pw", "127.0.0.1"), "from@example.nl", []string{"jan@example.org"}, []byte(msg))
	}
	post := func(path, body string) int {
		res, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	messages := func() []fakesmtp.Message {
		res, err := http.Get(base + "/messages")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var ms []fakesmtp.Message
		if err := json.NewDecoder(res.Body).Decode(&ms); err != nil {
			t.Fatal(err)
		}
		return ms
	}

	if code := post("/fail", `{"code": 451, "count": 1}`); code != 204 {
		t.Fatalf("POST /fail = %d", code)
	}
	if code := post("/fail", `{"code": 200}`); code != 400 {
		t.Errorf("POST /fail with 200 = %d, want 400", code)
	}
	if err := send(); err == nil || !strings.Contains(err.Error(), "451") {
		t.Errorf("send after /fail = %v, want a 451", err)
	}
	if err := send(); err != nil {
		t.Fatalf("send: %v", err)
	}
	ms := messages()
	if len(ms) != 1 || ms[0].Subject != "Café" || ms[0].Body != "Zoë\n" || ms[0].AuthUser != "demo" ||
		fmt.Sprint(ms[0].To) != "[jan@example.org]" || ms[0].From != "from@example.nl" {
		t.Errorf("messages = %+v", ms)
	}
	if strings.Contains(logs.String(), "jan@example.org") || !strings.Contains(logs.String(), "j***@example.org") {
		t.Errorf("log does not mask the address:\n%s", logs)
	}
	if code := post("/reset", ""); code != 204 || len(messages()) != 0 {
		t.Errorf("POST /reset = %d, messages left %d", code, len(messages()))
	}
}
