package httpapi

import (
	"net/http"
	"strings"
)

// BearerToken returns the token of an "Authorization: Bearer TOKEN" header. The scheme
// is case-insensitive (RFC 9110); ok is false without one or with an empty token.
func BearerToken(r *http.Request) (token string, ok bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if !found || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}
