// Package rebalance suggests moving work from overloaded teams to teams that have room:
// teams that serve the same area for the job's department, or a neighbouring one, and
// that may do the job under its category's trainee rule. It also gives a lower bound on
// the best possible highest utilisation, so a planner (and a benchmark) can see how much
// better any plan could be.
//
// This file holds the algorithm and nothing else: no database, no HTTP. The store
// (store.go) builds an [Input] for a desk user's scope and a week, keeps proposals and
// applies them.
package rebalance

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"wijkwerk/backend/category"
)

// DefaultThreshold is the utilisation above which a team counts as overloaded: 100% of
// its hours this week.
const DefaultThreshold = 1.0

// ReceiveLimit is the utilisation a move may bring a receiving team to: 100% of its
// hours. Work above a team's hours is no room, and a planner reads a team pushed past
// its hours as a team made late, however empty another team still is.
const ReceiveLimit = 1.0

// DefaultMaxMoves caps a proposal when the planner asks for no other number: more
// moves than this is more than a planner reads before applying it.
const DefaultMaxMoves = 100

// Team is one team as the algorithm sees it.
type Team struct {
	ID   int64
	Code string
	Name string
	// CapacityHours is what the team's workers can do this week.
	CapacityHours float64
	// LoadHours is the estimated effort of all the team's unfinished work, whatever its
	// due date, the movable jobs included: the board's load (see planner.BuildBoard),
	// which this week's hours must carry.
	LoadHours float64
	// HasSpecialist says whether a specialist works in the team this week; jobs whose
	// category says paired or no may only go to such a team.
	HasSpecialist bool
	// NoDaysLeft says that no one of the team works on the days left of the week (all
	// left, were ill or off from today on): its hours this week were, not are, so it
	// takes no work, whatever its utilisation says.
	NoDaysLeft bool
}

// Target is a team a job may go to, and the area through which it may.
type Target struct {
	TeamID int64
	// Adjacent is true when the team serves a neighbouring area, false when it serves
	// the job's own area (or an area that contains it).
	Adjacent bool
	// Centre is the centre of the area the team serves there; travel is measured from
	// the job to it.
	Centre orb.Point
}

// Zone is a set of jobs that may go to the same teams: in practice the jobs of one
// department in one area.
type Zone struct {
	Targets []Target
}

// Job is a job that may be moved: open or assigned, not yet accepted or started.
type Job struct {
	ID          int64
	Version     int
	TeamID      int64
	EffortHours float64
	Rule        category.TraineeRule
	// Zone indexes Input.Zones: the teams the job may go to.
	Zone     int
	Location orb.Point
}

// Input is everything a suggestion is computed from.
type Input struct {
	Teams []Team
	Zones []Zone
	Jobs  []Job
	// Threshold is the utilisation above which a team gives work away (1 = 100%).
	Threshold float64
	// MaxMoves caps the number of moves.
	MaxMoves int
}

// Move is one suggested move of a job to another team.
type Move struct {
	JobID       int64   `json:"job_id"`
	Version     int     `json:"version"`
	FromTeam    int64   `json:"from_team"`
	ToTeam      int64   `json:"to_team"`
	EffortHours float64 `json:"effort_hours"`
	TravelKm    float64 `json:"travel_km"`
	Adjacent    bool    `json:"adjacent"`
	// Reason says in Dutch why this move helps; ReasonEN in English.
	Reason   string `json:"reason"`
	ReasonEN string `json:"reason_en"`
}

// TeamLoad is a team's capacity, load and utilisation at one moment.
type TeamLoad struct {
	TeamID        int64       `json:"team_id"`
	Code          string      `json:"code"`
	Name          string      `json:"name"`
	CapacityHours float64     `json:"capacity_hours"`
	LoadHours     float64     `json:"load_hours"`
	Utilisation   Utilisation `json:"utilisation"`
}

// Result is a suggestion: the moves and every team's load before and after them.
type Result struct {
	Moves  []Move     `json:"moves"`
	Before []TeamLoad `json:"before"`
	After  []TeamLoad `json:"after"`
	// MaxBefore and MaxAfter are the highest utilisation before and after the moves.
	MaxBefore Utilisation `json:"max_before"`
	MaxAfter  Utilisation `json:"max_after"`
	// LowerBound is a bound below which no plan, however many moves it makes, can bring
	// the highest utilisation: MaxAfter / LowerBound says how far from optimal this one is.
	LowerBound Utilisation `json:"lower_bound"`
	// PeakBefore and PeakAfter are the highest utilisation among the teams that have
	// hours: what a planner compares (MaxBefore and MaxAfter are infinite, null in JSON,
	// while any team has work and no hours).
	PeakBefore Utilisation `json:"peak_before"`
	PeakAfter  Utilisation `json:"peak_after"`
	// Unstaffed are the teams that still have work but no hours after the moves: no other
	// team may take their work, so a planner must find them people (or move it by hand).
	Unstaffed []TeamLoad `json:"unstaffed"`
}

// Util is load over capacity. A team without hours has utilisation 0 when it has no
// work and +Inf when it has.
func Util(load, capacity float64) float64 {
	if capacity <= 0 {
		if load > 1e-9 {
			return math.Inf(1)
		}
		return 0
	}
	return load / capacity
}

// Allowed reports whether j may go to team t given its zone target: never to a team
// no one works in for the rest of the week, nor to a team without a specialist when the
// category needs one.
func Allowed(j Job, t Team) bool {
	return !t.NoDaysLeft && (!j.Rule.NeedsSpecialist() || t.HasSpecialist)
}

// normalize returns copies of the teams and jobs sorted by id, so the outcome does not
// depend on the order of the input.
func normalize(in Input) ([]Team, []Job) {
	teams := slices.Clone(in.Teams)
	slices.SortFunc(teams, func(a, b Team) int { return cmp.Compare(a.ID, b.ID) })
	jobs := slices.Clone(in.Jobs)
	slices.SortFunc(jobs, func(a, b Job) int { return cmp.Compare(a.ID, b.ID) })
	return teams, jobs
}

// option is one place one job may go, with what it costs to get there.
type option struct {
	team     int // index into teams
	adjacent bool
	travelKm float64
}

// prepared is the input in the form both Suggest and LowerBound work on.
type prepared struct {
	teams []Team
	jobs  []Job
	// home[j] is the index of job j's team, -1 when that team is not in the input.
	home []int
	// opts[j] are the other teams job j may go to; a job without options stays put.
	opts [][]option
	// groups[t] are the movable jobs of team t, in groups of alike jobs.
	groups [][]*group
	// reach[t] holds the teams that team t's jobs may go to.
	reach []map[int]bool
}

// group holds a team's movable jobs that are alike: same zone, trainee rule and effort,
// so the same targets and the same effect on every team's utilisation. Only travel
// tells them apart, so per target they are taken in order of travel. This keeps a step
// of Suggest proportional to the number of groups, not of jobs.
type group struct {
	effort float64
	opts   []option // the targets; travelKm is per job, in the jobs' own opts
	jobs   []int    // job indexes, by id
	order  [][]int  // order[k]: jobs by travel to opts[k], then id; built when first needed
	next   []int    // next[k]: where in order[k] to look for the first job not yet moved
	left   int      // jobs not yet moved
}

// first returns the job not yet moved that is nearest to target k.
func (g *group) first(k int, p *prepared, moved []bool) int {
	if g.order[k] == nil {
		o := slices.Clone(g.jobs)
		slices.SortFunc(o, func(a, b int) int {
			if c := cmp.Compare(p.opts[a][k].travelKm, p.opts[b][k].travelKm); c != 0 {
				return c
			}
			return cmp.Compare(a, b) // jobs are sorted by id, so this is the lower id
		})
		g.order[k] = o
	}
	for moved[g.order[k][g.next[k]]] {
		g.next[k]++
	}
	return g.order[k][g.next[k]]
}

func prepare(in Input) *prepared {
	teams, jobs := normalize(in)
	p := &prepared{teams: teams, jobs: jobs, home: make([]int, len(jobs)), opts: make([][]option, len(jobs)),
		groups: make([][]*group, len(teams)), reach: make([]map[int]bool, len(teams))}
	type groupKey struct {
		team, zone int
		rule       category.TraineeRule
		effort     float64
	}
	groups := map[groupKey]*group{}
	idx := make(map[int64]int, len(teams))
	for i, t := range teams {
		idx[t.ID] = i
	}
	for ji, j := range jobs {
		s, ok := idx[j.TeamID]
		p.home[ji] = -1
		if !ok {
			continue
		}
		p.home[ji] = s
		if j.Zone < 0 || j.Zone >= len(in.Zones) || !(j.EffortHours > 0) || math.IsInf(j.EffortHours, 0) {
			continue
		}
		for _, tg := range in.Zones[j.Zone].Targets {
			t, ok := idx[tg.TeamID]
			if !ok || t == s || !Allowed(j, teams[t]) || slices.ContainsFunc(p.opts[ji], func(o option) bool { return o.team == t }) {
				continue
			}
			p.opts[ji] = append(p.opts[ji], option{team: t, adjacent: tg.Adjacent, travelKm: geo.DistanceHaversine(j.Location, tg.Centre) / 1000})
			if p.reach[s] == nil {
				p.reach[s] = map[int]bool{}
			}
			p.reach[s][t] = true
		}
		if len(p.opts[ji]) == 0 {
			continue
		}
		k := groupKey{s, j.Zone, j.Rule, j.EffortHours}
		g := groups[k]
		if g == nil {
			g = &group{effort: j.EffortHours, opts: p.opts[ji], order: make([][]int, len(p.opts[ji])), next: make([]int, len(p.opts[ji]))}
			groups[k] = g
			p.groups[s] = append(p.groups[s], g)
		}
		g.jobs = append(g.jobs, ji)
		g.left++
	}
	return p
}

// Suggest computes moves from overloaded teams to teams with room. Its rules:
//   - a job goes only to a target of its zone, and under its trainee rule;
//   - only teams above the threshold give work away, and each job moves at most once;
//   - a receiving team ends below the giving team's utilisation before the move, so the
//     highest utilisation never rises (and, as every move lowers the list of
//     utilisations from the top, the loop ends);
//   - no move takes a receiving team past ReceiveLimit (100% of its hours). A team that
//     is past it already may take more only when no team the job may go to has room for
//     it, and only from a team with hours: then overload is shared among teams that are
//     all over (each ending below the giver, as above). A team without hours has an
//     infinite utilisation, so "below the giver" alone would let its work fill one team
//     far past its hours while another stayed empty;
//   - each step takes the most loaded team that can give work away and makes the move
//     that lowers the higher of the two teams' new utilisations most; ties go to the
//     team that keeps the most room (in bands of RoomBand), then to a team of the job's
//     own area before a neighbour, then to the shortest travel, then to the lowest job
//     and team id.
//
// The same input gives the same result, whatever its order.
func Suggest(in Input) Result {
	p := prepare(in)
	teams, jobs := p.teams, p.jobs
	threshold := in.Threshold
	if threshold <= 0 || math.IsNaN(threshold) {
		threshold = DefaultThreshold
	}
	maxMoves := in.MaxMoves
	if maxMoves <= 0 {
		maxMoves = DefaultMaxMoves
	}
	load := make([]float64, len(teams))
	for i, t := range teams {
		load[i] = t.LoadHours
	}
	util := func(i int) float64 { return Util(load[i], teams[i].CapacityHours) }

	before := loads(teams, load)
	res := Result{Moves: []Move{}, Before: before, MaxBefore: maxUtil(before)}
	res.LowerBound = Utilisation(p.lowerBound())

	moved := make([]bool, len(jobs))
	stuck := make([]bool, len(teams)) // no valid move at the current loads
	order := make([]int, len(teams))
	for i := range order {
		order[i] = i
	}
	for len(res.Moves) < maxMoves {
		slices.SortStableFunc(order, func(a, b int) int {
			if c := cmp.Compare(util(b), util(a)); c != 0 {
				return c
			}
			return cmp.Compare(teams[a].ID, teams[b].ID)
		})
		var (
			best     candidate
			found    bool
			bestFrom int
		)
		for _, s := range order {
			us := util(s)
			if !(us > threshold) {
				break
			}
			if stuck[s] {
				continue
			}
			best, found = p.bestMove(s, us, moved, load)
			if found {
				bestFrom = s
				break
			}
			stuck[s] = true
		}
		if !found {
			break
		}
		j := jobs[best.job]
		s, t := bestFrom, best.opt.team
		fromUtil, toUtil := util(s), util(t)
		load[s] -= j.EffortHours
		load[t] += j.EffortHours
		moved[best.job] = true
		best.group.left--
		why := reason(teams[s], teams[t], fromUtil, toUtil, best.opt, j.Rule)
		res.Moves = append(res.Moves, Move{
			JobID: j.ID, Version: j.Version, FromTeam: teams[s].ID, ToTeam: teams[t].ID,
			EffortHours: j.EffortHours, TravelKm: math.Round(best.opt.travelKm*10) / 10, Adjacent: best.opt.adjacent,
			Reason: why.NL, ReasonEN: why.EN,
		})
		// s lost work and t gained some: s may now have room for others' jobs, and both
		// may have new moves of their own.
		stuck[s], stuck[t] = false, false
		for x := range teams {
			if p.reach[x][s] {
				stuck[x] = false
			}
		}
	}
	res.After = loads(teams, load)
	res.MaxAfter = maxUtil(res.After)
	res.PeakBefore, res.PeakAfter = peak(res.Before), peak(res.After)
	res.Unstaffed = []TeamLoad{}
	for _, l := range res.After {
		if l.CapacityHours <= 0 && l.LoadHours > 1e-9 {
			res.Unstaffed = append(res.Unstaffed, l)
		}
	}
	return res
}

type candidate struct {
	job   int
	group *group
	opt   option
	peak  float64
	band  float64 // math.Floor(receiving team's utilisation after / RoomBand)
}

// RoomBand is how finely targets are told apart by the room they keep: a receiving
// team ending 5 percentage points lower is better, within the same 5 points the own
// area's team and then the shorter trip win. Without it, when the giving team is far
// above everyone, the first team in line would take everything until it is as full as
// the giver, while its neighbours stay empty.
const RoomBand = 0.05

// better orders candidates: lower peak, then the receiving team's band of utilisation
// after the move, own area before neighbour, shorter travel, lower job id, lower team id.
func better(a, b candidate, jobs []Job, teams []Team) bool {
	if a.peak != b.peak {
		return a.peak < b.peak
	}
	if a.band != b.band {
		return a.band < b.band
	}
	if a.opt.adjacent != b.opt.adjacent {
		return !a.opt.adjacent
	}
	if a.opt.travelKm != b.opt.travelKm {
		return a.opt.travelKm < b.opt.travelKm
	}
	if jobs[a.job].ID != jobs[b.job].ID {
		return jobs[a.job].ID < jobs[b.job].ID
	}
	return teams[a.opt.team].ID < teams[b.opt.team].ID
}

// bestMove finds the best valid move of one of team s's jobs, s being at utilisation us.
func (p *prepared) bestMove(s int, us float64, moved []bool, load []float64) (candidate, bool) {
	var best candidate
	found := false
	for _, g := range p.groups[s] {
		if g.left == 0 {
			continue
		}
		usAfter := Util(load[s]-g.effort, p.teams[s].CapacityHours)
		// Past the limit only onto a team past it already, when no target has room, and
		// never from a team without hours.
		overOK := !math.IsInf(us, 1)
		for _, o := range g.opts {
			if fits(Util(load[o.team]+g.effort, p.teams[o.team].CapacityHours)) {
				overOK = false
				break
			}
		}
		for k, o := range g.opts {
			utAfter := Util(load[o.team]+g.effort, p.teams[o.team].CapacityHours)
			if !(utAfter < us) || (!fits(utAfter) && (!overOK || fits(Util(load[o.team], p.teams[o.team].CapacityHours)))) {
				continue
			}
			c := candidate{group: g, opt: o, peak: math.Max(usAfter, utAfter), band: math.Floor(utAfter / RoomBand)}
			if found && !c.mayBeat(best) {
				continue
			}
			c.job = g.first(k, p, moved)
			c.opt.travelKm = p.opts[c.job][k].travelKm
			if !found || better(c, best, p.jobs, p.teams) {
				best, found = c, true
			}
		}
	}
	return best, found
}

// fits reports whether a receiving team at utilisation u is within ReceiveLimit; the
// margin keeps sums of quarter hours that reach exactly 100% inside.
func fits(u float64) bool { return u <= ReceiveLimit+1e-9 }

// mayBeat reports whether c, whose job is not chosen yet, can be better than best.
func (c candidate) mayBeat(best candidate) bool {
	if c.peak != best.peak {
		return c.peak < best.peak
	}
	if c.band != best.band {
		return c.band < best.band
	}
	return !c.opt.adjacent || best.opt.adjacent
}

func loads(teams []Team, load []float64) []TeamLoad {
	out := make([]TeamLoad, len(teams))
	for i, t := range teams {
		out[i] = TeamLoad{
			TeamID: t.ID, Code: t.Code, Name: t.Name, CapacityHours: t.CapacityHours, LoadHours: load[i],
			Utilisation: Utilisation(Util(load[i], t.CapacityHours)),
		}
	}
	return out
}

// peak is the highest utilisation among the teams with hours.
func peak(ls []TeamLoad) Utilisation {
	m := 0.0
	for _, l := range ls {
		if l.CapacityHours > 0 {
			m = math.Max(m, float64(l.Utilisation))
		}
	}
	return Utilisation(m)
}

func maxUtil(ls []TeamLoad) Utilisation {
	m := 0.0
	for _, l := range ls {
		m = math.Max(m, float64(l.Utilisation))
	}
	return Utilisation(m)
}
