package planner

import (
	"context"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/database"
	"wijkwerk/backend/plaintext"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/worker"
)

// Worker is a crew member as the desk sees them: role, teams, contract and milestones.
// It never holds development notes.
type Worker struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Active bool   `json:"active"`
	// HasAccess is whether their phone works today: active, and neither past the
	// contract end nor flowed out (worker.AccessSQL).
	HasAccess      bool      `json:"has_access"`
	Teams          []TeamRef `json:"teams"`
	ContractHours  float64   `json:"contract_hours"`
	PlacementStart Date      `json:"placement_start"`
	EvaluationDue  Date      `json:"evaluation_due"`
	ContractEnd    Date      `json:"contract_end"`
	Outflow        *Outflow  `json:"outflow"` // the latest, if any
}

// Outflow records that a worker left for a regular job, education or something else.
type Outflow struct {
	ID       int64  `json:"id"`
	WorkerID int64  `json:"worker_id"`
	Date     Date   `json:"date"`
	Employer string `json:"employer"`
	Kind     string `json:"kind"`
}

// Absence is a span of days a worker is away.
type Absence struct {
	ID       int64  `json:"id"`
	WorkerID int64  `json:"worker_id"`
	From     Date   `json:"from"`
	To       Date   `json:"to"`
	Reason   string `json:"reason"`
}

// Limits and defaults of worker data.
const (
	DefaultContractHours = 32
	MaxContractHours     = 60
	MaxName              = 100
	MaxEmployer          = 200
	// EvaluationAfter is how long after the placement start the first evaluation is due.
	EvaluationAfter = 3 // months
)

// DefaultEvaluation is the evaluation date for a placement that starts on start.
func DefaultEvaluation(start Date) Date {
	if start.IsZero() {
		return Date{}
	}
	return Date{start.AddDate(0, EvaluationAfter, 0)}
}

// Milestones are the dates of a worker's placement, and their contract hours.
type Milestones struct {
	PlacementStart Date     `json:"placement_start"`
	EvaluationDue  Date     `json:"evaluation_due"` // zero: placement start + 3 months
	ContractEnd    Date     `json:"contract_end"`
	ContractHours  *float64 `json:"contract_hours"` // nil: keep (or the default for a new worker)
}

func (m *Milestones) normalise() error {
	if m.EvaluationDue.IsZero() {
		m.EvaluationDue = DefaultEvaluation(m.PlacementStart)
	}
	if m.ContractHours != nil && (*m.ContractHours < 0 || *m.ContractHours > MaxContractHours) {
		return problem.Invalid("contract_hours", problem.Sprintf(
			"Contracturen moeten tussen 0 en %d per week liggen.", "Contract hours must be between 0 and %d a week.", MaxContractHours))
	}
	if h := m.ContractHours; h != nil && math.Abs(*h*10-math.Round(*h*10)) > 1e-9 {
		// Stored with one decimal: 12.345 would silently become 12.3.
		return problem.Invalid("contract_hours", problem.T(
			"Geef contracturen met hoogstens één cijfer achter de komma, zoals 24,5.", "Give contract hours with at most one decimal, like 24.5."))
	}
	if !m.PlacementStart.IsZero() {
		if !m.ContractEnd.IsZero() && m.ContractEnd.Before(m.PlacementStart.Time) {
			return problem.Invalid("contract_end", problem.T(
				"Het contract kan niet eindigen voor de plaatsing begint.", "The contract cannot end before the placement starts."))
		}
		if m.EvaluationDue.Before(m.PlacementStart.Time) {
			return problem.Invalid("evaluation_due", problem.T(
				"De evaluatie kan niet voor het begin van de plaatsing zijn.", "The evaluation cannot be before the placement starts."))
		}
	}
	return nil
}

// NewWorker is a worker to create.
type NewWorker struct {
	TeamID int64  `json:"team_id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	Milestones
}

// Workers lists the workers in u's scope by name, with only their teams in scope.
func (s *Store) Workers(ctx context.Context, u access.User) ([]Worker, error) {
	cond, args := workerScope(u, "w.id")
	return s.workers(ctx, s.db, u, cond, args...)
}

func (s *Store) worker(ctx context.Context, db *gorm.DB, u access.User, id int64) (Worker, error) {
	cond, args := workerScope(u, "w.id")
	ws, err := s.workers(ctx, db, u, `w.id = ? AND `+cond, append([]any{id}, args...)...)
	if err != nil {
		return Worker{}, err
	}
	if len(ws) == 0 {
		return Worker{}, errWorkerNotFound()
	}
	return ws[0], nil
}

func (s *Store) workers(ctx context.Context, db *gorm.DB, u access.User, cond string, args ...any) ([]Worker, error) {
	db = db.WithContext(ctx)
	var rows []struct {
		ID             int64
		Name           string
		Role           string
		Active         bool
		HasAccess      bool
		ContractHours  float64
		PlacementStart *time.Time
		EvaluationDue  *time.Time
		ContractEnd    *time.Time
	}
	err := db.Raw(`SELECT w.id, w.name, w.role, w.active, `+worker.AccessSQL("w")+` AS has_access, w.contract_hours, w.placement_start, w.evaluation_due, w.contract_end
FROM workers w WHERE `+cond+` ORDER BY w.name, w.id`, args...).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("planner: workers: %w", err)
	}
	out := make([]Worker, len(rows))
	idx := make(map[int64]int, len(rows))
	ids := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = Worker{ID: r.ID, Name: r.Name, Role: r.Role, Active: r.Active, HasAccess: r.HasAccess, Teams: []TeamRef{},
			ContractHours: r.ContractHours, PlacementStart: datePtr(r.PlacementStart),
			EvaluationDue: datePtr(r.EvaluationDue), ContractEnd: datePtr(r.ContractEnd)}
		idx[r.ID] = i
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	tcond, targs := teamScope(u, "t.id")
	var teams []struct {
		WorkerID int64
		TeamRef
	}
	err = db.Raw(`SELECT wt.worker_id, t.id, t.code, t.name FROM worker_teams wt JOIN teams t ON t.id = wt.team_id
WHERE wt.worker_id = ANY(?::bigint[]) AND `+tcond+` ORDER BY t.name`, append([]any{database.Int64Array(ids)}, targs...)...).Scan(&teams).Error
	if err != nil {
		return nil, fmt.Errorf("planner: workers: %w", err)
	}
	for _, t := range teams {
		w := &out[idx[t.WorkerID]]
		w.Teams = append(w.Teams, t.TeamRef)
	}
	var outflows []struct {
		ID, WorkerID int64
		Date         time.Time
		Employer     string
		Kind         string
	}
	err = db.Raw(`SELECT DISTINCT ON (worker_id) id, worker_id, date, employer, kind FROM worker_outflows
WHERE worker_id = ANY(?::bigint[]) ORDER BY worker_id, date DESC, id DESC`, database.Int64Array(ids)).Scan(&outflows).Error
	if err != nil {
		return nil, fmt.Errorf("planner: workers: %w", err)
	}
	for _, o := range outflows {
		out[idx[o.WorkerID]].Outflow = &Outflow{ID: o.ID, WorkerID: o.WorkerID, Date: DateOf(o.Date), Employer: o.Employer, Kind: o.Kind}
	}
	return out, nil
}

// CreateWorker adds a worker to a team in u's scope, with their contract and milestones.
func (s *Store) CreateWorker(ctx context.Context, u access.User, nw NewWorker) (Worker, error) {
	nw.Name = plaintext.Name(nw.Name)
	if nw.Name == "" || utf8.RuneCountInString(nw.Name) > MaxName {
		return Worker{}, problem.Invalid("name", problem.Sprintf("Geef een naam van hoogstens %d tekens.",
			"Give a name of at most %d characters.", MaxName))
	}
	role, err := worker.ParseRole(nw.Role)
	if err != nil {
		return Worker{}, problem.Invalid("role", problem.T(
			"Kies een rol: specialist, trainee, seconded of enforcement.", "Choose a role: specialist, trainee, seconded or enforcement."))
	}
	if nw.TeamID <= 0 {
		return Worker{}, problem.Invalid("team_id", problem.T("Kies een ploeg.", "Choose a crew."))
	}
	if err := nw.Milestones.normalise(); err != nil {
		return Worker{}, err
	}
	hours := float64(DefaultContractHours)
	if nw.ContractHours != nil {
		hours = *nw.ContractHours
	}
	var out Worker
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		cond, args := teamScope(u, "t.id")
		var ok bool
		if err := tx.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM teams t WHERE t.id = ? AND `+cond+`)`,
			append([]any{nw.TeamID}, args...)...).Scan(&ok).Error; err != nil {
			return fmt.Errorf("planner: create worker: %w", err)
		}
		if !ok {
			return errTeamNotFound()
		}
		var id int64
		err := tx.WithContext(ctx).Raw(`INSERT INTO workers (name, role, contract_hours, placement_start, evaluation_due, contract_end)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, nw.Name, string(role), hours, sqlDate(nw.PlacementStart),
			sqlDate(nw.EvaluationDue), sqlDate(nw.ContractEnd)).Scan(&id).Error
		if err != nil {
			return fmt.Errorf("planner: create worker: %w", err)
		}
		if err := tx.WithContext(ctx).Exec(`INSERT INTO worker_teams (worker_id, team_id) VALUES (?, ?)`, id, nw.TeamID).Error; err != nil {
			return fmt.Errorf("planner: create worker: %w", err)
		}
		out, err = s.worker(ctx, tx, u, id)
		return err
	})
	return out, err
}

// Worker returns worker id as the desk sees them, if in u's scope.
func (s *Store) Worker(ctx context.Context, u access.User, id int64) (Worker, error) {
	return s.worker(ctx, s.db, u, id)
}

// lockWorker checks inside tx that worker id is in u's scope, and holds their row until
// tx ends, so that two same requests at once (a double click) take turns and the second
// finds what the first wrote.
func lockWorker(ctx context.Context, tx *gorm.DB, u access.User, id int64) error {
	if err := inScope(ctx, tx, u, id); err != nil {
		return err
	}
	if err := tx.WithContext(ctx).Exec(`SELECT 1 FROM workers WHERE id = ? FOR NO KEY UPDATE`, id).Error; err != nil {
		return fmt.Errorf("planner: lock worker: %w", err)
	}
	return nil
}

// inScope checks inside tx that worker id is in u's scope.
func inScope(ctx context.Context, tx *gorm.DB, u access.User, id int64) error {
	cond, args := workerScope(u, "w.id")
	var ok bool
	err := tx.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM workers w WHERE w.id = ? AND `+cond+`)`,
		append([]any{id}, args...)...).Scan(&ok).Error
	if err != nil {
		return fmt.Errorf("planner: worker scope: %w", err)
	}
	if !ok {
		return errWorkerNotFound()
	}
	return nil
}

// CheckWorker returns a not-found problem unless worker id is in u's scope.
func (s *Store) CheckWorker(ctx context.Context, u access.User, id int64) error {
	return inScope(ctx, s.db, u, id)
}

// MilestoneUpdate changes some of a worker's milestones: the dates whose Set flag is
// true (a zero date clears one), and the contract hours when not nil. The rest stay.
type MilestoneUpdate struct {
	Milestones
	SetPlacementStart, SetEvaluationDue, SetContractEnd bool
}

// SetMilestones changes a worker's placement dates and contract hours as upd says. An
// evaluation date that is cleared (or was never set) is three months after the placement
// start. The result is checked as a whole: a new contract end may not lie before the
// placement start that stays.
func (s *Store) SetMilestones(ctx context.Context, u access.User, id int64, upd MilestoneUpdate) (Worker, error) {
	var out Worker
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := inScope(ctx, tx, u, id); err != nil {
			return err
		}
		var cur struct{ PlacementStart, EvaluationDue, ContractEnd *time.Time }
		if err := tx.WithContext(ctx).Raw(`SELECT placement_start, evaluation_due, contract_end FROM workers WHERE id = ? FOR UPDATE`, id).
			Scan(&cur).Error; err != nil {
			return fmt.Errorf("planner: milestones: %w", err)
		}
		m := Milestones{PlacementStart: dateOf(cur.PlacementStart), EvaluationDue: dateOf(cur.EvaluationDue),
			ContractEnd: dateOf(cur.ContractEnd), ContractHours: upd.ContractHours}
		if upd.SetPlacementStart {
			m.PlacementStart = upd.PlacementStart
		}
		if upd.SetEvaluationDue {
			m.EvaluationDue = upd.EvaluationDue
		}
		if upd.SetContractEnd {
			m.ContractEnd = upd.ContractEnd
		}
		if err := m.normalise(); err != nil {
			return err
		}
		err := tx.WithContext(ctx).Exec(`UPDATE workers SET placement_start = ?, evaluation_due = ?, contract_end = ?,
       contract_hours = COALESCE(?, contract_hours) WHERE id = ?`,
			sqlDate(m.PlacementStart), sqlDate(m.EvaluationDue), sqlDate(m.ContractEnd), m.ContractHours, id).Error
		if err != nil {
			return fmt.Errorf("planner: milestones: %w", err)
		}
		out, err = s.worker(ctx, tx, u, id)
		return err
	})
	return out, err
}

// dateOf is the Date of a nullable date column.
func dateOf(t *time.Time) Date {
	if t == nil {
		return Date{}
	}
	return DateOf(*t)
}

// OutflowKinds are where workers go.
var OutflowKinds = []string{"regular_job", "education", "other"}

// AddOutflow records that a worker leaves (or left) on a date; created is false when
// the same outflow was recorded before (it is returned as it was).
func (s *Store) AddOutflow(ctx context.Context, u access.User, by int64, o Outflow) (_ Outflow, created bool, err error) {
	o.Employer = plaintext.Name(o.Employer)
	if !contains(OutflowKinds, o.Kind) {
		return Outflow{}, false, problem.Invalid("kind", problem.T(
			"Kies een soort uitstroom: regular_job (regulier werk), education (opleiding) of other (anders).", "Choose a kind: regular_job, education or other."))
	}
	if o.Date.IsZero() {
		return Outflow{}, false, problem.Invalid("date", problem.T("Geef de datum van de uitstroom.", "Give the date of the outflow."))
	}
	if utf8.RuneCountInString(o.Employer) > MaxEmployer {
		return Outflow{}, false, problem.Invalid("employer", problem.Sprintf("De naam van de werkgever is te lang (hoogstens %d tekens).",
			"The employer's name is too long (at most %d characters).", MaxEmployer))
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		created = false
		if err := lockWorker(ctx, tx, u, o.WorkerID); err != nil {
			return err
		}
		// The same outflow again (a double click, a retry) is the one recorded before.
		o.ID = 0
		if err := tx.WithContext(ctx).Raw(`SELECT id FROM worker_outflows WHERE worker_id = ? AND date = ? AND kind = ? AND employer = ?`,
			o.WorkerID, o.Date.Time, o.Kind, o.Employer).Scan(&o.ID).Error; err != nil || o.ID != 0 {
			return err
		}
		created = true
		return tx.WithContext(ctx).Raw(`INSERT INTO worker_outflows (worker_id, date, employer, kind, created_by)
VALUES (?, ?, ?, ?, ?) RETURNING id`, o.WorkerID, o.Date.Time, o.Employer, o.Kind, by).Scan(&o.ID).Error
	})
	if err != nil {
		return Outflow{}, false, err
	}
	return o, created, nil
}

// AbsenceReasons are the codes an absence may have. No free text: a reason can be
// health data.
var AbsenceReasons = []string{"leave", "sick", "training", "other"}

// MaxAbsenceDays is the longest absence one record may cover.
const MaxAbsenceDays = 366

// AddAbsence records days a worker is away; created is false when the same absence
// (days and reason) was recorded before: it is returned as it was, so a double click or
// a retry does not count it twice.
func (s *Store) AddAbsence(ctx context.Context, u access.User, by int64, a Absence) (_ Absence, created bool, err error) {
	switch {
	case a.From.IsZero() || a.To.IsZero():
		return Absence{}, false, problem.Invalid("from", problem.T("Geef de eerste en de laatste dag.", "Give the first and the last day."))
	case a.To.Before(a.From.Time):
		return Absence{}, false, problem.Invalid("to", problem.T("De laatste dag ligt voor de eerste.", "The last day is before the first."))
	case a.To.Sub(a.From.Time) > MaxAbsenceDays*24*time.Hour:
		return Absence{}, false, problem.Invalid("to", problem.Sprintf("Hoogstens %d dagen per keer.", "At most %d days at once.", MaxAbsenceDays))
	case !contains(AbsenceReasons, a.Reason):
		return Absence{}, false, problem.Invalid("reason", problem.T(
			"Kies een reden: leave (verlof), sick (ziek), training (opleiding) of other (anders).", "Choose a reason: leave, sick, training or other."))
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		created = false
		if err := lockWorker(ctx, tx, u, a.WorkerID); err != nil {
			return err
		}
		a.ID = 0
		if err := tx.WithContext(ctx).Raw(`SELECT id FROM worker_absences WHERE worker_id = ? AND from_date = ? AND to_date = ? AND reason = ?`,
			a.WorkerID, a.From.Time, a.To.Time, a.Reason).Scan(&a.ID).Error; err != nil || a.ID != 0 {
			return err
		}
		created = true
		return tx.WithContext(ctx).Raw(`INSERT INTO worker_absences (worker_id, from_date, to_date, reason, created_by)
VALUES (?, ?, ?, ?, ?) RETURNING id`, a.WorkerID, a.From.Time, a.To.Time, a.Reason, by).Scan(&a.ID).Error
	})
	if err != nil {
		return Absence{}, false, err
	}
	return a, created, nil
}

// Absences lists the absences of worker id in u's scope, the latest first. Their
// reasons can be health data ("sick"): only the roles that record absences may ask
// (the desk API's planners and admins), and no other list or report shows them.
func (s *Store) Absences(ctx context.Context, u access.User, id int64) ([]Absence, error) {
	if err := inScope(ctx, s.db, u, id); err != nil {
		return nil, err
	}
	var rows []struct {
		ID, WorkerID     int64
		FromDate, ToDate time.Time
		Reason           string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id, worker_id, from_date, to_date, reason FROM worker_absences
WHERE worker_id = ? ORDER BY from_date DESC, id DESC`, id).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("planner: absences: %w", err)
	}
	out := make([]Absence, len(rows))
	for i, r := range rows {
		out[i] = Absence{ID: r.ID, WorkerID: r.WorkerID, From: DateOf(r.FromDate), To: DateOf(r.ToDate), Reason: r.Reason}
	}
	return out, nil
}

// DeleteAbsence removes absence of worker id (one recorded by mistake, or twice): the
// days count for capacity again.
func (s *Store) DeleteAbsence(ctx context.Context, u access.User, id, absence int64) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := inScope(ctx, tx, u, id); err != nil {
			return err
		}
		res := tx.WithContext(ctx).Exec(`DELETE FROM worker_absences WHERE id = ? AND worker_id = ?`, absence, id)
		if res.Error != nil {
			return fmt.Errorf("planner: delete absence: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return problem.NotFound.New(problem.T("Deze afwezigheid bestaat niet (meer).", "This absence does not exist (any more)."))
		}
		return nil
	})
}

// Outflows lists the outflows of worker id in u's scope, the latest first.
func (s *Store) Outflows(ctx context.Context, u access.User, id int64) ([]Outflow, error) {
	if err := inScope(ctx, s.db, u, id); err != nil {
		return nil, err
	}
	var rows []struct {
		ID, WorkerID int64
		Date         time.Time
		Employer     string
		Kind         string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT id, worker_id, date, employer, kind FROM worker_outflows
WHERE worker_id = ? ORDER BY date DESC, id DESC`, id).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("planner: outflows: %w", err)
	}
	out := make([]Outflow, len(rows))
	for i, r := range rows {
		out[i] = Outflow{ID: r.ID, WorkerID: r.WorkerID, Date: DateOf(r.Date), Employer: r.Employer, Kind: r.Kind}
	}
	return out, nil
}

// DeleteOutflow removes outflow of worker id (recorded by mistake, or a departure that
// did not happen): the worker counts for capacity again and, unless the desk ended
// their access, their phone works again.
func (s *Store) DeleteOutflow(ctx context.Context, u access.User, id, outflow int64) error {
	return database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		if err := inScope(ctx, tx, u, id); err != nil {
			return err
		}
		res := tx.WithContext(ctx).Exec(`DELETE FROM worker_outflows WHERE id = ? AND worker_id = ?`, outflow, id)
		if res.Error != nil {
			return fmt.Errorf("planner: delete outflow: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return problem.NotFound.New(problem.T("Deze uitstroom bestaat niet (meer).", "This outflow does not exist (any more)."))
		}
		return nil
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
