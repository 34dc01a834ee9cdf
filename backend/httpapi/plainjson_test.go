package httpapi

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestPlainJSON(t *testing.T) {
	for _, tc := range []struct {
		body  string
		plain bool
	}{
		{`{"category":"wegen.gat","location":{"type":"Point","coordinates":[6.29,51.96]},"description":"Gat"}`, true},
		{`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}`, true},          // the same key in other objects
		{`{"a":"}{,\"a\":","b":"[\"a\"]"}`, true},                    // braces, commas and quotes in strings
		{`{"category":"wegen.gat","category":"wegen.tegel"}`, false}, // a key twice
		{`{"contact":{"email":"a@b.nl","email":"c@d.nl"}}`, false},   // deeper
		{`{"hours":[{"worker_id":1,"worker_id":2}]}`, false},         // in an array
		{`{"category":"a","Category":"b"}`, false},                   // other capitals: one struct field
		{`{"a\"b":1}`, false},                  // an escape in a key: not sure
		{`{"description":"caf\u00e9"}`, false}, // a \u escape (a lone surrogate is one)
		{"{\"description\":\"\xff\"}", false},  // not UTF-8
		{`{"description":"café ✓"}`, true},     // UTF-8 as it is
		{`[]`, true},
		{`"text"`, true},
	} {
		if got := plainJSON([]byte(tc.body)); got != tc.plain {
			t.Errorf("plainJSON(%s) = %v, want %v", tc.body, got, tc.plain)
		}
	}
	many := []byte(`{`)
	for i := range maxPlainKeys + 1 {
		if i > 0 {
			many = append(many, ',')
		}
		many = append(many, `"k`...)
		many = append(many, byte('a'+i/26), byte('a'+i%26))
		many = append(many, `":1`...)
	}
	many = append(many, '}')
	if !json.Valid(many) || plainJSON(many) {
		t.Errorf("an object of %d keys: plainJSON should leave it to walkJSON", maxPlainKeys+1)
	}
}

// FuzzPlainJSON: what plainJSON calls plain, walkJSON finds nothing wrong with, for a
// struct (keys matched in any capitals) and for a map (keys exact).
func FuzzPlainJSON(f *testing.F) {
	for _, s := range []string{`{"category":"a","Category":"b"}`, `{"a":{"b":[1,{"c":"\u00e9"}]}}`, `{"x":"\"}"}`, `[{"a":1},{"a":1}]`} {
		f.Add([]byte(s))
	}
	type report struct {
		Category string         `json:"category"`
		Answers  map[string]any `json:"answers"`
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) || !plainJSON(body) {
			return
		}
		for _, typ := range []reflect.Type{reflect.TypeFor[report](), reflect.TypeFor[map[string]any]()} {
			if w := walkJSON(body, typ); w.bad != nil {
				t.Fatalf("plainJSON(%q) = true, but walkJSON into %v finds %v", body, typ, w.bad)
			}
		}
	})
}
