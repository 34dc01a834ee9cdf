package push

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"firebase.google.com/go/v4/errorutils"
	"firebase.google.com/go/v4/messaging"
)

// maxTokensPerCall is the most tokens one SendEachForMulticast takes.
const maxTokensPerCall = 500

// Delivery states, as in push_deliveries.state.
const (
	stateSending      = "sending"
	stateSent         = "sent"
	stateRetry        = "retry"
	stateFailed       = "failed"
	stateUnregistered = "unregistered"
	stateExpired      = "expired"
)

// message builds the multicast message of one outbox row for tokens. ttl is the time
// left until the row expires; FCM and the platforms drop the message after it.
func (r claimedRow) message(tokens []string) *messaging.MulticastMessage {
	ttl := time.Duration(r.TTLSeconds * float64(time.Second))
	if ttl < 0 {
		ttl = 0
	}
	return &messaging.MulticastMessage{
		Tokens: tokens,
		Data: map[string]string{
			"job_id":  strconv.FormatInt(r.JobID, 10),
			"version": strconv.Itoa(r.Version),
			"kind":    r.Kind,
		},
		Notification: &messaging.Notification{Title: r.Title, Body: r.Body},
		Android: &messaging.AndroidConfig{
			Priority: "high",
			TTL:      &ttl,
		},
		APNS: &messaging.APNSConfig{
			Headers: map[string]string{
				"apns-priority":   "10",
				"apns-expiration": strconv.FormatInt(r.ExpiresAt.Unix(), 10),
			},
		},
		Webpush: &messaging.WebpushConfig{
			Headers: map[string]string{
				"TTL":     strconv.FormatInt(int64(ttl/time.Second), 10),
				"Urgency": "high",
			},
		},
	}
}

// outcome is what became of one token's send.
type outcome struct {
	state      string
	code       string        // short error code for last_error, "" when sent
	retryAfter time.Duration // FCM's Retry-After, if it gave one
}

// classify maps the SDK's answer for one token to a delivery state. Only answers in
// which FCM says it did not take the message lead to 'retry'; anything the worker cannot
// be sure about (timeouts, broken connections) is 'failed', so no token gets a message
// twice.
func classify(err error) outcome {
	if resp := errorutils.HTTPResponse(err); resp != nil {
		// What noRetry says about an answer it changed comes first.
		switch resp.Header.Get(transportHeader) {
		case "unreachable":
			return outcome{state: stateRetry, code: "unreachable"}
		case "broken":
			return outcome{state: stateFailed, code: "transport"}
		}
		if resp.Header.Get(statusHeader) == "503" {
			return outcome{state: stateRetry, code: "unavailable", retryAfter: retryAfter(err)}
		}
	}
	switch {
	case err == nil:
		return outcome{state: stateSent}
	case messaging.IsUnregistered(err):
		return outcome{state: stateUnregistered, code: "unregistered"}
	case messaging.IsInvalidArgument(err):
		// Either the token is malformed or the message is; neither gets better by
		// trying again. The device keeps its token: if the message was at fault, the
		// token is fine.
		return outcome{state: stateFailed, code: "invalid_argument"}
	case messaging.IsUnavailable(err):
		return outcome{state: stateRetry, code: "unavailable", retryAfter: retryAfter(err)}
	case messaging.IsInternal(err):
		return outcome{state: stateRetry, code: "internal", retryAfter: retryAfter(err)}
	case messaging.IsQuotaExceeded(err):
		return outcome{state: stateRetry, code: "quota_exceeded", retryAfter: retryAfter(err)}
	case messaging.IsSenderIDMismatch(err):
		return outcome{state: stateFailed, code: "sender_id_mismatch"}
	case messaging.IsThirdPartyAuthError(err):
		return outcome{state: stateFailed, code: "third_party_auth"}
	case errors.Is(err, context.DeadlineExceeded), errorutils.IsDeadlineExceeded(err):
		return outcome{state: stateFailed, code: "timeout"}
	case errors.Is(err, context.Canceled), errorutils.IsCancelled(err):
		return outcome{state: stateFailed, code: "canceled"}
	case errorutils.IsUnauthenticated(err):
		return outcome{state: stateFailed, code: "unauthenticated"}
	case errorutils.IsPermissionDenied(err):
		return outcome{state: stateFailed, code: "permission_denied"}
	case errorutils.HTTPResponse(err) == nil:
		return outcome{state: stateFailed, code: "transport"}
	default:
		return outcome{state: stateFailed, code: "http_" + strconv.Itoa(errorutils.HTTPResponse(err).StatusCode)}
	}
}

// retryAfter returns the delay FCM asked for in the Retry-After header of the response
// behind err (seconds or an HTTP date), or 0.
func retryAfter(err error) time.Duration {
	resp := errorutils.HTTPResponse(err)
	if resp == nil {
		return 0
	}
	return parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// tokenPrefix is what logs may show of a device token.
func tokenPrefix(token string) string {
	if len(token) > 8 {
		return token[:8]
	}
	return token
}
