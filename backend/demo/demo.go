// Package demo loads the Doetinchem demo: the municipalities of the Netherlands, a
// schematic split of Doetinchem into its districts and neighbourhoods, the report
// categories and a team per district. Loading it again updates it in place.
package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"log/slog"

	"gorm.io/gorm"

	"wijkwerk/backend/category"
	"wijkwerk/backend/team"
	"wijkwerk/geo"
)

//go:embed data/nl-gemeenten-2022.geojson data/doetinchem-wijken-buurten.geojson data/categories.json
var files embed.FS

// SeedVersion changes whenever Seed loads different data, so cached test templates
// of the demo are rebuilt.
const SeedVersion = "2"

// Municipality is the code of the demo municipality, Doetinchem.
const Municipality = "GM0222"

// Districts of Doetinchem in the schematic demo data, by CBS-style code.
var Districts = []struct{ Code, Name string }{
	{"WK022201", "Centrum"}, {"WK022202", "Noord"}, {"WK022203", "Oosseld"},
	{"WK022204", "Overstegen"}, {"WK022205", "De Huet"}, {"WK022206", "Dichteren"},
	{"WK022207", "Wijnbergen"}, {"WK022208", "Gaanderen"}, {"WK022209", "Wehl"},
}

// File returns one of the embedded data files, for tests and benchmarks.
func File(name string) ([]byte, error) { return files.ReadFile("data/" + name) }

// Seed loads the demo into db. Progress, if not nil, gets progress bars on a terminal.
func Seed(ctx context.Context, db *gorm.DB, log *slog.Logger, progress io.Writer) error {
	areas := geo.NewStore(db)
	for _, f := range []struct {
		name      string
		schematic bool
	}{
		{"nl-gemeenten-2022.geojson", false},
		{"doetinchem-wijken-buurten.geojson", true},
	} {
		b, err := File(f.name)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		res, err := areas.Import(ctx, bytes.NewReader(b), geo.ImportOptions{Progress: progress, Schematic: f.schematic})
		if err != nil {
			return fmt.Errorf("demo: %s: %w", f.name, err)
		}
		log.Info("areas imported", "file", f.name, "inserted", res.Inserted, "updated", res.Updated, "repaired", res.Repaired)
	}

	b, err := File("categories.json")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	cats, err := category.ParseTree(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := category.NewStore(db).Upsert(ctx, cats); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	log.Info("categories loaded", "count", len(cats))

	teams := team.NewStore(db)
	for _, d := range Districts {
		_, err := teams.Ensure(ctx, team.Team{Code: "doetinchem-" + slug(d.Name), Name: "Ploeg " + d.Name},
			[]team.Service{{AreaCode: d.Code, Department: string(category.Wijkbeheer)}})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	// Municipality-wide teams: routing walks up to them from any district.
	for _, t := range []struct {
		code, name string
		dept       category.Department
	}{
		{"doetinchem-afval", "Ploeg Afval Doetinchem", category.Afval},
		{"doetinchem-stedelijk-beheer", "Ploeg Stedelijk Beheer Doetinchem", category.StedelijkBeheer},
		{"doetinchem-accommodaties", "Team Accommodaties Doetinchem", category.Accommodaties},
		{"doetinchem-handhaving", "Handhaving Doetinchem", category.Handhaving},
	} {
		_, err := teams.Ensure(ctx, team.Team{Code: t.code, Name: t.name},
			[]team.Service{{AreaCode: Municipality, Department: string(t.dept)}})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	log.Info("teams loaded", "count", len(Districts)+4)
	// Fresh statistics, so the first plans made for these tables fit their size
	// (autovacuum would gather them only later).
	if err := db.WithContext(ctx).Exec(`ANALYZE areas, categories, teams, team_areas`).Error; err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

func slug(name string) string {
	b := make([]byte, 0, len(name))
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
		case r == ' ' || r == '-':
			b = append(b, '-')
		}
	}
	return string(b)
}
