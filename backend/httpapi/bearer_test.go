package httpapi

import (
	"net/http"
	"testing"
)

func TestBearerToken(t *testing.T) {
	for _, tt := range []struct {
		give, want string
		ok         bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"BEARER  abc ", "abc", true},
		{"Basic abc", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"", "", false},
		{"Bearerabc", "", false},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", tt.give)
		if got, ok := BearerToken(r); got != tt.want || ok != tt.ok {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tt.give, got, ok, tt.want, tt.ok)
		}
	}
}
