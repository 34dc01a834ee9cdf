// Package resident serves residents' phones and browsers: filing a report, following it,
// and the list of categories.
package resident

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"wijkwerk/backend/category"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/job"
	"wijkwerk/backend/photo"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/report"
)

// Handler serves the resident API.
type Handler struct {
	reports    *report.Service
	categories *category.Cache
	photos     *photo.Pool
	limit      echo.MiddlewareFunc
}

// New returns the resident API handler. Public writes go through limit (rate limiting).
func New(reports *report.Service, categories *category.Cache, photos *photo.Pool, limit echo.MiddlewareFunc) *Handler {
	return &Handler{reports: reports, categories: categories, photos: photos, limit: limit}
}

// Limits on what residents send.
const (
	MaxReportBody   = 64 << 10 // a JSON report
	MaxReportPhotos = 3
)

// Register adds the routes under g (mounted at /api/v1).
func (h *Handler) Register(g *echo.Group) {
	g.POST("/reports", h.submit, h.limit, h.limitReportBody)
	g.GET("/reports/nearby", h.nearby)
	g.GET("/reports/:code", h.track)
	g.DELETE("/reports/:code/contact", h.stopUpdates, h.limit)
	g.POST("/jobs/:id/support", h.support, h.limit, httpapi.LimitBody(16<<10))
	g.GET("/photos/:hash", h.photo)
	g.GET("/categories", h.listCategories)
}

// limitReportBody allows a JSON report 64 KiB and a multipart report room for its photos.
func (h *Handler) limitReportBody(next echo.HandlerFunc) echo.HandlerFunc {
	small := httpapi.LimitBody(MaxReportBody)(next)
	large := httpapi.LimitPhotos(MaxReportPhotos, h.photos.Limits().MaxBytes, MaxReportBody)(next)
	return func(c echo.Context) error {
		if httpapi.IsMultipart(c) {
			return large(c)
		}
		return small(c)
	}
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
	BBox        json.RawMessage `json:"bbox"` // GeoJSON allows one (RFC 7946, 5); not used
}

type contactJSON struct {
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	WantsUpdates *bool  `json:"wants_updates"`
	AppToken     string `json:"app_token"`
}

// contact is c as the report package takes it; a missing contact is an empty one. An
// app that gives its token asks for pushes unless it says wants_updates: false.
func (c *contactJSON) contact() report.Contact {
	if c == nil {
		return report.Contact{}
	}
	return report.Contact{Email: c.Email, Phone: c.Phone, WantsUpdates: wantsUpdates(c.WantsUpdates, c.AppToken), AppToken: c.AppToken}
}

// wantsUpdates is whether a resident asked for updates: as they said, or, when they did
// not say, whether they gave an app token to push to.
func wantsUpdates(said *bool, appToken string) bool {
	if said != nil {
		return *said
	}
	return appToken != ""
}

// decodeReport turns a JSON body into a submission, or a problem saying what is wrong.
func decodeReport(body []byte) (report.Submission, error) {
	var req reportRequest
	if err := httpapi.UnmarshalStrict(body, &req); err != nil {
		return report.Submission{}, err
	}
	if req.Location == nil {
		return report.Submission{}, problem.Invalid("location", problem.T(
			"Geef de plek op de kaart aan.", "Mark the place on the map."))
	}
	var coords []float64
	if req.Location.Type != "Point" || json.Unmarshal(req.Location.Coordinates, &coords) != nil || len(coords) < 2 || len(coords) > 3 {
		return report.Submission{}, problem.InvalidLocation.Invalid("location", problem.T(
			`De locatie moet een GeoJSON-punt zijn: {"type":"Point","coordinates":[lengtegraad, breedtegraad]}.`,
			`The location must be a GeoJSON point: {"type":"Point","coordinates":[longitude, latitude]}.`))
	}
	sub := report.Submission{
		Category:    req.Category,
		Location:    orb.Point{coords[0], coords[1]},
		Description: req.Description,
		Answers:     req.Answers,
		Channel:     "app",
		Contact:     req.Contact.contact(),
	}
	if err := sub.Validate(); err != nil {
		return report.Submission{}, err
	}
	return sub, nil
}

func (h *Handler) submit(c echo.Context) error {
	key, err := httpapi.IdempotencyKey(c)
	if err == nil {
		key, err = report.AppKey(key)
	}
	if err != nil {
		return err
	}
	var sub report.Submission
	switch {
	case httpapi.IsMultipart(c):
		sub, err = h.decodeMultipart(c)
	case httpapi.IsJSON(c.Request()):
		var body []byte
		if body, err = httpapi.ReadBody(c); err == nil {
			sub, err = decodeReport(body)
		}
	default:
		err = problem.UnsupportedMedia.New(problem.T(
			"Stuur de melding als JSON (Content-Type: application/json) of als formulier met foto's (multipart/form-data).",
			"Send the report as JSON (Content-Type: application/json) or as a form with photos (multipart/form-data)."))
	}
	if err != nil {
		return err
	}
	sub.Contact.Lang = httpapi.Lang(c) // the pushes about the report speak it
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

// decodeMultipart reads a report with photos: the report itself as JSON in field
// "report" (a text or a file part), or as plain fields (category, lon, lat, description,
// email, phone, wants_updates, app_token, answers[QUESTION]), and up to three files in
// field "photo". Any other field is refused: a photo sent under another name would be
// lost without a word.
func (h *Handler) decodeMultipart(c echo.Context) (report.Submission, error) {
	form, err := httpapi.ReadForm(c, h.photos.Limits().MaxBytes, MaxReportPhotos+1)
	if err != nil {
		return report.Submission{}, err
	}
	for name, files := range form.Files {
		switch {
		case name == "report" && len(files) == 1 && form.Fields["report"] == "":
			// The report as a file part: what a browser sends for a JSON Blob.
			form.Fields["report"] = string(files[0])
		case name == "photo":
			if len(files) > MaxReportPhotos {
				return report.Submission{}, problem.Invalid("photo", problem.Sprintf(
					"Stuur hoogstens %d foto's.", "Send at most %d photos.", MaxReportPhotos))
			}
		default:
			// A photo under another name would be lost without a word.
			return report.Submission{}, problem.Invalid(name, problem.Sprintf(
				"Het veld %s kennen we niet. Stuur foto's in het veld photo.",
				"Unknown field %s. Send photos in the field photo.", name))
		}
	}
	sub, err := decodeForm(form.Fields)
	if err != nil {
		return report.Submission{}, err
	}
	// A report that would be refused (unknown category, a place outside every area)
	// leaves no photos behind on disk.
	if err := h.reports.Check(c.Request().Context(), sub); err != nil {
		return report.Submission{}, err
	}
	for _, data := range form.Files["photo"] {
		p, err := h.photos.Save(c.Request().Context(), data)
		if err != nil {
			return report.Submission{}, err
		}
		sub.Photos = append(sub.Photos, job.Photo{Hash: p.Hash, Width: p.Width, Height: p.Height, Bytes: p.Bytes})
	}
	return sub, nil
}

// formWantsUpdates reads wants_updates from a form as wantsUpdates does from JSON. It
// takes the ways a form says yes or no (a checkbox sends "on"), and an empty value as
// not said, as a field left out is; anything else is refused,
// as a JSON value other than true or false is, rather than read as no, which would drop
// the app token without a word.
func formWantsUpdates(fields map[string]string) (bool, error) {
	v := strings.ToLower(strings.TrimSpace(fields["wants_updates"]))
	if v == "" { // left out, or an empty field of a form: not said
		return wantsUpdates(nil, fields["app_token"]), nil
	}
	var yes bool
	switch v {
	case "true", "on", "1", "yes", "ja":
		yes = true
	case "false", "off", "0", "no", "nee":
	default:
		return false, problem.Invalid("wants_updates", problem.T(
			"Geef bij wants_updates true of false.", "Give true or false for wants_updates."))
	}
	return wantsUpdates(&yes, fields["app_token"]), nil
}

// formFields are the text fields of a multipart report, besides "report" (the report
// as JSON) and answers, which come as answers[QUESTION] or answers.QUESTION.
var formFields = map[string]bool{"category": true, "lon": true, "lat": true, "description": true,
	"email": true, "phone": true, "wants_updates": true, "app_token": true}

// decodeForm turns the text fields of a multipart report into a submission.
func decodeForm(fields map[string]string) (report.Submission, error) {
	if j, ok := fields["report"]; ok {
		if len(fields) > 1 {
			return report.Submission{}, problem.Invalid("report", problem.T(
				"Stuur de melding als JSON in het veld report, of als losse velden; niet allebei.",
				"Send the report as JSON in the field report, or as separate fields; not both."))
		}
		return decodeReport([]byte(j))
	}
	var answers map[string]string
	for name, v := range fields {
		if formFields[name] {
			continue
		}
		q, ok := strings.CutPrefix(name, "answers.")
		if !ok {
			if rest, found := strings.CutPrefix(name, "answers["); found && strings.HasSuffix(rest, "]") {
				q, ok = strings.TrimSuffix(rest, "]"), true
			}
		}
		if name == "photo" {
			return report.Submission{}, problem.Invalid(name, problem.T(
				"Stuur de foto als bestand, niet als tekst.", "Send the photo as a file, not as text."))
		}
		if !ok || q == "" {
			return report.Submission{}, problem.Invalid(name, problem.Sprintf(
				"Het veld %s kennen we niet.", "Unknown field %s.", name))
		}
		if answers == nil {
			answers = map[string]string{}
		}
		answers[q] = v
	}
	// A typed coordinate may have a decimal comma, as a Dutch keyboard gives.
	lon, okLon := httpapi.ParseCoordinate(fields["lon"])
	lat, okLat := httpapi.ParseCoordinate(fields["lat"])
	switch {
	case fields["lon"] == "" || fields["lat"] == "":
		return report.Submission{}, problem.Invalid("location", problem.T(
			"Geef de plek op de kaart aan (velden lon en lat).", "Mark the place on the map (fields lon and lat)."))
	case !okLon:
		return report.Submission{}, problem.Invalid("lon", problem.T(
			"Geef lon als een getal, zoals 6.2905.", "Give lon as a number, such as 6.2905."))
	case !okLat:
		return report.Submission{}, problem.Invalid("lat", problem.T(
			"Geef lat als een getal, zoals 51.9653.", "Give lat as a number, such as 51.9653."))
	}
	updates, err := formWantsUpdates(fields)
	if err != nil {
		return report.Submission{}, err
	}
	sub := report.Submission{
		Category:    fields["category"],
		Location:    orb.Point{lon, lat},
		Description: fields["description"],
		Contact: report.Contact{Email: fields["email"], Phone: fields["phone"], AppToken: fields["app_token"],
			WantsUpdates: updates},
		Answers: answers,
		Channel: "app",
	}
	if err := sub.Validate(); err != nil {
		return report.Submission{}, err
	}
	return sub, nil
}

func (h *Handler) nearby(c echo.Context) error {
	lon, okLon := httpapi.ParseDecimal(c.QueryParam("lon"))
	lat, okLat := httpapi.ParseDecimal(c.QueryParam("lat"))
	if !okLon || !okLat {
		return problem.InvalidLocation.New(problem.T("Geef lon en lat als getallen.", "Give lon and lat as numbers."))
	}
	jobs, err := h.reports.Nearby(c.Request().Context(), orb.Point{lon, lat}, c.QueryParam("category"), httpapi.Lang(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"jobs": jobs, "radius_m": report.NearbyRadius})
}

func (h *Handler) support(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return problem.NotFound.New(problem.T("Deze melding bestaat niet.", "This job does not exist."))
	}
	var req struct {
		DeviceID string       `json:"device_id"`
		Contact  *contactJSON `json:"contact"`
		AppToken string       `json:"app_token"` // older apps send it here, not in contact
	}
	// Strict, as a report is: a misspelt "wants_update": false must not mean yes.
	if err := httpapi.DecodeJSONStrict(c, &req); err != nil {
		return err
	}
	sp := report.Support{DeviceID: req.DeviceID, Contact: req.Contact.contact()}
	// Where a report carries it (contact.app_token), else where older apps put it.
	if sp.Contact.AppToken == "" && req.AppToken != "" {
		sp.Contact.AppToken = req.AppToken
		var said *bool
		if req.Contact != nil {
			said = req.Contact.WantsUpdates
		}
		sp.Contact.WantsUpdates = wantsUpdates(said, req.AppToken)
	}
	sp.Contact.Lang = httpapi.Lang(c) // the pushes about the job speak it
	res, err := h.reports.Support(c.Request().Context(), id, sp)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !res.Counted {
		status = http.StatusOK
	}
	return c.JSON(status, res)
}

func (h *Handler) photo(c echo.Context) error {
	return httpapi.ServePhoto(c, h.photos.Store(), c.Param("hash"), h.reports.PhotoIsPublic, "public")
}

func (h *Handler) track(c echo.Context) error {
	t, err := h.reports.Track(c.Request().Context(), c.Param("code"), httpapi.Lang(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, t)
}

// stopUpdates erases a report's contact details for a reporter who wants no more
// messages about it (report.Service.StopUpdates). Anyone with the tracking code may: it
// only ever removes personal data, and the code is what the reporter holds.
func (h *Handler) stopUpdates(c echo.Context) error {
	if err := h.reports.StopUpdates(c.Request().Context(), c.Param("code")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
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
	c.Response().Header().Add("Vary", "Accept-Language") // the names are in the reader's language
	return c.JSON(http.StatusOK, map[string]any{"categories": out})
}
