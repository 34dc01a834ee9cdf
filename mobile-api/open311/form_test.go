package open311

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"wijkwerk/backend/problem"
	"wijkwerk/backend/report"
)

func TestDecodeForm(t *testing.T) {
	base := "service_code=afval.zwerfvuil&lat=51.959&long=6.2967"
	tests := []struct {
		name string
		give string
		want report.Submission
		typ  string // problem type when decoding fails
	}{
		{name: "minimal", give: base,
			want: report.Submission{Category: "afval.zwerfvuil", Location: orb.Point{6.2967, 51.959}, Channel: "open311"}},
		{name: "everything", give: base + "&description=+Tegel+los+&email=jan%40example.org&phone=0612345678" +
			"&first_name=Jan&last_name=Jansen&media_url=http%3A%2F%2Fx&device_id=d&account_id=7&jurisdiction_id=GM0222" +
			"&address_string=Stationsplein+1&attribute%5Bstate%5D=+uit+&attribute%5Bkleur%5D%5B%5D=rood",
			want: report.Submission{
				Category: "afval.zwerfvuil", Location: orb.Point{6.2967, 51.959}, Description: "Tegel los", Address: "Stationsplein 1",
				Contact: report.Contact{Email: "jan@example.org", Phone: "0612345678"},
				Answers: map[string]string{"state": "uit", "kleur": "rood"}, Channel: "open311",
			}},
		{name: "spaces around numbers", give: "service_code=+x+&lat=+51.9+&long=6",
			want: report.Submission{Category: "x", Location: orb.Point{6, 51.9}, Channel: "open311"}},
		{name: "signs and bare points", give: "service_code=x&lat=%2B51.&long=-.5",
			want: report.Submission{Category: "x", Location: orb.Point{-0.5, 51}, Channel: "open311"}},
		{name: "no service_code", give: "lat=51.959&long=6.2967", typ: "bad-request"},
		{name: "blank service_code", give: "service_code=+&lat=51.959&long=6.2967", typ: "bad-request"},
		{name: "no location", give: "service_code=x", typ: "bad-request"},
		{name: "address only", give: "service_code=x&address_string=Stationsplein+1", typ: "bad-request"},
		{name: "only lat", give: "service_code=x&lat=51.9", typ: "bad-request"},
		{name: "comma decimal", give: "service_code=x&lat=51,9&long=6", typ: "invalid-location"},
		{name: "nan", give: "service_code=x&lat=NaN&long=6", typ: "invalid-location"},
		{name: "inf", give: "service_code=x&lat=51&long=-Inf", typ: "invalid-location"},
		{name: "out of range", give: "service_code=x&lat=91&long=6", typ: "invalid-location"},
		{name: "hex float", give: "service_code=x&lat=51.959&long=0x1.9p2", typ: "invalid-location"},
		{name: "hex integer", give: "service_code=x&lat=0x33&long=6", typ: "invalid-location"},
		{name: "exponent", give: "service_code=x&lat=5.1959e1&long=6", typ: "invalid-location"},
		{name: "underscores", give: "service_code=x&lat=51_959&long=6", typ: "invalid-location"},
		{name: "infinity", give: "service_code=x&lat=51&long=Infinity", typ: "invalid-location"},
		{name: "two points", give: "service_code=x&lat=51.9.5&long=6", typ: "invalid-location"},
		{name: "sign only", give: "service_code=x&lat=-&long=6", typ: "invalid-location"},
		{name: "point only", give: "service_code=x&lat=.&long=6", typ: "invalid-location"},
		{name: "attribute twice", give: base + "&attribute%5Bstate%5D=uit&attribute%5Bstate%5D=aan", typ: "bad-request"},
		{name: "attribute without code", give: base + "&attribute%5B%5D=uit", typ: "bad-request"},
		{name: "attribute unclosed", give: base + "&attribute%5Bstate=uit", typ: "bad-request"},
		{name: "bad email", give: base + "&email=jan%40", typ: "validation-failed"},
		{name: "long address", give: base + "&address_string=" + strings.Repeat("a", report.MaxAddress+1), typ: "validation-failed"},
		{name: "address with a NUL", give: base + "&address_string=a%00b", typ: "validation-failed"},
		{name: "long description", give: base + "&description=" + strings.Repeat("a", report.MaxDescription+1), typ: "validation-failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form, err := url.ParseQuery(tt.give)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeForm(form)
			if tt.typ != "" {
				p, ok := problem.As(err)
				if !ok || p.Type != tt.typ {
					t.Fatalf("error %v, want a %s problem", err, tt.typ)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// FuzzOpen311Form checks that any form either decodes into a valid open311 submission
// or gives a problem, never a panic or an untyped error.
func FuzzOpen311Form(f *testing.F) {
	f.Add("api_key=k&service_code=afval.zwerfvuil&lat=51.959&long=6.2967&description=Tegel")
	f.Add("service_code=licht.lamp&lat=51.959&long=6.2967&attribute%5Bstate%5D=uit&email=a%40b.nl&phone=%2B31612345678")
	f.Add("service_code=x&address_string=Stationsplein+1&first_name=Jan")
	f.Add("service_code=x&lat=1e999&long=-0x1p-2")
	f.Add("service_code=x&lat=51&long=6&attribute%5B%5D%5B%5D=&attribute%5B=&attribute%5Ba%5D%5B%5D=1&attribute%5Ba%5D%5B%5D=2")
	f.Add("service_code=%ff%fe&lat=51&long=6&description=%00%ff")
	f.Add("")
	f.Add("service_code=x&lat=51.959&long=0x1.9p2")
	f.Add("service_code=x&lat=0X33&long=6&description=hex")
	f.Add("service_code=x&lat=5.1959e1&long=6_0")
	f.Add("service_code=x&lat=%2B51.&long=-.5")
	f.Add("service_code=x&lat=51.959&long=6.2967&address_string=+Stationsplein+1%2C+Doetinchem+&address_id=0222")
	f.Add("service_code=x&lat=51.959&long=6.2967&address_string=%00%ff")
	f.Fuzz(func(t *testing.T, query string) {
		form, _ := url.ParseQuery(query)
		sub, err := decodeForm(form)
		if err != nil {
			if _, ok := problem.As(err); !ok {
				t.Fatalf("error is not a problem: %v", err)
			}
			return
		}
		if sub.Channel != "open311" || sub.Category == "" {
			t.Fatalf("submission %+v", sub)
		}
		// Only plain decimals are coordinates: no hex, exponents or underscores.
		for _, k := range []string{"lat", "long"} {
			v := strings.TrimSpace(form.Get(k))
			if strings.Trim(v, "+-.0123456789") != "" {
				t.Fatalf("%s=%q was taken as a coordinate", k, v)
			}
		}
		if err := sub.Validate(); err != nil {
			t.Fatalf("decoded submission does not validate: %v", err)
		}
	})
}
