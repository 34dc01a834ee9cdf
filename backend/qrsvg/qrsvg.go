// Package qrsvg draws QR codes as small SVG images, for pages that show a code to be
// scanned from the screen (the desk's pairing code for a new phone).
package qrsvg

import (
	"fmt"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Encode returns payload as a QR code with medium error correction (15% of the code may be
// unreadable, enough for glare on a screen) drawn as SVG. It fails only when payload is
// too long for a QR code (2,331 bytes at this level).
func Encode(payload string) (string, error) {
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("qrsvg: %w", err)
	}
	return Render(q.Bitmap()), nil
}

// Render draws bitmap (bitmap[y][x] true is a dark module, quiet zone included) as SVG.
// The viewBox counts modules, so the image scales to any size without blurring; the
// dark modules are one path of one-module-high runs on a white square, so the quiet
// zone stays light on a dark page.
func Render(bitmap [][]bool) string {
	n := strconv.Itoa(len(bitmap))
	var b strings.Builder
	b.Grow(64 + 16*len(bitmap)*len(bitmap)/4)
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + n + ` ` + n +
		`" shape-rendering="crispEdges"><rect width="` + n + `" height="` + n +
		`" fill="#fff"/><path fill="#000" d="`)
	for y, row := range bitmap {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			w := 1
			for x+w < len(row) && row[x+w] {
				w++
			}
			// A run: from its top left corner w across, one down, back, and closed.
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, w, w)
			x += w
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}
