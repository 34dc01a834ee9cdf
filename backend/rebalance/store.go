package rebalance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/planner"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
)

// AdjacentDegrees is how close (in degrees, about 15–20 m here) two areas' borders must
// be for the areas to count as neighbours. Published polygons of neighbouring areas do
// not always share their border exactly, so ST_Touches alone would miss some.
const AdjacentDegrees = 0.0002

// Store loads the input for a suggestion, keeps proposals and applies them.
type Store struct {
	db      *gorm.DB
	planner *planner.Store
}

// NewStore returns a Store on db. Pushes about applied moves may wait updates.PushTTL;
// residents hear of them as updates says.
func NewStore(db *gorm.DB, updates job.Updates) *Store {
	return &Store{db: db, planner: planner.NewStore(db, updates)}
}

// jobsSQL reads the unfinished work of the teams, as the board counts it: every open,
// assigned, accepted or started job, whatever its due date, at the planner's effort
// estimate. A job may move when it is open or assigned (no crew has accepted or started
// it) and lies in the user's scope. %s is the scope condition on j.area_id.
var jobsSQL = `
SELECT j.id, j.version, j.team_id, j.area_id, c.department, c.trainee,
       COALESCE(j.effort_override_minutes, j.effort_minutes) AS effort_minutes,
       ST_X(j.location) AS lon, ST_Y(j.location) AS lat,
       (` + planner.UnclaimedSQL + ` AND %s) AS movable
FROM jobs j JOIN categories c ON c.code = j.category_code
WHERE j.team_id = ANY(CAST(? AS bigint[]))
  AND ` + job.OpenSQL

// chainSQL walks from each area up to its municipality.
const chainSQL = `
WITH RECURSIVE up AS (
  SELECT a.id AS leaf, a.id, a.parent_id, 0 AS depth FROM areas a WHERE a.id = ANY(CAST(? AS bigint[]))
  UNION ALL
  SELECT up.leaf, p.id, p.parent_id, up.depth + 1 FROM up JOIN areas p ON p.id = up.parent_id WHERE up.depth < 10
)
SELECT leaf, id, depth FROM up ORDER BY leaf, depth`

// servedSQL lists who serves which area in scope for the departments, with the area's
// centre. %s is the scope condition on ta.area_id.
const servedSQL = `
SELECT ta.area_id, ta.department, ta.team_id, a.kind,
       ST_X(ST_Centroid(a.geom)) AS lon, ST_Y(ST_Centroid(a.geom)) AS lat
FROM team_areas ta JOIN areas a ON a.id = ta.area_id
WHERE ta.department = ANY(CAST(? AS text[])) AND %s
ORDER BY ta.area_id, ta.department`

// adjacentSQL pairs areas of the jobs' chains with served areas of the same kind whose
// borders touch (within AdjacentDegrees). Municipalities are left out: work does not
// cross to another municipality's teams.
const adjacentSQL = `
SELECT a.id AS a, b.id AS b
FROM areas a JOIN areas b
  ON b.id = ANY(CAST(? AS bigint[])) AND b.id <> a.id AND b.kind = a.kind AND ST_DWithin(a.geom, b.geom, ?)
WHERE a.id = ANY(CAST(? AS bigint[])) AND a.kind <> 'municipality'
ORDER BY a.id, b.id`

// staffing says which teams have someone, and which a specialist, who works on a day of
// week w from today on. A team whose workers all left, or are ill or off for the rest of
// the week, had hours this week but can take no work now; and a specialist who flowed out
// on a past day of the week was counted before, so a proposal moved specialist work to a
// team that applying the move refused (it checks the specialist is still there today).
//
// A week with no working day left (seen on its Saturday, or later) counts whole, as the
// board does: a planner may still balance it, and on a weekend every team would have
// no one left.
func staffing(w planner.Week, workers []planner.Availability, today planner.Date) (working, specialists map[int64]bool) {
	working, specialists = map[int64]bool{}, map[int64]bool{}
	from := today
	if !slices.ContainsFunc(w.WorkingDays(), func(d planner.Date) bool { return !d.Before(today.Time) }) {
		from = planner.Date{}
	}
	for _, a := range workers {
		if a.ContractHours <= 0 || planner.AvailableDaysFrom(w, a, from) == 0 {
			continue
		}
		for _, t := range a.Teams {
			working[t] = true
			specialists[t] = specialists[t] || a.Role == "specialist"
		}
	}
	return working, specialists
}

// Load reads the input of a suggestion for what u sees in week w: the teams that serve
// an area in u's scope with their capacity in w (as the board computes it) and all their
// unfinished work, and the movable jobs in u's scope with the teams each may go to.
func (s *Store) Load(ctx context.Context, u access.User, w planner.Week) (Input, error) {
	db := s.db.WithContext(ctx)
	in := Input{Teams: []Team{}, Zones: []Zone{}, Jobs: []Job{}}
	refs, err := s.planner.Teams(ctx, u)
	if err != nil {
		return Input{}, fmt.Errorf("rebalance: %w", err)
	}
	if len(refs) == 0 {
		return in, nil
	}
	teamIdx := make(map[int64]int, len(refs))
	teamIDs := make([]int64, len(refs))
	for i, r := range refs {
		teamIdx[r.ID] = i
		teamIDs[i] = r.ID
		in.Teams = append(in.Teams, Team{ID: r.ID, Code: r.Code, Name: r.Name})
	}
	workers, err := s.planner.Availability(ctx, teamIDs, w.Monday(), w.Sunday())
	if err != nil {
		return Input{}, fmt.Errorf("rebalance: %w", err)
	}
	capacity := planner.TeamCapacity(w, workers)
	for i := range in.Teams {
		in.Teams[i].CapacityHours = capacity[in.Teams[i].ID]
	}
	working, specialists := staffing(w, workers, planner.Today(time.Now()))
	for i, t := range in.Teams {
		in.Teams[i].NoDaysLeft = !working[t.ID]
		in.Teams[i].HasSpecialist = specialists[t.ID]
	}

	jobScope, jobScopeArgs := access.Scope(u, "j.area_id")
	args := append(slices.Clone(jobScopeArgs), database.Int64Array(teamIDs))
	rows, err := db.Raw(fmt.Sprintf(jobsSQL, jobScope), args...).Rows()
	if err != nil {
		return Input{}, fmt.Errorf("rebalance: jobs: %w", err)
	}
	type zoneKey struct {
		area int64
		dept string
	}
	zones := map[zoneKey]int{}
	var zoneKeys []zoneKey
	// Loads are summed in whole minutes: float sums would depend on the order of the
	// rows, and the result must not.
	minutes := make([]int64, len(in.Teams))
	for rows.Next() {
		var (
			j        Job
			area     int64
			dept     string
			rule     string
			effort   int64
			lon, lat float64
			movable  bool
		)
		if err := rows.Scan(&j.ID, &j.Version, &j.TeamID, &area, &dept, &rule, &effort, &lon, &lat, &movable); err != nil {
			rows.Close()
			return Input{}, fmt.Errorf("rebalance: jobs: %w", err)
		}
		minutes[teamIdx[j.TeamID]] += effort
		if !movable {
			continue
		}
		j.EffortHours = float64(effort) / 60
		k := zoneKey{area, dept}
		z, ok := zones[k]
		if !ok {
			z = len(zoneKeys)
			zones[k] = z
			zoneKeys = append(zoneKeys, k)
		}
		j.Rule, j.Zone, j.Location = category.TraineeRule(rule), z, orb.Point{lon, lat}
		in.Jobs = append(in.Jobs, j)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return Input{}, fmt.Errorf("rebalance: jobs: %w", err)
	}
	rows.Close()
	for i, m := range minutes {
		in.Teams[i].LoadHours = float64(m) / 60
	}
	if len(zoneKeys) == 0 {
		return in, nil
	}

	// Who serves what, in scope, for the departments of the movable jobs.
	var depts []string
	for _, k := range zoneKeys {
		depts = appendNew(depts, k.dept)
	}
	var served []struct {
		AreaID     int64
		Department string
		TeamID     int64
		Kind       string
		Lon, Lat   float64
	}
	srvScope, srvScopeArgs := access.Scope(u, "ta.area_id")
	args = append([]any{sortedTextArray(depts)}, srvScopeArgs...)
	if err := db.Raw(fmt.Sprintf(servedSQL, srvScope), args...).Scan(&served).Error; err != nil {
		return Input{}, fmt.Errorf("rebalance: served areas: %w", err)
	}
	type service struct {
		team   int64
		centre orb.Point
	}
	serves := map[zoneKey]service{}
	var servedIDs []int64
	for _, r := range served {
		if _, ok := teamIdx[r.TeamID]; !ok {
			continue
		}
		serves[zoneKey{r.AreaID, r.Department}] = service{r.TeamID, orb.Point{r.Lon, r.Lat}}
		if r.Kind != "municipality" {
			servedIDs = appendNew(servedIDs, r.AreaID)
		}
	}

	// The chains of the jobs' areas and of the served areas (for their municipality).
	leafIDs := slices.Clone(servedIDs)
	for _, k := range zoneKeys {
		leafIDs = appendNew(leafIDs, k.area)
	}
	var links []struct {
		Leaf, ID int64
		Depth    int
	}
	if err := db.Raw(chainSQL, database.Int64Array(leafIDs)).Scan(&links).Error; err != nil {
		return Input{}, fmt.Errorf("rebalance: area chains: %w", err)
	}
	chains := map[int64][]int64{}
	for _, l := range links {
		chains[l.Leaf] = append(chains[l.Leaf], l.ID)
	}
	roots := map[int64]int64{}
	for _, c := range chains {
		for _, a := range c {
			roots[a] = c[len(c)-1]
		}
	}
	root := func(area int64) int64 {
		if r, ok := roots[area]; ok {
			return r
		}
		return area
	}

	// Neighbours: served areas next to an area of a job's chain, in the same municipality.
	var chainIDs []int64
	for _, k := range zoneKeys {
		for _, a := range chains[k.area] {
			chainIDs = appendNew(chainIDs, a)
		}
	}
	neighbours := map[int64][]int64{}
	if len(servedIDs) > 0 && len(chainIDs) > 0 {
		var pairs []struct{ A, B int64 }
		if err := db.Raw(adjacentSQL, database.Int64Array(servedIDs), AdjacentDegrees, database.Int64Array(chainIDs)).Scan(&pairs).Error; err != nil {
			return Input{}, fmt.Errorf("rebalance: neighbours: %w", err)
		}
		for _, p := range pairs {
			if root(p.A) == root(p.B) {
				neighbours[p.A] = append(neighbours[p.A], p.B)
			}
		}
	}

	// Each zone's targets: first the teams serving its own chain (smallest area first),
	// then those serving a neighbour of an area in the chain.
	in.Zones = make([]Zone, len(zoneKeys))
	for z, k := range zoneKeys {
		var targets []Target
		add := func(area int64, adjacent bool) {
			sv, ok := serves[zoneKey{area, k.dept}]
			if !ok || slices.ContainsFunc(targets, func(t Target) bool { return t.TeamID == sv.team }) {
				return
			}
			targets = append(targets, Target{TeamID: sv.team, Adjacent: adjacent, Centre: sv.centre})
		}
		chain := chains[k.area]
		if len(chain) == 0 {
			chain = []int64{k.area}
		}
		for _, a := range chain {
			add(a, false)
		}
		for _, a := range chain {
			for _, b := range neighbours[a] {
				add(b, true)
			}
		}
		in.Zones[z] = Zone{Targets: targets}
	}
	return in, nil
}

// Options are what a planner may choose for a suggestion.
type Options struct {
	Week      planner.Week
	Threshold float64 // 0: DefaultThreshold
	MaxMoves  int     // 0: DefaultMaxMoves
}

// Proposal is a stored suggestion; applying it is one call with its id.
type Proposal struct {
	ID        int64     `json:"id"`
	Week      string    `json:"week"`
	Threshold float64   `json:"threshold"`
	MaxMoves  int       `json:"max_moves"`
	CreatedAt time.Time `json:"created_at"`
	Result
}

// proposalTTL is how long an unapplied proposal is kept.
const proposalTTL = 7 * 24 * time.Hour

// Propose computes a suggestion for u and stores it as a proposal.
func (s *Store) Propose(ctx context.Context, u access.User, o Options) (Proposal, error) {
	if o.Threshold <= 0 {
		o.Threshold = DefaultThreshold
	}
	if o.MaxMoves <= 0 {
		o.MaxMoves = DefaultMaxMoves
	}
	in, err := s.Load(ctx, u, o.Week)
	if err != nil {
		return Proposal{}, err
	}
	in.Threshold, in.MaxMoves = o.Threshold, o.MaxMoves
	p := Proposal{Week: o.Week.String(), Threshold: o.Threshold, MaxMoves: o.MaxMoves, Result: Suggest(in)}
	body, err := json.Marshal(p.Result)
	if err != nil {
		return Proposal{}, fmt.Errorf("rebalance: save: %w", err)
	}
	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		var row struct {
			ID        int64
			CreatedAt time.Time
		}
		err := tx.Raw(`
INSERT INTO rebalance_proposals (created_by, week, threshold, max_moves, result) VALUES (?, ?, ?, ?, ?)
RETURNING id, created_at`, u.ID, p.Week, p.Threshold, p.MaxMoves, body).Scan(&row).Error
		if err != nil {
			return err
		}
		p.ID, p.CreatedAt = row.ID, row.CreatedAt.UTC()
		return tx.Exec(`DELETE FROM rebalance_proposals WHERE applied_at IS NULL AND created_at < ?`,
			time.Now().Add(-proposalTTL)).Error
	})
	if err != nil {
		return Proposal{}, fmt.Errorf("rebalance: save: %w", err)
	}
	return p, nil
}

// AppliedMove is a move as it was made: the job's new version.
type AppliedMove struct {
	JobID    int64 `json:"job_id"`
	Version  int   `json:"version"`
	FromTeam int64 `json:"from_team"`
	ToTeam   int64 `json:"to_team"`
}

// Applied is the outcome of applying a proposal.
type Applied struct {
	ID        int64         `json:"id"`
	AppliedAt time.Time     `json:"applied_at"`
	Moves     []AppliedMove `json:"moves"`
}

// Stale is a move that can no longer be made, and why: "changed" (the job has another
// version or state), "gone" (the job or its new team is no longer in the user's scope,
// or the team no longer does this work there), "specialist" (the team no longer has a
// specialist the job needs), "effort" (the job's effort estimate changed) or "capacity"
// (its new team would now be past its hours: it lost hours or got more work since).
type Stale struct {
	JobID  int64  `json:"job_id"`
	Reason string `json:"reason"`
}

// ErrNotFound means no proposal with that id is visible to the user.
var ErrNotFound = problem.NotFound.New(problem.T("Dit voorstel bestaat niet.", "This proposal does not exist."))

// CheckWeek refuses a week that is over on the Amsterdam date of now: moving today's open
// work by a past week's hours balances nothing, whether it is proposed or applied.
func CheckWeek(w planner.Week, now time.Time) error {
	if w.Sunday().Before(planner.Today(now).Time) {
		return problem.Invalid("week", problem.T("Deze week is voorbij. Kies deze week of een week die nog komt.",
			"This week is over. Choose this week or one still to come."))
	}
	return nil
}

// Apply makes all moves of proposal id at once, for u, or none. A proposal is visible to
// the planner who asked for it and to admins; to anyone else it does not exist.
//
// All or nothing: every move must pass the planner's rules for moving jobs (see
// planner.ApplyMoves): the job must still have the version it had in the proposal (which
// changes with every change of its team or state), still be open or assigned and in u's
// scope, and its new team must still be in scope, do this work in the job's municipality
// and have a specialist where the category needs one; and the proposal must still hold
// (see Recheck): each job still has the effort the proposal weighed, and no receiving
// team would end past its hours (as they are now, in the proposal's week) and fuller
// than the proposal said. If one move fails,
// nothing changes
// and the answer is a stale-version problem listing the stale moves: a proposal is a
// balance of the whole week, and half of it may overload a team; asking again takes a
// moment. A proposal applies once; the second time is a conflict.
//
// Each moved job gets the new team, status assigned, a new version and an audit event
// (action "rebalance"). Each team that gains or loses jobs gets one push (about its
// first job), not one per job: ten notifications at once help no crew, and phones sync
// every change through the task feed anyway.
func (s *Store) Apply(ctx context.Context, u access.User, id int64) (Applied, error) {
	var out Applied
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		out = Applied{ID: id, Moves: []AppliedMove{}}
		var p struct {
			ID        int64
			CreatedBy int64
			AppliedAt *time.Time
			Week      string
			Result    []byte
		}
		err := tx.Raw(`SELECT id, created_by, applied_at, week, result FROM rebalance_proposals WHERE id = ? FOR UPDATE`, id).Scan(&p).Error
		if err != nil {
			return fmt.Errorf("rebalance: apply: %w", err)
		}
		if p.ID == 0 || (p.CreatedBy != u.ID && !u.All()) {
			return ErrNotFound
		}
		if p.AppliedAt != nil {
			e := problem.Conflict.New(problem.T("Dit voorstel is al uitgevoerd.", "This proposal has already been applied."))
			e.Extra = map[string]any{"applied_at": p.AppliedAt.UTC()}
			return e
		}
		if w, err := planner.ParseWeek(p.Week); err != nil {
			return fmt.Errorf("rebalance: apply: proposal %d: %w", id, err)
		} else if err := CheckWeek(w, time.Now()); err != nil {
			return err // proposed last week, applied this one
		}
		var res Result
		if err := json.Unmarshal(p.Result, &res); err != nil {
			return fmt.Errorf("rebalance: apply: proposal %d: %w", id, err)
		}
		if err := lockTeams(ctx, tx, res.Moves); err != nil {
			return err
		}
		if err := s.applyMoves(ctx, tx, u, id, res.Moves, &out); err != nil {
			return err
		}
		if err := s.recheck(ctx, tx, p.Week, res); err != nil {
			return err
		}
		return tx.Raw(`UPDATE rebalance_proposals SET applied_at = now(), applied_by = ? WHERE id = ? RETURNING applied_at`, u.ID, id).
			Scan(&out.AppliedAt).Error
	})
	if err != nil {
		return Applied{}, err
	}
	out.AppliedAt = out.AppliedAt.UTC()
	return out, nil
}

// lockTeams locks the rows of the teams that a proposal's moves give to or take from, in
// id order, until the transaction ends: two planners applying proposals that fill the
// same team take turns, so the second one's recheck sees the first one's moves (each
// alone found room, together they would push the team past its hours). FOR NO KEY
// UPDATE does not block intake, whose foreign-key checks only share the key.
func lockTeams(ctx context.Context, tx *gorm.DB, moves []Move) error {
	var teams []int64
	for _, m := range moves {
		teams = appendNew(appendNew(teams, m.FromTeam), m.ToTeam)
	}
	if len(teams) == 0 {
		return nil
	}
	err := tx.WithContext(ctx).Exec(`SELECT id FROM teams WHERE id = ANY(CAST(? AS bigint[])) ORDER BY id FOR NO KEY UPDATE`,
		database.Int64Array(teams)).Error
	if err != nil {
		return fmt.Errorf("rebalance: apply: lock teams: %w", err)
	}
	return nil
}

// applyMoves makes the moves of proposal id through the planner, which checks them job by
// job against the planner's rules. A refused move is reported as stale (see Stale).
func (s *Store) applyMoves(ctx context.Context, tx *gorm.DB, u access.User, proposal int64, moves []Move, out *Applied) error {
	batch := planner.Batch{
		Moves:         make([]planner.Move, len(moves)),
		UnclaimedOnly: true,
		Action:        "rebalance",
		Detail: func(i int) map[string]any {
			return map[string]any{"proposal_id": proposal, "reason": moves[i].Reason, "reason_en": moves[i].ReasonEN}
		},
		Summary: func(kind push.Kind, jobs int) (problem.Text, problem.Text) {
			if kind == push.KindAssigned {
				return gainedText(jobs)
			}
			return lostText(jobs)
		},
	}
	for i, m := range moves {
		batch.Moves[i] = planner.Move{JobID: m.JobID, Version: m.Version, TeamID: m.ToTeam}
	}
	moved, err := s.planner.ApplyMoves(ctx, tx, u, batch)
	var refused *planner.Refused
	if errors.As(err, &refused) {
		stale := make([]Stale, len(refused.Moves))
		for i, r := range refused.Moves {
			stale[i] = Stale{JobID: r.JobID, Reason: staleReason(r.Cause)}
		}
		e := problem.StaleVersion.New(problem.T(
			"Een deel van de werkorders is intussen veranderd. Er is niets verplaatst. Vraag een nieuw voorstel aan.",
			"Some jobs have changed in the meantime. Nothing was moved. Ask for a new proposal."))
		e.Extra = map[string]any{"stale": stale}
		return e
	}
	if err != nil {
		return fmt.Errorf("rebalance: apply: %w", err)
	}
	for _, m := range moved {
		out.Moves = append(out.Moves, AppliedMove{JobID: m.JobID, Version: m.Version, FromTeam: m.FromTeam, ToTeam: m.ToTeam})
	}
	return nil
}

// recheck checks, after the moves were made in tx, that the proposal for week still
// holds (see Recheck): the jobs' efforts, and the receiving teams' capacity in that week
// as it is now against their load with the moves. When it does not, the error is the
// stale-version problem that a refused move gives too, and the transaction rolls the
// moves back.
func (s *Store) recheck(ctx context.Context, tx *gorm.DB, week string, res Result) error {
	if len(res.Moves) == 0 {
		return nil
	}
	w, err := planner.ParseWeek(week)
	if err != nil {
		return fmt.Errorf("rebalance: apply: week %q: %w", week, err)
	}
	ids := make([]int64, len(res.Moves))
	var teams []int64
	for i, m := range res.Moves {
		ids[i] = m.JobID
		teams = appendNew(teams, m.ToTeam)
	}
	db := tx.WithContext(ctx)
	var efforts []struct{ ID, Minutes int64 }
	err = db.Raw(`SELECT id, COALESCE(effort_override_minutes, effort_minutes) AS minutes FROM jobs WHERE id = ANY(CAST(? AS bigint[]))`,
		database.Int64Array(ids)).Scan(&efforts).Error
	if err != nil {
		return fmt.Errorf("rebalance: apply: efforts: %w", err)
	}
	now := Now{EffortMinutes: make(map[int64]int64, len(efforts)), Teams: make(map[int64]TeamLoad, len(teams))}
	for _, e := range efforts {
		now.EffortMinutes[e.ID] = e.Minutes
	}
	// The load as Load reads it: all the team's unfinished work, in whole minutes.
	var loads []struct{ TeamID, Minutes int64 }
	err = db.Raw(`SELECT j.team_id, sum(COALESCE(j.effort_override_minutes, j.effort_minutes)) AS minutes
FROM jobs j WHERE j.team_id = ANY(CAST(? AS bigint[])) AND `+job.OpenSQL+` GROUP BY j.team_id`, database.Int64Array(teams)).Scan(&loads).Error
	if err != nil {
		return fmt.Errorf("rebalance: apply: loads: %w", err)
	}
	workers, err := planner.NewStore(tx, job.Updates{}).Availability(ctx, teams, w.Monday(), w.Sunday())
	if err != nil {
		return fmt.Errorf("rebalance: apply: %w", err)
	}
	capacity := planner.TeamCapacity(w, workers)
	working, _ := staffing(w, workers, planner.Today(time.Now()))
	now.NoDaysLeft = map[int64]bool{}
	for _, t := range teams {
		now.Teams[t] = TeamLoad{TeamID: t, CapacityHours: capacity[t]}
		now.NoDaysLeft[t] = !working[t]
	}
	for _, l := range loads {
		t := now.Teams[l.TeamID]
		t.LoadHours = float64(l.Minutes) / 60
		now.Teams[l.TeamID] = t
	}
	stale, changed, why := Recheck(res, now)
	if len(stale) == 0 {
		return nil
	}
	e := problem.StaleVersion.New(why)
	e.Extra = map[string]any{"stale": stale}
	if len(changed) > 0 {
		e.Extra["teams"] = changed
	}
	return e
}

// staleReason says why a refused move is stale, in the words of Stale.
func staleReason(c planner.Cause) string {
	switch c {
	case planner.JobGone, planner.TeamGone, planner.NotServed:
		return "gone"
	case planner.NoSpecialist:
		return "specialist"
	}
	return "changed"
}

// gainedText is the push to a team about n tasks a rebalance moved to it.
func gainedText(n int) (title, body problem.Text) {
	if n == 1 {
		return problem.T("Nieuwe taak", "New task"), problem.T(
			"Er is een taak van een andere ploeg naar jullie ploeg gegaan. Kijk in de app wat er voor jullie klaarstaat.",
			"A task moved from another crew to your crew. Look in the app to see what is ready for you.")
	}
	return problem.T("Nieuwe taken", "New tasks"), problem.Sprintf(
		"Er zijn %d taken van andere ploegen naar jullie ploeg gegaan. Kijk in de app wat er voor jullie klaarstaat.",
		"%d tasks moved from other crews to your crew. Look in the app to see what is ready for you.", n)
}

// lostText is the push to a team about n tasks a rebalance moved away from it.
func lostText(n int) (title, body problem.Text) {
	if n == 1 {
		return problem.T("Taak verplaatst", "Task moved"), problem.T(
			"Een taak is naar een andere ploeg gegaan, omdat jullie deze week veel werk hebben.",
			"A task moved to another crew, because you have a lot of work this week.")
	}
	return problem.T("Taken verplaatst", "Tasks moved"), problem.Sprintf(
		"%d taken zijn naar andere ploegen gegaan, omdat jullie deze week veel werk hebben. Kijk in de app welke taken nu voor jullie zijn.",
		"%d tasks moved to other crews, because you have a lot of work this week. Look in the app to see which tasks are yours now.", n)
}

// appendNew appends v to list unless it is there already. The lists are short (areas and
// departments of one scope), and their order must follow the input.
func appendNew[T comparable](list []T, v T) []T {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// sortedTextArray renders words, sorted, as a PostgreSQL text array literal.
func sortedTextArray(words []string) string {
	sorted := slices.Clone(words)
	slices.Sort(sorted)
	return database.TextArray(sorted)
}
