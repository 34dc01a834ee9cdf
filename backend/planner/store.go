// Package planner is the planner's side of Wijkwerk: capacity of teams per week, the
// board of open work against that capacity, moving jobs between teams, the participation
// of the people who do the work (milestones, outflow, development notes) and the daily
// reminder of tasks due tomorrow.
//
// Everything a desk user asks for is kept inside their part of the area tree: a job is
// in scope when its area is, a team when it serves an area in scope, a worker when one
// of their teams is in scope. Things out of scope are "not found", never "forbidden", so
// an answer does not even tell that they exist.
package planner

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
)

// Store reads and changes what planners work with.
type Store struct {
	db      *gorm.DB
	updates job.Updates
}

// NewStore returns a Store on db. updates says how long the pushes it queues may wait
// (PushTTL), and whether residents also hear by e-mail.
func NewStore(db *gorm.DB, updates job.Updates) *Store { return &Store{db: db, updates: updates} }

// teamScope is a condition on a team id column: the team serves an area in u's scope.
func teamScope(u access.User, teamCol string) (string, []any) {
	cond, args := access.Scope(u, "ta.area_id")
	return `EXISTS (SELECT 1 FROM team_areas ta WHERE ta.team_id = ` + teamCol + ` AND ` + cond + `)`, args
}

// jobScope is a condition on a job j that a planner u may see and change: it lies in
// u's areas, or a team in u's scope has it (see workScope, the same for big scans).
func jobScope(u access.User) (string, []any) {
	area, args := access.Scope(u, "j.area_id")
	team, teamArgs := teamScope(u, "j.team_id")
	return "(" + area + " OR " + team + ")", append(args, teamArgs...)
}

// workerScope is a condition on a worker id column: one of the worker's teams is in u's
// scope.
func workerScope(u access.User, workerCol string) (string, []any) {
	cond, args := access.Scope(u, "ta.area_id")
	return `EXISTS (SELECT 1 FROM worker_teams wt JOIN team_areas ta ON ta.team_id = wt.team_id
WHERE wt.worker_id = ` + workerCol + ` AND ` + cond + `)`, args
}

// Teams returns the teams in u's scope, by name.
func (s *Store) Teams(ctx context.Context, u access.User) ([]TeamRef, error) {
	cond, args := teamScope(u, "t.id")
	var teams []TeamRef
	err := s.db.WithContext(ctx).Raw(`SELECT t.id, t.code, t.name FROM teams t WHERE `+cond+` ORDER BY t.name, t.id`, args...).
		Scan(&teams).Error
	if err != nil {
		return nil, fmt.Errorf("planner: teams: %w", err)
	}
	return teams, nil
}

// DueSoonUntil is the last due date that counts as "due soon" on today: two working days
// ahead.
func DueSoonUntil(today Date) Date { return Date{job.DueDate(today.Time, 2)} }

// boardRowsSQL sums the open work per team and area. The rows come from the partial
// index jobs_open_board_idx in (team_id, area_id) order, so the sums stream without a
// hash table. %s is the scope condition (workScope); its arguments follow the dates.
var boardRowsSQL = `
SELECT j.team_id, j.area_id, count(*) AS jobs,
       sum(COALESCE(j.effort_override_minutes, j.effort_minutes)) AS minutes,
       count(*) FILTER (WHERE j.due_date < ?) AS overdue,
       count(*) FILTER (WHERE j.due_date >= ? AND j.due_date <= ?) AS due_soon
FROM jobs j
WHERE ` + job.OpenSQL + ` AND %s
GROUP BY j.team_id, j.area_id`

// areaTreeSQL reads the whole area tree without polygons: a few hundred rows for a
// country's municipalities and the districts and neighbourhoods of a few of them.
const areaTreeSQL = `SELECT id, COALESCE(parent_id, 0) AS parent_id, kind, code, name FROM areas`

// workScope returns a condition on jobs j for the open work u plans, as jobScope: the
// jobs in u's areas, and the jobs of the teams in u's scope wherever they lie (a planner of the whole
// municipality may have moved a job to a team outside its own areas, and the team's
// capacity carries it all the same). The areas of u's scope are resolved to a list of
// ids first, so that the big sums carry no recursive query; inScope tells them apart
// (nil when u sees everything).
func (s *Store) workScope(ctx context.Context, u access.User) (cond string, args []any, inScope map[int64]bool, err error) {
	if u.All() {
		return "TRUE", nil, nil, nil
	}
	cond, args = access.Scope(u, "a.id")
	var ids []int64
	if err := s.db.WithContext(ctx).Raw(`SELECT a.id FROM areas a WHERE `+cond, args...).Scan(&ids).Error; err != nil {
		return "", nil, nil, fmt.Errorf("planner: scope: %w", err)
	}
	inScope = make(map[int64]bool, len(ids))
	for _, id := range ids {
		inScope[id] = true
	}
	arr := database.Int64Array(ids)
	return `(j.area_id = ANY(?::bigint[]) OR j.team_id IN (SELECT ta.team_id FROM team_areas ta WHERE ta.area_id = ANY(?::bigint[])))`,
		[]any{arr, arr}, inScope, nil
}

// Board returns the board of week for u, with overdue and due-soon counted from now.
// Its three parts (the sums, the teams with their workers, the area tree) are read at
// the same time on separate connections.
func (s *Store) Board(ctx context.Context, u access.User, week Week, now time.Time) (Board, error) {
	today := Today(now)
	soon := DueSoonUntil(today)
	var (
		wg                          sync.WaitGroup
		rows                        []loadRow
		stuck                       []stuckCountRow
		teams                       []TeamRef
		workers                     []Availability
		nodes                       []AreaNode
		errRows, errTeams, errAreas error
	)
	wg.Add(3)
	var inScope map[int64]bool
	go func() {
		defer wg.Done()
		var (
			cond string
			args []any
			err  error
		)
		cond, args, inScope, err = s.workScope(ctx, u)
		if err != nil {
			errRows = err
			return
		}
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			// A parallel scan looks cheaper to the planner, but on the small machines we
			// run on its workers cost more than they save: 100,000 open jobs take about
			// 170 ms in parallel and 40 ms as one streaming pass over the index.
			if err := tx.Exec(`SET LOCAL max_parallel_workers_per_gather = 0`).Error; err != nil {
				return err
			}
			if err := tx.Raw(fmt.Sprintf(boardRowsSQL, cond), append([]any{today.Time, today.Time, soon.Time}, args...)...).Scan(&rows).Error; err != nil {
				return err
			}
			return tx.Raw(fmt.Sprintf(stuckCountsSQL, cond), args...).Scan(&stuck).Error
		})
		if err != nil {
			errRows = fmt.Errorf("planner: board: %w", err)
		}
	}()
	go func() {
		defer wg.Done()
		if teams, errTeams = s.Teams(ctx, u); errTeams != nil {
			return
		}
		ids := make([]int64, len(teams))
		for i, t := range teams {
			ids[i] = t.ID
		}
		workers, errTeams = s.Availability(ctx, ids, week.Monday(), week.Sunday())
	}()
	go func() {
		defer wg.Done()
		if err := s.db.WithContext(ctx).Raw(areaTreeSQL).Scan(&nodes).Error; err != nil {
			errAreas = fmt.Errorf("planner: areas: %w", err)
		}
	}()
	wg.Wait()
	if err := errors.Join(errRows, errTeams, errAreas); err != nil {
		return Board{}, err
	}
	areas := make(map[int64]AreaNode, len(nodes))
	for _, n := range nodes {
		areas[n.ID] = n
	}
	loads := make([]LoadRow, 0, len(rows)+len(stuck))
	for _, r := range rows {
		l := LoadRow{AreaID: r.AreaID, Jobs: r.Jobs, Minutes: r.Minutes, Overdue: r.Overdue, DueSoon: r.DueSoon,
			Elsewhere: inScope != nil && !inScope[r.AreaID]}
		if r.TeamID != nil {
			l.TeamID = *r.TeamID
		}
		loads = append(loads, l)
	}
	for _, r := range stuck {
		l := LoadRow{AreaID: r.AreaID, CannotComplete: r.CannotComplete, Elsewhere: inScope != nil && !inScope[r.AreaID]}
		if r.TeamID != nil {
			l.TeamID = *r.TeamID
		}
		loads = append(loads, l)
	}
	return BuildBoard(BoardInput{
		Week: week, Today: today, DueSoonUntil: soon, Teams: teams, Rows: loads, Areas: areas, Workers: workers,
	}), nil
}

// loadRow is one row of boardRowsSQL; team_id is NULL for the planner queue.
type loadRow struct {
	TeamID  *int64
	AreaID  int64
	Jobs    int
	Minutes int64
	Overdue int
	DueSoon int
}

// stuckCountRow is one row of stuckCountsSQL.
type stuckCountRow struct {
	TeamID         *int64
	AreaID         int64
	CannotComplete int
}

// Availability returns the active workers of teams with what capacity needs, and their
// absences between from and to. A worker's Teams holds all their teams, also those not
// asked for, so that their hours are split fairly.
func (s *Store) Availability(ctx context.Context, teams []int64, from, to Date) ([]Availability, error) {
	if len(teams) == 0 {
		return nil, nil
	}
	db := s.db.WithContext(ctx)
	var ws []struct {
		ID             int64
		Role           string
		ContractHours  float64
		PlacementStart *time.Time
		ContractEnd    *time.Time
		DeactivatedOn  *time.Time
		CreatedAt      time.Time
	}
	// A worker whose access the desk ended counts up to the day before (deactivated_on),
	// as one who flowed out does.
	err := db.Raw(`
SELECT w.id, w.role, w.contract_hours, w.placement_start, w.contract_end, w.deactivated_on, w.created_at
FROM workers w
WHERE (w.active OR w.deactivated_on IS NOT NULL)
  AND EXISTS (SELECT 1 FROM worker_teams wt WHERE wt.worker_id = w.id AND wt.team_id = ANY(?::bigint[]))
ORDER BY w.id`, database.Int64Array(teams)).Scan(&ws).Error
	if err != nil {
		return nil, fmt.Errorf("planner: availability: %w", err)
	}
	if len(ws) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	arr := database.Int64Array(ids)
	var memberships []struct{ WorkerID, TeamID int64 }
	if err := db.Raw(`SELECT worker_id, team_id FROM worker_teams WHERE worker_id = ANY(?::bigint[]) ORDER BY team_id`, arr).
		Scan(&memberships).Error; err != nil {
		return nil, fmt.Errorf("planner: availability: %w", err)
	}
	var outflows []struct {
		WorkerID int64
		Date     time.Time
	}
	if err := db.Raw(`SELECT worker_id, date FROM worker_outflows WHERE worker_id = ANY(?::bigint[])`, arr).
		Scan(&outflows).Error; err != nil {
		return nil, fmt.Errorf("planner: availability: %w", err)
	}
	var absences []struct {
		WorkerID         int64
		FromDate, ToDate time.Time
	}
	if err := db.Raw(`SELECT worker_id, from_date, to_date FROM worker_absences
WHERE worker_id = ANY(?::bigint[]) AND from_date <= ? AND to_date >= ?`, arr, to.Time, from.Time).
		Scan(&absences).Error; err != nil {
		return nil, fmt.Errorf("planner: availability: %w", err)
	}
	out := make([]Availability, len(ws))
	idx := make(map[int64]int, len(ws))
	outs := map[int64][]Date{}
	for _, o := range outflows {
		outs[o.WorkerID] = append(outs[o.WorkerID], DateOf(o.Date))
	}
	for i, w := range ws {
		start := FirstDay(datePtr(w.PlacementStart), w.CreatedAt)
		out[i] = Availability{
			WorkerID: w.ID, Role: w.Role, ContractHours: w.ContractHours, Start: start,
			End: WorkerEnd(start, datePtr(w.ContractEnd), ends(outs[w.ID], w.DeactivatedOn)),
		}
		idx[w.ID] = i
	}
	for _, m := range memberships {
		out[idx[m.WorkerID]].Teams = append(out[idx[m.WorkerID]].Teams, m.TeamID)
	}
	for _, a := range absences {
		w := &out[idx[a.WorkerID]]
		w.Absences = append(w.Absences, DateRange{From: DateOf(a.FromDate), To: DateOf(a.ToDate)})
	}
	return out, nil
}

// ends are the days a worker's time with the crew ended: their outflows and, when the
// desk ended their access, that day.
func ends(outflows []Date, deactivatedOn *time.Time) []Date {
	if deactivatedOn == nil {
		return outflows
	}
	return append(append([]Date{}, outflows...), DateOf(*deactivatedOn))
}
