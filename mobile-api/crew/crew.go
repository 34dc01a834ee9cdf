// Package crew serves crew members' phones: pairing without a password, the device's push
// token, task sync with a change cursor, task actions that are safe to replay, and photos.
package crew

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/job"
	"wijkwerk/backend/photo"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/worker"
)

// Handler serves the crew API under /mobile/v1.
type Handler struct {
	workers *worker.Store
	jobs    *job.Store
	actions *job.Service
	photos  *photo.Pool
	limit   echo.MiddlewareFunc
}

// New returns the crew API handler.
// Pairing goes through limit (rate limiting), so codes cannot be guessed.
func New(workers *worker.Store, jobs *job.Store, actions *job.Service, photos *photo.Pool, limit echo.MiddlewareFunc) *Handler {
	return &Handler{workers: workers, jobs: jobs, actions: actions, photos: photos, limit: limit}
}

const deviceKey = "crew.device"

// Register adds the routes under g (mounted at /mobile/v1).
func (h *Handler) Register(g *echo.Group) {
	small := httpapi.LimitBody(16 << 10)
	g.POST("/pair", h.pair, h.limit, small)
	auth := g.Group("", h.authenticate)
	auth.PUT("/device", h.device, small)
	auth.GET("/tasks", h.tasks)
	auth.GET("/specialists", h.specialists)
	auth.POST("/tasks/:id/photos", h.addPhoto, httpapi.LimitPhotos(1, h.photos.Limits().MaxBytes, 56<<10))
	auth.POST("/tasks/:id/:action", h.act, small)
	auth.GET("/photos/:hash", h.photo)
}

func (h *Handler) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := httpapi.BearerToken(c.Request())
		if !ok {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="wijkwerk-crew"`)
			return problem.Unauthorized.New(problem.T("Koppel deze telefoon eerst met een code.", "Pair this phone with a code first."))
		}
		d, err := h.workers.Authenticate(c.Request().Context(), token)
		if err != nil {
			return err
		}
		c.Set(deviceKey, d)
		return next(c)
	}
}

func device(c echo.Context) worker.Device { return c.Get(deviceKey).(worker.Device) }

// pair exchanges a pairing code for the phone's credential. The phone may say what it
// is (platform: "web" for the PWA), so the desk's list of phones can name it.
func (h *Handler) pair(c echo.Context) error {
	var req struct {
		Code     string `json:"code"`
		Platform string `json:"platform"`
	}
	if err := httpapi.DecodeJSON(c, &req); err != nil {
		return err
	}
	platform, ok := parsePlatform(req.Platform)
	if !ok {
		return badPlatform()
	}
	token, w, err := h.workers.Pair(c.Request().Context(), req.Code, platform)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"token": token, "worker": w})
}

// parsePlatform reads the kind of phone a request names: android, ios or web, in any
// case and with spaces around it, kept in lower case; "" when it names none. Pairing
// and PUT /device share this rule, so the desk can name every phone.
func parsePlatform(s string) (string, bool) {
	switch s = strings.ToLower(strings.TrimSpace(s)); s {
	case "", "android", "ios", "web":
		return s, true
	}
	return "", false
}

func badPlatform() error {
	return problem.Invalid("platform", problem.T("Kies android, ios of web.", "Choose android, ios or web."))
}

// parseLang reads the language a phone wants its pushes in: "en" for English (also
// "en-GB" and the like, in any case), Dutch ("nl") for anything else, also for nothing
// or a language Wijkwerk does not speak.
func parseLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "en" || strings.HasPrefix(s, "en-") {
		return "en"
	}
	return "nl"
}

// device registers the phone's push token and the language of its pushes. The crew app
// sends it again when the crew member switches language.
func (h *Handler) device(c echo.Context) error {
	var req struct {
		Token    string `json:"token"`
		Platform string `json:"platform"`
		Lang     string `json:"lang"`
	}
	if err := httpapi.DecodeJSON(c, &req); err != nil {
		return err
	}
	req.Token = strings.TrimSpace(req.Token)
	if req.Token == "" || len(req.Token) > 4096 {
		return problem.Invalid("token", problem.T("Het pushtoken ontbreekt of is te lang.", "The push token is missing or too long."))
	}
	// A push token belongs to a kind of phone: here it must be named.
	platform, ok := parsePlatform(req.Platform)
	if !ok || platform == "" {
		return badPlatform()
	}
	if err := h.workers.SetPushToken(c.Request().Context(), device(c).ID, req.Token, platform, parseLang(req.Lang)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// specialists lists the specialists of the phone's teams: a trainee picks the one they
// worked with when they complete work that needs one.
func (h *Handler) specialists(c echo.Context) error {
	list, err := h.workers.Specialists(c.Request().Context(), device(c).Worker.TeamIDs)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	return c.JSON(http.StatusOK, map[string]any{"specialists": list})
}

func (h *Handler) tasks(c echo.Context) error {
	d := device(c)
	var since int64
	if s := c.QueryParam("since"); s != "" {
		n, teams, ok := parseCursor(s)
		if !ok {
			return problem.Invalid("since", problem.T("since moet een cursor uit een eerder antwoord zijn.", "since must be a cursor from an earlier answer."))
		}
		if teams == teamsFingerprint(d.Worker.TeamIDs) {
			since = n // else the worker's teams changed: a full sync (since 0)
		}
	}
	ctx := c.Request().Context()
	head, err := h.jobs.Head(ctx, d.Worker.TeamIDs, since)
	if err != nil {
		return err
	}
	// From a cursor, the same changes make the same answer (apart from a newer cursor,
	// which the phone does not need): that answer has an ETag. A full sync, also the one
	// for a cursor older than the pruned feed (head.Since is 0 then), has none and is
	// always answered: nothing short of reading the tasks tells whether they changed.
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	if head.Since > 0 {
		etag := fmt.Sprintf(`"%s-%d-%d"`, teamsKey(d.Worker.TeamIDs), since, head.Changes)
		c.Response().Header().Set("ETag", etag)
		if c.Request().Header.Get("If-None-Match") == etag {
			return c.NoContent(http.StatusNotModified)
		}
	}
	ch, err := h.jobs.Changed(ctx, d.Worker.TeamIDs, head)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"tasks": ch.Tasks, "cursor": formatCursor(ch.Cursor, d.Worker.TeamIDs), "full": ch.Full})
}

// A sync cursor is "x", a transaction id (job.FeedHead.Xmin), "t" and the fingerprint of
// the worker's teams. A cursor of other teams than the worker's now, one without teams
// (from before they were in it) and a plain number (a feed seq, from before migration
// 00011) get a full sync, as does one older than the pruned feed (job.PruneFeed).
func formatCursor(xmin int64, teams []int64) string {
	return "x" + strconv.FormatInt(xmin, 10) + "t" + teamsFingerprint(teams)
}

// parseCursor reads a cursor: the feed position since which changes are asked for, and
// the fingerprint of the teams the cursor was made for ("" in one from before it had
// them, or a plain number from before migration 00011).
func parseCursor(s string) (since int64, teams string, ok bool) {
	if rest, found := strings.CutPrefix(s, "x"); found {
		pos, fp, _ := strings.Cut(rest, "t")
		n, err := strconv.ParseInt(pos, 10, 64)
		return n, fp, err == nil && n > 0 && len(fp) <= 16
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return 0, "", err == nil && n >= 0
}

// teamsFingerprint is a short digest of a worker's teams, in a cursor: changes since
// the cursor are only those of the teams it was made for, so a worker whose teams
// changed gets a full sync (the new team's tasks, and none of the old one's).
func teamsFingerprint(ids []int64) string {
	h := fnv.New32a()
	h.Write([]byte(teamsKey(ids)))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

func teamsKey(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ".")
}

func taskID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.NotFound.New(problem.T("Deze taak bestaat niet.", "This task does not exist."))
	}
	return id, nil
}

type actRequest struct {
	Note   string      `json:"note"`
	Hours  []job.Hours `json:"hours"`
	Reason string      `json:"reason"`
	Text   string      `json:"text"`
}

func (h *Handler) act(c echo.Context) error {
	action, ok := job.ParseAction(c.Param("action"))
	if !ok {
		return problem.NotFound.New(problem.T("Deze actie bestaat niet.", "This action does not exist."))
	}
	id, err := taskID(c)
	if err != nil {
		return err
	}
	key, err := httpapi.IdempotencyKey(c)
	if err != nil {
		return err
	}
	if key == "" {
		return problem.Invalid("Idempotency-Key", problem.T("Stuur een Idempotency-Key mee.", "Send an Idempotency-Key."))
	}
	version, err := httpapi.IfMatchVersion(c)
	if err != nil {
		return err
	}
	// Strict: a field the action does not know (a misspelt "hours" or "note") is a 422
	// that names it, not a task closed without the crew's hours or words.
	var req actRequest
	if err := httpapi.DecodeOptionalJSONStrict(c, &req); err != nil {
		return err
	}
	d := device(c)
	t, replayed, err := h.actions.Do(c.Request().Context(), job.Act{
		JobID: id, Action: action, Version: version, Key: key,
		Actor: fmt.Sprintf("worker:%d", d.Worker.ID), ActorRole: string(d.Worker.Role), Teams: d.Worker.TeamIDs,
		Note: req.Note, Hours: req.Hours, Reason: req.Reason, ReasonText: req.Text,
	})
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	c.Response().Header().Set("ETag", fmt.Sprintf(`"%d"`, t.Version))
	return c.JSON(http.StatusOK, t)
}

func (h *Handler) addPhoto(c echo.Context) error {
	id, err := taskID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := h.actions.CheckPhoto(ctx, id, device(c).Worker.TeamIDs); err != nil {
		return err
	}
	form, err := httpapi.ReadForm(c, h.photos.Limits().MaxBytes, 1)
	if err != nil {
		return err
	}
	kind := form.Fields["kind"]
	if kind != "before" && kind != "after" {
		return problem.Invalid("kind", problem.T("Kies before (voor) of after (na).", "Choose before or after."))
	}
	if len(form.Files["photo"]) != 1 {
		return problem.Invalid("photo", problem.T("De foto ontbreekt.", "The photo is missing."))
	}
	// A photo over the limit is refused before it is written; AddPhoto counts again
	// under the job's lock, and a photo it refuses is discarded.
	p, err := h.photos.SaveChecked(ctx, form.Files["photo"][0], func(p photo.Photo) error {
		return h.jobs.CheckPhotoLimit(ctx, id, job.Photo{Hash: p.Hash, Kind: kind})
	})
	if err != nil {
		return err
	}
	if err := h.jobs.AddPhoto(ctx, id, device(c).Worker.TeamIDs, job.Photo{Hash: p.Hash, Kind: kind, Width: p.Width, Height: p.Height, Bytes: p.Bytes}); err != nil {
		if derr := h.photos.Discard(ctx, p, h.jobs.PhotosInUse); derr != nil {
			slog.WarnContext(ctx, "crew: discard refused photo", "hash", p.Hash, "err", derr)
		}
		return err
	}
	return c.JSON(http.StatusCreated, job.TaskPhoto{Hash: p.Hash, Kind: kind, URL: "/mobile/v1/photos/" + p.Hash})
}

func (h *Handler) photo(c echo.Context) error {
	teams := device(c).Worker.TeamIDs
	return httpapi.ServePhoto(c, h.photos.Store(), c.Param("hash"), func(ctx context.Context, hash string) (bool, error) {
		return h.jobs.PhotoVisible(ctx, hash, teams)
	}, "private")
}
