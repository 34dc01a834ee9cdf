package planner

import (
	"context"
	"fmt"
	"time"

	"wijkwerk/backend/access"
	"wijkwerk/backend/database"
)

// Participants returns the workers in u's scope with their hours registered in p. Only
// their teams in scope are named.
func (s *Store) Participants(ctx context.Context, u access.User, p Period) ([]Participant, error) {
	ws, err := s.Workers(ctx, u)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	db := s.db.WithContext(ctx)
	var created []struct {
		ID        int64
		CreatedAt time.Time
	}
	if err := db.Raw(`SELECT id, created_at FROM workers WHERE id = ANY(?::bigint[])`, database.Int64Array(ids)).Scan(&created).Error; err != nil {
		return nil, fmt.Errorf("planner: participants: %w", err)
	}
	registered := map[int64]time.Time{}
	for _, c := range created {
		registered[c.ID] = c.CreatedAt
	}
	outflows := map[int64][]Outflow{}
	var orows []struct {
		ID, WorkerID int64
		Date         time.Time
		Employer     string
		Kind         string
	}
	if err := db.Raw(`SELECT id, worker_id, date, employer, kind FROM worker_outflows WHERE worker_id = ANY(?::bigint[]) ORDER BY date, id`,
		database.Int64Array(ids)).Scan(&orows).Error; err != nil {
		return nil, fmt.Errorf("planner: participants: %w", err)
	}
	for _, o := range orows {
		outflows[o.WorkerID] = append(outflows[o.WorkerID], Outflow{ID: o.ID, WorkerID: o.WorkerID, Date: DateOf(o.Date), Employer: o.Employer, Kind: o.Kind})
	}
	from, until := p.Instants()
	var hours []struct {
		WorkerID int64
		Hours    float64
	}
	if err := db.Raw(`SELECT worker_id, sum(hours) AS hours FROM job_hours
WHERE worker_id = ANY(?::bigint[]) AND created_at >= ? AND created_at < ? GROUP BY worker_id`, database.Int64Array(ids), from, until).
		Scan(&hours).Error; err != nil {
		return nil, fmt.Errorf("planner: participants: %w", err)
	}
	perWorker := map[int64]float64{}
	for _, h := range hours {
		perWorker[h.WorkerID] = h.Hours
	}
	out := make([]Participant, len(ws))
	for i, w := range ws {
		start := FirstDay(w.PlacementStart, registered[w.ID])
		teams := make([]string, len(w.Teams))
		for j, t := range w.Teams {
			teams[j] = t.Name
		}
		out[i] = Participant{WorkerID: w.ID, Name: w.Name, Role: w.Role, Teams: teams, Active: w.Active, Start: start,
			EvaluationDue: w.EvaluationDue, ContractEnd: w.ContractEnd, Hours: perWorker[w.ID], Outflows: outflows[w.ID]}
	}
	return out, nil
}

// Participation returns the participation report of p for u's scope.
func (s *Store) Participation(ctx context.Context, u access.User, p Period) (Participation, error) {
	workers, err := s.Participants(ctx, u, p)
	if err != nil {
		return Participation{}, err
	}
	from, until := p.Instants()
	cond, args := workerScope(u, "w.id")
	var hours []RoleCategoryHours
	err = s.db.WithContext(ctx).Raw(`
SELECT j.category_code AS category, c.name_nl, c.name_en, w.role, sum(h.hours) AS hours
FROM job_hours h
JOIN workers w ON w.id = h.worker_id
JOIN jobs j ON j.id = h.job_id
JOIN categories c ON c.code = j.category_code
WHERE h.created_at >= ? AND h.created_at < ? AND `+cond+`
GROUP BY 1, 2, 3, 4`, append([]any{from, until}, args...)...).Scan(&hours).Error
	if err != nil {
		return Participation{}, fmt.Errorf("planner: participation: %w", err)
	}
	return Summarise(p, workers, hours), nil
}
