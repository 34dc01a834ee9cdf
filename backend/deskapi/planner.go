package deskapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/job"
	"wijkwerk/backend/photo"
	"wijkwerk/backend/planner"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/qrsvg"
	"wijkwerk/backend/worker"
)

// plannerHandler serves the planner's board, reassigning, participation and the desk's
// worker management.
type plannerHandler struct {
	store   *planner.Store
	workers *worker.Store
	photos  *photo.Store
	inUse   photo.InUse // which photos some job still has
	now     func() time.Time
}

// RegisterPlanner adds the planner routes to the desk groups g:
//
//	planner and admin:  GET planner/board, planner/jobs.geojson, planner/overdue, planner/due-soon,
//	                    planner/cannot-complete (what the crew could not complete, waiting for a decision),
//	                    planner/jobs/{id} (the job with its reports, photos and history), planner/photos/{hash},
//	                    planner/jobs/{id}/contacts (how its reporters may be reached: personal data,
//	                    each lookup recorded in the job's history, never cached or logged);
//	                    POST planner/jobs/{id}/reassign, planner/jobs/reassign, planner/jobs/{id}/close;
//	                    PUT planner/jobs/{id}/effort;
//	                    DELETE planner/jobs/{id}/photos/{kind}/{hash} (the file goes when no job has it);
//	                    POST desk/workers, desk/workers/{id}/absences (the same again is the one
//	                    recorded before), desk/workers/{id}/pairing-code;
//	                    GET desk/workers/{id}/absences (with reasons: maybe health data);
//	                    DELETE desk/workers/{id}/absences/{absence};
//	                    POST desk/workers/{id}/deactivate, desk/workers/{id}/reactivate (phone access);
//	                    GET desk/workers/{id}/devices; POST desk/workers/{id}/devices/{device}/revoke
//	also job coach:     GET planner/participation, planner/participation.csv, desk/workers;
//	                    PUT desk/workers/{id}/milestones (what it names: left out stays, null clears);
//	                    POST desk/workers/{id}/outflow; GET desk/workers/{id}/outflows;
//	                    DELETE desk/workers/{id}/outflows/{outflow}
//	job coach:          GET and POST desk/workers/{id}/notes (development notes; planners and admins get 403)
//
// Everything is kept inside the user's areas: what lies outside is not found (404).
// workers is the store the crew API authenticates with, so that a revoked phone is
// refused at once. updates says how long the pushes of a reassignment may wait for
// delivery, and whether residents also hear by e-mail.
func RegisterPlanner(g Groups, db *gorm.DB, workers *worker.Store, photos *photo.Store, updates job.Updates) {
	h := &plannerHandler{store: planner.NewStore(db, updates), workers: workers, photos: photos,
		inUse: job.NewStore(db).PhotosInUse, now: time.Now}
	planners := RequireRole(access.Planner, access.Admin)
	readers := RequireRole(access.Planner, access.JobCoach, access.Admin)
	coaches := RequireRole(access.JobCoach) // development notes: no one else needs them (AVG)
	small := httpapi.LimitBody(16 << 10)

	p := g.Planner
	p.GET("/board", h.board, planners, noStore)
	p.GET("/jobs.geojson", h.jobsGeoJSON, planners, noStore)
	p.GET("/overdue", h.overdue, planners, noStore)
	p.GET("/due-soon", h.dueSoon, planners, noStore)
	p.GET("/cannot-complete", h.cannotComplete, planners, noStore)
	p.GET("/jobs/:id", h.jobDetail, planners, noStore)
	p.GET("/jobs/:id/contacts", h.reporterContacts, planners, noStore)
	p.GET("/photos/:hash", h.photo, planners)
	p.POST("/jobs/:id/reassign", h.reassign, planners, small)
	p.POST("/jobs/reassign", h.reassignMany, planners, httpapi.LimitBody(256<<10))
	p.PUT("/jobs/:id/effort", h.effort, planners, small)
	p.POST("/jobs/:id/close", h.closeJob, planners, small)
	p.DELETE("/jobs/:id/photos/:kind/:hash", h.removePhoto, planners, noStore)
	p.GET("/participation", h.participation, readers, noStore)
	p.GET("/participation.csv", h.participationCSV, readers, noStore)

	d := g.Desk
	d.GET("/workers", h.listWorkers, readers, noStore)
	d.POST("/workers", h.createWorker, planners, small, noStore)
	d.PUT("/workers/:id/milestones", h.milestones, readers, small, noStore)
	d.POST("/workers/:id/outflow", h.outflow, readers, small, noStore)
	d.GET("/workers/:id/outflows", h.outflows, readers, noStore)
	d.DELETE("/workers/:id/outflows/:outflow", h.deleteOutflow, readers, noStore)
	d.GET("/workers/:id/absences", h.absences, planners, noStore)
	d.POST("/workers/:id/absences", h.absence, planners, small, noStore)
	d.DELETE("/workers/:id/absences/:absence", h.deleteAbsence, planners, noStore)
	d.POST("/workers/:id/deactivate", h.deactivate, planners, noStore)
	d.POST("/workers/:id/reactivate", h.reactivate, planners, noStore)
	d.POST("/workers/:id/pairing-code", h.pairingCode, planners, noStore)
	d.GET("/workers/:id/devices", h.devices, planners, noStore)
	d.POST("/workers/:id/devices/:device/revoke", h.revokeDevice, planners, noStore)
	d.GET("/workers/:id/notes", h.notes, coaches, noStore)
	d.POST("/workers/:id/notes", h.addNote, coaches, httpapi.LimitBody(32<<10), noStore) // 4,000 characters of any script
}

// noStore keeps answers about people and work out of every cache.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// pathID reads the id in path parameter name; one that cannot be an id is not found.
func pathID(c echo.Context, name string, what problem.Text) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.NotFound.New(what)
	}
	return id, nil
}

func jobID(c echo.Context) (int64, error) {
	return pathID(c, "id", problem.T("Deze taak bestaat niet.", "This job does not exist."))
}

func workerID(c echo.Context) (int64, error) {
	return pathID(c, "id", problem.T("Deze medewerker bestaat niet.", "This worker does not exist."))
}

// teamFilter reads the optional ?team_id=.
func teamFilter(c echo.Context) (int64, error) {
	s := c.QueryParam("team_id")
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.Invalid("team_id", problem.T("Kies een ploeg: team_id is het nummer van een ploeg.", "Choose a crew: team_id is the number of a crew."))
	}
	return id, nil
}

func (h *plannerHandler) board(c echo.Context) error {
	now := h.now()
	week := planner.WeekOf(now)
	if s := c.QueryParam("week"); s != "" {
		var err error
		if week, err = planner.ParseWeek(s); err != nil {
			return err
		}
	}
	b, err := h.store.Board(c.Request().Context(), CurrentUser(c), week, now)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// How many jobs the map and the lists give at once; "truncated" says there were more.
const (
	MaxMapJobs       = 10000
	DefaultListLimit = 500
	MaxListLimit     = 2000
)

type feature struct {
	Type       string         `json:"type"`
	ID         int64          `json:"id"`
	Geometry   pointGeometry  `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type pointGeometry struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

func (h *plannerHandler) jobsGeoJSON(c echo.Context) error {
	team, err := teamFilter(c)
	if err != nil {
		return err
	}
	jobs, truncated, err := h.store.OpenJobs(c.Request().Context(), CurrentUser(c),
		planner.JobFilter{Which: planner.AllOpen, TeamID: team, Limit: MaxMapJobs}, h.now())
	if err != nil {
		return err
	}
	lang := httpapi.Lang(c)
	features := make([]feature, len(jobs))
	for i, j := range jobs {
		name := j.CategoryNameNL
		if lang == "en" {
			name = j.CategoryNameEN
		}
		features[i] = feature{Type: "Feature", ID: j.ID,
			Geometry: pointGeometry{Type: "Point", Coordinates: [2]float64{j.Lon, j.Lat}},
			Properties: map[string]any{
				"id": j.ID, "version": j.Version, "category": j.Category, "category_name": name, "status": j.Status,
				"team_id": j.TeamID, "team_name": j.TeamName, "due_date": j.DueDate, "overdue": j.Overdue,
			}}
	}
	body, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": features, "truncated": truncated})
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/geo+json", body)
}

func (h *plannerHandler) overdue(c echo.Context) error { return h.list(c, planner.Overdue) }
func (h *plannerHandler) dueSoon(c echo.Context) error { return h.list(c, planner.DueSoon) }

// listLimit reads the optional ?limit= of a list.
func listLimit(c echo.Context) (int, error) {
	s := c.QueryParam("limit")
	if s == "" {
		return DefaultListLimit, nil
	}
	limit, err := strconv.Atoi(s)
	if err != nil || limit < 1 || limit > MaxListLimit {
		return 0, problem.Invalid("limit", problem.Sprintf("limit is een getal van 1 tot %d.",
			"limit is a number from 1 to %d.", MaxListLimit))
	}
	return limit, nil
}

// listFilter reads the filters every job list takes: ?team_id= and ?limit=.
func listFilter(c echo.Context) (team int64, limit int, err error) {
	if team, err = teamFilter(c); err != nil {
		return 0, 0, err
	}
	limit, err = listLimit(c)
	return team, limit, err
}

func (h *plannerHandler) list(c echo.Context, which planner.Which) error {
	team, limit, err := listFilter(c)
	if err != nil {
		return err
	}
	jobs, truncated, err := h.store.OpenJobs(c.Request().Context(), CurrentUser(c),
		planner.JobFilter{Which: which, TeamID: team, Limit: limit}, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"jobs": jobs, "count": len(jobs), "truncated": truncated})
}

// cannotComplete lists the jobs the crew could not complete that wait for a planner's
// decision, the longest waiting first; ?team_id=, ?reason= and ?limit= narrow it.
func (h *plannerHandler) cannotComplete(c echo.Context) error {
	team, limit, err := listFilter(c)
	if err != nil {
		return err
	}
	jobs, truncated, err := h.store.StuckJobs(c.Request().Context(), CurrentUser(c),
		planner.StuckFilter{TeamID: team, Reason: c.QueryParam("reason"), Limit: limit}, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"jobs": jobs, "count": len(jobs), "truncated": truncated})
}

// closeJob closes a job the crew could not complete (If-Match: the version the planner saw):
// it ends there. Sending it back to work is a reassign.
func (h *plannerHandler) closeJob(c echo.Context) error {
	id, err := jobID(c)
	if err != nil {
		return err
	}
	version, err := httpapi.IfMatchVersion(c)
	if err != nil {
		return err
	}
	var req struct {
		Note string `json:"note"`
	}
	if err := httpapi.DecodeOptionalJSONStrict(c, &req); err != nil {
		return err
	}
	j, err := h.store.CloseStuck(c.Request().Context(), CurrentUser(c), id, version, req.Note, h.now())
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", fmt.Sprintf(`"%d"`, j.Version))
	return c.JSON(http.StatusOK, j)
}

func (h *plannerHandler) jobDetail(c echo.Context) error {
	id, err := jobID(c)
	if err != nil {
		return err
	}
	d, err := h.store.JobDetail(c.Request().Context(), CurrentUser(c), id, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// reporterContacts answers how the reporters of a job may be reached, for a planner who
// needs to ask them something. It is an endpoint of its own, not part of the job's
// detail, so that the details are read only when someone asks for them, and each time
// that is recorded (planner.Store.ReporterContacts). Never cached (noStore); the
// access log has the route only, never the answer.
func (h *plannerHandler) reporterContacts(c echo.Context) error {
	id, err := jobID(c)
	if err != nil {
		return err
	}
	list, err := h.store.ReporterContacts(c.Request().Context(), CurrentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"contacts": list})
}

// photo serves a photo of a job in the user's scope; the browser may keep it (private).
func (h *plannerHandler) photo(c echo.Context) error {
	u := CurrentUser(c)
	return httpapi.ServePhoto(c, h.photos, c.Param("hash"), func(ctx context.Context, hash string) (bool, error) {
		return h.store.PhotoVisible(ctx, u, hash)
	}, "private")
}

// removePhoto takes a photo off a job (planner.RemovePhoto) and then its file off the
// disk, unless another job has the same photo. A file that cannot be removed now is left
// to the daily sweep: the photo is off the job, so no one is shown it any more.
func (h *plannerHandler) removePhoto(c echo.Context) error {
	id, err := jobID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	began := time.Now() // file times are real times, whatever h.now says
	hash := c.Param("hash")
	if err := h.store.RemovePhoto(ctx, CurrentUser(c), id, c.Param("kind"), hash); err != nil {
		return err
	}
	if _, err := h.photos.Discard(ctx, began, h.inUse, hash); err != nil {
		slog.WarnContext(ctx, "photo removed from job, file left for the sweep", "job", id, "err", err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *plannerHandler) reassign(c echo.Context) error {
	id, err := jobID(c)
	if err != nil {
		return err
	}
	version, err := httpapi.IfMatchVersion(c)
	if err != nil {
		return err
	}
	var req struct {
		TeamID int64  `json:"team_id"`
		Reason string `json:"reason"`
	}
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	jobs, err := h.store.Reassign(c.Request().Context(), CurrentUser(c),
		[]planner.Move{{JobID: id, Version: version, TeamID: req.TeamID}}, req.Reason, h.now())
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", fmt.Sprintf(`"%d"`, jobs[0].Version))
	return c.JSON(http.StatusOK, jobs[0])
}

func (h *plannerHandler) reassignMany(c echo.Context) error {
	var req struct {
		Moves  []planner.Move `json:"moves"`
		Reason string         `json:"reason"`
	}
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	jobs, err := h.store.Reassign(c.Request().Context(), CurrentUser(c), req.Moves, req.Reason, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"jobs": jobs})
}

func (h *plannerHandler) effort(c echo.Context) error {
	id, err := jobID(c)
	if err != nil {
		return err
	}
	var req struct {
		Minutes json.RawMessage `json:"minutes"`
	}
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	var minutes *int
	if raw := bytes.TrimSpace(req.Minutes); len(raw) == 0 || json.Unmarshal(raw, &minutes) != nil {
		return problem.Invalid("minutes", problem.T(
			"Geef minutes als een heel getal, of null voor de standaard van de categorie.",
			"Give minutes as a whole number, or null for the category default."))
	}
	j, err := h.store.SetEffort(c.Request().Context(), CurrentUser(c), id, minutes, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, j)
}

func (h *plannerHandler) period(c echo.Context) (planner.Period, error) {
	return planner.ParsePeriod(c.QueryParam("from"), c.QueryParam("to"), planner.Today(h.now()))
}

func (h *plannerHandler) participation(c echo.Context) error {
	p, err := h.period(c)
	if err != nil {
		return err
	}
	out, err := h.store.Participation(c.Request().Context(), CurrentUser(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *plannerHandler) participationCSV(c echo.Context) error {
	p, err := h.period(c)
	if err != nil {
		return err
	}
	workers, err := h.store.Participants(c.Request().Context(), CurrentUser(c), p)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := planner.WriteCSV(&buf, planner.CSVRows(p, workers)); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition",
		fmt.Sprintf(`attachment; filename="participatie-%s-%s.csv"`, p.From, p.To))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (h *plannerHandler) listWorkers(c echo.Context) error {
	ws, err := h.store.Workers(c.Request().Context(), CurrentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"workers": ws})
}

// dateField reads an optional date of a request; "" and null are no date.
func dateField(name string, s *string) (planner.Date, error) {
	if s == nil || *s == "" {
		return planner.Date{}, nil
	}
	return planner.ParseDateParam(name, *s)
}

// milestonesRequest is a worker's milestones as a request gives them. For an update, a
// field left out stays as it is and null clears it; for a new worker both are no value.
type milestonesRequest struct {
	PlacementStart optString `json:"placement_start"`
	EvaluationDue  optString `json:"evaluation_due"`
	ContractEnd    optString `json:"contract_end"`
	ContractHours  *float64  `json:"contract_hours"`
}

// optString is a JSON field that may be left out (Set is false), null or a string.
type optString struct {
	Set bool
	V   *string
}

func (o *optString) UnmarshalJSON(b []byte) error {
	o.Set = true
	return json.Unmarshal(b, &o.V)
}

func (r milestonesRequest) update() (planner.MilestoneUpdate, error) {
	u := planner.MilestoneUpdate{Milestones: planner.Milestones{ContractHours: r.ContractHours},
		SetPlacementStart: r.PlacementStart.Set, SetEvaluationDue: r.EvaluationDue.Set, SetContractEnd: r.ContractEnd.Set}
	var err error
	if u.PlacementStart, err = dateField("placement_start", r.PlacementStart.V); err != nil {
		return u, err
	}
	if u.EvaluationDue, err = dateField("evaluation_due", r.EvaluationDue.V); err != nil {
		return u, err
	}
	u.ContractEnd, err = dateField("contract_end", r.ContractEnd.V)
	return u, err
}

func (h *plannerHandler) createWorker(c echo.Context) error {
	var req struct {
		TeamID int64  `json:"team_id"`
		Name   string `json:"name"`
		Role   string `json:"role"`
		milestonesRequest
	}
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	m, err := req.update()
	if err != nil {
		return err
	}
	w, err := h.store.CreateWorker(c.Request().Context(), CurrentUser(c),
		planner.NewWorker{TeamID: req.TeamID, Name: req.Name, Role: req.Role, Milestones: m.Milestones})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, w)
}

func (h *plannerHandler) milestones(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	var req milestonesRequest
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	upd, err := req.update()
	if err != nil {
		return err
	}
	w, err := h.store.SetMilestones(c.Request().Context(), CurrentUser(c), id, upd)
	if err != nil {
		return err
	}
	h.workers.Forget() // a contract end that passed ends the phone's access at once
	return c.JSON(http.StatusOK, w)
}

func (h *plannerHandler) outflow(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	var req struct {
		Date     *string `json:"date"`
		Employer string  `json:"employer"`
		Kind     string  `json:"kind"`
	}
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	date, err := dateField("date", req.Date)
	if err != nil {
		return err
	}
	u := CurrentUser(c)
	o, created, err := h.store.AddOutflow(c.Request().Context(), u, u.ID,
		planner.Outflow{WorkerID: id, Date: date, Employer: req.Employer, Kind: req.Kind})
	if err != nil {
		return err
	}
	h.workers.Forget() // an outflow of today or before ends the phone's access at once
	if !created {
		return c.JSON(http.StatusOK, o)
	}
	return c.JSON(http.StatusCreated, o)
}

func (h *plannerHandler) absence(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	var req struct {
		From   *string `json:"from"`
		To     *string `json:"to"`
		Reason string  `json:"reason"`
	}
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	from, err := dateField("from", req.From)
	if err != nil {
		return err
	}
	to, err := dateField("to", req.To)
	if err != nil {
		return err
	}
	u := CurrentUser(c)
	a, created, err := h.store.AddAbsence(c.Request().Context(), u, u.ID,
		planner.Absence{WorkerID: id, From: from, To: to, Reason: req.Reason})
	if err != nil {
		return err
	}
	if !created {
		return c.JSON(http.StatusOK, a) // the same absence again: the one recorded before
	}
	return c.JSON(http.StatusCreated, a)
}

// absences lists a worker's absences with their reasons (see planner.Store.Absences).
func (h *plannerHandler) absences(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	list, err := h.store.Absences(c.Request().Context(), CurrentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"absences": list})
}

func (h *plannerHandler) deleteAbsence(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	absence, err := pathID(c, "absence", problem.T("Deze afwezigheid bestaat niet (meer).", "This absence does not exist (any more)."))
	if err != nil {
		return err
	}
	if err := h.store.DeleteAbsence(c.Request().Context(), CurrentUser(c), id, absence); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *plannerHandler) outflows(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	list, err := h.store.Outflows(c.Request().Context(), CurrentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"outflows": list})
}

// deleteOutflow removes an outflow; the worker's phone may work again at once (dates
// decide access, worker.AccessSQL).
func (h *plannerHandler) deleteOutflow(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	outflow, err := pathID(c, "outflow", problem.T("Deze uitstroom bestaat niet (meer).", "This outflow does not exist (any more)."))
	if err != nil {
		return err
	}
	if err := h.store.DeleteOutflow(c.Request().Context(), CurrentUser(c), id, outflow); err != nil {
		return err
	}
	h.workers.Forget()
	return c.NoContent(http.StatusNoContent)
}

// deactivate ends a worker's access at once: their phones are unpaired (401 from the
// next request on), get no pushes, and they are no colleague to pick any more. Their
// hours and history stay. Doing it twice changes nothing.
func (h *plannerHandler) deactivate(c echo.Context) error { return h.setActive(c, false) }

// reactivate gives a deactivated worker access again; a phone needs a new pairing code.
func (h *plannerHandler) reactivate(c echo.Context) error { return h.setActive(c, true) }

func (h *plannerHandler) setActive(c echo.Context, active bool) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	u := CurrentUser(c)
	ctx := c.Request().Context()
	if err := h.store.CheckWorker(ctx, u, id); err != nil {
		return err
	}
	var changed bool
	if active {
		changed, err = h.workers.Reactivate(ctx, id)
	} else {
		changed, err = h.workers.Deactivate(ctx, id)
	}
	if errors.Is(err, worker.ErrNotFound) {
		return problem.NotFound.New(problem.T("Deze medewerker bestaat niet.", "This worker does not exist."))
	}
	if err != nil {
		return err
	}
	if changed {
		slog.InfoContext(ctx, "worker access changed", "worker_id", id, "active", active, "by_user", u.ID)
	}
	w, err := h.store.Worker(ctx, u, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (h *plannerHandler) pairingCode(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	u := CurrentUser(c)
	ctx := c.Request().Context()
	if err := h.store.CheckWorker(ctx, u, id); err != nil {
		return err
	}
	pc, err := h.workers.IssuePairingCode(ctx, id, planner.Actor(u))
	if errors.Is(err, worker.ErrNotFound) {
		return problem.NotFound.New(problem.T(
			"Deze medewerker is niet (meer) actief.", "This worker is not active (any more)."))
	}
	if err != nil {
		return err
	}
	img, err := qrsvg.Encode(pc.QR)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, pairingAnswer{PairingCode: pc, QRSVG: img})
}

// pairingAnswer is a new pairing code with its QR payload drawn as an SVG image, for the
// desk to show beside the digits. The image comes in the same answer because only the
// code's hash is kept: it cannot be drawn again later, and like the code it is never
// cached (no-store).
type pairingAnswer struct {
	worker.PairingCode
	QRSVG string `json:"qr_svg"`
}

// devices lists the phones paired to a worker, so a planner can unpair a lost one.
func (h *plannerHandler) devices(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := h.store.CheckWorker(ctx, CurrentUser(c), id); err != nil {
		return err
	}
	list, err := h.workers.Devices(ctx, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"devices": list})
}

// revokeDevice unpairs a phone at once: its next request is 401 and it gets no pushes.
func (h *plannerHandler) revokeDevice(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	device, err := pathID(c, "device", problem.T("Deze telefoon bestaat niet.", "This phone does not exist."))
	if err != nil {
		return err
	}
	u := CurrentUser(c)
	ctx := c.Request().Context()
	if err := h.store.CheckWorker(ctx, u, id); err != nil {
		return err
	}
	d, err := h.workers.RevokeDevice(ctx, id, device)
	if errors.Is(err, worker.ErrNotFound) {
		return problem.NotFound.New(problem.T("Deze telefoon hoort niet bij deze medewerker.", "This phone does not belong to this worker."))
	}
	if err != nil {
		return err
	}
	slog.InfoContext(ctx, "device revoked", "worker_id", id, "device_id", device, "by_user", u.ID)
	return c.JSON(http.StatusOK, d)
}

func (h *plannerHandler) notes(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	notes, err := h.store.Notes(c.Request().Context(), CurrentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"notes": notes})
}

func (h *plannerHandler) addNote(c echo.Context) error {
	id, err := workerID(c)
	if err != nil {
		return err
	}
	var req struct {
		Skill string `json:"skill"`
		Score *int   `json:"score"`
		Text  string `json:"text"`
	}
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	n, err := h.store.AddNote(c.Request().Context(), CurrentUser(c),
		planner.Note{WorkerID: id, Skill: req.Skill, Score: req.Score, Text: req.Text})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, n)
}
