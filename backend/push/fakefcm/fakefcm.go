package fakefcm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"
)

// maxBodyBytes caps the size of request bodies the fake reads.
const maxBodyBytes = 1 << 20

// Server is an in-memory fake of the FCM HTTP v1 API. It implements
// http.Handler and is safe for concurrent use. Create one with [New].
type Server struct {
	mux *http.ServeMux
	log *slog.Logger // nil: no logging

	mu            sync.Mutex
	messages      []Message
	failQueue     []scriptedFailure
	tokenFailures map[string]string // token -> FCM error code
	dropAnswers   int               // accepted messages whose answer is never sent
	lastID        uint64            // never reset, so message IDs are never reused
}

// Message is a message the fake accepted, as returned by [Server.Messages]
// and GET /messages.
type Message struct {
	// Token is the registration token the message was sent to ("" for
	// topic and condition messages).
	Token string `json:"token"`
	// Topic is the target topic (without "/topics/"), if any.
	Topic string `json:"topic,omitempty"`
	// Condition is the target condition expression, if any.
	Condition string `json:"condition,omitempty"`
	// Data is the message's data payload; nil if it had none.
	Data map[string]string `json:"data"`
	// Notification is the message's notification payload; nil if it had none.
	Notification *Notification `json:"notification"`
	// ReceivedAt is when the fake accepted the message (UTC).
	ReceivedAt time.Time `json:"received_at"`
}

// Notification is the cross-platform notification part of a [Message].
type Notification struct {
	// Title is the notification title.
	Title string `json:"title"`
	// Body is the notification body text.
	Body string `json:"body"`
}

type scriptedFailure struct {
	status     int
	remaining  int
	retryAfter int // seconds; < 0 means no Retry-After header
}

// New returns an empty Server.
func New() *Server {
	s := &Server{tokenFailures: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/projects/{project}/messages:send", s.handleSend)
	mux.HandleFunc("POST /v1", s.handleBatch)
	mux.HandleFunc("GET /messages", s.handleMessages)
	mux.HandleFunc("POST /fail", s.handleFail)
	mux.HandleFunc("POST /reset", s.handleReset)
	s.mux = mux
	return s
}

// ServeHTTP serves the fake FCM API and the control endpoints described in
// the package documentation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Messages returns a copy of every accepted message, in acceptance order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = m.clone()
	}
	return out
}

// FailNext makes the next count sends fail with the given HTTP status and
// the matching FCM error body; it is the same as
// POST /fail {"status": status, "count": count}. A 429 carries
// "Retry-After: 1". Calls queue up behind earlier scripted failures.
// count <= 0 does nothing. FailNext panics if status is not in 400..599.
func (s *Server) FailNext(status, count int) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("fakefcm: FailNext: status %d is not an HTTP error status", status))
	}
	s.failNext(status, count, -1)
}

func (s *Server) failNext(status, count, retryAfter int) {
	if count <= 0 {
		return
	}
	if retryAfter < 0 && status == http.StatusTooManyRequests {
		retryAfter = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failQueue = append(s.failQueue, scriptedFailure{status: status, remaining: count, retryAfter: retryAfter})
}

// FailToken makes every later send to token fail with the given FCM error
// code (for example "UNREGISTERED" → HTTP 404, "INVALID_ARGUMENT" → 400);
// it is the same as POST /fail {"error": errorCode, "token": token}. An empty
// errorCode removes the token's failure. FailToken panics on an error code
// the fake does not know (see the package documentation for the list).
func (s *Server) FailToken(token, errorCode string) {
	if errorCode != "" {
		if _, ok := fcmCodes[errorCode]; !ok {
			panic(fmt.Sprintf("fakefcm: FailToken: unknown FCM error code %q", errorCode))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if errorCode == "" {
		delete(s.tokenFailures, token)
		return
	}
	s.tokenFailures[token] = errorCode
}

// Reset clears recorded messages, pending scripted failures and token
// failures; it is the same as POST /reset.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
	s.failQueue = nil
	s.tokenFailures = map[string]string{}
	s.dropAnswers = 0
}

// DropAnswers makes the next count sends that the fake accepts (and records) end with
// the connection closed instead of an answer: a network failure after FCM took the
// message, which the sender cannot tell from one before. It is the same as POST /fail
// {"drop_answers": count}.
func (s *Server) DropAnswers(count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropAnswers += max(count, 0)
}

func (m Message) clone() Message {
	if m.Data != nil {
		m.Data = maps.Clone(m.Data)
	}
	if m.Notification != nil {
		n := *m.Notification
		m.Notification = &n
	}
	return m
}

// takeScriptedFailure consumes one scripted failure, if any is pending.
func (s *Server) takeScriptedFailure() (scriptedFailure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failQueue) == 0 {
		return scriptedFailure{}, false
	}
	f := s.failQueue[0]
	s.failQueue[0].remaining--
	if s.failQueue[0].remaining <= 0 {
		s.failQueue = s.failQueue[1:]
	}
	return f, true
}

// sendRequest is the body of projects.messages.send.
type sendRequest struct {
	ValidateOnly      bool         `json:"validate_only"`
	ValidateOnlyCamel bool         `json:"validateOnly"`
	Message           *wireMessage `json:"message"`
}

// wireMessage holds the parts of an FCM v1 Message the fake looks at.
type wireMessage struct {
	Token        string            `json:"token"`
	Topic        string            `json:"topic"`
	Condition    string            `json:"condition"`
	Data         map[string]string `json:"data"`
	Notification *Notification     `json:"notification"`
}

// topicPattern is the topic-name pattern FCM (and the SDK) enforce.
var topicPattern = regexp.MustCompile(`^(private/)?[a-zA-Z0-9\-_.~%]+$`)

func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) {
	project := r.PathValue("project")

	if f, ok := s.takeScriptedFailure(); ok {
		code := codeForStatus(f.status)
		s.logRejected(project, "", f.status, code, "scripted")
		writeFCMStatusError(w, f.status, f.retryAfter)
		return
	}

	req, err := decodeSendRequest(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		s.logRejected(project, "", http.StatusBadRequest, "INVALID_ARGUMENT", "bad JSON")
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT",
			"Invalid JSON payload received. "+err.Error(),
			badRequestDetail("", err.Error()))
		return
	}
	if msg, field := validateMessage(req.Message); msg != "" {
		token := ""
		if req.Message != nil {
			token = req.Message.Token
		}
		s.logRejected(project, token, http.StatusBadRequest, "INVALID_ARGUMENT", "invalid message")
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", msg,
			fcmErrorDetail("INVALID_ARGUMENT"), badRequestDetail(field, msg))
		return
	}
	m := req.Message

	if m.Token != "" {
		s.mu.Lock()
		code, failing := s.tokenFailures[m.Token]
		s.mu.Unlock()
		if failing {
			c := fcmCodes[code]
			s.logRejected(project, m.Token, c.httpStatus, code, "token failure")
			retryAfter := -1
			if c.httpStatus == http.StatusTooManyRequests {
				retryAfter = 1
			}
			writeFCMCodeError(w, code, retryAfter)
			return
		}
	}

	if req.ValidateOnly || req.ValidateOnlyCamel {
		writeJSON(w, http.StatusOK, map[string]string{
			"name": "projects/" + project + "/messages/fake_message_id",
		})
		return
	}

	rec := Message{
		Token:        m.Token,
		Topic:        m.Topic,
		Condition:    m.Condition,
		Data:         m.Data,
		Notification: m.Notification,
		ReceivedAt:   time.Now().UTC(),
	}
	s.mu.Lock()
	s.lastID++
	id := strconv.FormatUint(s.lastID, 10)
	s.messages = append(s.messages, rec)
	drop := s.dropAnswers > 0
	if drop {
		s.dropAnswers--
	}
	s.mu.Unlock()
	if drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // closes the connection without an answer
	}

	if s.log != nil {
		target := "token"
		switch {
		case m.Topic != "":
			target = "topic"
		case m.Condition != "":
			target = "condition"
		}
		s.log.Info("fake-fcm: message accepted",
			"id", id,
			"project", project,
			"target", target,
			"token_prefix", tokenPrefix(m.Token),
			"data_keys", len(m.Data),
			"notification", m.Notification != nil,
		)
	}

	writeJSON(w, http.StatusOK, map[string]string{
		"name": "projects/" + project + "/messages/" + id,
	})
}

// decodeSendRequest decodes exactly one JSON object from body.
func decodeSendRequest(body io.Reader) (*sendRequest, error) {
	dec := json.NewDecoder(body)
	var req sendRequest
	if err := dec.Decode(&req); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return &req, nil
}

// validateMessage returns an error message and the offending field, or "" if
// the message is acceptable.
func validateMessage(m *wireMessage) (msg, field string) {
	if m == nil {
		return "Request contains an invalid argument: message is required.", "message"
	}
	targets := 0
	for _, t := range []string{m.Token, m.Topic, m.Condition} {
		if t != "" {
			targets++
		}
	}
	if targets != 1 {
		return "Exactly one of message.token, message.topic or message.condition must be specified.", "message"
	}
	if m.Topic != "" && !topicPattern.MatchString(m.Topic) {
		return "Invalid topic name: " + strconv.Quote(m.Topic) + ".", "message.topic"
	}
	return "", ""
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "NOT_FOUND",
		"fakefcm: the FCM batch API (deprecated SendAll/SendMulticast) is not supported; "+
			"FCM shut it down in 2024. Use SendEach/SendEachForMulticast.")
}

func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Messages())
}

// failRequest is the body of POST /fail.
type failRequest struct {
	DropAnswers int    `json:"drop_answers"`
	Status      int    `json:"status"`
	Count       *int   `json:"count"`
	RetryAfter  *int   `json:"retry_after"`
	Error       string `json:"error"`
	Token       string `json:"token"`
}

func (s *Server) handleFail(w http.ResponseWriter, r *http.Request) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	var req failRequest
	if err := dec.Decode(&req); err != nil {
		writeControlError(w, "invalid JSON: "+err.Error())
		return
	}
	switch {
	case req.DropAnswers != 0:
		if req.DropAnswers < 0 || req.Status != 0 || req.Error != "" || req.Count != nil || req.RetryAfter != nil || req.Token != "" {
			writeControlError(w, `"drop_answers" must be positive and comes alone`)
			return
		}
		s.DropAnswers(req.DropAnswers)
		w.WriteHeader(http.StatusNoContent)
	case req.Status != 0 && req.Error != "":
		writeControlError(w, `give either "status" (with "count") or "error" (with "token"), not both`)
	case req.Status != 0:
		if req.Status < 400 || req.Status > 599 {
			writeControlError(w, `"status" must be an HTTP error status (400..599)`)
			return
		}
		count := 1
		if req.Count != nil {
			count = *req.Count
		}
		if count < 1 {
			writeControlError(w, `"count" must be at least 1`)
			return
		}
		retryAfter := -1
		if req.RetryAfter != nil {
			if *req.RetryAfter < 0 {
				writeControlError(w, `"retry_after" must not be negative`)
				return
			}
			retryAfter = *req.RetryAfter
		}
		if req.Token != "" {
			writeControlError(w, `"token" only goes with "error"`)
			return
		}
		s.failNext(req.Status, count, retryAfter)
		if s.log != nil {
			s.log.Info("fake-fcm: scripted failure", "status", req.Status, "count", count)
		}
		w.WriteHeader(http.StatusNoContent)
	case req.Error != "":
		if _, ok := fcmCodes[req.Error]; !ok {
			writeControlError(w, fmt.Sprintf("unknown FCM error code %q (known: %s)", req.Error, knownCodes()))
			return
		}
		if req.Token == "" {
			writeControlError(w, `"error" needs a "token"`)
			return
		}
		if req.Count != nil || req.RetryAfter != nil {
			writeControlError(w, `"count" and "retry_after" only go with "status"`)
			return
		}
		s.FailToken(req.Token, req.Error)
		if s.log != nil {
			s.log.Info("fake-fcm: token failure", "error", req.Error, "token_prefix", tokenPrefix(req.Token))
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeControlError(w, `give "status" (with "count") or "error" (with "token")`)
	}
}

func (s *Server) handleReset(w http.ResponseWriter, r *http.Request) {
	s.Reset()
	if s.log != nil {
		s.log.Info("fake-fcm: reset")
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) logRejected(project, token string, status int, code, reason string) {
	if s.log == nil {
		return
	}
	s.log.Info("fake-fcm: send rejected",
		"project", project,
		"status", status,
		"error", code,
		"reason", reason,
		"token_prefix", tokenPrefix(token),
	)
}

// tokenPrefix returns at most the first 8 characters of a token, the only
// part of it that may be logged.
func tokenPrefix(token string) string {
	if len(token) > 8 {
		return token[:8]
	}
	return token
}

func writeControlError(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
