package crew_test

import (
	"fmt"
	"testing"
	"time"

	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/push/fakefcm"
	"wijkwerk/backend/worker"
)

// waitMessages waits until the fake FCM holds at least n messages.
func waitMessages(t *testing.T, env *apptest.Env, n int) []fakefcm.Message {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := env.FCM.Messages()
		if len(msgs) >= n || time.Now().After(deadline) {
			return msgs
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestReportPushesToTeamDevices(t *testing.T) {
	env := apptest.Start(t)
	a := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	b := pairPhone(t, env, "doetinchem-oosseld", worker.Trainee)
	other := pairPhone(t, env, "doetinchem-wehl", worker.Specialist)
	for tok, p := range map[string]*phone{"tok-a": a, "tok-b": b, "tok-other": other} {
		if res := p.do(t, "PUT", "/mobile/v1/device", map[string]string{"token": tok, "platform": "android"}); res.Status != 204 {
			t.Fatalf("device = %d %s", res.Status, res.Body)
		}
	}
	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])

	msgs := waitMessages(t, env, 2)
	time.Sleep(200 * time.Millisecond)
	msgs = env.FCM.Messages()
	got := map[string]fakefcm.Message{}
	for _, m := range msgs {
		got[m.Token] = m
	}
	if len(msgs) != 2 || got["tok-a"].Token == "" || got["tok-b"].Token == "" {
		t.Fatalf("messages = %+v, want one to each Oosseld phone", msgs)
	}
	m := got["tok-a"]
	if m.Data["job_id"] != fmt.Sprint(jobID) || m.Data["version"] != "1" || m.Data["kind"] != "assigned" {
		t.Errorf("data = %v", m.Data)
	}
	if m.Notification == nil || m.Notification.Title != "Nieuwe taak" {
		t.Errorf("notification = %+v", m.Notification)
	}
	// A duplicate report does not nag the crew again.
	report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1]+0.0001)
	time.Sleep(500 * time.Millisecond)
	if n := len(env.FCM.Messages()); n != 2 {
		t.Errorf("%d messages after a duplicate, want 2", n)
	}
	// An unregistered token is removed from its device.
	env.FCM.FailToken("tok-b", "UNREGISTERED")
	report(t, env, "groen.onkruid", oosseld[0]+0.003, oosseld[1])
	waitMessages(t, env, 3)
	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int64
		env.DB.Raw(`SELECT count(*) FROM devices WHERE fcm_token = 'tok-b'`).Scan(&n)
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("unregistered token was not removed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPushInEachPhonesLanguage: a phone says its language with PUT /device, and the
// same push reaches each phone of the team in its own language. A language Wijkwerk
// does not speak is Dutch, as is none; a phone that switches says so again.
func TestPushInEachPhonesLanguage(t *testing.T) {
	env := apptest.Start(t)
	nl := pairPhone(t, env, "doetinchem-oosseld", worker.Specialist)
	en := pairPhone(t, env, "doetinchem-oosseld", worker.Trainee)
	de := pairPhone(t, env, "doetinchem-oosseld", worker.Trainee)
	for _, d := range []struct {
		p    *phone
		body map[string]string
	}{
		{nl, map[string]string{"token": "tok-nl", "platform": "android"}},
		{en, map[string]string{"token": "tok-en", "platform": "web", "lang": "EN-gb"}},
		{de, map[string]string{"token": "tok-de", "platform": "ios", "lang": "de"}},
	} {
		if res := d.p.do(t, "PUT", "/mobile/v1/device", d.body); res.Status != 204 {
			t.Fatalf("device %v = %d %s", d.body, res.Status, res.Body)
		}
	}
	langs := func() map[string]string {
		var rows []struct{ FCMToken, Lang string }
		env.DB.Raw(`SELECT fcm_token, lang FROM devices WHERE fcm_token LIKE 'tok-%'`).Scan(&rows)
		m := map[string]string{}
		for _, r := range rows {
			m[r.FCMToken] = r.Lang
		}
		return m
	}
	if got := langs(); got["tok-nl"] != "nl" || got["tok-en"] != "en" || got["tok-de"] != "nl" || len(got) != 3 {
		t.Fatalf("languages = %v", got)
	}

	jobID := report(t, env, "afval.zwerfvuil", oosseld[0], oosseld[1])
	waitMessages(t, env, 3)
	time.Sleep(200 * time.Millisecond)
	got := map[string]string{}
	for _, m := range env.FCM.Messages() {
		if m.Data["job_id"] != fmt.Sprint(jobID) || m.Notification == nil {
			t.Fatalf("message = %+v", m)
		}
		got[m.Token] = m.Notification.Title + " / " + m.Notification.Body
	}
	want := map[string]string{
		"tok-nl": "Nieuwe taak / Er is een nieuwe taak voor jullie ploeg.",
		"tok-en": "New task / There is a new task for your crew.",
		"tok-de": "Nieuwe taak / Er is een nieuwe taak voor jullie ploeg.",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("messages:\n got %v\nwant %v", got, want)
	}

	// The English phone switches to Dutch, the Dutch one to English: the app sends its
	// token again with the new language.
	for p, body := range map[*phone]map[string]string{
		en: {"token": "tok-en", "platform": "web", "lang": "nl"},
		nl: {"token": "tok-nl", "platform": "android", "lang": "en"},
	} {
		if res := p.do(t, "PUT", "/mobile/v1/device", body); res.Status != 204 {
			t.Fatalf("device %v = %d %s", body, res.Status, res.Body)
		}
	}
	if got := langs(); got["tok-nl"] != "en" || got["tok-en"] != "nl" {
		t.Errorf("languages after the switch = %v", got)
	}
}
