// Package deskapi serves the desk: planners, job coaches and admins. Every route checks
// the role and keeps answers inside the user's part of the area tree. Every body is read
// strictly (httpapi.DecodeJSONStrict): a field a route does not know is a 422 that names
// it, since a misspelt one would otherwise be a change the planner thinks was made.
package deskapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/worker"
)

// Handler serves /api/v1/desk and /api/v1/planner.
type Handler struct {
	db    *gorm.DB
	users *access.Store
	limit echo.MiddlewareFunc
}

// New returns the desk API. Login goes through limit (rate limiting).
func New(db *gorm.DB, users *access.Store, limit echo.MiddlewareFunc) *Handler {
	return &Handler{db: db, users: users, limit: limit}
}

// Groups are the route groups other desk features register on; every route in them
// requires a signed-in desk user.
type Groups struct {
	Desk    *echo.Group // /api/v1/desk
	Planner *echo.Group // /api/v1/planner
}

// Register adds login and the shared desk routes under api (/api/v1) and returns the
// authenticated groups.
func (h *Handler) Register(api *echo.Group) Groups {
	api.POST("/desk/login", h.login, h.limit, httpapi.LimitBody(8<<10))
	desk := api.Group("/desk", h.Authenticate)
	planner := api.Group("/planner", h.Authenticate)
	desk.POST("/logout", h.logout)
	desk.GET("/me", h.me)
	desk.GET("/teams", h.teams, RequireRole(access.Planner, access.JobCoach, access.Admin))
	return Groups{Desk: desk, Planner: planner}
}

const userKey = "desk.user"

// Authenticate admits requests with a valid desk session (Authorization: Bearer TOKEN).
func (h *Handler) Authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := httpapi.BearerToken(c.Request())
		if !ok {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="wijkwerk-desk"`)
			return problem.Unauthorized.New(problem.T("Log eerst in.", "Sign in first."))
		}
		u, err := h.users.Authenticate(c.Request().Context(), token)
		if err != nil {
			return err
		}
		c.Set(userKey, u)
		return next(c)
	}
}

// CurrentUser is the signed-in desk user of a request that passed Authenticate.
func CurrentUser(c echo.Context) access.User { return c.Get(userKey).(access.User) }

// RequireRole admits only users with one of roles.
func RequireRole(roles ...access.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !CurrentUser(c).Is(roles...) {
				return problem.Forbidden.New(problem.T("Dit mag u met uw rol niet doen.", "Your role does not allow this."))
			}
			return next(c)
		}
	}
}

func (h *Handler) login(c echo.Context) error {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	token, exp, err := h.users.Login(c.Request().Context(), req.Email, req.Password)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"token": token, "expires_at": exp})
}

func (h *Handler) logout(c echo.Context) error {
	token, _ := httpapi.BearerToken(c.Request())
	if err := h.users.Logout(c.Request().Context(), token); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) me(c echo.Context) error { return c.JSON(http.StatusOK, CurrentUser(c)) }

// teamJSON is a team with what it serves.
type teamJSON struct {
	ID       int64        `json:"id"`
	Code     string       `json:"code"`
	Name     string       `json:"name"`
	Serves   []teamServes `json:"serves"`
	Workers  int          `json:"workers"`
	OpenJobs int          `json:"open_jobs"`
}

type teamServes struct {
	AreaCode   string `json:"area_code"`
	AreaName   string `json:"area_name"`
	AreaKind   string `json:"area_kind"`
	Department string `json:"department"`
}

func (h *Handler) teams(c echo.Context) error {
	u := CurrentUser(c)
	scope, args := access.Scope(u, "ta.area_id")
	var rows []struct {
		ID         int64
		Code       string
		Name       string
		AreaCode   string
		AreaName   string
		AreaKind   string
		Department string
		Workers    int
		OpenJobs   int
	}
	err := h.db.WithContext(c.Request().Context()).Raw(`
SELECT t.id, t.code, t.name, a.code AS area_code, a.name AS area_name, a.kind AS area_kind, ta.department,
       (SELECT count(*) FROM worker_teams wt JOIN workers w ON w.id = wt.worker_id WHERE wt.team_id = t.id AND `+worker.AccessSQL("w")+`) AS workers,
       (SELECT count(*) FROM jobs j WHERE j.team_id = t.id AND `+job.OpenSQL+`) AS open_jobs
FROM teams t JOIN team_areas ta ON ta.team_id = t.id JOIN areas a ON a.id = ta.area_id
WHERE `+scope+`
ORDER BY t.name, a.code, ta.department`, args...).Scan(&rows).Error
	if err != nil {
		return err
	}
	out := []teamJSON{}
	idx := map[int64]int{}
	for _, r := range rows {
		i, ok := idx[r.ID]
		if !ok {
			i = len(out)
			idx[r.ID] = i
			out = append(out, teamJSON{ID: r.ID, Code: r.Code, Name: r.Name, Workers: r.Workers, OpenJobs: r.OpenJobs})
		}
		out[i].Serves = append(out[i].Serves, teamServes{AreaCode: r.AreaCode, AreaName: r.AreaName, AreaKind: r.AreaKind, Department: r.Department})
	}
	return c.JSON(http.StatusOK, map[string]any{"teams": out})
}
