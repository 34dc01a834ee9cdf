package push

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// With Google's endpoint the client is built from a service account (its project taken
// from it), with the same transport that keeps the SDK from retrying under the
// credentials. Nothing is sent: Google cannot be reached from here.
func TestNewClientForGoogle(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	sa, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "wijkwerk-prod", "private_key_id": "1",
		"private_key": string(pemKey), "client_email": "push@wijkwerk-prod.iam.gserviceaccount.com",
		"client_id": "1", "token_uri": "https://oauth2.googleapis.com/token",
	})
	path := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(path, sa, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
	if _, err := NewClient(context.Background(), "", ""); err != nil {
		t.Fatalf("NewClient with a service account: %v", err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	if _, err := NewClient(context.Background(), "", ""); err == nil {
		t.Error("NewClient without usable credentials: no error")
	}
}
