package fakefcm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/errorutils"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"

	"wijkwerk/backend/logtest"
)

// newClient returns a real Admin SDK messaging client pointed at baseURL.
func newClient(t *testing.T, baseURL string) *messaging.Client {
	t.Helper()
	ctx := context.Background()
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: "demo"},
		option.WithEndpoint(baseURL+"/v1"), option.WithoutAuthentication())
	if err != nil {
		t.Fatalf("firebase.NewApp: %v", err)
	}
	client, err := app.Messaging(ctx)
	if err != nil {
		t.Fatalf("app.Messaging: %v", err)
	}
	return client
}

// startCounting is like Start but also counts the HTTP requests that reach
// the send endpoint, to observe the SDK's retries.
func startCounting(t *testing.T) (*Server, string, *atomic.Int64) {
	t.Helper()
	s := New()
	var sends atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/messages:send") {
			sends.Add(1)
		}
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return s, ts.URL, &sends
}

func TestSendRecordsMessage(t *testing.T) {
	s, url := Start(t)
	client := newClient(t, url)

	before := time.Now()
	name, err := client.Send(context.Background(), &messaging.Message{
		Token:        "token-abcdefghijkl",
		Data:         map[string]string{"kind": "job", "id": "42"},
		Notification: &messaging.Notification{Title: "New job", Body: "Mow the lawn"},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if !strings.HasPrefix(name, "projects/demo/messages/") || name == "projects/demo/messages/" {
		t.Errorf("name = %q, want projects/demo/messages/{id}", name)
	}

	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Token != "token-abcdefghijkl" {
		t.Errorf("Token = %q", m.Token)
	}
	if m.Data["kind"] != "job" || m.Data["id"] != "42" || len(m.Data) != 2 {
		t.Errorf("Data = %v", m.Data)
	}
	if m.Notification == nil || *m.Notification != (Notification{Title: "New job", Body: "Mow the lawn"}) {
		t.Errorf("Notification = %+v", m.Notification)
	}
	if m.ReceivedAt.Before(before.Add(-time.Second)) || m.ReceivedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("ReceivedAt = %v, not around now", m.ReceivedAt)
	}

	// Messages returns copies.
	msgs[0].Data["kind"] = "changed"
	if s.Messages()[0].Data["kind"] != "job" {
		t.Error("Messages() exposes internal state")
	}
}

func TestSendTopicAndDryRun(t *testing.T) {
	s, url := Start(t)
	client := newClient(t, url)
	ctx := context.Background()

	if _, err := client.Send(ctx, &messaging.Message{Topic: "/topics/wijk-7"}); err != nil {
		t.Fatalf("Send to topic: %v", err)
	}
	name, err := client.SendDryRun(ctx, &messaging.Message{Token: "dry"})
	if err != nil {
		t.Fatalf("SendDryRun: %v", err)
	}
	if name != "projects/demo/messages/fake_message_id" {
		t.Errorf("dry-run name = %q", name)
	}
	msgs := s.Messages()
	if len(msgs) != 1 || msgs[0].Topic != "wijk-7" || msgs[0].Token != "" {
		t.Errorf("messages = %+v, want only the topic message (SDK strips /topics/)", msgs)
	}
}

func TestSendEachForMulticast(t *testing.T) {
	s, url, sends := startCounting(t)
	client := newClient(t, url)

	tokens := []string{"tok-a", "tok-b", "tok-c"}
	br, err := client.SendEachForMulticast(context.Background(), &messaging.MulticastMessage{
		Tokens: tokens,
		Data:   map[string]string{"k": "v"},
	})
	if err != nil {
		t.Fatalf("SendEachForMulticast: %v", err)
	}
	if br.SuccessCount != 3 || br.FailureCount != 0 {
		t.Fatalf("success=%d failure=%d, want 3/0", br.SuccessCount, br.FailureCount)
	}
	// One HTTP request per token: no batch endpoint involved.
	if got := sends.Load(); got != 3 {
		t.Errorf("send requests = %d, want 3", got)
	}
	var got []string
	for _, m := range s.Messages() {
		got = append(got, m.Token)
		if m.Data["k"] != "v" || m.Notification != nil {
			t.Errorf("message %+v: want data k=v and no notification", m)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, tokens) {
		t.Errorf("recorded tokens = %v, want %v", got, tokens)
	}
}

func TestDeprecatedBatchAPIIsRejected(t *testing.T) {
	s, url := Start(t)
	client := newClient(t, url)
	//lint:ignore SA1019 documenting that the deprecated batch API is unsupported
	_, err := client.SendMulticast(context.Background(), &messaging.MulticastMessage{Tokens: []string{"a"}})
	if err == nil || !errorutils.IsNotFound(err) || !strings.Contains(err.Error(), "SendEach") {
		t.Errorf("SendMulticast err = %v, want NOT_FOUND pointing at SendEach", err)
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("recorded %d messages, want 0", n)
	}
}

// TestScriptedFailures documents how the real SDK reacts to each scripted
// failure: 503 is retried internally (0 s, then 1 s backoff), everything
// else surfaces after a single attempt.
func TestScriptedFailures(t *testing.T) {
	tests := []struct {
		name         string
		script       func(t *testing.T, s *Server, url string)
		wantErr      func(error) bool // nil: the first Send succeeds
		wantAttempts int64            // HTTP requests made by the first Send
		minElapsed   time.Duration
		wantRetryHdr string // Retry-After on the error response
	}{
		{
			name:         "503 twice is retried away by the SDK",
			script:       func(t *testing.T, s *Server, _ string) { s.FailNext(503, 2) },
			wantAttempts: 3,
			minElapsed:   time.Second, // retry 1 after 0 s, retry 2 after 1 s
		},
		{
			name:         "503 once is retried immediately",
			script:       func(t *testing.T, s *Server, _ string) { s.FailNext(503, 1) },
			wantAttempts: 2,
		},
		{
			name: "503 with Retry-After over 2 min is not retried",
			script: func(t *testing.T, _ *Server, url string) {
				postJSON(t, url+"/fail", `{"status":503,"count":1,"retry_after":300}`, http.StatusNoContent)
			},
			wantErr:      messaging.IsUnavailable,
			wantAttempts: 1,
			wantRetryHdr: "300",
		},
		{
			name:         "500 is not retried",
			script:       func(t *testing.T, s *Server, _ string) { s.FailNext(500, 1) },
			wantErr:      messaging.IsInternal,
			wantAttempts: 1,
		},
		{
			name:         "429 is not retried and carries Retry-After",
			script:       func(t *testing.T, s *Server, _ string) { s.FailNext(429, 1) },
			wantErr:      messaging.IsQuotaExceeded,
			wantAttempts: 1,
			wantRetryHdr: "1",
		},
		{
			name: "429 with custom retry_after",
			script: func(t *testing.T, _ *Server, url string) {
				postJSON(t, url+"/fail", `{"status":429,"retry_after":30}`, http.StatusNoContent)
			},
			wantErr:      errorutils.IsResourceExhausted,
			wantAttempts: 1,
			wantRetryHdr: "30",
		},
		{
			name:         "400 is INVALID_ARGUMENT",
			script:       func(t *testing.T, s *Server, _ string) { s.FailNext(400, 1) },
			wantErr:      messaging.IsInvalidArgument,
			wantAttempts: 1,
		},
		{
			name:         "404 is UNREGISTERED",
			script:       func(t *testing.T, s *Server, _ string) { s.FailNext(404, 1) },
			wantErr:      messaging.IsUnregistered,
			wantAttempts: 1,
		},
		{
			name:         "502 is UNKNOWN",
			script:       func(t *testing.T, s *Server, _ string) { s.FailNext(502, 1) },
			wantErr:      func(err error) bool { return errorutils.IsUnknown(err) && !messaging.IsInternal(err) },
			wantAttempts: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, url, sends := startCounting(t)
			client := newClient(t, url)
			tt.script(t, s, url)
			ctx := context.Background()
			msg := &messaging.Message{Token: "tok", Data: map[string]string{"n": "1"}}

			start := time.Now()
			_, err := client.Send(ctx, msg)
			elapsed := time.Since(start)

			wantRecorded := 1
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Send: %v, want success after SDK retries", err)
				}
			} else {
				if err == nil || !tt.wantErr(err) {
					t.Fatalf("Send err = %v, want matching error", err)
				}
				if got := errorutils.HTTPResponse(err).Header.Get("Retry-After"); got != tt.wantRetryHdr {
					t.Errorf("Retry-After = %q, want %q", got, tt.wantRetryHdr)
				}
				wantRecorded = 0
			}
			if got := sends.Load(); got != tt.wantAttempts {
				t.Errorf("HTTP attempts = %d, want %d", got, tt.wantAttempts)
			}
			if elapsed < tt.minElapsed {
				t.Errorf("took %v, want at least %v", elapsed, tt.minElapsed)
			}
			if n := len(s.Messages()); n != wantRecorded {
				t.Errorf("recorded %d messages after first send, want %d", n, wantRecorded)
			}

			// After the scripted failures are used up, sends succeed.
			if _, err := client.Send(ctx, msg); err != nil {
				t.Fatalf("Send after failures: %v", err)
			}
			if n := len(s.Messages()); n != wantRecorded+1 {
				t.Errorf("recorded %d messages, want %d", n, wantRecorded+1)
			}
		})
	}
}

// TestPersistent503ExhaustsSDKRetries takes ~7 s (SDK backoff 0+1+2+4 s), so
// it only runs with FAKEFCM_SLOW_TESTS=1.
func TestPersistent503ExhaustsSDKRetries(t *testing.T) {
	if os.Getenv("FAKEFCM_SLOW_TESTS") == "" {
		t.Skip("set FAKEFCM_SLOW_TESTS=1 to run (takes ~7 s)")
	}
	s, url, sends := startCounting(t)
	client := newClient(t, url)
	s.FailNext(503, 10)
	start := time.Now()
	_, err := client.Send(context.Background(), &messaging.Message{Token: "tok"})
	elapsed := time.Since(start)
	if !messaging.IsUnavailable(err) {
		t.Fatalf("err = %v, want UNAVAILABLE", err)
	}
	if got := sends.Load(); got != 5 {
		t.Errorf("attempts = %d, want 5 (1 + 4 retries)", got)
	}
	if elapsed < 7*time.Second || elapsed > 9*time.Second {
		t.Errorf("elapsed = %v, want about 7 s", elapsed)
	}
	t.Logf("persistent 503: %d attempts in %v", sends.Load(), elapsed)
}

func TestFailTokenInMulticast(t *testing.T) {
	tests := []struct {
		code       string
		httpStatus int
		is         func(error) bool
	}{
		{"UNREGISTERED", 404, messaging.IsUnregistered},
		{"INVALID_ARGUMENT", 400, messaging.IsInvalidArgument},
		{"SENDER_ID_MISMATCH", 403, messaging.IsSenderIDMismatch},
		{"THIRD_PARTY_AUTH_ERROR", 401, messaging.IsThirdPartyAuthError},
		{"QUOTA_EXCEEDED", 429, messaging.IsQuotaExceeded},
		{"INTERNAL", 500, messaging.IsInternal},
		// UNAVAILABLE is left out: the SDK would retry it for ~7 s.
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			s, url := Start(t)
			client := newClient(t, url)
			s.FailToken("bad-token", tt.code)

			br, err := client.SendEachForMulticast(context.Background(), &messaging.MulticastMessage{
				Tokens:       []string{"good-1", "bad-token", "good-2"},
				Notification: &messaging.Notification{Title: "t"},
			})
			if err != nil {
				t.Fatalf("SendEachForMulticast: %v", err)
			}
			if br.SuccessCount != 2 || br.FailureCount != 1 {
				t.Fatalf("success=%d failure=%d, want 2/1", br.SuccessCount, br.FailureCount)
			}
			for i, r := range br.Responses {
				if i == 1 {
					if r.Success || !tt.is(r.Error) {
						t.Errorf("bad-token response = %+v, want %s", r, tt.code)
					}
					if got := errorutils.HTTPResponse(r.Error).StatusCode; got != tt.httpStatus {
						t.Errorf("HTTP status = %d, want %d", got, tt.httpStatus)
					}
				} else if !r.Success {
					t.Errorf("response %d = %v, want success", i, r.Error)
				}
			}
			if n := len(s.Messages()); n != 2 {
				t.Errorf("recorded %d messages, want 2", n)
			}

			// Clearing the token failure makes it deliverable again.
			s.FailToken("bad-token", "")
			if _, err := client.Send(context.Background(), &messaging.Message{Token: "bad-token"}); err != nil {
				t.Errorf("Send after clearing: %v", err)
			}
		})
	}
}

func TestFailTokenUnregisteredDetails(t *testing.T) {
	s, url := Start(t)
	client := newClient(t, url)
	s.FailToken("gone", "UNREGISTERED")
	_, err := client.Send(context.Background(), &messaging.Message{Token: "gone"})
	if !messaging.IsUnregistered(err) || !errorutils.IsNotFound(err) {
		t.Fatalf("err = %v, want UNREGISTERED / NOT_FOUND", err)
	}
	if err.Error() != "Requested entity was not found." {
		t.Errorf("message = %q", err.Error())
	}
	// Dry runs see token failures too.
	if _, err := client.SendDryRun(context.Background(), &messaging.Message{Token: "gone"}); !messaging.IsUnregistered(err) {
		t.Errorf("dry-run err = %v, want UNREGISTERED", err)
	}
}

func TestResetClearsEverything(t *testing.T) {
	s, url := Start(t)
	client := newClient(t, url)
	ctx := context.Background()
	if _, err := client.Send(ctx, &messaging.Message{Token: "a"}); err != nil {
		t.Fatal(err)
	}
	s.FailNext(500, 3)
	s.FailToken("a", "UNREGISTERED")
	s.Reset()
	if n := len(s.Messages()); n != 0 {
		t.Errorf("after Reset: %d messages", n)
	}
	if _, err := client.Send(ctx, &messaging.Message{Token: "a"}); err != nil {
		t.Errorf("after Reset: Send: %v", err)
	}
}

func TestFailNextQueues(t *testing.T) {
	s, url := Start(t)
	client := newClient(t, url)
	ctx := context.Background()
	s.FailNext(500, 1)
	s.FailNext(429, 1)
	msg := &messaging.Message{Token: "a"}
	if _, err := client.Send(ctx, msg); !messaging.IsInternal(err) {
		t.Errorf("1st: %v, want INTERNAL", err)
	}
	if _, err := client.Send(ctx, msg); !messaging.IsQuotaExceeded(err) {
		t.Errorf("2nd: %v, want QUOTA_EXCEEDED", err)
	}
	if _, err := client.Send(ctx, msg); err != nil {
		t.Errorf("3rd: %v", err)
	}
}

// postJSON posts body to url and checks the status; it returns the response body.
func postJSON(t *testing.T, url, body string, wantStatus int) []byte {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("POST %s %s: status %d, want %d; body %s", url, body, resp.StatusCode, wantStatus, b)
	}
	return b
}

type wireError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Type      string `json:"@type"`
			ErrorCode string `json:"errorCode"`
		} `json:"details"`
	} `json:"error"`
}

func decodeWireError(t *testing.T, b []byte) wireError {
	t.Helper()
	var e wireError
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body %s: %v", b, err)
	}
	return e
}

func (e wireError) fcmCode() string {
	for _, d := range e.Error.Details {
		if d.Type == "type.googleapis.com/google.firebase.fcm.v1.FcmError" {
			return d.ErrorCode
		}
	}
	return ""
}

func TestHTTPEndpoints(t *testing.T) {
	_, url := Start(t)
	send := url + "/v1/projects/p1/messages:send"

	// GET /messages on an empty server is an empty array, not null.
	if got := strings.TrimSpace(string(get(t, url+"/messages"))); got != "[]" {
		t.Errorf("empty GET /messages = %s, want []", got)
	}

	postJSON(t, url+"/fail", `{"error":"UNREGISTERED","token":"t1"}`, http.StatusNoContent)
	e := decodeWireError(t, postJSON(t, send, `{"message":{"token":"t1"}}`, http.StatusNotFound))
	if e.Error.Code != 404 || e.Error.Status != "NOT_FOUND" || e.fcmCode() != "UNREGISTERED" {
		t.Errorf("unregistered error = %+v", e)
	}

	postJSON(t, url+"/fail", `{"status":503,"count":1}`, http.StatusNoContent)
	e = decodeWireError(t, postJSON(t, send, `{"message":{"token":"t2"}}`, http.StatusServiceUnavailable))
	if e.Error.Status != "UNAVAILABLE" || e.fcmCode() != "UNAVAILABLE" {
		t.Errorf("503 error = %+v", e)
	}

	b := postJSON(t, send, `{"message":{"token":"t2","data":{"a":"b"},"notification":{"title":"T","body":"B"}}}`, http.StatusOK)
	var ok struct{ Name string }
	if err := json.Unmarshal(b, &ok); err != nil || !strings.HasPrefix(ok.Name, "projects/p1/messages/") {
		t.Errorf("send response %s", b)
	}
	postJSON(t, send, `{"message":{"token":"t3"}}`, http.StatusOK)
	postJSON(t, send, `{"validate_only":true,"message":{"token":"t4"}}`, http.StatusOK)
	postJSON(t, send, `{"validateOnly":true,"message":{"token":"t4"}}`, http.StatusOK)

	var raw []map[string]any
	if err := json.Unmarshal(get(t, url+"/messages"), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 2 {
		t.Fatalf("GET /messages has %d entries, want 2: %v", len(raw), raw)
	}
	first, second := raw[0], raw[1]
	if first["token"] != "t2" || second["token"] != "t3" {
		t.Errorf("order: %v", raw)
	}
	if n, _ := first["notification"].(map[string]any); n["title"] != "T" || n["body"] != "B" {
		t.Errorf("notification = %v", first["notification"])
	}
	if d, _ := first["data"].(map[string]any); d["a"] != "b" {
		t.Errorf("data = %v", first["data"])
	}
	if v, present := second["notification"]; !present || v != nil {
		t.Errorf("missing notification must be null, got %v (present=%v)", v, present)
	}
	for _, m := range raw {
		if _, err := time.Parse(time.RFC3339, m["received_at"].(string)); err != nil {
			t.Errorf("received_at: %v", err)
		}
		for k := range m {
			if !slices.Contains([]string{"token", "data", "notification", "received_at"}, k) {
				t.Errorf("unexpected key %q in token message", k)
			}
		}
	}

	postJSON(t, url+"/reset", ``, http.StatusNoContent)
	if got := strings.TrimSpace(string(get(t, url+"/messages"))); got != "[]" {
		t.Errorf("GET /messages after reset = %s", got)
	}
	postJSON(t, send, `{"message":{"token":"t1"}}`, http.StatusOK) // token failure cleared too

	// Wrong method on the send endpoint.
	resp, err := http.Get(send)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET send: %d, want 405", resp.StatusCode)
	}
}

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	b, _ := io.ReadAll(resp.Body)
	return b
}

func TestSendValidation(t *testing.T) {
	s, url := Start(t)
	send := url + "/v1/projects/demo/messages:send"
	tests := []struct {
		name    string
		body    string
		wantFCM string // FcmError errorCode expected, "" for none
	}{
		{"bad JSON", `{"message":`, ""},
		{"not an object", `[1,2]`, ""},
		{"trailing data", `{"message":{"token":"a"}} x`, ""},
		{"data value not a string", `{"message":{"token":"a","data":{"n":1}}}`, ""},
		{"no message", `{}`, "INVALID_ARGUMENT"},
		{"no target", `{"message":{"data":{"a":"b"}}}`, "INVALID_ARGUMENT"},
		{"token and topic", `{"message":{"token":"a","topic":"b"}}`, "INVALID_ARGUMENT"},
		{"topic and condition", `{"message":{"topic":"b","condition":"'b' in topics"}}`, "INVALID_ARGUMENT"},
		{"bad topic", `{"message":{"topic":"no spaces"}}`, "INVALID_ARGUMENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := decodeWireError(t, postJSON(t, send, tt.body, http.StatusBadRequest))
			if e.Error.Code != 400 || e.Error.Status != "INVALID_ARGUMENT" || e.Error.Message == "" {
				t.Errorf("error = %+v", e)
			}
			if got := e.fcmCode(); got != tt.wantFCM {
				t.Errorf("FcmError code = %q, want %q", got, tt.wantFCM)
			}
		})
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("recorded %d messages from invalid requests", n)
	}
	postJSON(t, send, `{"message":{"condition":"'a' in topics"}}`, http.StatusOK)
	if m := s.Messages(); len(m) != 1 || m[0].Condition != "'a' in topics" {
		t.Errorf("condition message not recorded: %+v", m)
	}
}

func TestFailEndpointRejectsBadRequests(t *testing.T) {
	_, url := Start(t)
	for _, body := range []string{
		`not json`,
		`{}`,
		`{"status":503,"cnt":2}`,
		`{"status":200,"count":1}`,
		`{"status":503,"count":0}`,
		`{"status":429,"retry_after":-1}`,
		`{"status":503,"token":"a"}`,
		`{"status":503,"error":"UNREGISTERED","token":"a"}`,
		`{"error":"NOPE","token":"a"}`,
		`{"error":"UNREGISTERED"}`,
		`{"error":"UNREGISTERED","token":"a","count":2}`,
	} {
		t.Run(body, func(t *testing.T) {
			b := postJSON(t, url+"/fail", body, http.StatusBadRequest)
			var e struct{ Error string }
			if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
				t.Errorf("body %s, want {\"error\": ...}", b)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	s, url := Start(t)
	client := newClient(t, url)
	tokens := make([]string, 40)
	for i := range tokens {
		tokens[i] = "tok-" + string(rune('A'+i))
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			br, err := client.SendEachForMulticast(context.Background(), &messaging.MulticastMessage{Tokens: tokens})
			if err != nil || br.SuccessCount != len(tokens) {
				t.Errorf("multicast: %v %+v", err, br)
			}
		})
		wg.Go(func() { _ = s.Messages() })
	}
	wg.Wait()
	if n := len(s.Messages()); n != 5*len(tokens) {
		t.Errorf("recorded %d, want %d", n, 5*len(tokens))
	}
}

func TestListenAndServe(t *testing.T) {
	var logs logtest.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ListenAndServe(ctx, "127.0.0.1:0", log) }()

	// Find the bound address in the "listening" log line.
	var addr string
	deadline := time.Now().Add(5 * time.Second)
	for addr == "" && time.Now().Before(deadline) {
		for line := range strings.Lines(logs.String()) {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "fake-fcm: listening" {
				addr = rec.Addr
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if addr == "" {
		cancel()
		t.Fatalf("no listening line in logs: %s", logs.String())
	}

	client := newClient(t, "http://"+addr)
	const token = "SECRETTOKEN-0123456789"
	if _, err := client.Send(context.Background(), &messaging.Message{
		Token:        token,
		Data:         map[string]string{"street": "Dorpsstraat 1"},
		Notification: &messaging.Notification{Title: "Hello Jan", Body: "Private body"},
	}); err != nil {
		t.Fatalf("Send: %v", err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ListenAndServe returned %v, want nil after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ListenAndServe did not return after cancel")
	}

	out := logs.String()
	var accepted int
	for line := range strings.Lines(out) {
		if strings.Contains(line, "message accepted") {
			accepted++
			if !strings.Contains(line, `"token_prefix":"SECRETTO"`) {
				t.Errorf("accepted line lacks token prefix: %s", line)
			}
		}
	}
	if accepted != 1 {
		t.Errorf("%d accepted lines, want 1:\n%s", accepted, out)
	}
	for _, secret := range []string{token, "Dorpsstraat", "Hello Jan", "Private body"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q:\n%s", secret, out)
		}
	}

	// The port is free again.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Errorf("port still in use after shutdown: %v", err)
	} else {
		ln.Close()
	}
}

func TestListenAndServeBadAddr(t *testing.T) {
	err := ListenAndServe(context.Background(), "256.0.0.1:bad", slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("want error for a bad address")
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Logf("error type %T: %v", err, err)
	}
}
