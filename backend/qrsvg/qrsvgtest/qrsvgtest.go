// Package qrsvgtest reads back the SVG that qrsvg draws, so tests can compare it with the
// QR code it should hold.
package qrsvgtest

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// Modules parses svg as well-formed XML with one <svg> root (viewBox "0 0 n n" in
// modules, crisp edges) holding a white square and one path of dark runs, and returns
// its modules as bitmap[y][x], true for dark. Anything else fails t.
func Modules(t testing.TB, svg string) [][]bool {
	t.Helper()
	m, err := parse(svg)
	if err != nil {
		t.Fatalf("qrsvgtest: %v\n%s", err, svg)
	}
	return m
}

func parse(svg string) ([][]bool, error) {
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	var (
		n, depth, roots int
		paths           []string
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not well-formed XML: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			attr := map[string]string{}
			for _, a := range tok.Attr {
				attr[a.Name.Local] = a.Value
			}
			switch {
			case depth == 1:
				roots++
				if tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					return nil, fmt.Errorf("root is %v, want svg", tok.Name)
				}
				if _, err := fmt.Sscanf(attr["viewBox"], "0 0 %d %d", &n, new(int)); err != nil || attr["viewBox"] != fmt.Sprintf("0 0 %d %d", n, n) {
					return nil, fmt.Errorf("viewBox %q, want a square 0 0 n n", attr["viewBox"])
				}
				if attr["shape-rendering"] != "crispEdges" {
					return nil, fmt.Errorf("shape-rendering %q, want crispEdges", attr["shape-rendering"])
				}
			case tok.Name.Local == "rect":
				if attr["width"] != fmt.Sprint(n) || attr["height"] != fmt.Sprint(n) || attr["fill"] != "#fff" {
					return nil, fmt.Errorf("background %v, want a white %d×%d square", attr, n, n)
				}
			case tok.Name.Local == "path":
				if attr["fill"] != "#000" {
					return nil, fmt.Errorf("path fill %q, want #000", attr["fill"])
				}
				paths = append(paths, attr["d"])
			default:
				return nil, fmt.Errorf("unexpected element %v", tok.Name)
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if strings.TrimSpace(string(tok)) != "" {
				return nil, fmt.Errorf("unexpected text %q", tok)
			}
		}
	}
	if roots != 1 || len(paths) != 1 {
		return nil, fmt.Errorf("%d roots and %d paths, want one of each", roots, len(paths))
	}
	m := make([][]bool, n)
	for y := range m {
		m[y] = make([]bool, n)
	}
	for _, run := range strings.SplitAfter(paths[0], "z") {
		if run == "" {
			continue
		}
		var x, y, w, back int
		if _, err := fmt.Sscanf(run, "M%d %dh%dv1h-%dz", &x, &y, &w, &back); err != nil || w != back || fmt.Sprintf("M%d %dh%dv1h-%dz", x, y, w, w) != run {
			return nil, fmt.Errorf("path part %q is not a one-module-high run", run)
		}
		if y < 0 || y >= n || x < 0 || w < 1 || x+w > n {
			return nil, fmt.Errorf("run %q lies outside the %d×%d modules", run, n, n)
		}
		for i := x; i < x+w; i++ {
			if m[y][i] {
				return nil, fmt.Errorf("run %q overlaps another", run)
			}
			m[y][i] = true
		}
	}
	return m, nil
}
