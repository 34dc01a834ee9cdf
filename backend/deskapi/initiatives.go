package deskapi

import (
	"bytes"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/access"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/initiative"
	"wijkwerk/backend/planner"
	"wijkwerk/backend/problem"
)

// RegisterInitiatives adds the planner's routes for quality levels and residents'
// initiatives: listing, deciding, the council report, and the basic level of an area.
// Every route keeps to the user's part of the area tree; outside it is not found.
func RegisterInitiatives(g Groups, initiatives *initiative.Service) {
	h := &initiativeHandler{initiatives: initiatives}
	planners := RequireRole(access.Planner, access.Admin)
	small := httpapi.LimitBody(16 << 10)
	g.Planner.GET("/initiatives", h.list, planners)
	g.Planner.GET("/initiatives/report", h.report, planners)
	g.Planner.GET("/initiatives/:id", h.get, planners)
	for _, a := range []initiative.Action{initiative.Approve, initiative.Reject, initiative.Pause, initiative.Resume, initiative.End} {
		g.Planner.POST("/initiatives/:id/"+string(a), h.decide(a), planners, small)
	}
	g.Planner.GET("/areas/:code/quality", h.levels, planners)
	g.Planner.PUT("/areas/:code/quality", h.setLevel, planners, small)
}

type initiativeHandler struct {
	initiatives *initiative.Service
}

func (h *initiativeHandler) list(c echo.Context) error {
	status, err := initiative.ParseStatus(c.QueryParam("status"))
	if err != nil {
		return err
	}
	list, err := h.initiatives.List(c.Request().Context(), CurrentUser(c), status)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"initiatives": list})
}

func (h *initiativeHandler) get(c echo.Context) error {
	id, err := initiativeID(c)
	if err != nil {
		return err
	}
	in, err := h.initiatives.Get(c.Request().Context(), CurrentUser(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, in)
}

// decide handles approve {conditions}, reject {reason}, and pause, resume and end with
// an optional {reason}.
func (h *initiativeHandler) decide(a initiative.Action) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := initiativeID(c)
		if err != nil {
			return err
		}
		var req struct {
			Conditions string `json:"conditions"`
			Reason     string `json:"reason"`
		}
		// The body is optional for every action but reject.
		if err := httpapi.DecodeOptionalJSONStrict(c, &req); err != nil {
			return err
		}
		d := initiative.Decision{Action: a, Text: req.Reason}
		if a == initiative.Approve {
			d.Text = req.Conditions
		}
		in, err := h.initiatives.Decide(c.Request().Context(), CurrentUser(c), id, d)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, in)
	}
}

func (h *initiativeHandler) report(c echo.Context) error {
	format := c.QueryParam("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "csv" {
		return problem.Invalid("format", problem.T("Kies format=json of format=csv.", "Choose format=json or format=csv."))
	}
	// The same period rules as the participation report: both dates or neither (this month).
	p, err := planner.ParsePeriod(c.QueryParam("from"), c.QueryParam("to"), planner.Today(time.Now()))
	if err != nil {
		return err
	}
	rep, err := h.initiatives.Report(c.Request().Context(), CurrentUser(c), p)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if format == "json" {
		return c.JSON(http.StatusOK, rep)
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="initiatieven-`+rep.From+`-`+rep.To+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (h *initiativeHandler) levels(c echo.Context) error {
	lv, err := h.initiatives.BasicLevels(c.Request().Context(), CurrentUser(c), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, lv)
}

func (h *initiativeHandler) setLevel(c echo.Context) error {
	var req struct {
		Theme string `json:"theme"`
		Level string `json:"level"`
	}
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	lv, err := h.initiatives.SetBasicLevel(c.Request().Context(), CurrentUser(c), c.Param("code"), req.Theme, req.Level)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, lv)
}

func initiativeID(c echo.Context) (int64, error) {
	return pathID(c, "id", problem.T("Dit initiatief bestaat niet.", "This initiative does not exist."))
}
