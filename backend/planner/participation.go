package planner

import (
	"sort"
	"time"

	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
)

// Period is a span of whole days, both ends included.
type Period struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// MaxPeriodDays is the longest period a report may cover.
const MaxPeriodDays = 3 * 366

// ParsePeriod reads from and to ("2006-01-02"). Both empty is the current month of
// today; one empty is an error.
func ParsePeriod(from, to string, today Date) (Period, error) {
	if from == "" && to == "" {
		first := Date{time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)}
		return Period{From: first, To: Date{first.AddDate(0, 1, -1)}}, nil
	}
	f, err := ParseDateParam("from", from)
	if err != nil {
		return Period{}, err
	}
	t, err := ParseDateParam("to", to)
	if err != nil {
		return Period{}, err
	}
	if t.Before(f.Time) {
		return Period{}, problem.Invalid("to", problem.T("De einddatum (to) ligt voor de begindatum (from).", "The end date (to) is before the start date (from)."))
	}
	if t.Sub(f.Time) > MaxPeriodDays*24*time.Hour {
		return Period{}, problem.Invalid("to", problem.Sprintf("Een periode is hoogstens %d dagen.", "A period is at most %d days.", MaxPeriodDays))
	}
	return Period{From: f, To: t}, nil
}

// Contains reports whether d lies in p.
func (p Period) Contains(d Date) bool {
	return !d.IsZero() && !d.Before(p.From.Time) && !d.After(p.To.Time)
}

// Instants are the first instant of the period and the first instant after it, in
// Amsterdam time: hours registered between them belong to the period.
func (p Period) Instants() (from, until time.Time) {
	from = time.Date(p.From.Year(), p.From.Month(), p.From.Day(), 0, 0, 0, 0, job.Amsterdam)
	next := p.To.AddDays(1)
	until = time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, job.Amsterdam)
	return from, until
}

// Participant is one worker in a participation report. It holds no development notes.
type Participant struct {
	WorkerID      int64
	Name          string
	Role          string
	Teams         []string
	Active        bool
	Start         Date // see FirstDay
	EvaluationDue Date
	ContractEnd   Date
	Outflows      []Outflow
	Hours         float64 // registered in the period
}

// end is the last day the worker worked in this placement: the contract end or the
// first outflow on or after the start, whichever comes first; zero when open.
func (w Participant) end() Date {
	end := w.ContractEnd
	for _, o := range w.Outflows {
		if !w.Start.IsZero() && o.Date.Before(w.Start.Time) {
			continue
		}
		if end.IsZero() || o.Date.Before(end.Time) {
			end = o.Date
		}
	}
	return end
}

// evaluationIn reports whether the worker has an evaluation due in p while still in
// their placement: not for someone who left before it, nor for a deactivated worker
// without a known last day.
func (w Participant) evaluationIn(p Period) bool {
	if !p.Contains(w.EvaluationDue) {
		return false
	}
	if end := w.end(); !end.IsZero() {
		return !end.Before(w.EvaluationDue.Time)
	}
	return w.Active
}

// OutflowIn returns the worker's latest outflow in p.
func (w Participant) OutflowIn(p Period) (Outflow, bool) {
	var best Outflow
	found := false
	for _, o := range w.Outflows {
		if p.Contains(o.Date) && (!found || !o.Date.Before(best.Date.Time)) {
			best, found = o, true
		}
	}
	return best, found
}

// ActiveIn reports whether the worker took part in p: their placement overlaps it, or
// they flowed out during it. A deactivated worker without a contract end or outflow
// has no known last day and does not count.
func ActiveIn(p Period, w Participant) bool {
	if _, ok := w.OutflowIn(p); ok {
		return true
	}
	end := w.end()
	if !w.Active && end.IsZero() {
		return false
	}
	if !w.Start.IsZero() && w.Start.After(p.To.Time) {
		return false
	}
	return end.IsZero() || !end.Before(p.From.Time)
}

// CategoryHours are the hours registered on jobs of one category.
type CategoryHours struct {
	Category     string  `json:"category"`
	NameNL       string  `json:"name_nl"`
	NameEN       string  `json:"name_en"`
	Hours        float64 `json:"hours"`
	TraineeHours float64 `json:"trainee_hours"`
}

// HoursByRole are hours per worker role.
type HoursByRole struct {
	Specialist  float64 `json:"specialist"`
	Trainee     float64 `json:"trainee"`
	Seconded    float64 `json:"seconded"`
	Enforcement float64 `json:"enforcement"`
}

// EvaluationDue is a worker whose evaluation falls in the period.
type EvaluationDue struct {
	WorkerID int64  `json:"worker_id"`
	Name     string `json:"name"`
	Date     Date   `json:"date"`
}

// Participation is what a municipality asks of a learning-work company for a period:
// who took part, the hours, evaluations and outflow. No development notes.
type Participation struct {
	Period
	Workers struct {
		Active int        `json:"active"`
		ByRole RoleCounts `json:"by_role"`
	} `json:"workers"`
	Hours struct {
		Total      float64         `json:"total"`
		ByRole     HoursByRole     `json:"by_role"`
		ByCategory []CategoryHours `json:"by_category"`
	} `json:"hours"`
	EvaluationsDue struct {
		Count   int             `json:"count"`
		Workers []EvaluationDue `json:"workers"`
	} `json:"evaluations_due"`
	Outflow struct {
		// Count is the number of workers who flowed out in the period; ByKind splits
		// them by the kind of their latest outflow in it.
		Count  int            `json:"count"`
		ByKind map[string]int `json:"by_kind"`
		// Rate is the share of the trainees and seconded staff active in the period who
		// flowed out in it (specialists are not in a programme to leave); null without any.
		Rate *float64 `json:"rate"`
	} `json:"outflow"`
}

// Summarise builds the participation report of p from the workers in scope and the
// hours per category and role.
func Summarise(p Period, workers []Participant, hours []RoleCategoryHours) Participation {
	var out Participation
	out.Period = p
	out.Hours.ByCategory = []CategoryHours{}
	out.EvaluationsDue.Workers = []EvaluationDue{}
	out.Outflow.ByKind = map[string]int{}
	for _, k := range OutflowKinds {
		out.Outflow.ByKind[k] = 0
	}
	var programme, programmeOut int // trainees and seconded staff: who the rate is about
	for _, w := range workers {
		if w.evaluationIn(p) {
			out.EvaluationsDue.Workers = append(out.EvaluationsDue.Workers, EvaluationDue{WorkerID: w.WorkerID, Name: w.Name, Date: w.EvaluationDue})
		}
		if !ActiveIn(p, w) {
			continue
		}
		out.Workers.Active++
		out.Workers.ByRole.add(w.Role)
		inProgramme := w.Role == "trainee" || w.Role == "seconded"
		if inProgramme {
			programme++
		}
		// A person counts once, by their latest outflow in the period, so that the
		// kinds add up to the count.
		if o, ok := w.OutflowIn(p); ok {
			out.Outflow.ByKind[o.Kind]++
			out.Outflow.Count++
			if inProgramme {
				programmeOut++
			}
		}
	}
	sort.Slice(out.EvaluationsDue.Workers, func(i, j int) bool {
		a, b := out.EvaluationsDue.Workers[i], out.EvaluationsDue.Workers[j]
		if !a.Date.Equal(b.Date.Time) {
			return a.Date.Before(b.Date.Time)
		}
		return a.Name < b.Name
	})
	out.EvaluationsDue.Count = len(out.EvaluationsDue.Workers)
	if programme > 0 {
		r := round(float64(programmeOut)/float64(programme), 3)
		out.Outflow.Rate = &r
	}
	byCat := map[string]*CategoryHours{}
	var order []string
	for _, h := range hours {
		c := byCat[h.Category]
		if c == nil {
			c = &CategoryHours{Category: h.Category, NameNL: h.NameNL, NameEN: h.NameEN}
			byCat[h.Category] = c
			order = append(order, h.Category)
		}
		c.Hours += h.Hours
		out.Hours.Total += h.Hours
		switch h.Role {
		case "specialist":
			out.Hours.ByRole.Specialist += h.Hours
		case "trainee":
			out.Hours.ByRole.Trainee += h.Hours
			c.TraineeHours += h.Hours
		case "seconded":
			out.Hours.ByRole.Seconded += h.Hours
		case "enforcement":
			out.Hours.ByRole.Enforcement += h.Hours
		}
	}
	sort.Strings(order)
	for _, code := range order {
		c := byCat[code]
		c.Hours, c.TraineeHours = round(c.Hours, 2), round(c.TraineeHours, 2)
		out.Hours.ByCategory = append(out.Hours.ByCategory, *c)
	}
	out.Hours.Total = round(out.Hours.Total, 2)
	r := &out.Hours.ByRole
	r.Specialist, r.Trainee, r.Seconded, r.Enforcement = round(r.Specialist, 2), round(r.Trainee, 2), round(r.Seconded, 2), round(r.Enforcement, 2)
	return out
}

// RoleCategoryHours are the hours that workers of one role registered on one category.
type RoleCategoryHours struct {
	Category string
	NameNL   string `gorm:"column:name_nl"`
	NameEN   string `gorm:"column:name_en"`
	Role     string
	Hours    float64
}
