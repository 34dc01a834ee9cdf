package httpapi

import (
	"encoding/json"
	"testing"

	"wijkwerk/backend/problem"
)

// An unknown field is named by its path from the top, as a field of the wrong type is,
// so that a nested one says where it is.
func TestUnmarshalStrictNamesUnknownFieldPath(t *testing.T) {
	type contact struct {
		Email string `json:"email"`
		Token string `json:"app_token"`
	}
	type Base struct {
		Lang string `json:"lang"`
	}
	type request struct {
		Base
		Category string             `json:"category"`
		Contact  *contact           `json:"contact"`
		Photos   []contact          `json:"photos"`
		ByKey    map[string]contact `json:"by_key"`
		Raw      json.RawMessage    `json:"raw"`
		Any      any                `json:"any"`
		Skipped  string             `json:"-"`
	}
	tests := []struct{ body, want string }{
		{`{"categroy": "x"}`, "categroy"},
		{`{"contact": {"e-mail": "a@example.org"}}`, "contact.e-mail"},
		{`{"category": "x", "contact": {"email": "a@example.org", "wants_update": false}}`, "contact.wants_update"},
		// Keys are matched as encoding/json matches them: ignoring case, into embedded structs.
		{`{"CONTACT": {"Email": "a", "x": 1}}`, "CONTACT.x"},
		{`{"lang": "en", "contact": {"emial": ""}}`, "contact.emial"},
		// The first unknown key in the body, past values of any shape.
		{`{"raw": {"x": [{"y": 1}]}, "any": {"z": {}}, "contact": {"e-mail": "", "other": 1}, "zz": 1}`, "contact.e-mail"},
		{`{"photos": [{"email": ""}, {"mail": ""}]}`, "photos.mail"},
		{`{"by_key": {"k": {"mail": ""}}}`, "by_key.mail"},
		{`{"contact": {"email": "a"}, "Skipped": "x"}`, "Skipped"},
		{`{"contact": null, "nested": {"deeper": {"x": 1}}}`, "nested"},
	}
	for _, tt := range tests {
		var req request
		err := UnmarshalStrict([]byte(tt.body), &req)
		p, ok := problem.As(err)
		if !ok || p.Kind != problem.ValidationFailed || len(p.Fields) != 1 || p.Fields[0].Name != tt.want {
			t.Errorf("UnmarshalStrict(%s) = %v, want field %q", tt.body, err, tt.want)
			continue
		}
		if got := p.Detail.NL; got != "Het veld "+tt.want+" kennen we niet." {
			t.Errorf("UnmarshalStrict(%s) says %q", tt.body, got)
		}
	}
}
