package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Push is what the crew app (and the resident page) needs to register for web push through Firebase Cloud
// Messaging: the Firebase web app's configuration and the VAPID public key of the
// project's web push certificate. Neither is a secret (both ship in every web page
// that uses them); the credentials that send pushes stay on the server.
type Push struct {
	Config   FirebaseWebConfig `json:"config"`
	VAPIDKey string            `json:"vapidKey"`
}

// FirebaseWebConfig is the part of a Firebase web app's configuration (the object the
// Firebase console shows for a web app) that messaging uses. Other keys are ignored.
type FirebaseWebConfig struct {
	APIKey            string `json:"apiKey"`
	ProjectID         string `json:"projectId"`
	MessagingSenderID string `json:"messagingSenderId"`
	AppID             string `json:"appId"`
}

// ParsePush reads a Firebase web app configuration (JSON) and a VAPID public key
// (base64url, as the Firebase console shows it). Both empty means no web push (nil,
// nil); one without the other is an error, as is a configuration that misses a field or
// a key that is not an uncompressed P-256 point.
func ParsePush(configJSON, vapidKey string) (*Push, error) {
	configJSON, vapidKey = strings.TrimSpace(configJSON), strings.TrimSpace(vapidKey)
	switch {
	case configJSON == "" && vapidKey == "":
		return nil, nil
	case configJSON == "":
		return nil, errors.New("a VAPID key without a Firebase web configuration: set both, or neither")
	case vapidKey == "":
		return nil, errors.New("a Firebase web configuration without a VAPID key: set both, or neither")
	}
	var p Push
	if err := json.Unmarshal([]byte(configJSON), &p.Config); err != nil {
		return nil, fmt.Errorf("the Firebase web configuration is not a JSON object: %w", err)
	}
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"apiKey", p.Config.APIKey}, {"projectId", p.Config.ProjectID},
		{"messagingSenderId", p.Config.MessagingSenderID}, {"appId", p.Config.AppID},
	} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the Firebase web configuration lacks %s", strings.Join(missing, ", "))
	}
	vapidKey = strings.TrimRight(vapidKey, "=")
	key, err := base64.RawURLEncoding.DecodeString(vapidKey)
	if err != nil || len(key) != 65 || key[0] != 4 {
		return nil, errors.New("the VAPID key is not a web push public key (65 bytes, base64url, starting with B)")
	}
	p.VAPIDKey = vapidKey
	return &p, nil
}

// The hosts the Firebase SDK talks to when the crew app or a resident registers for push:
// Firebase Installations, then FCM's registration API. The pages may connect to these only
// when push is configured.
var pushHosts = []string{"https://firebaseinstallations.googleapis.com", "https://fcmregistrations.googleapis.com"}
