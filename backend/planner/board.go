package planner

import (
	"sort"
)

// Load is the open work in one part of the board.
type Load struct {
	OpenJobs       int     `json:"open_jobs"`
	EstimatedHours float64 `json:"estimated_hours"`
	Overdue        int     `json:"overdue"`
	DueSoon        int     `json:"due_soon"`
	// CannotComplete counts the jobs here that the crew could not complete and that wait
	// for a planner's decision. They are not open work: not in OpenJobs or the hours.
	CannotComplete int `json:"cannot_complete"`
	minutes        int64
}

func (l *Load) add(r LoadRow) {
	l.OpenJobs += r.Jobs
	l.minutes += r.Minutes
	l.Overdue += r.Overdue
	l.DueSoon += r.DueSoon
	l.CannotComplete += r.CannotComplete
	l.EstimatedHours = round(float64(l.minutes)/60, 2)
}

// Minutes is the estimated effort in minutes, exact.
func (l Load) Minutes() int64 { return l.minutes }

// RoleCounts counts workers per role.
type RoleCounts struct {
	Specialist  int `json:"specialist"`
	Trainee     int `json:"trainee"`
	Seconded    int `json:"seconded"`
	Enforcement int `json:"enforcement"`
}

func (c *RoleCounts) add(role string) {
	switch role {
	case "specialist":
		c.Specialist++
	case "trainee":
		c.Trainee++
	case "seconded":
		c.Seconded++
	case "enforcement":
		c.Enforcement++
	}
}

// TeamRef names a team.
type TeamRef struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// TeamLoad is one team's row on the board.
type TeamLoad struct {
	TeamRef
	Load
	CapacityHours float64    `json:"capacity_hours"`
	Utilisation   *float64   `json:"utilisation"`
	Workers       RoleCounts `json:"workers"`
}

// DistrictLoad is the open work in one district (wijk), whichever team has it.
type DistrictLoad struct {
	AreaID int64  `json:"area_id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Load
}

// Board is the planner's view of open work against capacity in one week.
type Board struct {
	Week string `json:"week"`
	From Date   `json:"from"` // Monday
	To   Date   `json:"to"`   // Sunday
	// Today is the date that overdue and due-soon count from; they describe now, whatever
	// the week.
	Today        Date           `json:"today"`
	DueSoonUntil Date           `json:"due_soon_until"`
	Teams        []TeamLoad     `json:"teams"`
	Districts    []DistrictLoad `json:"districts"`
	// Unassigned is open work in scope that no team has yet (the planner queue).
	Unassigned Load `json:"unassigned"`
	// OutsideDistricts is open work in an area that lies in no district.
	OutsideDistricts Load `json:"outside_districts"`
	Total            Load `json:"total"`
	// CannotCompleteListed is how many jobs the could-not-complete list holds for the
	// user (StuckJobs): also those of their teams that lie outside their areas, which
	// Total leaves out as it does their other work there.
	CannotCompleteListed int `json:"cannot_complete_listed"`
}

// LoadRow is the open work of one team (0: none) in one area.
type LoadRow struct {
	TeamID  int64
	AreaID  int64
	Jobs    int
	Minutes int64
	Overdue int
	DueSoon int
	// CannotComplete counts stuck jobs (see stuck.go); a row may hold only these.
	CannotComplete int
	// Elsewhere: the area lies outside the user's scope, and the row is there for its
	// team's load only (a team in scope with work outside it).
	Elsewhere bool
}

// AreaNode is one area of the tree, without its polygon.
type AreaNode struct {
	ID       int64
	ParentID int64 // 0 for a root
	Kind     string
	Code     string
	Name     string
}

// DistrictOf returns the district that is area id or its nearest ancestor.
func DistrictOf(areas map[int64]AreaNode, id int64) (AreaNode, bool) {
	for depth := 0; id != 0 && depth < 16; depth++ {
		a, ok := areas[id]
		if !ok {
			return AreaNode{}, false
		}
		if a.Kind == "district" {
			return a, true
		}
		id = a.ParentID
	}
	return AreaNode{}, false
}

// BoardInput is what BuildBoard puts together.
type BoardInput struct {
	Week         Week
	Today        Date
	DueSoonUntil Date
	Teams        []TeamRef // the teams in the user's scope
	Rows         []LoadRow // open work in scope, and of those teams, per team and area
	Areas        map[int64]AreaNode
	Workers      []Availability // active workers of those teams
}

// BuildBoard adds up the board: work per team and per district against each team's
// capacity for the week.
func BuildBoard(in BoardInput) Board {
	b := Board{
		Week: in.Week.String(), From: in.Week.Monday(), To: in.Week.Sunday(),
		Today: in.Today, DueSoonUntil: in.DueSoonUntil,
		Teams: make([]TeamLoad, len(in.Teams)), Districts: []DistrictLoad{},
	}
	byTeam := make(map[int64]*TeamLoad, len(in.Teams))
	for i, t := range in.Teams {
		b.Teams[i] = TeamLoad{TeamRef: t}
		byTeam[t.ID] = &b.Teams[i]
	}
	districts := map[int64]*DistrictLoad{}
	for _, r := range in.Rows {
		// A team's load is all its open work, wherever it lies: that is what its
		// capacity must carry.
		if t, ok := byTeam[r.TeamID]; ok && r.TeamID != 0 {
			t.Load.add(r)
		}
		b.CannotCompleteListed += r.CannotComplete
		if r.Elsewhere {
			continue
		}
		b.Total.add(r)
		if r.TeamID == 0 {
			b.Unassigned.add(r)
		}
		d, ok := DistrictOf(in.Areas, r.AreaID)
		if !ok {
			b.OutsideDistricts.add(r)
			continue
		}
		dl := districts[d.ID]
		if dl == nil {
			dl = &DistrictLoad{AreaID: d.ID, Code: d.Code, Name: d.Name}
			districts[d.ID] = dl
		}
		dl.Load.add(r)
	}
	for _, id := range sortedIDs(districts) {
		b.Districts = append(b.Districts, *districts[id])
	}
	sort.Slice(b.Districts, func(i, j int) bool { return b.Districts[i].Code < b.Districts[j].Code })

	capacity := TeamCapacity(in.Week, in.Workers)
	monday, sunday := in.Week.Monday(), in.Week.Sunday()
	for _, a := range in.Workers {
		if (!a.Start.IsZero() && a.Start.After(sunday.Time)) || (!a.End.IsZero() && a.End.Before(monday.Time)) {
			continue // not under contract in this week
		}
		for _, id := range a.Teams {
			if t, ok := byTeam[id]; ok {
				t.Workers.add(a.Role)
			}
		}
	}
	for i := range b.Teams {
		t := &b.Teams[i]
		t.CapacityHours = capacity[t.ID]
		t.Utilisation = Utilisation(float64(t.minutes)/60, t.CapacityHours)
	}
	return b
}
