package crew_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// A resident who supports a job again another way (first from the app, then with an
// e-mail address from that app, then from a laptop with the address in other letters
// and spaces) is one supporter: counted once, with one contact row that holds what they
// gave last, and one push and one mail when the job is done. A neighbour stays apart.
func TestSupportAgainIsOneResident(t *testing.T) {
	env := apptest.Start(t)
	p := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	support := func(body map[string]any, wantStatus int, lang string) {
		t.Helper()
		res := env.Do(t, "POST", fmt.Sprintf("/api/v1/jobs/%d/support", jobID), body, "Accept-Language", lang)
		if res.Status != wantStatus {
			t.Errorf("support %v = %d %s, want %d", body, res.Status, res.Body, wantStatus)
		}
	}
	contact := func(c ...string) map[string]any {
		m := map[string]any{"wants_updates": true}
		for i := 0; i < len(c); i += 2 {
			m[c[i]] = c[i+1]
		}
		return m
	}
	support(map[string]any{"device_id": "anna-phone", "contact": contact("app_token", "anna-app-1")}, 201, "nl")
	support(map[string]any{"contact": contact("email", "Anna.de.Vries@example.org", "app_token", "anna-app-1")}, 200, "nl")
	support(map[string]any{"device_id": "anna-laptop", "contact": contact("email", "  anna.DE.vries@Example.org ", "app_token", "anna-app-2")}, 200, "en")
	support(map[string]any{"device_id": "bert-phone", "contact": contact("email", "bert@example.org", "app_token", "bert-app")}, 201, "nl")

	var rows []struct{ Email, AppToken, Lang string }
	env.DB.Raw(`SELECT email, app_token, lang FROM support_contacts WHERE job_id = ? ORDER BY app_token`, jobID).Scan(&rows)
	if got := fmt.Sprint(rows); got != "[{anna.DE.vries@Example.org anna-app-2 en} {bert@example.org bert-app nl}]" {
		t.Errorf("support contacts = %s, want one row for Anna with what she gave last, one for Bert", got)
	}
	var count int
	env.DB.Raw(`SELECT support_count FROM jobs WHERE id = ?`, jobID).Scan(&count)
	if count != 2 {
		t.Errorf("support count = %d, want 2", count)
	}

	complete(t, p, jobID, "support-once")
	var tokens []string
	env.DB.Raw(`SELECT t FROM push_outbox, unnest(tokens) AS t WHERE job_id = ? AND kind = 'done' ORDER BY t`, jobID).Scan(&tokens)
	if strings.Join(tokens, ",") != "anna-app-2,bert-app" {
		t.Errorf("done pushed to %v, want anna-app-2 and bert-app once each", tokens)
	}
	pushes := func() map[string]int {
		n := map[string]int{}
		for _, m := range env.FCM.Messages() {
			n[m.Token]++
		}
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if n := pushes(); n["anna-app-2"] > 0 && n["bert-app"] > 0 {
			break
		}
	}
	time.Sleep(200 * time.Millisecond) // a second push would have come with the first
	if n := pushes(); n["anna-app-1"] != 0 || n["anna-app-2"] != 1 || n["bert-app"] != 1 {
		t.Errorf("pushes per token = %v, want one to anna-app-2 and one to bert-app", n)
	}
	waitMailRows(t, env, jobID, 2, "sent", 1)
	if n, m := len(mailsTo(env, "anna.de.vries@example.org")), len(mailsTo(env, "bert@example.org")); n != 1 || m != 1 {
		t.Errorf("mails: %d to Anna, %d to Bert, want 1 each", n, m)
	}

	// Rows kept twice for one resident before (Carla: her phone with the app, then her
	// address with an older token) become one when she supports again from the phone with
	// her address: the earliest row, with what she gives now; a mail still waiting for
	// the other row is the kept row's.
	jobID = report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	for _, q := range []string{
		`INSERT INTO job_supports (job_id, supporter) VALUES (@job, sha256('device:carla-phone')), (@job, sha256('email:carla@example.org'))`,
		`INSERT INTO support_contacts (job_id, supporter, app_token, created_at) VALUES (@job, sha256('device:carla-phone'), 'carla-app-1', now() - interval '2 hours')`,
		`INSERT INTO support_contacts (job_id, supporter, email, app_token, created_at) VALUES (@job, sha256('email:carla@example.org'), 'carla@example.org', 'carla-app-0', now() - interval '1 hour')`,
		`INSERT INTO mail_outbox (job_id, kind, supporter, expires_at, next_attempt_at) VALUES (@job, 'reopened', sha256('email:carla@example.org'), now() + interval '1 day', now() + interval '1 day')`,
	} {
		if err := env.DB.Exec(q, map[string]any{"job": jobID}).Error; err != nil {
			t.Fatal(err)
		}
	}
	support(map[string]any{"device_id": "carla-phone", "contact": contact("email", "Carla@example.org", "app_token", "carla-app-2")}, 200, "nl")
	rows = nil
	env.DB.Raw(`SELECT email, app_token, lang FROM support_contacts WHERE job_id = ? AND supporter = sha256('device:carla-phone')`, jobID).Scan(&rows)
	var left, mailOfKept int
	env.DB.Raw(`SELECT (SELECT count(*) FROM support_contacts WHERE job_id = @job),
       (SELECT count(*) FROM mail_outbox WHERE job_id = @job AND supporter = sha256('device:carla-phone'))`, map[string]any{"job": jobID}).Row().Scan(&left, &mailOfKept)
	if fmt.Sprint(rows) != "[{Carla@example.org carla-app-2 nl}]" || left != 1 || mailOfKept != 1 {
		t.Errorf("Carla's contacts after supporting again: kept %v, %d rows, %d waiting mails of the kept row; want one row with her address and new token, and the mail",
			rows, left, mailOfKept)
	}
}
