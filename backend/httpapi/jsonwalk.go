package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"wijkwerk/backend/problem"
)

// jsonWalk is what one pass over a well-formed JSON value finds, for a value decoded
// into a t: where each value is and its path, and the first key t does not take. A path
// names each object key (a struct's field as the body spells it, a map's key) and each
// array index from the top, dotted: "contact.e-mail", "answers.other", "hours.0.hours".
type jsonWalk struct {
	spans   []jsonSpan // children before their parent
	unknown string     // path of the first key a struct does not take; "" for none
	selfs   []selfSpan // the values that decode themselves, in body order
	body    []byte
	// bad is the first thing in the body that encoding/json would let through but we
	// refuse: text that is not UTF-8, or a key twice in one object (encoding/json keeps
	// the last: {"category":"wegen.gat","category":"wegen.tegel"} was a tegel).
	bad *problem.Error
}

// selfSpan is a value whose type decodes itself (a json.Unmarshaler or an
// encoding.TextUnmarshaler), at path.
type selfSpan struct {
	jsonSpan
	t reflect.Type
}

// jsonSpan is a value at body[start:end] (start may take in the separators before it).
type jsonSpan struct {
	start, end int64
	path       string
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// walkJSON walks body, a well-formed JSON value, as it is decoded into a t.
func walkJSON(body []byte, t reflect.Type) jsonWalk {
	w := &walker{dec: json.NewDecoder(bytes.NewReader(body)), res: jsonWalk{body: body}}
	w.dec.UseNumber()
	_ = w.value(t, "")
	return w.res
}

type walker struct {
	dec *json.Decoder
	res jsonWalk
}

// value reads one value, to be decoded into a t (nil: anything or its own decoder), at
// path.
func (w *walker) value(t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var self reflect.Type
	if t != nil && t.Kind() != reflect.Interface {
		if pt := reflect.PointerTo(t); pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
			self, t = t, nil // its own decoder says what it takes
		}
	} else {
		t = nil
	}
	start := w.dec.InputOffset()
	if self != nil {
		defer func() {
			w.res.selfs = append(w.res.selfs, selfSpan{jsonSpan{start, w.dec.InputOffset(), path}, self})
		}()
	}
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	if s, ok := tok.(string); ok {
		w.text(s, start, path)
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for w.dec.More() {
			kstart := w.dec.InputOffset()
			ktok, err := w.dec.Token()
			if err != nil {
				return err
			}
			key, _ := ktok.(string)
			w.text(key, kstart, join(path, key))
			var elem reflect.Type
			field := key // what the key sets: a struct's field may be spelt in any case
			switch {
			case t == nil:
			case t.Kind() == reflect.Struct:
				f, ok := structField(t, key)
				if !ok {
					if w.res.unknown == "" {
						w.res.unknown = join(path, key)
					}
					break
				}
				elem, field = f.Type, "\x00"+f.Name+"\x00"+f.Tag.Get("json")
			case t.Kind() == reflect.Map:
				elem = t.Elem()
			}
			if seen[field] && w.res.bad == nil {
				name := join(path, key)
				w.res.bad = problem.Invalid(name, problem.Sprintf("Het veld %s staat er twee keer in. Stuur het één keer.",
					"The field %s is in there twice. Send it once.", name))
			}
			seen[field] = true
			if err := w.value(elem, join(path, key)); err != nil {
				return err
			}
		}
		if _, err := w.dec.Token(); err != nil {
			return err
		}
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(elem, join(path, strconv.Itoa(i))); err != nil {
				return err
			}
		}
		if _, err := w.dec.Token(); err != nil {
			return err
		}
	}
	w.res.spans = append(w.res.spans, jsonSpan{start, w.dec.InputOffset(), path})
	return nil
}

// text checks a string (a key or a value) that encoding/json read from
// body[start:InputOffset()]: it turns bytes that are not UTF-8, and escaped halves of a
// pair (\ud800), into U+FFFD without a word, so the crew would read "�".
func (w *walker) text(s string, start int64, path string) {
	if w.res.bad != nil || !strings.ContainsRune(s, utf8.RuneError) {
		return
	}
	raw := w.res.body[start:w.dec.InputOffset()]
	if utf8.Valid(raw) && (bytes.Contains(raw, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(raw), []byte(`\ufffd`))) {
		return // a U+FFFD that was sent
	}
	w.res.bad = invalidText(path)
}

// pathAt is the path of the innermost value that holds body offset off (as
// encoding/json's UnmarshalTypeError.Offset: just past a wrong literal, just past the
// opening of a wrong object or array). It is "" for the whole body.
func (w jsonWalk) pathAt(off int64) string {
	for _, s := range w.spans { // children come first, so the first that holds it
		if s.start < off && off <= s.end {
			return s.path
		}
	}
	return ""
}

// refused finds the first value that decodes itself and refuses what it was given: its
// path, and its error if that is a problem of its own.
func (w jsonWalk) refused() (string, *problem.Error) {
	for _, s := range w.selfs {
		v := reflect.New(s.t).Interface()
		if err := json.Unmarshal(bytes.TrimLeft(w.body[s.start:s.end], " \t\r\n,:"), v); err != nil {
			p, _ := problem.As(err)
			return s.path, p
		}
	}
	return "", nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// structField is the field of struct t that encoding/json decodes key into: by its
// JSON name, exactly or else ignoring case, looking into embedded structs.
func structField(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold *reflect.StructField
	var walk func(t reflect.Type) (reflect.StructField, bool)
	walk = func(t reflect.Type) (reflect.StructField, bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
				if sf, ok := walk(ft); ok {
					return sf, true
				}
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if name == key {
				return f, true
			}
			if fold == nil && strings.EqualFold(name, key) {
				fold = &f
			}
		}
		return reflect.StructField{}, false
	}
	if f, ok := walk(t); ok {
		return f, true
	}
	if fold != nil {
		return *fold, true
	}
	return reflect.StructField{}, false
}

// invalidText is the problem for a text at path (a JSON value's path, a form field's
// name) that is not UTF-8: refused, as the JSON decoder and forms refuse it alike,
// rather than stored with U+FFFD in its place for the crew to read as "�".
func invalidText(path string) *problem.Error {
	return problem.Invalid(path, problem.T("Deze tekst bevat ongeldige tekens. Typ hem opnieuw.",
		"This text contains invalid characters. Type it again."))
}
