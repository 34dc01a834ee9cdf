package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"reflect"
	"strings"
)

// unknownFieldPath finds where in body the unknown field name (as encoding/json names
// it: the key alone) is, for a value decoded into a t: its path from the top, dotted as
// encoding/json names a field of the wrong type ("contact.e-mail"; array elements and
// map keys add nothing). encoding/json refuses the first unknown field in the body, so
// this is the first key that t's fields do not take. It returns name itself when it
// cannot tell (a value that decodes itself, say).
func unknownFieldPath(body []byte, t reflect.Type, name string) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if path, ok := findUnknown(dec, t, ""); ok && (path == name || strings.HasSuffix(path, "."+name)) {
		return path
	}
	return name
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// findUnknown reads one value from dec, to be decoded into a t (nil: anything) at path,
// and reports the path of the first object key that t does not take. It gives up (false)
// on an error and wherever the value decodes itself.
func findUnknown(dec *json.Decoder, t reflect.Type, path string) (string, bool) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && t.Kind() != reflect.Interface {
		if pt := reflect.PointerTo(t); pt.Implements(jsonUnmarshaler) || pt.Implements(textUnmarshaler) {
			t = nil // its own decoder says what it takes
		}
	} else {
		t = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return "", false
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return "", false
			}
			key, _ := tok.(string)
			var elem reflect.Type
			switch {
			case t == nil:
			case t.Kind() == reflect.Struct:
				f, ok := structField(t, key)
				if !ok {
					return join(path, key), true
				}
				elem = f.Type
			case t.Kind() == reflect.Map:
				elem = t.Elem()
			}
			p := path
			if t != nil && t.Kind() == reflect.Struct {
				p = join(path, key)
			}
			if found, ok := findUnknown(dec, elem, p); ok {
				return found, true
			}
		}
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for dec.More() {
			if found, ok := findUnknown(dec, elem, path); ok {
				return found, true
			}
		}
	default:
		return "", false
	}
	_, _ = dec.Token() // the closing delimiter
	return "", false
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
