package initiative

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"wijkwerk/backend/access"
	"wijkwerk/backend/planner"
	"wijkwerk/backend/spreadsheet"
)

// Report is the council's view of initiatives in a period, per district.
type Report struct {
	From      string    `json:"from"` // first day, inclusive
	To        string    `json:"to"`   // last day, inclusive
	Districts []Figures `json:"districts"`
	Total     Figures   `json:"total"`
}

// Figures are one district's numbers for a period. Hours are what was done; guidance
// and materials are what was promised, so they are never added to hours.
//
//   - Initiatives counts those that held a raised level at some moment in the period.
//   - AreaM2 is their area (on the spheroid) per raised level.
//   - ResidentHours are the hours residents logged for days in the period.
//   - CrewHours are the hours crews registered on support jobs in the period: delivering
//     materials and the specialist's guided sessions, also on a job cancelled later.
//   - MunicipalHours are the hours the municipality spent: CrewHours. The granted
//     guidance is not added, because the specialist registers the hours of a session on
//     the guidance job, so they are in CrewHours once given (adding both counted a
//     session twice).
//   - GuidanceHours are the specialist hours granted with approvals in the period: a
//     promise. A grant whose guidance job has been cancelled (the initiative ended
//     before the session) does not count.
//   - Materials are those granted with approvals in the period, summed per item and unit,
//     except where the materials job has been cancelled (nothing was delivered).
type Figures struct {
	Code           string             `json:"code"`
	Name           string             `json:"name"`
	Initiatives    int                `json:"initiatives"`
	AreaM2         map[string]float64 `json:"area_m2"`
	ResidentHours  float64            `json:"resident_hours"`
	CrewHours      float64            `json:"crew_hours"`
	GuidanceHours  float64            `json:"guidance_hours"`
	MunicipalHours float64            `json:"municipal_hours"`
	Materials      []Material         `json:"materials"`
}

func newFigures(code, name string) Figures {
	f := Figures{Code: code, Name: name, AreaM2: map[string]float64{}, Materials: []Material{}}
	for _, l := range Levels {
		f.AreaM2[l] = 0
	}
	return f
}

// reportSQL gives per initiative in scope its district and its figures for the period:
// [period_start, period_end) in time, first_day..last_day in days.
const reportSQL = `
SELECT COALESCE(d.code, a.code) AS district_code, COALESCE(d.name, a.name) AS district_name,
       i.target_level, i.area_m2, i.materials, i.guidance_hours,
       EXISTS (SELECT 1 FROM quality_raises q WHERE q.initiative_id = i.id
               AND q.raised_from < p.period_end AND (q.raised_until IS NULL OR q.raised_until > p.period_start)) AS raised,
       (i.status NOT IN ('proposed', 'rejected') AND i.decided_at >= p.period_start AND i.decided_at < p.period_end) AS approved,
       (SELECT COALESCE(sum(c.hours), 0) FROM initiative_contributions c
        WHERE c.initiative_id = i.id AND c.day BETWEEN p.first_day AND p.last_day) AS resident_hours,
       (SELECT COALESCE(sum(h.hours), 0) FROM job_hours h JOIN initiative_jobs ij ON ij.job_id = h.job_id
        WHERE ij.initiative_id = i.id AND h.created_at >= p.period_start AND h.created_at < p.period_end) AS crew_hours,
       EXISTS (SELECT 1 FROM initiative_jobs ij JOIN jobs j ON j.id = ij.job_id
               WHERE ij.initiative_id = i.id AND ij.kind = 'materials' AND j.status = 'cancelled') AS materials_cancelled,
       EXISTS (SELECT 1 FROM initiative_jobs ij JOIN jobs j ON j.id = ij.job_id
               WHERE ij.initiative_id = i.id AND ij.kind = 'guidance' AND j.status = 'cancelled') AS guidance_cancelled
FROM (SELECT ?::timestamptz AS period_start, ?::timestamptz AS period_end, ?::date AS first_day, ?::date AS last_day) p,
     initiatives i
JOIN areas a ON a.id = i.area_id
LEFT JOIN areas d ON d.id = a.parent_id AND d.kind = 'district'
WHERE %s`

// Report sums the initiatives in u's part of the area tree per district for the days
// of period p (both ends included, in Amsterdam time). Read p with planner.ParsePeriod,
// as every report's period.
func (s *Service) Report(ctx context.Context, u access.User, p planner.Period) (Report, error) {
	start, end := p.Instants()
	scope, scopeArgs := access.Scope(u, "i.area_id")
	args := append([]any{start, end, p.From.String(), p.To.String()}, scopeArgs...)
	var rows []struct {
		DistrictCode       string
		DistrictName       string
		TargetLevel        string
		AreaM2             float64
		Materials          []byte
		GuidanceHours      float64
		Raised             bool
		Approved           bool
		ResidentHours      float64
		CrewHours          float64
		MaterialsCancelled bool
		GuidanceCancelled  bool
	}
	if err := s.db.WithContext(ctx).Raw(fmt.Sprintf(reportSQL, scope), args...).Scan(&rows).Error; err != nil {
		return Report{}, fmt.Errorf("initiative: report: %w", err)
	}
	rep := Report{From: p.From.String(), To: p.To.String(), Districts: []Figures{}, Total: newFigures("", "Totaal")}
	byCode := map[string]*Figures{}
	for _, r := range rows {
		if !r.Raised && !r.Approved && r.ResidentHours == 0 && r.CrewHours == 0 {
			continue
		}
		f, ok := byCode[r.DistrictCode]
		if !ok {
			nf := newFigures(r.DistrictCode, r.DistrictName)
			f = &nf
			byCode[r.DistrictCode] = f
		}
		for _, t := range []*Figures{f, &rep.Total} {
			if r.Raised {
				t.Initiatives++
				t.AreaM2[r.TargetLevel] += r.AreaM2
			}
			t.ResidentHours += r.ResidentHours
			t.CrewHours += r.CrewHours
			if r.Approved && !r.GuidanceCancelled {
				t.GuidanceHours += r.GuidanceHours
			}
			if r.Approved && !r.MaterialsCancelled {
				var ms []Material
				_ = json.Unmarshal(r.Materials, &ms)
				t.Materials = addMaterials(t.Materials, ms)
			}
		}
	}
	for _, f := range byCode {
		rep.Districts = append(rep.Districts, *f)
	}
	sort.Slice(rep.Districts, func(i, j int) bool { return rep.Districts[i].Code < rep.Districts[j].Code })
	for i := range rep.Districts {
		rep.Districts[i].finish()
	}
	rep.Total.finish()
	return rep, nil
}

func (f *Figures) finish() {
	for l, m2 := range f.AreaM2 {
		f.AreaM2[l] = round1(m2)
	}
	f.ResidentHours, f.CrewHours, f.GuidanceHours = round2(f.ResidentHours), round2(f.CrewHours), round2(f.GuidanceHours)
	f.MunicipalHours = f.CrewHours
	sort.Slice(f.Materials, func(i, j int) bool {
		a, b := f.Materials[i], f.Materials[j]
		if a.Item != b.Item {
			return a.Item < b.Item
		}
		return a.Unit < b.Unit
	})
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// addMaterials adds ms to sum, joining the same item and unit (ignoring case).
func addMaterials(sum, ms []Material) []Material {
	for _, m := range ms {
		found := false
		for i := range sum {
			if strings.EqualFold(sum[i].Item, m.Item) && strings.EqualFold(sum[i].Unit, m.Unit) {
				sum[i].Quantity += m.Quantity
				found = true
				break
			}
		}
		if !found {
			sum = append(sum, Material{Item: strings.ToLower(m.Item), Quantity: m.Quantity, Unit: strings.ToLower(m.Unit)})
		}
	}
	return sum
}

// WriteCSV writes the report as CSV for Dutch Excel (package spreadsheet), with Dutch
// headers that say which figures were spent and which granted (see Figures): one row
// per district and a total row; materials are one cell ("20 stuks vaste planten, 2,5 m3
// compost").
func (r Report) WriteCSV(w io.Writer) error {
	header := []string{"Wijkcode", "Wijk", "Van", "Tot en met", "Initiatieven"}
	for _, l := range Levels {
		header = append(header, "m² op niveau "+l)
	}
	header = append(header, "Uren bewoners", "Uren ploegen (geregistreerd)", "Uren begeleiding toegezegd",
		"Uren gemeente besteed", "Materialen toegezegd")
	rows := make([][]string, 0, len(r.Districts)+1)
	for _, f := range append(append([]Figures{}, r.Districts...), r.Total) {
		row := []string{f.Code, f.Name, r.From, r.To, strconv.Itoa(f.Initiatives)}
		for _, l := range Levels {
			row = append(row, spreadsheet.Number(f.AreaM2[l], 0))
		}
		items := make([]string, len(f.Materials))
		for i, m := range f.Materials {
			items[i] = fmt.Sprintf("%s %s %s", strings.TrimSuffix(strings.TrimRight(spreadsheet.Number(m.Quantity, 2), "0"), ","), m.Unit, m.Item)
		}
		row = append(row, spreadsheet.Number(f.ResidentHours, 2), spreadsheet.Number(f.CrewHours, 2),
			spreadsheet.Number(f.GuidanceHours, 2), spreadsheet.Number(f.MunicipalHours, 2), strings.Join(items, ", "))
		rows = append(rows, row)
	}
	return spreadsheet.WriteCSV(w, header, rows)
}
