// Package routing decides where a report goes: the smallest area that contains its point
// (from the in-memory area index) and the team that serves that area, or the nearest
// ancestor area, for the category's department.
package routing

import (
	"context"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"gorm.io/gorm"

	"wijkwerk/backend/problem"
	"wijkwerk/backend/team"
	"wijkwerk/geo"
)

// Areas gives the current area index; *geo.Live provides it.
type Areas interface {
	Index() *geo.Index
}

// Router routes points to areas and teams. It keeps which team serves which area for
// which department in memory, reloaded when older than TeamsTTL, so routing a report
// costs no query.
type Router struct {
	areas Areas
	db    *gorm.DB

	mu      sync.Mutex
	serving map[servedKey]team.Team
	loaded  time.Time
}

type servedKey struct {
	area       int64
	department string
}

// TeamsTTL is how long a change to the teams' areas may take to reach routing.
const TeamsTTL = 10 * time.Second

// New returns a Router over the area index and the teams in db.
func New(areas Areas, db *gorm.DB) *Router { return &Router{areas: areas, db: db} }

func (r *Router) teams(ctx context.Context) (map[servedKey]team.Team, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.serving != nil && time.Since(r.loaded) < TeamsTTL {
		return r.serving, nil
	}
	services, err := team.Services(ctx, r.db)
	if err != nil {
		return nil, err
	}
	m := make(map[servedKey]team.Team, len(services))
	for _, s := range services {
		m[servedKey{s.AreaID, s.Department}] = s.Team
	}
	r.serving, r.loaded = m, time.Now()
	return m, nil
}

// Route is where a point goes.
type Route struct {
	// Chain is the smallest containing area first, then its ancestors up to the root.
	Chain []geo.Area
	// Team serves the area for the department; nil when no team does, and the job waits
	// in the planner queue.
	Team *team.Team
}

// ErrOutside is the problem for a point outside every served area.
func ErrOutside() *problem.Error {
	return problem.OutsideArea.New(problem.T(
		"Deze plek ligt niet in een gebied waar wij werken. Kies een plek binnen de gemeente.",
		"This place is not in an area we serve. Choose a place inside the municipality."))
}

// Locate returns the chain of areas that contain p, smallest first.
func (r *Router) Locate(p orb.Point) ([]geo.Area, error) {
	ix, err := r.index()
	if err != nil {
		return nil, err
	}
	chain := ix.Locate(p)
	if len(chain) == 0 {
		return nil, ErrOutside()
	}
	return chain, nil
}

// Municipalities returns the municipalities served, by code.
func (r *Router) Municipalities() ([]geo.Area, error) {
	ix, err := r.index()
	if err != nil {
		return nil, err
	}
	return ix.Municipalities(), nil
}

func (r *Router) index() (*geo.Index, error) {
	ix := r.areas.Index()
	if ix == nil {
		return nil, problem.Unavailable.New(problem.T(
			"De kaart wordt nog geladen. Probeer het zo opnieuw.", "The map is still loading. Try again shortly."))
	}
	return ix, nil
}

// Route finds the areas around p and the team that serves them for department.
func (r *Router) Route(ctx context.Context, p orb.Point, department string) (Route, error) {
	chain, err := r.Locate(p)
	if err != nil {
		return Route{}, err
	}
	serving, err := r.teams(ctx)
	if err != nil {
		return Route{}, err
	}
	rt := Route{Chain: chain}
	for _, a := range chain {
		if t, ok := serving[servedKey{a.ID, department}]; ok {
			rt.Team = &t
			break
		}
	}
	return rt, nil
}
