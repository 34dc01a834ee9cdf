package deskapi_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"wijkwerk/backend/access"
	"wijkwerk/backend/qrsvg/qrsvgtest"
	"wijkwerk/backend/worker"
)

// TestPairingCodeQR: the desk's pairing code comes with a QR image of exactly its payload,
// which pairs a phone as the crew app's scanner reads it; refusals stay problem+json.
func TestPairingCodeQR(t *testing.T) {
	env := startPlanner(t)
	planner := signIn(t, env, "planner@doetinchem.nl", access.Planner, "GM0222")
	w := newWorker(t, env, "doetinchem-oosseld", worker.Specialist, "Qira Rademaker")
	path := fmt.Sprintf("/api/v1/desk/workers/%d/pairing-code", w)

	res := planner.do(t, "POST", path, nil)
	if res.Status != 201 {
		t.Fatalf("pairing code = %d %s", res.Status, res.Body)
	}
	if cc, ct := res.Header.Get("Cache-Control"), res.Header.Get("Content-Type"); cc != "no-store" || !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Cache-Control %q, Content-Type %q; want no-store, application/json", cc, ct)
	}
	var pc struct {
		Code  string `json:"code"`
		QR    string `json:"qr"`
		QRSVG string `json:"qr_svg"`
	}
	res.JSON(t, &pc)
	if len(pc.Code) != 8 || pc.QR != "wijkwerk:pair?code="+pc.Code {
		t.Fatalf("code %q with QR payload %q", pc.Code, pc.QR)
	}
	q, err := qrcode.New(pc.QR, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	if got := qrsvgtest.Modules(t, pc.QRSVG); !reflect.DeepEqual(got, q.Bitmap()) {
		t.Errorf("qr_svg does not hold the QR code of %q:\n%s", pc.QR, pc.QRSVG)
	}

	// What the scanner reads pairs the phone, once.
	if res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": pc.QR, "platform": "web"}); res.Status != 200 {
		t.Fatalf("pair with the QR payload = %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": pc.QR, "platform": "web"}); res.Status != 401 {
		t.Errorf("pair again with the same payload = %d %s, want 401", res.Status, res.Body)
	}

	// Refusals carry no image.
	if err := env.DB.Exec(`UPDATE workers SET active = false WHERE id = ?`, w).Error; err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		give       *desk
		wantStatus int
	}{
		{"inactive worker", planner, 404},
		{"outside the planner's areas", signIn(t, env, "planner@zevenaar.nl", access.Planner, "GM0299"), 404},
		{"job coach", signIn(t, env, "coach@doetinchem.nl", access.JobCoach, "GM0222"), 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.give.do(t, "POST", path, nil)
			if res.Status != tt.wantStatus || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("= %d %s %s, want %d problem+json", res.Status, res.Header.Get("Content-Type"), res.Body, tt.wantStatus)
			}
			if strings.Contains(string(res.Body), "svg") {
				t.Errorf("a refusal with an image: %s", res.Body)
			}
		})
	}
}
