package push

import (
	"context"
	"fmt"
	"strings"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"
)

// localProject is the project name used with a fake FCM when none is configured; the
// fake accepts any.
const localProject = "wijkwerk-local"

// NewClient builds an FCM client from the Firebase Admin SDK. With endpoint "" it talks
// to Google with the application default credentials (GOOGLE_APPLICATION_CREDENTIALS);
// project may then be "" to take it from the credentials. Otherwise endpoint is the base
// URL of a fake FCM (for example "http://127.0.0.1:9099", see package fakefcm), reached
// without authentication.
func NewClient(ctx context.Context, endpoint, project string) (*messaging.Client, error) {
	var opts []option.ClientOption
	if endpoint != "" {
		if project == "" {
			project = localProject
		}
		opts = append(opts,
			option.WithEndpoint(strings.TrimSuffix(endpoint, "/")+"/v1"),
			option.WithoutAuthentication())
	}
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
