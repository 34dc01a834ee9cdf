package problem_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The Dutch "ploeg" is "crew" in English everywhere a person reads it: the crew app is
// "Wijkwerk Crew", and the PWA's strings.en.js says crew too. Code, API fields (team_id)
// and the team package keep their names; only words shown to people are checked.
var teamWord = regexp.MustCompile(`\b[Tt]eams?\b`)

// TestEnglishSaysCrew reads the English sentences in the Go code that are shown to people
// (problem.T, problem.Sprintf, problem.Text{EN: ...}, and the "en" entries of a
// language map) and fails on "team".
func TestEnglishSaysCrew(t *testing.T) {
	checked := 0
	for _, dir := range []string{"../../backend", "../../mobile-api"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			check := func(e ast.Node) {
				ast.Inspect(e, func(n ast.Node) bool {
					lit, ok := n.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						return true
					}
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						return true
					}
					checked++
					if teamWord.MatchString(s) {
						t.Errorf("%s: English text says team, not crew: %q", fset.Position(lit.Pos()), s)
					}
					return true
				})
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "T" || sel.Sel.Name == "Sprintf") && len(n.Args) >= 2 {
						if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "problem" {
							check(n.Args[1])
						}
					}
				case *ast.KeyValueExpr:
					switch k := n.Key.(type) {
					case *ast.Ident:
						if k.Name == "EN" {
							check(n.Value)
						}
					case *ast.BasicLit:
						if k.Value == `"en"` {
							check(n.Value)
						}
					}
				case *ast.IfStmt:
					// if lang == "en" { ... English ... }
					if b, ok := n.Cond.(*ast.BinaryExpr); ok && b.Op == token.EQL {
						if lit, ok := b.Y.(*ast.BasicLit); ok && lit.Value == `"en"` {
							check(n.Body)
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d English texts found: is the walk still looking at the right places?", checked)
	}
}
