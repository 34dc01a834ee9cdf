// Package fakefcm is a local, in-memory fake of the Firebase Cloud Messaging
// (FCM) HTTP v1 API. The real Firebase Admin SDK
// (firebase.google.com/go/v4/messaging) can be pointed at it, so tests and the
// local demo exercise the production push code path without Google.
//
// # Pointing the SDK at the fake
//
//	srv, baseURL := fakefcm.Start(t) // or: wijkwerk fake-fcm --addr 127.0.0.1:9099
//	app, _ := firebase.NewApp(ctx, &firebase.Config{ProjectID: "demo"},
//		option.WithEndpoint(baseURL+"/v1"), option.WithoutAuthentication())
//	client, _ := app.Messaging(ctx)
//
// # Endpoints
//
//   - POST /v1/projects/{project}/messages:send — FCM HTTP v1 send. The body is
//     {"validate_only": bool, "message": {...}} (the camelCase "validateOnly"
//     is accepted too). On success the response is
//     {"name": "projects/{project}/messages/{id}"} and the message is recorded;
//     validate_only requests are answered with the real dry-run name
//     "projects/{project}/messages/fake_message_id" and are not recorded.
//     The message must have exactly one of token, topic or condition, data
//     values must be strings, topic names must match FCM's pattern; anything
//     else, and malformed JSON, is answered with 400 INVALID_ARGUMENT in the
//     real error shape. Unknown JSON fields are ignored (real FCM rejects
//     them).
//   - GET /messages — JSON array of every accepted message in acceptance
//     order: {"token", "data", "notification": {"title","body"} or null,
//     "received_at": RFC 3339}; topic/condition messages additionally carry
//     "topic" or "condition".
//   - POST /fail — scripts failures, see below. Answers 204, or 400 with
//     {"error": "..."} for an invalid request.
//   - POST /reset — clears recorded messages, pending scripted failures and
//     token failures. Answers 204. (There is no DELETE /messages.)
//   - POST /v1 — the batch endpoint the deprecated SendAll/SendMulticast use
//     when a custom endpoint is set. Not supported (FCM shut the batch API
//     down in 2024): it answers 404 NOT_FOUND with an explanatory message.
//
// # Scripted failures
//
// {"status": 503, "count": 2} (or [Server.FailNext]) fails the next two
// requests to messages:send, before their body is even looked at, with that
// HTTP status and the real FCM error body for it:
//
//	400 INVALID_ARGUMENT      / FcmError INVALID_ARGUMENT
//	401 UNAUTHENTICATED       / FcmError THIRD_PARTY_AUTH_ERROR
//	403 PERMISSION_DENIED     / FcmError SENDER_ID_MISMATCH
//	404 NOT_FOUND             / FcmError UNREGISTERED
//	429 RESOURCE_EXHAUSTED    / FcmError QUOTA_EXCEEDED (+ Retry-After, default 1 s)
//	500 INTERNAL              / FcmError INTERNAL
//	503 UNAVAILABLE           / FcmError UNAVAILABLE
//
// Any other status in 400..599 gets status "UNKNOWN" without FcmError details.
// "count" defaults to 1. "retry_after" (seconds) sets a Retry-After header on
// those failures, for any status. Scripted failures queue up: two calls fail
// the next count1 sends with the first status, then count2 with the second.
//
// {"error": "UNREGISTERED", "token": "..."} (or [Server.FailToken]) fails every
// later send to that token with the matching error from the table above (by
// FCM error code: INVALID_ARGUMENT, THIRD_PARTY_AUTH_ERROR,
// SENDER_ID_MISMATCH, UNREGISTERED, QUOTA_EXCEEDED, INTERNAL, UNAVAILABLE).
// Validate-only requests are subject to it as well.
//
// Each body looks like real FCM's, for example
//
//	{"error": {"code": 404, "message": "Requested entity was not found.",
//	  "status": "NOT_FOUND", "details": [{
//	    "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
//	    "errorCode": "UNREGISTERED"}]}}
//
// which is what makes messaging.IsUnregistered (IsUnavailable, IsInternal,
// IsQuotaExceeded, ...) true on the SDK side: the SDK takes the FcmError
// detail's errorCode for the messaging.Is* helpers and error.status for the
// errorutils.Is* helpers.
//
// # What the Admin SDK (v4.19.0) does on the wire
//
// Verified in firebase.google.com/go/v4@v4.19.0/messaging and /internal:
//
//   - Send and SendDryRun POST one JSON request to
//     {endpoint}/projects/{project}/messages:send.
//   - SendEach and SendEachForMulticast do not batch: they validate every
//     message client-side, then 50 goroutines each call Send, i.e. one HTTP
//     request per message, concurrently. Recording order across one
//     multicast is therefore not deterministic.
//   - Only the deprecated SendAll/SendMulticast use the multipart batch
//     endpoint, which with option.WithEndpoint is the endpoint itself
//     ({endpoint}, i.e. POST /v1).
//   - The SDK validates "exactly one of token/topic/condition" and the topic
//     pattern itself, so the fake's own 400s for those are only reachable over
//     plain HTTP.
//
// # The SDK's built-in retries (important for callers' retry logic)
//
// Every FCM request goes through internal.HTTPClient with
// WithDefaultRetryConfig: MaxRetries 4, ExpBackoffFactor 0.5, MaxDelay 2 min,
// retrying only on network errors and HTTP 503. So:
//
//   - 503 is retried up to 4 times (5 attempts in total) per message. The
//     delays before retry 1..4 are 0 s, 1 s, 2 s, 4 s (2^n * 0.5 s, truncated
//     to whole seconds), i.e. about 7 s before a persistent 503 surfaces as
//     messaging.IsUnavailable. A 503 that clears within 4 retries is
//     invisible to the caller (the send just succeeds, slower).
//   - Retry-After is honoured only on retried responses (503 / network
//     errors): the delay is max(backoff, Retry-After). If that exceeds the
//     2 min MaxDelay, the SDK does not retry at all and returns the error
//     immediately.
//   - 500 (INTERNAL), 429 (QUOTA_EXCEEDED), and every 4xx are not retried;
//     the error is returned after one attempt. The Retry-After header of a
//     429 is ignored by the SDK; callers can read it through
//     errorutils.HTTPResponse(err).Header.
//   - A context deadline/cancel during a backoff wait returns ctx.Err()
//     (not a Firebase error).
//
// # Concurrency and logging
//
// A [Server] is safe for concurrent use. [ListenAndServe] logs one line per
// accepted message (id, project, target kind, first 8 characters of the
// token, number of data keys, whether a notification is present) and one per
// rejected send; titles, bodies and data values are never logged.
//
// [Start] lives in this package (so it imports "testing"); that is accepted
// because the package is a test fake.
package fakefcm
