// Package initiatives serves residents' initiatives to their phones and browsers:
// proposing one, following it by its code, logging work on it, and the public map.
package initiatives

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/initiative"
)

// Handler serves the resident API for initiatives.
type Handler struct {
	initiatives *initiative.Service
	limit       echo.MiddlewareFunc
}

// New returns the handler. Public writes go through limit (rate limiting).
func New(initiatives *initiative.Service, limit echo.MiddlewareFunc) *Handler {
	return &Handler{initiatives: initiatives, limit: limit}
}

// Limits on request bodies: a proposal holds a polygon of up to
// initiative.MaxVertices positions.
const (
	MaxProposalBody     = 128 << 10
	MaxContributionBody = 8 << 10
)

// Register adds the routes under g (mounted at /api/v1).
func (h *Handler) Register(g *echo.Group) {
	g.POST("/initiatives", h.propose, h.limit, httpapi.LimitBody(MaxProposalBody))
	g.GET("/initiatives.geojson", h.geojson)
	g.GET("/initiatives/:code", h.track)
	g.POST("/initiatives/:code/contributions", h.contribute, h.limit, httpapi.LimitBody(MaxContributionBody))
}

func (h *Handler) propose(c echo.Context) error {
	key, err := httpapi.IdempotencyKey(c)
	if err != nil {
		return err
	}
	var p initiative.Proposal
	if err := httpapi.DecodeJSON(c, &p); err != nil {
		return err
	}
	rc, replayed, err := h.initiatives.Propose(c.Request().Context(), p, key)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/initiatives/"+rc.Code)
	return c.JSON(http.StatusCreated, rc)
}

func (h *Handler) track(c echo.Context) error {
	p, err := h.initiatives.Track(c.Request().Context(), c.Param("code"), httpapi.Lang(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, p)
}

func (h *Handler) contribute(c echo.Context) error {
	key, err := httpapi.IdempotencyKey(c)
	if err != nil {
		return err
	}
	var req initiative.Contribution
	if err := httpapi.DecodeJSON(c, &req); err != nil {
		return err
	}
	rc, replayed, err := h.initiatives.Contribute(c.Request().Context(), c.Param("code"), req, key)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	return c.JSON(http.StatusCreated, rc)
}

func (h *Handler) geojson(c echo.Context) error {
	fc, err := h.initiatives.Map(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	c.Response().Header().Set(echo.HeaderContentType, "application/geo+json")
	c.Response().WriteHeader(http.StatusOK)
	return json.NewEncoder(c.Response()).Encode(fc)
}
