// Package routing decides where a report goes: the smallest area that contains its point
// (from the in-memory area index) and the team that serves that area, or the nearest
// ancestor area, for the category's department.
package routing

import (
	"context"

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

// Router routes points to areas and teams.
type Router struct {
	areas Areas
	db    *gorm.DB
}

// New returns a Router over the area index and the teams in db.
func New(areas Areas, db *gorm.DB) *Router { return &Router{areas: areas, db: db} }

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
	ix := r.areas.Index()
	if ix == nil {
		return nil, problem.Unavailable.New(problem.T(
			"De kaart wordt nog geladen. Probeer het zo opnieuw.", "The map is still loading. Try again shortly."))
	}
	chain := ix.Locate(p)
	if len(chain) == 0 {
		return nil, ErrOutside()
	}
	return chain, nil
}

// Route finds the areas around p and the team that serves them for department.
func (r *Router) Route(ctx context.Context, p orb.Point, department string) (Route, error) {
	chain, err := r.Locate(p)
	if err != nil {
		return Route{}, err
	}
	ids := make([]int64, len(chain))
	for i, a := range chain {
		ids[i] = a.ID
	}
	t, ok, err := team.ForChain(ctx, r.db, ids, department)
	if err != nil {
		return Route{}, err
	}
	rt := Route{Chain: chain}
	if ok {
		rt.Team = &t
	}
	return rt, nil
}
