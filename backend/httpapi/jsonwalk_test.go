package httpapi

import (
	"encoding/json"
	"errors"
	"testing"

	"wijkwerk/backend/problem"
)

// An unknown field is named by its path from the top, as a field of the wrong type is,
// so that a nested one says where it is: object keys and array indices, dotted.
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
		{`{"photos": [{"email": ""}, {"mail": ""}]}`, "photos.1.mail"},
		{`{"by_key": {"k": {"mail": ""}}}`, "by_key.k.mail"},
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

// wrongDate decodes itself and refuses anything but "ok".
type wrongDate struct{}

func (*wrongDate) UnmarshalJSON(b []byte) error {
	if string(b) != `"ok"` {
		return errors.New("not a date")
	}
	return nil
}

// Well-formed JSON with a value of the wrong type is the client's mistake in that field:
// a 422 that names it by its path and says what to give. Only what is not JSON at all,
// or is not one object, is invalid-json.
func TestUnmarshalNamesWrongValue(t *testing.T) {
	type hours struct {
		WorkerID int64   `json:"worker_id"`
		Hours    float64 `json:"hours"`
	}
	type request struct {
		Hours   float64                 `json:"hours"`
		People  int                     `json:"people"`
		What    string                  `json:"what"`
		Done    bool                    `json:"done"`
		List    []hours                 `json:"list"`
		Answers map[string]string       `json:"answers"`
		Contact *struct{ Email string } `json:"contact"`
		Date    wrongDate               `json:"date"`
		Dates   []*wrongDate            `json:"dates"`
	}
	tests := []struct{ body, field, reason string }{
		{`{"hours": "1,5"}`, "hours", "Geef een getal, zoals 1.5."},
		{`{"hours": 1e400}`, "hours", "Dit getal is te groot."},
		{`{"people": 1.5}`, "people", "Geef een heel getal, zoals 3."},
		{`{"people": "2"}`, "people", "Geef een heel getal, zoals 3."},
		{`{"what": 12}`, "what", "Geef een tekst, tussen aanhalingstekens."},
		{`{"done": "ja"}`, "done", "Geef true (ja) of false (nee)."},
		{`{"list": 1.5}`, "list", "Geef een lijst, tussen [ en ]."},
		{`{"list": {"worker_id": 1}}`, "list", "Geef een lijst, tussen [ en ]."},
		{`{"list": [{"worker_id": 1, "hours": 2}, {"worker_id": "7", "hours": 1}]}`, "list.1.worker_id", "Geef een heel getal, zoals 3."},
		{`{"list": [1]}`, "list.0", "Geef een groep velden, tussen { en }."},
		{`{"answers": {"state": "kapot", "other": 1}}`, "answers.other", "Geef een tekst, tussen aanhalingstekens."},
		{`{"answers": ["kapot"]}`, "answers", "Geef een groep velden, tussen { en }."},
		{`{"contact": {"Email": true}}`, "contact.Email", "Geef een tekst, tussen aanhalingstekens."},
		{"{\n  \"what\": \"x\",\n  \"hours\" :  \"1\"  \n}", "hours", "Geef een getal, zoals 1.5."},
		// The first wrong value in the body.
		{`{"what": 1, "hours": "x"}`, "what", "Geef een tekst, tussen aanhalingstekens."},
		// A value that decodes itself and refuses.
		{`{"date": "gisteren"}`, "date", "Deze waarde heeft niet de goede vorm."},
		{`{"dates": ["ok", "nee"]}`, "dates.1", "Deze waarde heeft niet de goede vorm."},
	}
	for _, tt := range tests {
		for _, strict := range []bool{false, true} {
			var req request
			err := unmarshal([]byte(tt.body), &req, strict)
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.ValidationFailed || len(p.Fields) != 1 || p.Fields[0].Name != tt.field {
				t.Errorf("unmarshal(%s, strict %v) = %v, want field %q", tt.body, strict, err, tt.field)
				continue
			}
			if got := p.Fields[0].Reason.NL; got != tt.reason {
				t.Errorf("unmarshal(%s) says %q, want %q", tt.body, got, tt.reason)
			}
			if want := "Het veld " + tt.field + " klopt niet. " + tt.reason; p.Detail.NL != want {
				t.Errorf("unmarshal(%s) detail %q, want %q", tt.body, p.Detail.NL, want)
			}
		}
	}
	for _, body := range []string{``, ` `, `{"hours":`, `{"hours": 1,}`, `{"hours": 1}}`, `{"hours": 1} {}`, `{"hours": 1} x`, `[]`, `"x"`, `null x`} {
		var req request
		if err := unmarshal([]byte(body), &req, true); !problem.Of(err, problem.InvalidJSON) {
			t.Errorf("unmarshal(%q) = %v, want invalid-json", body, err)
		}
	}
}

// Text that is not UTF-8 is refused with a 422 naming where it is, wherever it is (a
// value, a key, in a list or a map): encoding/json would keep U+FFFD in its place.
func TestUnmarshalRefusesInvalidUTF8(t *testing.T) {
	type request struct {
		Description string            `json:"description"`
		Answers     map[string]string `json:"answers"`
		Notes       []string          `json:"notes"`
		Raw         json.RawMessage   `json:"raw"`
		Any         any               `json:"any"`
	}
	tests := []struct{ body, field string }{
		{"{\"description\": \"glas \xff op straat\"}", "description"},
		{"{\"description\": \"caf\xc3\"}", "description"},        // cut off in the middle of é
		{"{\"description\": \"\xed\xa0\x80\"}", "description"},   // a surrogate, encoded
		{`{"description": "half a pair \ud800"}`, "description"}, // escaped alone
		{"{\"answers\": {\"state\": \"kapot\", \"other\": \"\xfe\"}}", "answers.other"},
		{"{\"notes\": [\"ok\", \"n\xe9e\"]}", "notes.1"},
		{"{\"raw\": {\"x\": \"\xff\"}}", "raw.x"},
		{"{\"any\": [\"\xff\"]}", "any.0"},
		{"{\"descr\xffiption\": \"x\"}", "descr\ufffdiption"},
		{"{\"description\": \"\xff\", \"answers\": {\"a\": \"\xff\"}}", "description"}, // the first
	}
	for _, tt := range tests {
		for _, strict := range []bool{false, true} {
			var req request
			err := unmarshal([]byte(tt.body), &req, strict)
			p, ok := problem.As(err)
			if !ok || p.Kind != problem.ValidationFailed || len(p.Fields) != 1 || p.Fields[0].Name != tt.field {
				t.Errorf("unmarshal(%q, strict %v) = %v, want field %q", tt.body, strict, err, tt.field)
			}
		}
	}
	// U+FFFD that was sent, as itself or escaped, is text like any other.
	for _, body := range []string{`{"description": "� \uFFFD \ufffd"}`, `{"description": "café \u00e9 \ud83d\ude00"}`} {
		var req request
		if err := unmarshal([]byte(body), &req, true); err != nil {
			t.Errorf("unmarshal(%s) = %v", body, err)
		}
	}
}

// A key twice in one object is refused with a 422 naming it, at any depth: which one was
// meant? encoding/json would keep the last without a word.
func TestUnmarshalRefusesDuplicateKeys(t *testing.T) {
	type contact struct {
		Email string `json:"email"`
	}
	type Base struct {
		Lang string `json:"lang"`
	}
	type request struct {
		Base
		Category string            `json:"category"`
		Contact  *contact          `json:"contact"`
		Answers  map[string]string `json:"answers"`
		Photos   []contact         `json:"photos"`
		Raw      json.RawMessage   `json:"raw"`
	}
	tests := []struct{ body, field string }{
		{`{"category": "wegen.gat", "category": "wegen.tegel"}`, "category"},
		{`{"category": "wegen.gat", "Category": "wegen.tegel"}`, "Category"}, // the same field to encoding/json
		{`{"lang": "nl", "description": "", "lang": "en"}`, "lang"},
		{`{"contact": {"email": "a@example.org", "email": "b@example.org"}}`, "contact.email"},
		{`{"answers": {"state": "kapot", "state": "brandt"}}`, "answers.state"},
		{`{"photos": [{"email": "a"}, {"email": "a", "email": "b"}]}`, "photos.1.email"},
		{`{"raw": {"x": {"y": 1, "y": 2}}}`, "raw.x.y"},
		{`{"x": 1, "x": 2}`, "x"}, // unknown, and twice
	}
	for _, tt := range tests {
		var req request
		// Not strict: the unknown x is let through, but not twice.
		err := unmarshal([]byte(tt.body), &req, false)
		p, ok := problem.As(err)
		if !ok || p.Kind != problem.ValidationFailed || len(p.Fields) != 1 || p.Fields[0].Name != tt.field {
			t.Errorf("unmarshal(%s) = %v, want field %q", tt.body, err, tt.field)
			continue
		}
		if want := "Het veld " + tt.field + " staat er twee keer in. Stuur het één keer."; p.Detail.NL != want {
			t.Errorf("unmarshal(%s) says %q", tt.body, p.Detail.NL)
		}
	}
	// The same key in other objects is no duplicate.
	var req request
	if err := unmarshal([]byte(`{"contact": {"email": "a"}, "photos": [{"email": "a"}, {"email": "b"}], "answers": {"email": "c"}}`), &req, true); err != nil {
		t.Errorf("keys alike in other objects: %v", err)
	}
}
