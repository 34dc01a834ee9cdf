// Package resident serves residents' phones and browsers: filing a report, following it,
// and the list of categories.
package resident

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"wijkwerk/backend/category"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/report"
)

// Handler serves the resident API.
type Handler struct {
	reports    *report.Service
	categories *category.Store
}

// New returns the resident API handler.
func New(reports *report.Service, categories *category.Store) *Handler {
	return &Handler{reports: reports, categories: categories}
}

// MaxReportBody caps a JSON report.
const MaxReportBody = 64 << 10

// Register adds the routes under g (mounted at /api/v1).
func (h *Handler) Register(g *echo.Group) {
	g.POST("/reports", h.submit, httpapi.LimitBody(MaxReportBody))
	g.GET("/reports/:code", h.track)
	g.GET("/categories", h.listCategories)
}

// reportRequest is the JSON body of POST /api/v1/reports.
type reportRequest struct {
	Category    string            `json:"category"`
	Location    *pointJSON        `json:"location"`
	Description string            `json:"description"`
	Contact     *contactJSON      `json:"contact"`
	Answers     map[string]string `json:"answers"`
}

type pointJSON struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

type contactJSON struct {
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	WantsUpdates bool   `json:"wants_updates"`
}

// decodeReport turns a JSON body into a submission, or a problem saying what is wrong.
func decodeReport(body []byte) (report.Submission, error) {
	var req reportRequest
	if err := httpapi.Unmarshal(body, &req); err != nil {
		return report.Submission{}, err
	}
	if req.Location == nil {
		return report.Submission{}, problem.Invalid("location", problem.T(
			"Geef de plek op de kaart aan.", "Mark the place on the map."))
	}
	var coords []float64
	if req.Location.Type != "Point" || json.Unmarshal(req.Location.Coordinates, &coords) != nil || len(coords) < 2 || len(coords) > 3 {
		return report.Submission{}, &problem.Error{
			Kind: problem.InvalidLocation,
			Detail: problem.T(`De locatie moet een GeoJSON-punt zijn: {"type":"Point","coordinates":[lengtegraad, breedtegraad]}.`,
				`The location must be a GeoJSON point: {"type":"Point","coordinates":[longitude, latitude]}.`),
			Fields: []problem.Field{{Name: "location", Reason: problem.T("geen GeoJSON-punt", "not a GeoJSON point")}},
		}
	}
	sub := report.Submission{
		Category:    req.Category,
		Location:    orb.Point{coords[0], coords[1]},
		Description: req.Description,
		Answers:     req.Answers,
		Channel:     "app",
	}
	if req.Contact != nil {
		sub.Contact = report.Contact{Email: req.Contact.Email, Phone: req.Contact.Phone, WantsUpdates: req.Contact.WantsUpdates}
	}
	if err := sub.Validate(); err != nil {
		return report.Submission{}, err
	}
	return sub, nil
}

func (h *Handler) submit(c echo.Context) error {
	key, err := httpapi.IdempotencyKey(c)
	if err != nil {
		return err
	}
	if !httpapi.IsJSON(c.Request()) {
		return problem.UnsupportedMedia.New(problem.T(
			"Stuur de melding als JSON (Content-Type: application/json).",
			"Send the report as JSON (Content-Type: application/json)."))
	}
	body, err := httpapi.ReadBody(c)
	if err != nil {
		return err
	}
	sub, err := decodeReport(body)
	if err != nil {
		return err
	}
	rc, replayed, err := h.reports.Submit(c.Request().Context(), sub, key)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/reports/"+rc.TrackingCode)
	return c.JSON(http.StatusCreated, rc)
}

func (h *Handler) track(c echo.Context) error {
	t, err := h.reports.Track(c.Request().Context(), c.Param("code"), httpapi.Lang(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, t)
}

type categoryJSON struct {
	category.Category
	Name       string `json:"name"`
	Reportable bool   `json:"reportable"`
}

func (h *Handler) listCategories(c echo.Context) error {
	cats, err := h.categories.List(c.Request().Context())
	if err != nil {
		return err
	}
	lang := httpapi.Lang(c)
	out := make([]categoryJSON, len(cats))
	for i, cat := range cats {
		out[i] = categoryJSON{Category: cat, Name: cat.Name(lang), Reportable: cat.Reportable()}
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, map[string]any{"categories": out})
}
