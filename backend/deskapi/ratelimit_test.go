package deskapi_test

import (
	"testing"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/app"
	"wijkwerk/backend/app/apptest"
	"wijkwerk/backend/worker"
)

// Public writes, desk sign-in and crew pairing count in buckets of their own: residents
// who used up their address's limit (behind CGNAT, or a busy Open311 client) do not lock
// planners out of signing in or crews out of pairing, and guessing passwords or pairing
// codes is still limited per address.
func TestSignInAndPairingHaveTheirOwnRateLimit(t *testing.T) {
	env := apptest.Start(t, func(c *app.Config) { c.RateLimit = 3 })
	// Everything below must fall in one fixed minute window.
	if s := time.Now().Second(); s > 30 {
		time.Sleep(time.Duration(61-s) * time.Second)
	}
	// Invalid reports use up the address's public writes.
	for i := 0; ; i++ {
		res := env.Do(t, "POST", "/api/v1/reports", map[string]any{"category": "bestaat.niet"})
		if res.Status == 429 {
			break
		}
		if i == 5 {
			t.Fatalf("report %d = %d %s, want 429 by now", i, res.Status, res.Body)
		}
	}

	// A planner still signs in ...
	if _, err := access.NewStore(env.DB.DB).CreateUser(t.Context(), "planner@doetinchem.nl", password, access.Planner, []string{"GM0222"}); err != nil {
		t.Fatal(err)
	}
	if res := env.Do(t, "POST", "/api/v1/desk/login", map[string]string{"email": "planner@doetinchem.nl", "password": password}); res.Status != 200 {
		t.Fatalf("sign-in after the reports = %d %s", res.Status, res.Body)
	}
	// ... and a phone still pairs.
	id := newWorker(t, env, "doetinchem-oosseld", worker.Specialist, "Ploeg Medewerker")
	pc, err := worker.NewStore(env.DB.DB).IssuePairingCode(t.Context(), id, "test")
	if err != nil {
		t.Fatal(err)
	}
	if res := env.Do(t, "POST", "/mobile/v1/pair", map[string]string{"code": pc.Code}); res.Status != 200 {
		t.Fatalf("pairing after the reports = %d %s", res.Status, res.Body)
	}

	// Guessing is still limited: sign-in and pairing each reach their own limit.
	for _, tt := range []struct {
		path string
		body map[string]string
	}{
		{"/api/v1/desk/login", map[string]string{"email": "planner@doetinchem.nl", "password": "verkeerd-wachtwoord"}},
		{"/mobile/v1/pair", map[string]string{"code": "12345678"}},
	} {
		for i := 0; ; i++ {
			res := env.Do(t, "POST", tt.path, tt.body)
			if res.Status == 429 {
				break
			}
			if i == 5 {
				t.Fatalf("%s guess %d = %d %s, want 429 by now", tt.path, i, res.Status, res.Body)
			}
		}
	}
}
