package report_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"wijkwerk/backend/report"
	"wijkwerk/backend/testdb"
)

func TestOpen311Keys(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	svc := report.NewService(db.DB, nil, nil, nil, 0)

	key, err := report.CreateOpen311Key(ctx, db.DB, "  Buiten Beter  ")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil || len(raw) != 32 {
		t.Fatalf("key %q is not 32 bytes of base64url", key)
	}
	// Only the hash is stored.
	var row struct {
		Name    string
		KeyHash []byte
	}
	db.Raw(`SELECT name, key_hash FROM open311_keys`).Scan(&row)
	sum := sha256.Sum256([]byte(key))
	if row.Name != "Buiten Beter" || string(row.KeyHash) != string(sum[:]) {
		t.Errorf("stored %q %x, want the name and the key's sha256", row.Name, row.KeyHash)
	}

	c, err := svc.Open311Client(ctx, key)
	if err != nil || c.Name != "Buiten Beter" || c.ID == 0 {
		t.Errorf("Open311Client = %+v, %v", c, err)
	}
	other, err := report.CreateOpen311Key(ctx, db.DB, "Buiten Beter")
	if err != nil || other == key {
		t.Errorf("a second key for the same name: %q, %v", other, err)
	}
	for _, bad := range []string{"", "nope", key + "x", string(make([]byte, 300))} {
		if _, err := svc.Open311Client(ctx, bad); !errors.Is(err, report.ErrUnknownKey) {
			t.Errorf("Open311Client(%.10q) = %v, want ErrUnknownKey", bad, err)
		}
	}
	db.Exec(`UPDATE open311_keys SET revoked_at = now() WHERE key_hash = ?`, sum[:])
	if _, err := svc.Open311Client(ctx, key); !errors.Is(err, report.ErrUnknownKey) {
		t.Errorf("revoked key: %v, want ErrUnknownKey", err)
	}
	if _, err := svc.Open311Client(ctx, other); err != nil {
		t.Errorf("the other key stopped working: %v", err)
	}
	for _, name := range []string{"", "   ", string(make([]rune, 101))} {
		if _, err := report.CreateOpen311Key(ctx, db.DB, name); err == nil {
			t.Errorf("CreateOpen311Key(%q) succeeded", name)
		}
	}
}

func TestPublicRequestsOddInput(t *testing.T) {
	db := testdb.New(t)
	svc := report.NewService(db.DB, nil, nil, nil, 0)
	now := time.Now()
	for _, f := range []report.RequestFilter{
		{TrackingCodes: []string{`a"b\c{},`, "\x00", "\xff", "ABCDE-12345"}},
		{TrackingCodes: []string{"\x00"}},
		{Categories: []string{"\xff", `x"}`}, From: now.Add(-time.Hour), To: now},
		{From: now.Add(-time.Hour), To: now, Limit: 5000, Offset: -1},
	} {
		got, err := svc.PublicRequests(context.Background(), f)
		if err != nil || len(got) != 0 {
			t.Errorf("PublicRequests(%+v) = %v, %v; want nothing", f, got, err)
		}
	}
}

func TestHandlingNotice(t *testing.T) {
	tests := map[int]string{0: "We pakken dit dezelfde dag op.", 1: "We pakken dit binnen 1 werkdag op.", 5: "We pakken dit binnen 5 werkdagen op."}
	for days, want := range tests {
		if got := report.HandlingNotice(days).NL; got != want {
			t.Errorf("HandlingNotice(%d) = %q, want %q", days, got, want)
		}
	}
	if got := report.HandlingNotice(5).EN; got != "We handle this within 5 working days." {
		t.Errorf("English: %q", got)
	}
}
