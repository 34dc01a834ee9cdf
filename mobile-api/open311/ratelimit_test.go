package open311_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"wijkwerk/backend/app"
	"wijkwerk/mobile-api/open311"
)

// A client with an api_key is limited per key, by a budget of its own, not per address:
// two keyed clients behind one address do not share a budget, each is still limited,
// and neither uses up the address's budget, which limits requests without a valid key
// (so guessing keys stays limited per address).
func TestRateLimitPerKey(t *testing.T) {
	const perAddress, perKey = 3, 5
	s := start(t, func(c *app.Config) { c.RateLimit, c.Open311KeyRateLimit = perAddress, perKey })
	newKey := func(name string) string {
		key, err := open311.CreateKey(context.Background(), s.env.DB.DB, name)
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	keyA, keyB := newKey("Gemeente-app"), newKey("Partner")
	// Everything below must fall in one fixed minute window.
	if sec := time.Now().Second(); sec > 30 {
		time.Sleep(time.Duration(61-sec) * time.Second)
	}

	// postUntilLimited posts form until a 429 and returns how many were let through,
	// checking that each answer is want until then and the 429 is Open311's.
	postUntilLimited := func(t *testing.T, form url.Values, want int) int {
		t.Helper()
		for n := 0; n < 20; n++ {
			res := s.post(t, "json", form)
			if res.Status == http.StatusTooManyRequests {
				wantError(t, res, "json", http.StatusTooManyRequests, "U stuurt te veel in korte tijd")
				if res.Header.Get("Retry-After") == "" {
					t.Errorf("429 without Retry-After")
				}
				return n
			}
			if res.Status != want {
				t.Fatalf("POST %d = %d %s, want %d", n, res.Status, res.Body, want)
			}
		}
		t.Fatalf("no 429 after 20 posts")
		return 0
	}

	for _, tt := range []struct {
		name string
		form url.Values
		want int // status until limited
		n    int // let through
	}{
		{"first client", s.form("api_key", keyA), http.StatusCreated, perKey},
		{"second client, same address", s.form("api_key", keyB), http.StatusCreated, perKey},
		// The keyed posts used none of the address's budget.
		{"no key", s.form("api_key", "-"), http.StatusUnauthorized, perAddress},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if n := postUntilLimited(t, tt.form, tt.want); n != tt.n {
				t.Errorf("%d let through, want %d", n, tt.n)
			}
		})
	}
	// The address is used up: an unknown key counts on it too ...
	res := s.post(t, "json", s.form("api_key", "geraden-sleutel"))
	wantError(t, res, "json", http.StatusTooManyRequests, "U stuurt te veel in korte tijd")
	// ... while a third client from it still files.
	if res := s.post(t, "json", s.form("api_key", newKey("Derde"))); res.Status != http.StatusCreated {
		t.Errorf("third client = %d %s, want 201", res.Status, res.Body)
	}
}
