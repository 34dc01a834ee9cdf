package deskapi

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/job"
	"wijkwerk/backend/planner"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/rebalance"
)

// MaxRebalanceMoves is the most moves one proposal may hold.
const MaxRebalanceMoves = 1000

// RegisterRebalance adds the rebalance suggestions for planners and admins:
// POST /api/v1/planner/rebalance {week, max_moves, threshold} (all optional) answers a
// stored proposal {id, moves, before, after, lower_bound, ...}, and
// POST /api/v1/planner/rebalance/{id}/apply makes its moves (all or none). updates says
// how long the pushes of an applied proposal may wait for delivery, and whether
// residents also hear by e-mail.
func RegisterRebalance(g Groups, db *gorm.DB, updates job.Updates) {
	h := rebalanceHandler{s: rebalance.NewStore(db, updates), now: time.Now}
	only := RequireRole(access.Planner, access.Admin)
	g.Planner.POST("/rebalance", h.propose, only, httpapi.LimitBody(4<<10))
	g.Planner.POST("/rebalance/:id/apply", h.apply, only, httpapi.LimitBody(4<<10))
}

type rebalanceHandler struct {
	s   *rebalance.Store
	now func() time.Time
}

func (h rebalanceHandler) propose(c echo.Context) error {
	var req struct {
		Week      string   `json:"week"`
		MaxMoves  *int     `json:"max_moves"`
		Threshold *float64 `json:"threshold"`
	}
	body, err := httpapi.ReadBody(c)
	if err != nil {
		return err
	}
	if len(body) > 0 {
		if !httpapi.IsJSON(c.Request()) {
			return problem.UnsupportedMedia.New(problem.T(
				"Stuur de gegevens als JSON (Content-Type: application/json).",
				"Send the data as JSON (Content-Type: application/json)."))
		}
		if err := httpapi.UnmarshalStrict(body, &req); err != nil {
			return err
		}
	}
	o := rebalance.Options{Week: planner.WeekOf(h.now())}
	if req.Week != "" {
		w, err := planner.ParseWeek(req.Week)
		if err != nil {
			return err
		}
		if err := rebalance.CheckWeek(w, h.now()); err != nil {
			return err
		}
		o.Week = w
	}
	if req.MaxMoves != nil {
		if *req.MaxMoves < 1 || *req.MaxMoves > MaxRebalanceMoves {
			return problem.Invalid("max_moves", problem.Sprintf(
				"Kies tussen 1 en %d verplaatsingen.", "Choose between 1 and %d moves.", MaxRebalanceMoves))
		}
		o.MaxMoves = *req.MaxMoves
	}
	if req.Threshold != nil {
		if t := *req.Threshold; math.IsNaN(t) || t < 0.1 || t > 5 {
			return problem.Invalid("threshold", problem.T(
				"De grens is een deel van de uren, tussen 0,1 en 5 (1 is 100%).",
				"The threshold is a fraction of the hours, between 0.1 and 5 (1 is 100%)."))
		}
		o.Threshold = *req.Threshold
	}
	p, err := h.s.Propose(c.Request().Context(), CurrentUser(c), o)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, p)
}

func (h rebalanceHandler) apply(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return rebalance.ErrNotFound
	}
	res, err := h.s.Apply(c.Request().Context(), CurrentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
