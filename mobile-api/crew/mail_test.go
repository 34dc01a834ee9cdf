package crew_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/mail"
	"wijkwerk/backend/mail/fakesmtp"
	"wijkwerk/backend/worker"
)

// reportWithContact files a report at the Oosseld point with contact, in lang
// (Accept-Language), and returns its job id and tracking code.
func reportWithContact(t *testing.T, env *apptest.Env, contact map[string]any, lang string) (int64, string) {
	t.Helper()
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{
		"category": "afval.zwerfvuil",
		"location": map[string]any{"type": "Point", "coordinates": []float64{oosseld[0], oosseld[1]}},
		"contact":  contact,
	}, "Accept-Language", lang)
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	m := res.Map(t)
	return int64(m["job_id"].(float64)), m["tracking_code"].(string)
}

// mailRow is a mail_outbox row as the tests look at it.
type mailRow struct {
	State     string
	Attempts  int
	LastError string
	Done      bool
}

// mailRows are the outbox rows of job, in order.
func mailRows(t *testing.T, env *apptest.Env, jobID int64) []mailRow {
	t.Helper()
	var rows []mailRow
	if err := env.DB.Raw(`SELECT state, attempts, last_error, done_at IS NOT NULL AS done FROM mail_outbox WHERE job_id = ? ORDER BY id`, jobID).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	return rows
}

// waitMailRows waits until job has n outbox rows in state that have been tried at
// least tries times, and returns them.
func waitMailRows(t *testing.T, env *apptest.Env, jobID int64, n int, state string, tries int) []mailRow {
	t.Helper()
	var rows []mailRow
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		rows = mailRows(t, env, jobID)
		ok := len(rows) == n
		for _, r := range rows {
			ok = ok && r.State == state && r.Attempts >= tries
		}
		if ok {
			return rows
		}
	}
	t.Fatalf("mail rows of job %d = %+v, want %d %s after %d tries", jobID, rows, n, state, tries)
	return nil
}

// tryAgainNow makes the queued mails of job due at once, as if their backoff had passed.
func tryAgainNow(t *testing.T, env *apptest.Env, jobID int64) {
	t.Helper()
	if err := env.DB.Exec(`UPDATE mail_outbox SET next_attempt_at = now() WHERE job_id = ? AND state = 'queued'`, jobID).Error; err != nil {
		t.Fatal(err)
	}
}

func complete(t *testing.T, p *phone, jobID int64, key string) {
	t.Helper()
	res := p.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/complete", jobID), map[string]any{"note": "Opgeruimd"},
		"Idempotency-Key", key, "If-Match", "1")
	if res.Status != 200 {
		t.Fatalf("complete = %d %s", res.Status, res.Body)
	}
}

// mailsTo are the messages the fake SMTP server accepted for addr.
func mailsTo(env *apptest.Env, addr string) []fakesmtp.Message {
	var out []fakesmtp.Message
	for _, m := range env.SMTP.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// noAddressInLog fails the test if the app logged any of the addresses.
func noAddressInLog(t *testing.T, env *apptest.Env, addrs ...string) {
	t.Helper()
	log := strings.ToLower(env.Log.String())
	for _, a := range addrs {
		if strings.Contains(log, strings.ToLower(a)) {
			t.Errorf("the log holds the address %s", a)
		}
	}
	if !strings.Contains(log, "mail") {
		t.Error("the captured log says nothing about mail: is it captured?")
	}
}

// Closing the loop by e-mail: a resident who gave an address and asked for updates gets
// one mail when the crew is done, in their language, with their tracking code and the
// link to its tracking page; a neighbour who supported it gets the supporter's text;
// who said no to updates or gave no address gets none. No address reaches the log.
func TestDoneJobMailsResidents(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID, code := reportWithContact(t, env, map[string]any{"email": "Reporter.One@example.org", "wants_updates": true}, "en-GB,en;q=0.9")
	// The same issue again: one who wants no updates, one with only an app.
	if j, _ := reportWithContact(t, env, map[string]any{"email": "no-updates@example.org", "wants_updates": false}, "nl"); j != jobID {
		t.Fatalf("second report joined job %d, want %d", j, jobID)
	}
	if j, _ := reportWithContact(t, env, map[string]any{"app_token": "resident-app-9", "wants_updates": true}, "nl"); j != jobID {
		t.Fatalf("third report joined job %d, want %d", j, jobID)
	}
	// And from a form (multipart, as with photos), in Dutch.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	for k, v := range map[string]string{"category": "afval.zwerfvuil", "lon": fmt.Sprint(oosseld[0]), "lat": fmt.Sprint(oosseld[1]),
		"email": "form@example.org", "wants_updates": "true"} {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", env.URL+"/api/v1/reports", &form)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	fres, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var formReport struct {
		JobID        int64  `json:"job_id"`
		TrackingCode string `json:"tracking_code"`
	}
	json.NewDecoder(fres.Body).Decode(&formReport)
	fres.Body.Close()
	if fres.StatusCode != 201 || formReport.JobID != jobID {
		t.Fatalf("form report = %d, job %d, want 201 and job %d", fres.StatusCode, formReport.JobID, jobID)
	}
	for _, sp := range []map[string]any{
		{"device_id": "buur-1", "contact": map[string]any{"email": "supporter@example.org", "wants_updates": true}},
		{"device_id": "buur-2", "contact": map[string]any{"email": "quiet-supporter@example.org", "wants_updates": false}},
	} {
		if res := env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", jobID), sp); res.Status != 201 {
			t.Fatalf("support = %d %s", res.Status, res.Body)
		}
	}
	complete(t, p, jobID, "mail-done-1")

	rows := waitMailRows(t, env, jobID, 3, "sent", 1)
	for _, r := range rows {
		if r.Attempts != 1 || !r.Done {
			t.Errorf("row %+v, want sent at the first attempt", r)
		}
	}
	got := mailsTo(env, "Reporter.One@example.org")
	if len(got) != 1 {
		t.Fatalf("%d mails to the reporter, want 1", len(got))
	}
	m := got[0]
	if m.Subject != "Your report is solved" || m.Header["Content-Language"] != "en" ||
		!strings.Contains(m.Body, "The crew is done. Thank you for your report!") ||
		!strings.Contains(m.Body, "Your tracking code is: "+code) ||
		!strings.Contains(m.Body, "https://wijkwerk.test/volg/"+code) {
		t.Errorf("reporter's mail: %q\n%s", m.Subject, m.Body)
	}
	if m.From != "noreply@wijkwerk.invalid" || m.Header["From"] != `"Wijkwerk Test" <noreply@wijkwerk.invalid>` ||
		m.Header["Date"] == "" || m.Header["Message-Id"] == "" || m.Header["Content-Type"] != "text/plain; charset=utf-8" {
		t.Errorf("reporter's mail header: %v", m.Header)
	}
	got = mailsTo(env, "supporter@example.org")
	if len(got) != 1 || got[0].Subject != "Het is opgelost" ||
		!strings.Contains(got[0].Body, "Het probleem dat u ook zag, is opgelost.") || strings.Contains(got[0].Body, code) {
		t.Errorf("supporter's mails: %+v", got)
	}
	got = mailsTo(env, "form@example.org")
	if len(got) != 1 || got[0].Subject != "Uw melding is opgelost" || !strings.Contains(got[0].Body, "Uw volgcode is: "+formReport.TrackingCode) {
		t.Errorf("form reporter's mails: %+v", got)
	}
	if n := len(env.SMTP.Messages()); n != 3 {
		t.Errorf("%d mails in all, want 3 (none to who wants no updates)", n)
	}
	for _, m := range env.SMTP.Messages() {
		if strings.Contains(m.Data, "no-updates@") || strings.Contains(m.Data, "quiet-supporter@") || len(m.To) != 1 {
			t.Errorf("a mail names another resident: %s", m.Data)
		}
	}
	noAddressInLog(t, env, "reporter.one@example.org", "supporter@example.org", "no-updates@example.org", "form@example.org")
}

// A resident who reported twice, and supported as well, with the same address gets one
// mail, as a reporter; a job that could not be done says why. The SMTP URL's user and
// password sign in (AUTH PLAIN), and the password is not logged.
func TestCannotCompleteMailsOncePerAddress(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) { c.SMTPURL = strings.Replace(c.SMTPURL, "smtp://", "smtp://wijkwerk:geheim@", 1) })
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID, _ := reportWithContact(t, env, map[string]any{"email": "twice@example.org", "wants_updates": true}, "nl")
	_, code := reportWithContact(t, env, map[string]any{"email": "TWICE@example.org", "wants_updates": true}, "nl")
	if res := env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", jobID),
		map[string]any{"device_id": "d", "contact": map[string]any{"email": "twice@example.org", "wants_updates": true}}); res.Status > 201 {
		t.Fatalf("support = %d %s", res.Status, res.Body)
	}
	res := p.do(t, "POST", fmt.Sprintf("/mobile/v1/tasks/%d/cannot-complete", jobID), map[string]any{"reason": "already_fixed"},
		"Idempotency-Key", "mail-cc-1", "If-Match", "1")
	if res.Status != 200 {
		t.Fatalf("cannot-complete = %d %s", res.Status, res.Body)
	}
	waitMailRows(t, env, jobID, 1, "sent", 1)
	msgs := env.SMTP.Messages()
	if len(msgs) != 1 || msgs[0].Subject != "Over uw melding" ||
		!strings.Contains(msgs[0].Body, "Het lukte de ploeg niet om dit op te lossen. Reden: Was al opgelost.") ||
		!strings.Contains(msgs[0].Body, "Uw volgcode is: "+code) {
		t.Errorf("mails: %+v", msgs)
	}
	if len(msgs) == 1 && msgs[0].AuthUser != "wijkwerk" {
		t.Errorf("signed in as %q, want wijkwerk", msgs[0].AuthUser)
	}
	noAddressInLog(t, env, "twice@example.org", "geheim")
}

// A mail whose contact is erased before it goes (the daily erasure, or `wijkwerk
// erase-contacts`) is not sent: its row finishes as 'no_recipient'. Here the server
// first says 451 (greylisting), so the mails of a reporter and a supporter wait.
func TestMailStopsWhenContactGoes(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	env.SMTP.FailNext(451, 2)
	jobID, _ := reportWithContact(t, env, map[string]any{"email": "erase-me@example.org", "wants_updates": true}, "nl")
	if res := env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", jobID),
		map[string]any{"device_id": "buur", "contact": map[string]any{"email": "supporter@example.org", "wants_updates": true}}); res.Status != 201 {
		t.Fatalf("support = %d %s", res.Status, res.Body)
	}
	complete(t, p, jobID, "mail-erase-1")
	rows := waitMailRows(t, env, jobID, 2, "queued", 1)
	for _, r := range rows {
		if r.Attempts != 1 || !strings.Contains(r.LastError, "451") || strings.Contains(r.LastError, "@") {
			t.Errorf("row after a 451: %+v", r)
		}
	}
	// The contacts are erased as the retention period allows (0 days: at once, the job
	// being closed).
	if n, err := app.EraseContacts(context.Background(), env.DB.DB, 0); err != nil || n == 0 {
		t.Fatalf("erase contacts = %d, %v", n, err)
	}
	tryAgainNow(t, env, jobID)
	rows = waitMailRows(t, env, jobID, 2, "no_recipient", 2)
	for _, r := range rows {
		if !r.Done {
			t.Errorf("row %+v is not finished", r)
		}
	}
	if msgs := env.SMTP.Messages(); len(msgs) != 0 {
		t.Errorf("%d mails sent after the contacts went", len(msgs))
	}
	noAddressInLog(t, env, "erase-me@example.org", "supporter@example.org")
}

// A 451 (try again later) is tried again and then sent once; a 550 (no such mailbox)
// fails the mail, which is not tried again.
func TestMailTemporaryAndPermanentFailures(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)

	env.SMTP.FailNext(451, 1)
	jobID, code := reportWithContact(t, env, map[string]any{"email": "greylisted@example.org", "wants_updates": true}, "nl")
	complete(t, p, jobID, "mail-451")
	rows := waitMailRows(t, env, jobID, 1, "queued", 1)
	if r := rows[0]; r.Attempts != 1 || !strings.Contains(r.LastError, "451") || r.Done {
		t.Errorf("after a 451: %+v", r)
	}
	if n := len(env.SMTP.Messages()); n != 0 {
		t.Fatalf("%d mails accepted after a 451", n)
	}
	tryAgainNow(t, env, jobID)
	rows = waitMailRows(t, env, jobID, 1, "sent", 2)
	if rows[0].Attempts != 2 {
		t.Errorf("sent at attempt %d, want 2", rows[0].Attempts)
	}
	if got := mailsTo(env, "greylisted@example.org"); len(got) != 1 || !strings.Contains(got[0].Body, code) {
		t.Errorf("mails after 451 then OK: %+v", got)
	}

	// A job elsewhere (about 220 m north: not the same job).
	env.SMTP.FailNext(550, 1)
	res := env.Do(t, "POST", "/api/v1/reports", map[string]any{
		"category": "afval.zwerfvuil",
		"location": map[string]any{"type": "Point", "coordinates": []float64{oosseld[0], oosseld[1] + 0.002}},
		"contact":  map[string]any{"email": "nobody-here@example.org", "wants_updates": true},
	})
	if res.Status != 201 {
		t.Fatalf("report = %d %s", res.Status, res.Body)
	}
	other := int64(res.Map(t)["job_id"].(float64))
	if other == jobID {
		t.Fatal("the second report joined the first job")
	}
	complete(t, p, other, "mail-550")
	rows = waitMailRows(t, env, other, 1, "failed", 1)
	if r := rows[0]; r.Attempts != 1 || !r.Done || !strings.Contains(r.LastError, "550") || strings.Contains(r.LastError, "@") {
		t.Errorf("after a 550: %+v", r)
	}
	// Even when made due, a failed row is not tried again.
	env.DB.Exec(`UPDATE mail_outbox SET next_attempt_at = now() WHERE job_id = ?`, other)
	time.Sleep(3 * time.Second) // more than a poll interval
	if rows := mailRows(t, env, other); rows[0].Attempts != 1 || rows[0].State != "failed" {
		t.Errorf("failed row tried again: %+v", rows[0])
	}
	if got := mailsTo(env, "nobody-here@example.org"); len(got) != 0 {
		t.Errorf("%d mails accepted after a 550", len(got))
	}
	noAddressInLog(t, env, "greylisted@example.org", "nobody-here@example.org")

	// Finished rows are pruned (as old finished pushes are); a row still waiting stays.
	env.SMTP.FailNext(451, 1)
	waiting, _ := reportWithContact(t, env, map[string]any{"email": "later@example.org", "wants_updates": true}, "nl")
	if waiting == jobID || waiting == other {
		t.Fatal("the third report joined a finished job")
	}
	complete(t, p, waiting, "mail-prune")
	waitMailRows(t, env, waiting, 1, "queued", 1)
	n, err := mail.Prune(context.Background(), env.DB.DB, time.Now().Add(time.Hour), mail.PruneBatch)
	if err != nil || n != 2 {
		t.Errorf("pruned %d rows (%v), want the 2 finished", n, err)
	}
	if rows := mailRows(t, env, waiting); len(rows) != 1 {
		t.Errorf("the waiting mail was pruned: %+v", rows)
	}
}

// Without an SMTP server mail is off: the log says so once, and no mail is queued for
// the residents who gave an address.
func TestMailOff(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) { c.SMTPURL = "" })
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID, _ := reportWithContact(t, env, map[string]any{"email": "off@example.org", "wants_updates": true}, "nl")
	complete(t, p, jobID, "mail-off")
	// The mail rows would commit with the change.
	var mails int64
	env.DB.Raw(`SELECT count(*) FROM mail_outbox`).Scan(&mails)
	if mails != 0 {
		t.Errorf("%d mails queued with mail off", mails)
	}
	if n := strings.Count(env.Log.String(), "mail off"); n != 1 {
		t.Errorf("the log says %d times that mail is off, want once:\n%s", n, env.Log.String())
	}
}
