package qrsvg_test

import (
	"reflect"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"wijkwerk/backend/qrsvg"
	"wijkwerk/backend/qrsvg/qrsvgtest"
)

func TestRender(t *testing.T) {
	const (
		X = true
		o = false
	)
	tests := []struct {
		name string
		give [][]bool
		want string
	}{
		{
			name: "one dark module",
			give: [][]bool{{X}},
			want: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" shape-rendering="crispEdges">` +
				`<rect width="1" height="1" fill="#fff"/><path fill="#000" d="M0 0h1v1h-1z"/></svg>`,
		},
		{
			name: "all light",
			give: [][]bool{{o, o}, {o, o}},
			want: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2" shape-rendering="crispEdges">` +
				`<rect width="2" height="2" fill="#fff"/><path fill="#000" d=""/></svg>`,
		},
		{
			name: "runs are joined across a row, not down a column",
			give: [][]bool{
				{o, X, X, o},
				{X, X, X, X},
				{X, o, o, X},
				{o, o, o, o},
			},
			want: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4" shape-rendering="crispEdges">` +
				`<rect width="4" height="4" fill="#fff"/><path fill="#000" d="M1 0h2v1h-2zM0 1h4v1h-4zM0 2h1v1h-1zM3 2h1v1h-1z"/></svg>`,
		},
		{
			name: "checkerboard",
			give: [][]bool{
				{X, o, X},
				{o, X, o},
				{X, o, X},
			},
			want: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 3 3" shape-rendering="crispEdges">` +
				`<rect width="3" height="3" fill="#fff"/><path fill="#000" d="M0 0h1v1h-1zM2 0h1v1h-1zM1 1h1v1h-1zM0 2h1v1h-1zM2 2h1v1h-1z"/></svg>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := qrsvg.Render(tt.give)
			if got != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tt.want)
			}
			if m := qrsvgtest.Modules(t, got); !reflect.DeepEqual(m, tt.give) {
				t.Errorf("modules = %v, want %v", m, tt.give)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name        string
		give        string
		wantModules int // QR version's size plus a quiet zone of 4 on each side
	}{
		{name: "pairing payload", give: "wijkwerk:pair?code=12345678", wantModules: 25 + 8}, // digits packed as numbers
		{name: "digits only", give: "12345678", wantModules: 21 + 8},
		{name: "markup and non-ASCII", give: `<a href="x">&amp;</a> é ß ✓`, wantModules: 29 + 8},
		{name: "largest at medium correction", give: strings.Repeat("a", 2331), wantModules: 177 + 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg, err := qrsvg.Encode(tt.give)
			if err != nil {
				t.Fatal(err)
			}
			got := qrsvgtest.Modules(t, svg)
			q, err := qrcode.New(tt.give, qrcode.Medium)
			if err != nil {
				t.Fatal(err)
			}
			if want := q.Bitmap(); !reflect.DeepEqual(got, want) {
				t.Errorf("the SVG's modules differ from the QR bitmap")
			}
			if len(got) != tt.wantModules {
				t.Errorf("%d modules across, want %d", len(got), tt.wantModules)
			}
			for i := range got {
				for _, edge := range [][2]int{{0, i}, {3, i}, {i, 0}, {i, 3}, {len(got) - 1, i}, {len(got) - 4, i}, {i, len(got) - 1}, {i, len(got) - 4}} {
					if got[edge[0]][edge[1]] {
						t.Fatalf("module %v is dark: no quiet zone", edge)
					}
				}
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	tests := []struct {
		name string
		give string
	}{
		{name: "too long", give: strings.Repeat("a", 2332)},
		{name: "empty", give: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if svg, err := qrsvg.Encode(tt.give); err == nil {
				t.Errorf("Encode of %d bytes = %d bytes of SVG, want an error", len(tt.give), len(svg))
			}
		})
	}
}

// FuzzEncode: whatever fits in a QR code (1 to 2,331 bytes, more if digits) draws as well-formed SVG holding exactly its
// modules.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"wijkwerk:pair?code=12345678", "", "]]><!--", "\x00\xff\"'<>&", strings.Repeat("9", 4000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		q, err := qrcode.New(payload, qrcode.Medium)
		if err != nil {
			if _, err := qrsvg.Encode(payload); err == nil {
				t.Fatalf("qrcode.New fails (%v) but Encode does not", err)
			}
			t.Skip("no QR code: empty or too long")
		}
		svg, err := qrsvg.Encode(payload)
		if err != nil {
			t.Fatal(err)
		}
		if got := qrsvgtest.Modules(t, svg); !reflect.DeepEqual(got, q.Bitmap()) {
			t.Errorf("the SVG's modules differ from the QR bitmap of %q", payload)
		}
	})
}
