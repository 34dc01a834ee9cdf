package push

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"
	"google.golang.org/api/transport"
	htransport "google.golang.org/api/transport/http"
)

// localProject is the project name used with a fake FCM when none is configured; the
// fake accepts any.
const localProject = "wijkwerk-local"

// messagingScope is the OAuth2 scope FCM's HTTP v1 API asks for.
const messagingScope = "https://www.googleapis.com/auth/firebase.messaging"

// NewClient builds an FCM client from the Firebase Admin SDK. With endpoint "" it talks
// to Google with the application default credentials (GOOGLE_APPLICATION_CREDENTIALS);
// project may then be "" to take it from the credentials. Otherwise endpoint is the base
// URL of a fake FCM (for example "http://127.0.0.1:9099", see package fakefcm), reached
// without authentication.
//
// The client's HTTP transport is wrapped by noRetry, so the SDK never retries on its own:
// see noRetry for why.
func NewClient(ctx context.Context, endpoint, project string) (*messaging.Client, error) {
	var rt http.RoundTripper = noRetry{base: http.DefaultTransport}
	var opts []option.ClientOption
	if endpoint != "" {
		if project == "" {
			project = localProject
		}
		opts = append(opts, option.WithEndpoint(strings.TrimSuffix(endpoint, "/")+"/v1"))
	} else {
		auth := []option.ClientOption{option.WithScopes(messagingScope)}
		if project == "" {
			creds, err := transport.Creds(ctx, auth...)
			if err != nil {
				return nil, fmt.Errorf("push: credentials: %w", err)
			}
			project = creds.ProjectID
		}
		authed, err := htransport.NewTransport(ctx, rt, auth...)
		if err != nil {
			return nil, fmt.Errorf("push: credentials: %w", err)
		}
		rt = authed
	}
	opts = append(opts, option.WithHTTPClient(&http.Client{Transport: rt}))
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: project}, opts...)
	if err != nil {
		return nil, fmt.Errorf("push: firebase app: %w", err)
	}
	client, err := app.Messaging(ctx)
	if err != nil {
		return nil, fmt.Errorf("push: messaging client: %w", err)
	}
	return client, nil
}

// Headers noRetry sets on the answers it changes, for classify.
const (
	// transportHeader marks an answer noRetry made up for a request that got none:
	// "unreachable" when it never left (FCM cannot have it), "broken" when the
	// connection failed after it may have arrived.
	transportHeader = "X-Wijkwerk-Transport"
	// statusHeader holds FCM's own status where noRetry changed it (503).
	statusHeader = "X-Wijkwerk-Status"
)

// noRetry keeps the Admin SDK from retrying. The SDK retries every network error and
// every 503 up to four times, sleeping as long as Retry-After says (up to two minutes),
// inside one SendEachForMulticast call: a connection that broke after FCM took the
// message sent it twice, and a long Retry-After ran into the worker's send timeout and
// was taken for a failure. The worker does its own retrying, per token, with the
// bookkeeping that keeps each token to at most one message: so a network error becomes
// an answer (502, marked with transportHeader) and a 503 a 500 (marked with
// statusHeader, the body and Retry-After kept), neither of which the SDK retries.
type noRetry struct{ base http.RoundTripper }

func (t noRetry) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		if req.Context().Err() != nil {
			return nil, err // the worker's own deadline or shutdown: the SDK stops on it
		}
		kind := "broken"
		if neverSent(err) {
			kind = "unreachable"
		}
		return &http.Response{
			Status: "502 Bad Gateway", StatusCode: http.StatusBadGateway,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:  http.Header{transportHeader: {kind}, "Content-Type": {"application/json"}},
			Body:    io.NopCloser(strings.NewReader(`{}`)),
			Request: req,
		}, nil
	}
	if resp.StatusCode == http.StatusServiceUnavailable {
		resp.Header.Set(statusHeader, "503")
		resp.StatusCode, resp.Status = http.StatusInternalServerError, "500 Internal Server Error"
	}
	return resp, nil
}

// neverSent reports whether err happened before the request could reach FCM: the
// connection was never made.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
