package open311

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// encodingJSON is what encoding/json writes for v, as write would without appendJSON.
func encodingJSON(t testing.TB, v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func TestRequestListJSON(t *testing.T) {
	strs := []string{"", "GOLD1-0000A", `Gat <30 cm> & "diep" \ pad`, "tab\there\nnewline\r\b\f\x00\x1f\x7f",
		"ëéü — €", "\xff\xfe bad", "line\u2028sep\u2029", "emoji 🚧", "\xe2\x80"}
	floats := []float64{0, 51.959, -6.2967, 1e-7, -1e-7, 1e21, 123456789.123, 5e-324, math.MaxFloat64, 1e-6}
	var list requestList
	for i, s := range strs {
		list = append(list, serviceRequest{
			ServiceRequestID: s, Status: "open", StatusNotes: s, ServiceName: s, ServiceCode: s, Description: s,
			AgencyResponsible: s, ServiceNotice: s, RequestedDatetime: "2026-11-26T10:15:00+01:00",
			Address: s, MediaURL: s, Lat: floats[i%len(floats)], Long: floats[(i+3)%len(floats)],
		})
	}
	for _, l := range []requestList{nil, {}, list[:1], list} {
		want := encodingJSON(t, []serviceRequest(l))
		if l == nil {
			want = []byte("[]") // write always gets a non-nil list
		}
		if got := l.appendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("appendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\u2028\xff", "ëé🚧"} {
		f.Add(s, 0.0)
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		r := serviceRequest{Description: s, Lat: x}
		if got, want := (&r).appendJSON(nil), encodingJSON(t, r); !bytes.Equal(got, want) {
			t.Fatalf("appendJSON %s, encoding/json %s", got, want)
		}
	})
}
