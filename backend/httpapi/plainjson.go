package httpapi

import (
	"bytes"
	"unicode/utf8"
)

// plainJSON reports, cheaply, that body (one well-formed JSON value) has nothing that
// encoding/json would let through but unmarshal refuses: it is UTF-8, has no \u escape
// (a lone surrogate is one), and no object has a key twice, also not in other capitals
// (encoding/json matches a struct's fields so). Most bodies are plain, and for them
// unmarshal skips walkJSON, which finds the same things and each value's path but costs
// several times a decode (measured on report intake: ~20 µs a report). false means "not
// sure": a key with an escape in it, or an object with more keys than maxPlainKeys (the
// check compares each key with the others), so walkJSON decides.
func plainJSON(body []byte) bool {
	if !utf8.Valid(body) || bytes.Contains(body, []byte(`\u`)) {
		return false
	}
	var (
		keys      [][][]byte // per open object or array: the keys seen (none for an array)
		inObject  []bool
		expectKey bool
	)
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '{', '[':
			keys = append(keys, nil)
			inObject = append(inObject, body[i] == '{')
			expectKey = body[i] == '{'
		case '}', ']':
			keys, inObject = keys[:len(keys)-1], inObject[:len(inObject)-1]
			expectKey = false
		case ',':
			expectKey = len(inObject) > 0 && inObject[len(inObject)-1]
		case '"':
			j := i + 1
			for j < len(body) && body[j] != '"' {
				if body[j] == '\\' {
					j++
				}
				j++
			}
			if expectKey {
				key := body[i+1 : j]
				top := keys[len(keys)-1]
				if bytes.IndexByte(key, '\\') >= 0 || len(top) >= maxPlainKeys {
					return false
				}
				for _, k := range top {
					if bytes.EqualFold(k, key) {
						return false
					}
				}
				keys[len(keys)-1] = append(top, key)
				expectKey = false
			}
			i = j
		}
	}
	return true
}

// maxPlainKeys bounds the keys of one object that plainJSON compares with each other.
const maxPlainKeys = 64
