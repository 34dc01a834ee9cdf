package push

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/problem"
)

// TestWorker runs the database tests one after another on one database (a database per
// package, as the other packages do), each on emptied tables and a reset fake FCM.
func TestWorker(t *testing.T) {
	shared := newFixture(t)
	tests := []struct {
		name string
		run  func(t *testing.T, f *fixture)
	}{
		{"EnqueueAndSend", testEnqueueAndSend},
		{"EnqueueOwnText", testEnqueueOwnText},
		{"EachDeviceInItsLanguage", testEachDeviceInItsLanguage},
		{"EnqueueAll", testEnqueueAll},
		{"ClaimedMessage", testClaimedMessage},
		{"RolledBackEnqueueSendsNothing", testRolledBackEnqueueSendsNothing},
		{"UnavailableRetriedByWorker", testUnavailableRetriedByWorker},
		{"LongRetryAfterIsWaitedByWorker", testLongRetryAfterIsWaitedByWorker},
		{"BrokenConnectionSendsOnce", testBrokenConnectionSendsOnce},
		{"UnreachableFCMRetries", testUnreachableFCMRetries},
		{"UnregisteredTokenIsForgotten", testUnregisteredTokenIsForgotten},
		{"ResidentTokensStayOutOfLogs", testResidentTokensStayOutOfLogs},
		{"InvalidArgumentFailsWithoutForgetting", testInvalidArgumentFailsWithoutForgetting},
		{"InternalErrorRetriesLater", testInternalErrorRetriesLater},
		{"QuotaExceededHonoursRetryAfter", testQuotaExceededHonoursRetryAfter},
		{"ExpiredRowSendsNothing", testExpiredRowSendsNothing},
		{"RetryThatExpires", testRetryThatExpires},
		{"GiveUpAfterMaxAttempts", testGiveUpAfterMaxAttempts},
		{"RetryOfTokenThatLeft", testRetryOfTokenThatLeft},
		{"TeamWithoutDevices", testTeamWithoutDevices},
		{"SendingIsNeverRepeated", testSendingIsNeverRepeated},
		{"ConcurrentWorkers", testConcurrentWorkers},
		{"RunWakesOnNotify", testRunWakesOnNotify},
		{"RunSurvivesBadDSN", testRunSurvivesBadDSN},
		{"RunBacksOffWhileFailing", testRunBacksOffWhileFailing},
		{"Prune", testPrune},
		{"RecordReadsRowsByKey", testRecordReadsRowsByKey},
		{"ClaimIsHOT", testClaimIsHOT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, shared.reset(t)) })
	}
}

func testEnqueueAndSend(t *testing.T, f *fixture) {
	teamA := f.team("A")
	teamB := f.team("B")
	w1 := f.member(teamA)
	w2 := f.member(teamA)
	both := f.member(teamA, teamB)
	inactive := f.member(teamA)
	other := f.member(teamB)
	f.exec(`UPDATE workers SET active = false WHERE id = ?`, inactive)
	tok1 := f.device(w1, "phone1")
	tok2 := f.device(w1, "tablet1")
	tok3 := f.device(w2, "phone2")
	tokBoth := f.device(both, "both")
	revoked := f.device(w2, "old2")
	f.exec(`UPDATE devices SET revoked_at = now() WHERE fcm_token = ?`, revoked)
	tokInactive := f.device(inactive, "inactive")
	tokOther := f.device(other, "other")
	f.exec(`INSERT INTO devices (worker_id, token_hash) VALUES (?, 'no-token')`, w2) // paired, no FCM token yet

	job := f.job(teamA)
	id := f.enqueue(Request{JobID: job, TeamID: teamA, Kind: KindAssigned, Version: 3}, time.Hour)

	w := f.worker(Options{})
	f.runOnce(w, 1)

	want := []string{tok1, tok2, tok3, tokBoth}
	msgs := f.fcm.Messages()
	var got []string
	for _, m := range msgs {
		got = append(got, m.Token)
		wantData := map[string]string{"job_id": strconv.FormatInt(job, 10), "version": "3", "kind": "assigned"}
		if !maps.Equal(m.Data, wantData) {
			t.Errorf("data to %s = %v, want %v", m.Token, m.Data, wantData)
		}
		if m.Notification == nil || m.Notification.Title != "Nieuwe taak" ||
			m.Notification.Body != "Er is een nieuwe taak voor jullie ploeg." {
			t.Errorf("notification = %+v, want the Dutch default for assigned", m.Notification)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("sent to %v, want %v (not %s, %s, %s)", got, want, revoked, tokInactive, tokOther)
	}

	states := f.deliveries(id)
	if len(states) != len(want) {
		t.Errorf("deliveries = %v, want one per team token", states)
	}
	for _, tok := range want {
		if states[tok] != stateSent {
			t.Errorf("delivery %s = %q, want sent", tokenPrefix(tok), states[tok])
		}
	}
	if s := f.outbox(id); !s.Done || s.Attempts != 1 || s.LastError != "" {
		t.Errorf("outbox = %+v, want done after 1 attempt without error", s)
	}

	f.runOnce(w, 0)
	f.exec(`UPDATE push_outbox SET next_attempt_at = now(), done_at = NULL`) // even if it came back
	f.runOnce(w, 1)
	if n := len(f.fcm.Messages()); n != len(want) {
		t.Errorf("%d messages after running again, want still %d", n, len(want))
	}

	logs := f.logs.String()
	if !strings.Contains(logs, "push: row handled") || !strings.Contains(logs, "sent=4") {
		t.Errorf("no summary line in logs:\n%s", logs)
	}
	for _, tok := range append(want, revoked, tokOther) {
		if strings.Contains(logs, tok) {
			t.Errorf("logs contain a whole token:\n%s", logs)
		}
	}
}

func testEnqueueOwnText(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindDueChanged, Version: 2,
		Title: problem.T("Bankje Dorpsplein", "Bench Dorpsplein"), Body: problem.T("Moet nu vrijdag klaar zijn.", "Must be done on Friday now.")}, time.Hour)
	f.runOnce(f.worker(Options{}), 1)
	msgs := f.fcm.Messages()
	if len(msgs) != 1 || msgs[0].Token != tokens[0] {
		t.Fatalf("messages = %+v, want one to the team's device", msgs)
	}
	if n := msgs[0].Notification; n == nil || n.Title != "Bankje Dorpsplein" || n.Body != "Moet nu vrijdag klaar zijn." {
		t.Errorf("notification = %+v, want the request's own text", n)
	}
	if msgs[0].Data["kind"] != "due_changed" || msgs[0].Data["version"] != "2" {
		t.Errorf("data = %v", msgs[0].Data)
	}
}

// testEachDeviceInItsLanguage: the devices of one team get the same push, each in its
// own language, English where the phone said so; a text without English is Dutch for all.
func testEachDeviceInItsLanguage(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 3)
	f.exec(`UPDATE devices SET lang = 'en' WHERE fcm_token = ?`, tokens[1])
	job := f.job(team)
	f.enqueue(Request{JobID: job, TeamID: team, Kind: KindCancelled, Version: 4}, time.Hour)
	f.enqueue(Request{JobID: job, TeamID: team, Kind: KindDueChanged, Version: 5,
		Title: problem.Text{NL: "Alleen Nederlands"}, Body: problem.Text{NL: "Zonder Engels."}}, time.Hour)
	f.runOnce(f.worker(Options{}), 2)
	got := map[string]string{}
	for _, m := range f.fcm.Messages() {
		if m.Notification == nil {
			t.Fatalf("message without notification: %+v", m)
		}
		got[m.Data["version"]+" "+m.Token] = m.Notification.Title + " / " + m.Notification.Body
	}
	nl := "Taak gaat niet door / Een taak gaat niet door. Jullie hoeven er niets meer aan te doen."
	en := "Task cancelled / A task is cancelled. You do not have to do anything more for it."
	only := "Alleen Nederlands / Zonder Engels."
	want := map[string]string{
		"4 " + tokens[0]: nl, "4 " + tokens[1]: en, "4 " + tokens[2]: nl,
		"5 " + tokens[0]: only, "5 " + tokens[1]: only, "5 " + tokens[2]: only,
	}
	if !maps.Equal(got, want) {
		t.Errorf("messages:\n got %v\nwant %v", got, want)
	}
	for _, id := range []int64{f.id(`SELECT min(id) FROM push_outbox`), f.id(`SELECT max(id) FROM push_outbox`)} {
		for tok, state := range f.deliveries(id) {
			if state != "sent" {
				t.Errorf("row %d: %s is %s", id, tok, state)
			}
		}
	}
}

// testEnqueueAll writes several requests with one statement, each as its own row, and
// none when one of them is invalid.
func testEnqueueAll(t *testing.T, f *fixture) {
	team := f.team("T")
	job := f.job(team)
	tokens := []string{`app"one`, `app,two\`, "app{three}"}
	rs := []Request{
		{JobID: job, TeamID: team, Kind: KindAssigned, Version: 2},
		{JobID: job, Tokens: tokens, Kind: KindDone, Version: 3, Title: problem.T("Klaar", "Done"), Body: problem.T("Dank u", "Thank you"), Lang: "en"},
	}
	enqueue := func(rs []Request) error {
		return database.Tx(f.ctx, f.db.DB, func(tx *gorm.DB) error { return EnqueueAll(f.ctx, tx, rs, time.Hour) })
	}
	if err := enqueue(append(slices.Clone(rs), Request{JobID: job, Kind: KindDone, Version: 4})); !errors.Is(err, ErrInvalid) {
		t.Errorf("with an invalid request: %v, want ErrInvalid", err)
	}
	if n := f.id(`SELECT count(*) FROM push_outbox`); n != 0 {
		t.Errorf("%d rows after an invalid batch", n)
	}
	if err := enqueue(rs); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		TeamID  *int64
		Kind    string
		Version int
		TitleNL string
		BodyNL  string
		TitleEN string
		BodyEN  string
		Tokens  string
		Expires bool
	}
	f.db.DB.Raw(`SELECT team_id, kind, version, title_nl, body_nl, title_en, body_en, array_to_json(tokens)::text AS tokens,
expires_at BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes' AS expires
FROM push_outbox ORDER BY id`).Scan(&rows)
	// A crew push with the default text keeps none (the worker renders it); residents'
	// push keeps theirs, English here, in the _nl columns (migration 00026).
	if len(rows) != 2 ||
		rows[0].TeamID == nil || *rows[0].TeamID != team || rows[0].Kind != "assigned" || rows[0].Version != 2 ||
		rows[0].TitleNL != "" || rows[0].BodyNL != "" || rows[0].TitleEN != "" || rows[0].BodyEN != "" ||
		rows[0].Tokens != "[]" || !rows[0].Expires ||
		rows[1].TeamID != nil || rows[1].Kind != "done" || rows[1].Version != 3 || rows[1].TitleNL != "Done" ||
		rows[1].BodyNL != "Thank you" || rows[1].TitleEN != "" || rows[1].BodyEN != "" ||
		rows[1].Tokens != `["app\"one","app,two\\","app{three}"]` || !rows[1].Expires {
		t.Errorf("rows = %+v", rows)
	}
}

func TestEnqueueValidates(t *testing.T) {
	t.Parallel()
	ok := Request{JobID: 1, TeamID: 2, Kind: KindCancelled, Version: 1}
	tests := []struct {
		name string
		give func(r *Request) time.Duration
	}{
		{"no job", func(r *Request) time.Duration { r.JobID = 0; return time.Hour }},
		{"no team", func(r *Request) time.Duration { r.TeamID = 0; return time.Hour }},
		{"unknown kind", func(r *Request) time.Duration { r.Kind = "finished"; return time.Hour }},
		{"no ttl", func(r *Request) time.Duration { return 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			ttl := tt.give(&r)
			// The request is refused before the transaction is touched.
			if err := Enqueue(context.Background(), nil, r, ttl); !errors.Is(err, ErrInvalid) {
				t.Errorf("Enqueue = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestDefaultTexts(t *testing.T) {
	t.Parallel()
	for _, k := range []Kind{KindAssigned, KindReassigned, KindDueChanged, KindCancelled, KindDueTomorrow, KindDone, KindNotPossible, KindRetry} {
		title, body := Request{Kind: k}.Text()
		if title.NL == "" || body.NL == "" || title.EN == "" || body.EN == "" {
			t.Errorf("kind %s has no default text in both languages: %q / %q", k, title, body)
		}
	}
}

// A crew's push has a Dutch and an English text: each device gets its own language.
func TestCrewTexts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind               Kind
		nlTitle, enTitle   string
		nlPrefix, enPrefix string // how the body starts
	}{
		{KindAssigned, "Nieuwe taak", "New task", "Er is een nieuwe taak", "There is a new task"},
		{KindReassigned, "Taak verplaatst", "Task moved", "Een taak is van ploeg gewisseld.", "A task moved to another crew."},
		{KindDueChanged, "Nieuwe datum", "New date", "De datum van een taak is veranderd.", "The date of a task has changed."},
		{KindCancelled, "Taak gaat niet door", "Task cancelled", "Een taak gaat niet door.", "A task is cancelled."},
		{KindDueTomorrow, "Taak voor morgen", "Task for tomorrow", "Een taak moet morgen klaar zijn.", "A task must be done tomorrow."},
	}
	for _, tt := range tests {
		// The Lang of a request is the residents'; a crew push carries both whatever it says.
		for _, lang := range []string{"", "nl", "en"} {
			title, body := Request{Kind: tt.kind, TeamID: 1, Lang: lang}.Text()
			if title.NL != tt.nlTitle || title.EN != tt.enTitle ||
				!strings.HasPrefix(body.NL, tt.nlPrefix) || !strings.HasPrefix(body.EN, tt.enPrefix) {
				t.Errorf("%s (lang %q) = %q / %q", tt.kind, lang, title, body)
			}
			// The default text is not stored: the worker renders it (fillDefaultText).
			if nlTitle, nlBody, enTitle, enBody := (Request{Kind: tt.kind, TeamID: 1, Lang: lang}).OutboxText(); nlTitle+nlBody+enTitle+enBody != "" {
				t.Errorf("%s (lang %q) stored as %q, %q, %q, %q", tt.kind, lang, nlTitle, nlBody, enTitle, enBody)
			}
			r := claimedRow{TeamID: 1, Kind: string(tt.kind)}
			r.fillDefaultText()
			if r.Title != title.NL || r.Body != body.NL || r.TitleEN != title.EN || r.BodyEN != body.EN {
				t.Errorf("%s (lang %q) sent as %q, %q, %q, %q", tt.kind, lang, r.Title, r.Body, r.TitleEN, r.BodyEN)
			}
		}
	}
	// A producer's own text, in both languages; one without English is Dutch in both.
	title, body := Request{Kind: KindAssigned, TeamID: 1, Title: problem.T("Eigen", "Own"), Body: problem.T("Tekst", "Text")}.Text()
	if title != problem.T("Eigen", "Own") || body != problem.T("Tekst", "Text") {
		t.Errorf("own text = %q / %q", title, body)
	}
	nlTitle, nlBody, enTitle, enBody := Request{Kind: KindAssigned, TeamID: 1, Title: problem.Text{NL: "Eigen"}}.OutboxText()
	if nlTitle != "Eigen" || nlBody != "Er is een nieuwe taak voor jullie ploeg." || enTitle != "Eigen" || enBody != "There is a new task for your crew." {
		t.Errorf("a Dutch-only title is stored as %q / %q, %q / %q", nlTitle, nlBody, enTitle, enBody)
	}
	// A reason makes the text a crew push's own, so it is stored.
	if nlTitle, nlBody, enTitle, enBody := (Request{Kind: KindCancelled, TeamID: 1, Reason: problem.T("Regen", "Rain")}).OutboxText(); nlTitle != "Taak gaat niet door" ||
		!strings.HasSuffix(nlBody, "Reden: Regen.") || enTitle != "Task cancelled" || !strings.HasSuffix(enBody, "Reason: Rain.") {
		t.Errorf("a text with a reason is stored as %q / %q, %q / %q", nlTitle, nlBody, enTitle, enBody)
	}
	// A row that keeps a text of its own is sent with it.
	r := claimedRow{TeamID: 1, Kind: string(KindAssigned), Title: "Eigen", Body: "Tekst"}
	r.fillDefaultText()
	if r.Title != "Eigen" || r.Body != "Tekst" || r.TitleEN != "" || r.BodyEN != "" {
		t.Errorf("a row's own text sent as %+v", r)
	}
}

// Residents hear in their language, and supporters, who filed no report, are not
// told about "their report"; a reason follows the default body in the same language.
func TestResidentTexts(t *testing.T) {
	t.Parallel()
	for _, k := range []Kind{KindDone, KindNotPossible, KindRetry} {
		for _, supporters := range []bool{false, true} {
			nlTitle, nlBody, _, _ := Request{Kind: k, Supporters: supporters}.OutboxText()
			enTitle, enBody, noTitle, noBody := Request{Kind: k, Supporters: supporters, Lang: "en"}.OutboxText()
			if nlTitle == "" || nlBody == "" || enTitle == "" || enBody == "" || nlTitle == enTitle || nlBody == enBody {
				t.Errorf("%s (supporters %v): %q / %q in Dutch, %q / %q in English", k, supporters, nlTitle, nlBody, enTitle, enBody)
			}
			if noTitle != "" || noBody != "" {
				t.Errorf("%s: a push to residents keeps a second language: %q / %q", k, noTitle, noBody)
			}
			all := strings.ToLower(nlTitle + nlBody + enTitle + enBody)
			if supporters && (strings.Contains(all, "melding") || strings.Contains(all, "report")) {
				t.Errorf("%s: supporters are told about their report: %q / %q, %q / %q", k, nlTitle, nlBody, enTitle, enBody)
			}
		}
	}
	reason := problem.T("Geen toegang", "No access")
	if _, body := (Request{Kind: KindNotPossible, Reason: reason}).Text(); body != problem.T(
		"Het lukte de ploeg niet om dit op te lossen. Reden: Geen toegang.", "The crew could not solve this. Reason: No access.") {
		t.Errorf("body with a reason = %q", body)
	}
	if _, body, _, _ := (Request{Kind: KindNotPossible, Lang: "en", Reason: reason}).OutboxText(); body != "The crew could not solve this. Reason: No access." {
		t.Errorf("English body with a reason = %q", body)
	}
}

// testClaimedMessage checks what the fake cannot show: the platform options, and that
// the claim reads every column.
func testClaimedMessage(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	job := f.job(team)
	id := f.enqueue(Request{JobID: job, TeamID: team, Kind: KindReassigned, Version: 7}, time.Hour)
	w := f.worker(Options{})
	rows, err := w.claim(f.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("claimed %d rows, want 1", len(rows))
	}
	r := rows[0]
	title, body := Request{Kind: KindReassigned}.Text()
	if r.ID != id || r.JobID != job || r.TeamID != team || r.Kind != "reassigned" || r.Version != 7 ||
		r.Title != title.NL || r.Body != body.NL || r.TitleEN != title.EN || r.BodyEN != body.EN || r.Attempts != 1 || r.Expired {
		t.Errorf("claimed %+v", r)
	}
	if r.TTLSeconds < 3590 || r.TTLSeconds > 3600 {
		t.Errorf("ttl %.1f s, want about an hour", r.TTLSeconds)
	}
	if until := time.Until(r.ExpiresAt); until < 59*time.Minute || until > time.Hour+time.Minute {
		t.Errorf("expires in %v, want an hour", until)
	}
	if s := f.outbox(id); s.DueInSecond < lease.Seconds()-10 {
		t.Errorf("leased for %.0f s only", s.DueInSecond)
	}
	if n, err := w.RunOnce(f.ctx); err != nil || n != 0 {
		t.Errorf("RunOnce on a leased row = %d, %v; want 0", n, err)
	}

	m := r.message(tokens)
	if m.Android == nil || m.Android.Priority != "high" || m.Android.TTL == nil ||
		*m.Android.TTL < 59*time.Minute || *m.Android.TTL > time.Hour {
		t.Errorf("android = %+v", m.Android)
	}
	if got := m.APNS.Headers["apns-expiration"]; got != strconv.FormatInt(r.ExpiresAt.Unix(), 10) {
		t.Errorf("apns-expiration = %s", got)
	}
	if got, _ := strconv.Atoi(m.Webpush.Headers["TTL"]); got < 3590 || got > 3600 {
		t.Errorf("webpush TTL = %q", m.Webpush.Headers["TTL"])
	}
}

func testRolledBackEnqueueSendsNothing(t *testing.T, f *fixture) {
	team, _ := f.teamWithDevices("T", 2)
	job := f.job(team)
	errRollback := errors.New("the use case failed")
	err := database.Tx(f.ctx, f.db.DB, func(tx *gorm.DB) error {
		if err := Enqueue(f.ctx, tx, Request{JobID: job, TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("Tx = %v", err)
	}
	if n := f.id(`SELECT count(*) FROM push_outbox`); n != 0 {
		t.Errorf("%d outbox rows after rollback, want 0", n)
	}
	f.runOnce(f.worker(Options{}), 0)
	if n := len(f.fcm.Messages()); n != 0 {
		t.Errorf("%d messages sent, want 0", n)
	}
}

// A 503 is the worker's to retry, per token, not the SDK's: the two tokens it hit wait,
// the third is sent; on the retry each token has exactly one message.
func testUnavailableRetriedByWorker(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 3)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	f.fcm.FailNext(http.StatusServiceUnavailable, 2)
	w := f.worker(Options{})
	f.runOnce(w, 1)
	states := map[string]int{}
	for _, st := range f.deliveries(id) {
		states[st]++
	}
	if states[stateSent] != 1 || states[stateRetry] != 2 {
		t.Fatalf("deliveries = %v, want 1 sent and 2 to retry", states)
	}
	if s := f.outbox(id); s.Done || s.LastError != "unavailable" {
		t.Errorf("outbox = %+v, want not done, last_error unavailable", s)
	}
	f.exec(`UPDATE push_outbox SET next_attempt_at = now() WHERE id = ?`, id)
	f.runOnce(w, 1)
	sent := f.sentTo()
	for _, tok := range tokens {
		if sent[tok] != 1 {
			t.Errorf("token %s got %d messages, want 1", tokenPrefix(tok), sent[tok])
		}
	}
	if s := f.outbox(id); !s.Done {
		t.Errorf("outbox = %+v, want done", s)
	}
}

// A 503 with a long Retry-After is waited by the worker (the row comes back then), not
// slept inside the send until the send timeout calls it a failure.
func testLongRetryAfterIsWaitedByWorker(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, 2*time.Hour)
	resp, err := http.Post(f.fcmURL+"/fail", "application/json", bytes.NewBufferString(`{"status": 503, "count": 1, "retry_after": 70}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	start := time.Now()
	f.runOnce(f.worker(Options{BaseBackoff: time.Second}), 1)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the send took %v: the Retry-After was slept in it", d)
	}
	if st := f.deliveries(id)[tokens[0]]; st != stateRetry {
		t.Fatalf("delivery = %q, want retry", st)
	}
	if s := f.outbox(id); s.Done || s.DueInSecond < 65 || s.DueInSecond > 75 {
		t.Errorf("outbox = %+v, want the next attempt in about 70 s", s)
	}
}

// A connection that breaks after FCM took the message (the fake records it, then closes
// the connection): the token got it once, and it is not sent again by anyone.
func testBrokenConnectionSendsOnce(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	f.fcm.DropAnswers(1)
	f.runOnce(f.worker(Options{}), 1)
	if n := f.sentTo()[tokens[0]]; n != 1 {
		t.Errorf("token got %d messages, want 1", n)
	}
	if st := f.deliveries(id)[tokens[0]]; st != stateFailed {
		t.Errorf("delivery = %q, want failed (it may have arrived)", st)
	}
	if s := f.outbox(id); !s.Done || s.LastError != "transport" {
		t.Errorf("outbox = %+v, want done with last_error transport", s)
	}
}

// FCM that cannot be reached (the connection is refused: nothing left) is tried again.
func testUnreachableFCMRetries(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	client, err := NewClient(f.ctx, dead, "test-project")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	n, err := NewWorker(f.db.DB, client, log, Options{BaseBackoff: time.Minute}).RunOnce(f.ctx)
	if err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if st := f.deliveries(id)[tokens[0]]; st != stateRetry {
		t.Errorf("delivery = %q, want retry", st)
	}
	if s := f.outbox(id); s.Done || s.LastError != "unreachable" {
		t.Errorf("outbox = %+v, want not done, last_error unreachable", s)
	}
}

func testUnregisteredTokenIsForgotten(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 3)
	gone := tokens[1]
	f.fcm.FailToken(gone, "UNREGISTERED")
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	f.runOnce(f.worker(Options{}), 1)

	sent := f.sentTo()
	if sent[tokens[0]] != 1 || sent[tokens[2]] != 1 || sent[gone] != 0 {
		t.Errorf("sent = %v, want the two other tokens once each", sent)
	}
	states := f.deliveries(id)
	if states[gone] != stateUnregistered || states[tokens[0]] != stateSent || states[tokens[2]] != stateSent {
		t.Errorf("deliveries = %v", states)
	}
	if n := f.id(`SELECT count(*) FROM devices WHERE fcm_token = ?`, gone); n != 0 {
		t.Errorf("device still has the unregistered token")
	}
	if n := f.id(`SELECT count(*) FROM devices WHERE fcm_token IS NOT NULL`); n != 2 {
		t.Errorf("%d devices with a token, want 2", n)
	}
	if s := f.outbox(id); !s.Done || s.LastError != "unregistered" {
		t.Errorf("outbox = %+v, want done with last_error unregistered", s)
	}
	if strings.Contains(f.logs.String(), gone) {
		t.Errorf("logs contain the whole token")
	}
	if !strings.Contains(f.logs.String(), tokenPrefix(gone)) {
		t.Errorf("logs lack the token's prefix:\n%s", f.logs.String())
	}
}

// testResidentTokensStayOutOfLogs: a resident's token (an app's or a browser's, as the
// web page sends them) goes to FCM as a crew device's does, but no log line shows any of
// it, not even its prefix, whatever FCM answers.
func testResidentTokensStayOutOfLogs(t *testing.T, f *fixture) {
	team := f.team("T")
	tokens := []string{"fXk29aQ1:APA91b-web-sent", "gHt38bR2:APA91b-web-gone", "hJu47cS3:APA91b-web-bad"}
	f.fcm.FailToken(tokens[1], "UNREGISTERED")
	f.fcm.FailToken(tokens[2], "INVALID_ARGUMENT")
	id := f.enqueue(Request{JobID: f.job(team), Tokens: tokens, Kind: KindDone, Version: 2}, time.Hour)
	f.runOnce(f.worker(Options{}), 1)
	if sent := f.sentTo(); sent[tokens[0]] != 1 {
		t.Errorf("sent = %v, want the resident's token once", sent)
	}
	if states := f.deliveries(id); states[tokens[1]] != stateUnregistered || states[tokens[2]] != stateFailed {
		t.Errorf("deliveries = %v", states)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "resident_token") {
		t.Errorf("logs do not say a resident's token was not delivered:\n%s", logs)
	}
	for _, tok := range tokens {
		if strings.Contains(logs, tokenPrefix(tok)) {
			t.Errorf("logs show (the prefix of) a resident's token %s:\n%s", tokenPrefix(tok), logs)
		}
	}
}

func testInvalidArgumentFailsWithoutForgetting(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	f.fcm.FailToken(tokens[0], "INVALID_ARGUMENT")
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	f.runOnce(f.worker(Options{}), 1)
	if st := f.deliveries(id)[tokens[0]]; st != stateFailed {
		t.Errorf("delivery = %s, want failed", st)
	}
	if n := f.id(`SELECT count(*) FROM devices WHERE fcm_token = ?`, tokens[0]); n != 1 {
		t.Errorf("device lost its token on INVALID_ARGUMENT")
	}
	if s := f.outbox(id); !s.Done || s.LastError != "invalid_argument" {
		t.Errorf("outbox = %+v, want done, invalid_argument", s)
	}
	// A push that failed for good shows in the log as a warning, with its cause.
	if logs := f.logs.String(); !strings.Contains(logs, `level=WARN msg="push: row handled"`) || !strings.Contains(logs, "error=invalid_argument") {
		t.Errorf("no warning with the cause:\n%s", logs)
	}
}

func testInternalErrorRetriesLater(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	f.fcm.FailNext(http.StatusInternalServerError, 1)
	w := f.worker(Options{BaseBackoff: time.Minute})
	f.runOnce(w, 1)

	if st := f.deliveries(id)[tokens[0]]; st != stateRetry {
		t.Fatalf("delivery = %q, want retry", st)
	}
	s := f.outbox(id)
	if s.Done || s.LastError != "internal" {
		t.Errorf("outbox = %+v, want not done, last_error internal", s)
	}
	// One minute ±20%.
	if s.DueInSecond < 47 || s.DueInSecond > 73 {
		t.Errorf("next attempt in %.1f s, want about 60", s.DueInSecond)
	}
	f.runOnce(w, 0) // not due yet

	f.exec(`UPDATE push_outbox SET next_attempt_at = now() WHERE id = ?`, id)
	f.runOnce(w, 1)
	if st := f.deliveries(id)[tokens[0]]; st != stateSent {
		t.Errorf("delivery = %q after the retry, want sent", st)
	}
	if s := f.outbox(id); !s.Done || s.Attempts != 2 {
		t.Errorf("outbox = %+v, want done after 2 attempts", s)
	}
	if n := f.sentTo()[tokens[0]]; n != 1 {
		t.Errorf("token got %d messages, want 1", n)
	}
	var attempts int
	f.db.Raw(`SELECT attempts FROM push_deliveries WHERE outbox_id = ?`, id).Scan(&attempts)
	if attempts != 2 {
		t.Errorf("delivery attempts = %d, want 2", attempts)
	}
}

func testQuotaExceededHonoursRetryAfter(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, 2*time.Hour)
	resp, err := http.Post(f.fcmURL+"/fail", "application/json",
		bytes.NewBufferString(`{"status": 429, "count": 1, "retry_after": 600}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /fail: %s", resp.Status)
	}
	f.runOnce(f.worker(Options{BaseBackoff: time.Second}), 1)

	if st := f.deliveries(id)[tokens[0]]; st != stateRetry {
		t.Errorf("delivery = %q, want retry", st)
	}
	s := f.outbox(id)
	if s.Done || s.LastError != "quota_exceeded" {
		t.Errorf("outbox = %+v, want pending with quota_exceeded", s)
	}
	if s.DueInSecond < 595 || s.DueInSecond > 601 {
		t.Errorf("next attempt in %.1f s, want the 600 s Retry-After rather than the 1 s backoff", s.DueInSecond)
	}
}

func testExpiredRowSendsNothing(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 2)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindDueTomorrow, Version: 1}, time.Hour)
	f.exec(`UPDATE push_outbox SET expires_at = now() - interval '1 minute'`)
	f.runOnce(f.worker(Options{}), 1)

	if n := len(f.fcm.Messages()); n != 0 {
		t.Errorf("%d messages sent, want 0", n)
	}
	states := f.deliveries(id)
	for _, tok := range tokens {
		if states[tok] != stateExpired {
			t.Errorf("delivery %s = %q, want expired", tokenPrefix(tok), states[tok])
		}
	}
	if s := f.outbox(id); !s.Done || s.LastError != "expired" {
		t.Errorf("outbox = %+v, want done, expired", s)
	}
}

func testRetryThatExpires(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 2)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	f.fcm.FailToken(tokens[0], "INTERNAL") // not UNAVAILABLE: the SDK would spend 7 s retrying it
	w := f.worker(Options{})
	f.runOnce(w, 1)
	// The next attempt (a minute on) is not after the expiry: at most at it.
	f.exec(`UPDATE push_outbox SET next_attempt_at = now(), expires_at = now() + interval '3 seconds'`)
	f.fcm.FailToken(tokens[0], "INTERNAL")
	f.runOnce(w, 1)
	if s := f.outbox(id); s.Done || s.DueInSecond > 3.5 {
		t.Errorf("outbox = %+v, want the next attempt at the expiry, in at most 3 s", s)
	}
	f.exec(`UPDATE push_outbox SET next_attempt_at = now(), expires_at = now() - interval '1 second'`)
	f.runOnce(w, 1)
	states := f.deliveries(id)
	if states[tokens[0]] != stateExpired || states[tokens[1]] != stateSent {
		t.Errorf("deliveries = %v, want the retried one expired, the other sent", states)
	}
	if n := len(f.fcm.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func testGiveUpAfterMaxAttempts(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	f.fcm.FailToken(tokens[0], "INTERNAL")
	w := f.worker(Options{MaxAttempts: 2})
	f.runOnce(w, 1)
	if s := f.outbox(id); s.Done {
		t.Fatalf("outbox done after the first failure")
	}
	f.exec(`UPDATE push_outbox SET next_attempt_at = now()`)
	f.runOnce(w, 1)
	if s := f.outbox(id); !s.Done || s.LastError != "max_attempts" || s.Attempts != 2 {
		t.Errorf("outbox = %+v, want given up after 2 attempts", s)
	}
	if st := f.deliveries(id)[tokens[0]]; st != stateFailed {
		t.Errorf("delivery = %q, want failed", st)
	}
}

func testRetryOfTokenThatLeft(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	f.fcm.FailNext(http.StatusInternalServerError, 1)
	w := f.worker(Options{})
	f.runOnce(w, 1)
	f.exec(`UPDATE devices SET revoked_at = now()`)
	f.exec(`UPDATE push_outbox SET next_attempt_at = now()`)
	f.runOnce(w, 1)
	if st := f.deliveries(id)[tokens[0]]; st != stateFailed {
		t.Errorf("delivery = %q, want failed", st)
	}
	if s := f.outbox(id); !s.Done {
		t.Errorf("outbox = %+v, want done", s)
	}
	if n := len(f.fcm.Messages()); n != 0 {
		t.Errorf("%d messages to a revoked device", n)
	}
}

func testTeamWithoutDevices(t *testing.T, f *fixture) {
	team := f.team("Leeg")
	f.member(team)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	f.runOnce(f.worker(Options{}), 1)
	if s := f.outbox(id); !s.Done {
		t.Errorf("outbox = %+v, want done", s)
	}
	if n := len(f.fcm.Messages()); n != 0 {
		t.Errorf("%d messages, want 0", n)
	}
}

func testSendingIsNeverRepeated(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 2)
	id := f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	// A worker that died mid-send: it reserved the first token and claimed the row, whose
	// lease has now run out.
	f.exec(`INSERT INTO push_deliveries (outbox_id, token, state) VALUES (?, ?, 'sending')`, id, tokens[0])
	f.exec(`UPDATE push_outbox SET attempts = 1`)
	f.runOnce(f.worker(Options{}), 1)
	sent := f.sentTo()
	if sent[tokens[0]] != 0 || sent[tokens[1]] != 1 {
		t.Errorf("sent = %v, want only the token that was not reserved", sent)
	}
	if s := f.outbox(id); !s.Done || s.LastError != "interrupted" {
		t.Errorf("outbox = %+v, want done, last_error interrupted", s)
	}
	// The token whose fate is unknown is failed, and said so with a warning.
	if st := f.deliveries(id)[tokens[0]]; st != stateFailed {
		t.Errorf("interrupted delivery = %q, want failed", st)
	}
	if logs := f.logs.String(); !strings.Contains(logs, `level=WARN msg="push: row handled"`) || !strings.Contains(logs, "failed=1") {
		t.Errorf("no warning about the interrupted token:\n%s", logs)
	}
}

func testConcurrentWorkers(t *testing.T, f *fixture) {
	const jobs = 50
	teamA, tokA := f.teamWithDevices("A", 3)
	teamB, tokB := f.teamWithDevices("B", 2)
	f.exec(`INSERT INTO jobs (category_code, location, area_id, team_id, status, due_date, effort_minutes)
SELECT ?, ST_SetSRID(ST_MakePoint(6.3, 51.95), 4326), ?, CASE WHEN g % 2 = 0 THEN ?::bigint ELSE ?::bigint END,
	'assigned', current_date, 30
FROM generate_series(1, ?) g`, f.category, f.areaID, teamA, teamB, jobs)
	err := database.Tx(f.ctx, f.db.DB, func(tx *gorm.DB) error {
		var rows []struct{ ID, TeamID int64 }
		if err := tx.Raw(`SELECT id, team_id FROM jobs ORDER BY id`).Scan(&rows).Error; err != nil {
			return err
		}
		for _, j := range rows {
			if err := Enqueue(f.ctx, tx, Request{JobID: j.ID, TeamID: j.TeamID, Kind: KindAssigned, Version: 1}, time.Hour); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Two processes: each its own pool and SDK client.
	var workers []*Worker
	for range 2 {
		db, err := database.Open(f.ctx, f.db.URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { database.Close(db) })
		client, err := NewClient(f.ctx, f.fcmURL, "test-project")
		if err != nil {
			t.Fatal(err)
		}
		workers = append(workers, NewWorker(db, client, nil, Options{BatchSize: 4, Concurrency: 2}))
	}
	handled := make([]int, len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Go(func() {
			n, err := w.RunOnce(f.ctx)
			if err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
			handled[i] = n
		})
	}
	wg.Wait()
	t.Logf("rows handled per worker: %v", handled)
	if handled[0]+handled[1] != jobs {
		t.Errorf("handled %v rows, want %d in total", handled, jobs)
	}

	count := map[string]int{} // token/job → messages
	for _, m := range f.fcm.Messages() {
		count[m.Token+"/"+m.Data["job_id"]]++
	}
	var jobRows []struct{ ID, TeamID int64 }
	f.db.Raw(`SELECT id, team_id FROM jobs`).Scan(&jobRows)
	want := 0
	for _, j := range jobRows {
		toks := tokB
		if j.TeamID == teamA {
			toks = tokA
		}
		for _, tok := range toks {
			want++
			if n := count[tok+"/"+strconv.FormatInt(j.ID, 10)]; n != 1 {
				t.Errorf("job %d to %s: %d messages, want 1", j.ID, tokenPrefix(tok), n)
			}
		}
	}
	if n := len(f.fcm.Messages()); n != want {
		t.Errorf("%d messages, want %d", n, want)
	}
	if n := f.id(`SELECT count(*) FROM push_outbox WHERE done_at IS NULL`); n != 0 {
		t.Errorf("%d rows not done", n)
	}
}

func testRunWakesOnNotify(t *testing.T, f *fixture) {
	team, tokens := f.teamWithDevices("T", 1)
	job := f.job(team)
	w := f.worker(Options{PollInterval: time.Minute})
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		wg.Go(func() { database.Listen(ctx, f.db.URL, slog.New(slog.DiscardHandler), w.Listener()) })
		w.Run(ctx)
		wg.Wait()
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
	}()

	// Wait until Run listens, so that only the NOTIFY can wake it.
	deadline := time.Now().Add(5 * time.Second)
	for f.id(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %push_outbox%'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Run does not listen on push_outbox")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let the wake-up after connecting pass

	start := time.Now()
	f.enqueue(Request{JobID: job, TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	f.exec(`NOTIFY push_outbox`)
	for len(f.fcm.Messages()) == 0 {
		if time.Since(start) > 2*time.Second {
			t.Fatal("no message 2 s after the commit")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("message arrived %v after the commit, want within 1 s", d)
	}
	if m := f.fcm.Messages(); len(m) != 1 || m[0].Token != tokens[0] {
		t.Errorf("messages = %+v", m)
	}
	t.Logf("commit to FCM: %v", time.Since(start))
}

func testRunSurvivesBadDSN(t *testing.T, f *fixture) {
	team, _ := f.teamWithDevices("T", 1)
	f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	w := f.worker(Options{PollInterval: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(f.ctx, 300*time.Millisecond)
	defer cancel()
	// The listener cannot connect; the first round and the poll still send.
	var wg sync.WaitGroup
	wg.Go(func() {
		database.Listen(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=1", w.log, w.Listener())
	})
	w.Run(ctx)
	wg.Wait()
	if n := len(f.fcm.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if !strings.Contains(f.logs.String(), "reconnecting") {
		t.Errorf("no reconnect logged:\n%s", f.logs.String())
	}
}

// While the database is gone, rounds fail: Run waits longer between them (doubling from
// PollInterval) and says so once, not every round, with the cause once.
func testRunBacksOffWhileFailing(t *testing.T, f *fixture) {
	gone, err := database.Open(f.ctx, f.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	database.Close(gone)
	log := slog.New(slog.NewTextHandler(f.logs, nil))
	w := NewWorker(gone, f.client, log, Options{PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(f.ctx, 700*time.Millisecond)
	defer cancel()
	w.Run(ctx)
	logs := f.logs.String()
	// Without the backoff: about 70 rounds. With it: 10, 20, 40, 80, 160, 320 ms.
	if n := strings.Count(logs, "push: worker round failed"); n != 1 {
		t.Errorf("%d failure lines in 700 ms, want 1:\n%s", n, logs)
	}
	if line := logs[strings.Index(logs, "push: worker round failed"):]; strings.Count(strings.SplitN(line, "\n", 2)[0], "database is closed") != 1 {
		t.Errorf("the cause is not said once: %s", line)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		give string
		want time.Duration
	}{
		{"", 0},
		{"30", 30 * time.Second},
		{"-5", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.give, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.give, got, tt.want)
		}
	}
}

// testRecordReadsRowsByKey: recording a batch's results reads the batch's outbox rows by
// key, however many other rows wait and whatever the planner last saw of the table. With
// the condition done_at IS NULL, which the partial index of waiting rows matches, a plan
// made on stale statistics read every waiting row's index entry for each batch
// (measured in the intake benchmark: 9,000 entries for a batch of 4).
func testRecordReadsRowsByKey(t *testing.T, f *fixture) {
	job := f.job(f.team("A"))
	f.exec(`INSERT INTO push_outbox (job_id, kind, version, title_nl, body_nl, expires_at)
SELECT ?, 'assigned', 1, 't', 'b', now() + interval '1 hour' FROM generate_series(1, 5000)`, job)
	var ids []int64
	f.db.Raw(`SELECT id FROM push_outbox ORDER BY id LIMIT 3`).Scan(&ids)
	var rows []rowUpdate
	for _, id := range ids {
		rows = append(rows, rowUpdate{ID: id, Done: true})
	}
	rowsJSON, _ := json.Marshal(rows)
	var plan string
	err := database.Tx(f.ctx, f.db.DB, func(tx *gorm.DB) error {
		if err := tx.Raw("EXPLAIN (ANALYZE, FORMAT JSON) "+recordRowsSQL, string(rowsJSON), database.Int64Array(ids)).Row().Scan(&plan); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	var explained []struct{ Plan map[string]any }
	if err := json.Unmarshal([]byte(plan), &explained); err != nil || len(explained) != 1 {
		t.Fatalf("plan: %v", err)
	}
	if n := outboxRowsRead(explained[0].Plan); n > 2*len(ids) {
		t.Errorf("recording %d rows read %d outbox rows or index entries, want about one each:\n%s", len(ids), n, plan)
	}
}

// testClaimIsHOT: claiming rows changes no indexed column and finds room on their page,
// so PostgreSQL writes each claimed version without index entries (a HOT update,
// migration 00028); for the push of every new report, that was two index entries more.
func testClaimIsHOT(t *testing.T, f *fixture) {
	team := f.team("A")
	for range 20 {
		f.enqueue(Request{JobID: f.job(team), TeamID: team, Kind: KindAssigned, Version: 1}, time.Hour)
	}
	var upd, hot int
	err := database.Tx(f.ctx, f.db.DB, func(tx *gorm.DB) error {
		// The backend's counts not yet reported, before and after the claim, at once
		// (pg_stat_user_tables lags); they may include earlier transactions of the same
		// connection, so the difference is the claim's.
		counts := func() (upd, hot int, err error) {
			err = tx.Raw(`SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'push_outbox'`).
				Row().Scan(&upd, &hot)
			return upd, hot, err
		}
		upd0, hot0, err := counts()
		if err != nil {
			return err
		}
		if err := tx.Exec(claimSQL, 20, lease.Seconds()).Error; err != nil {
			return err
		}
		if upd, hot, err = counts(); err != nil {
			return err
		}
		upd, hot = upd-upd0, hot-hot0
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if upd != 20 || hot != upd {
		t.Errorf("claiming 20 rows: %d updates, %d of them HOT; want 20, all HOT", upd, hot)
	}
}

var errRollback = errors.New("rollback")

// outboxRowsRead sums what the scans of push_outbox and its indexes in an EXPLAIN
// ANALYZE plan returned or filtered out.
func outboxRowsRead(node map[string]any) int {
	num := func(k string) int { v, _ := node[k].(float64); return int(v) }
	n := 0
	rel, _ := node["Relation Name"].(string)
	idx, _ := node["Index Name"].(string)
	if node["Node Type"] != "ModifyTable" && (rel == "push_outbox" || strings.HasPrefix(idx, "push_outbox")) {
		n += (num("Actual Rows") + num("Rows Removed by Filter")) * max(num("Actual Loops"), 1)
	}
	children, _ := node["Plans"].([]any)
	for _, c := range children {
		n += outboxRowsRead(c.(map[string]any))
	}
	return n
}
