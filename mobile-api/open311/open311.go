// Package open311 serves Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) at
// /open311/v2 on top of the same report service as the resident app: services are the
// reportable categories, a service request is a report and its id is the report's
// public tracking code. Every answer, errors included, comes as JSON or XML as the URL's
// suffix (.json, .xml) asks.
package open311

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"wijkwerk/backend/category"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/photo"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/report"
)

// Handler serves Open311 GeoReport v2.
type Handler struct {
	reports    *report.Service
	categories *category.Cache
	photos     *photo.Pool
	log        *slog.Logger
	limit      echo.MiddlewareFunc
	keys       httpapi.Allower
	now        func() time.Time
}

// New returns the Open311 handler. A photo sent with a request (a file in field media)
// goes through photos, as the resident API's photos do. log receives the internal errors,
// which clients see only as "500" (nil: slog's default logger). POST requests without a
// valid api_key go through limit (rate limiting of public writes per address; nil: none);
// those with one are limited per key (LimitKeys).
func New(reports *report.Service, categories *category.Cache, photos *photo.Pool, log *slog.Logger, limit echo.MiddlewareFunc) *Handler {
	if log == nil {
		log = slog.Default()
	}
	if limit == nil {
		limit = func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return &Handler{reports: reports, categories: categories, photos: photos, log: log, limit: limit, keys: unlimited{}, now: time.Now}
}

// LimitKeys limits the POST requests of each client with a valid api_key by l, per key
// and not per address: a municipality's own app or a partner sends for many residents,
// often from one address, and two such clients behind one address must not share a
// budget, nor use up the residents' budget there. Without it keyed clients are not limited.
func (h *Handler) LimitKeys(l httpapi.Allower) *Handler {
	h.keys = l
	return h
}

// unlimited is the Allower of no limit.
type unlimited struct{}

func (unlimited) Enabled() bool { return false }
func (unlimited) Allow(context.Context, string) (bool, time.Duration, error) {
	return true, 0, nil
}

// CreateKey adds an Open311 client named name and returns its API key, which is shown
// only this once (the database keeps its SHA-256).
func CreateKey(ctx context.Context, db *gorm.DB, name string) (key string, err error) {
	return report.CreateOpen311Key(ctx, db, name)
}

// MaxRequestBody caps the form of POST requests without a photo. A multipart request
// may carry one photo (field media) on top, as large as the photo pool's limit.
const MaxRequestBody = 64 << 10

// limitBody allows a form MaxRequestBody, and a multipart form room for its photo.
func (h *Handler) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	small := httpapi.LimitBody(MaxRequestBody)(next)
	large := httpapi.LimitPhotos(1, h.photos.Limits().MaxBytes, MaxRequestBody)(next)
	return func(c echo.Context) error {
		if httpapi.IsMultipart(c) {
			return large(c)
		}
		return small(c)
	}
}

// Register adds the routes under g (mounted at /open311/v2). Every route, and every
// path under g that has none, answers in Open311's format rather than problem+json;
// so middleware that may fail runs inside wrap, not as route middleware.
func (h *Handler) Register(g *echo.Group) {
	g.GET("/discovery.:format", h.wrap(h.discovery))
	g.GET("/services.:format", h.wrap(h.services))
	g.GET("/services/:code", h.wrap(h.serviceDefinition))
	g.GET("/requests.:format", h.wrap(h.requests))
	g.POST("/requests.:format", h.wrap(h.limitBody(h.create)))
	g.GET("/requests/:id", h.wrap(h.request))
	g.GET("/tokens/:token", h.wrap(h.token))
	g.Any("", h.wrap(h.noRoute))
	g.Any("/*", h.wrap(h.noRoute))
}

// format is the representation a URL asks for.
type format string

const (
	formatJSON format = "json"
	formatXML  format = "xml"
)

const formatKey = "open311.format"

// formatOf reads the format from a path's suffix; "" when it has none we serve.
func formatOf(path string) format {
	switch {
	case strings.HasSuffix(path, ".json"):
		return formatJSON
	case strings.HasSuffix(path, ".xml"):
		return formatXML
	}
	return ""
}

// trimFormat removes the format suffix from a path parameter.
func trimFormat(s string) string {
	if t, ok := strings.CutSuffix(s, ".json"); ok {
		return t
	}
	t, _ := strings.CutSuffix(s, ".xml")
	return t
}

// wrap answers next's errors in Open311's error format, in the representation of the
// URL; XML, the format the spec requires, when the URL names none.
func (h *Handler) wrap(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		f := formatOf(c.Request().URL.Path)
		if f == "" {
			c.Set(formatKey, formatXML)
			h.fail(c, problem.NotFound.New(problem.T(
				"Dit adres bestaat niet. Open311-adressen eindigen op .json of .xml, bijvoorbeeld /open311/v2/services.xml.",
				"This address does not exist. Open311 addresses end in .json or .xml, for example /open311/v2/services.xml.")))
			return nil
		}
		c.Set(formatKey, f)
		if err := next(c); err != nil {
			if c.Response().Committed {
				return err
			}
			h.fail(c, err)
		}
		return nil
	}
}

func formatFrom(c echo.Context) format {
	if f, ok := c.Get(formatKey).(format); ok {
		return f
	}
	return formatXML
}

// write encodes v as the URL asks: JSON as it is, XML as the value that xmlValue gives
// (the spec's XML wraps lists in a named root element, JSON does not). A jsonValue that
// writes its own JSON skips encoding/json.
func write(c echo.Context, status int, jsonValue, xmlValue any) error {
	var (
		body bytes.Buffer
		ct   string
	)
	switch formatFrom(c) {
	case formatJSON:
		if a, ok := jsonValue.(jsonAppender); ok {
			b := a.appendJSON(make([]byte, 0, 64<<10))
			return c.Blob(status, "application/json; charset=utf-8", append(b, '\n'))
		}
		enc := json.NewEncoder(&body)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(jsonValue); err != nil {
			return err
		}
		ct = "application/json; charset=utf-8"
	default:
		body.WriteString(xml.Header)
		enc := xml.NewEncoder(&body)
		enc.Indent("", "  ")
		if err := enc.Encode(xmlValue); err != nil {
			return err
		}
		body.WriteByte('\n')
		ct = "text/xml; charset=utf-8"
	}
	return c.Blob(status, ct, body.Bytes())
}

// apiError is one error in the spec's format: code is the HTTP status.
type apiError struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type errorsXML struct {
	XMLName xml.Name   `xml:"errors"`
	Errors  []apiError `xml:"error"`
}

// fail writes err as Open311 errors. Problems keep their status, except that the 422s of
// the report service (validation, location, category) become 400, which is what the
// spec uses for bad request data. Anything else is a logged 500 without detail.
func (h *Handler) fail(c echo.Context, err error) {
	p, ok := problem.As(err)
	if !ok {
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code >= 400 && he.Code < 500 {
			p = &problem.Error{Kind: problem.Kind{Type: "http", Status: he.Code, Title: problem.T(http.StatusText(he.Code), http.StatusText(he.Code))}}
		} else {
			p = problem.Internal.Wrap(err, problem.T("Er ging iets mis bij ons. Probeer het later opnieuw.", "Something went wrong on our side. Try again later."))
		}
	}
	if p.Status >= 500 {
		h.log.Error("open311 request failed", "method", httpapi.Method(c), "path", c.Path(),
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
	}
	status := p.Status
	if status == http.StatusUnprocessableEntity {
		status = http.StatusBadRequest
	}
	lang := httpapi.Lang(c)
	var errs []apiError
	if len(p.Fields) > 1 {
		for _, f := range p.Fields {
			errs = append(errs, apiError{Code: status, Description: f.Reason.In(lang)})
		}
	} else {
		d := p.Detail.In(lang)
		if d == "" {
			d = p.Title.In(lang)
		}
		errs = []apiError{{Code: status, Description: d}}
	}
	for k, v := range p.Headers {
		c.Response().Header().Set(k, v)
	}
	if werr := write(c, status, errs, errorsXML{Errors: errs}); werr != nil {
		h.log.Error("open311: write error", "err", werr)
	}
}

// noRoute answers paths without a route: 405 for a known resource asked with another
// method, else 404.
func (h *Handler) noRoute(c echo.Context) error {
	if allow := allowedMethods(c.Param("*")); allow != "" {
		c.Response().Header().Set("Allow", allow)
		return problem.MethodNotAllowed.New(problem.Sprintf(
			"Deze methode kan hier niet. Gebruik %s.", "This method is not allowed here. Use %s.", allow))
	}
	return problem.NotFound.New(problem.T(
		"Dit adres bestaat niet. Zie /open311/v2/discovery.xml voor wat hier kan.",
		"This address does not exist. See /open311/v2/discovery.xml for what is served here."))
}

// allowedMethods returns the methods of the resource at rest (a path under the group).
func allowedMethods(rest string) string {
	base := trimFormat(rest)
	if base == rest {
		return ""
	}
	switch base {
	case "discovery", "services":
		return "GET"
	case "requests":
		return "GET, POST"
	}
	for _, prefix := range []string{"services/", "requests/", "tokens/"} {
		if id, ok := strings.CutPrefix(base, prefix); ok && id != "" && !strings.Contains(id, "/") {
			return "GET"
		}
	}
	return ""
}

// discovery is the spec's service discovery document for this endpoint.
type discovery struct {
	XMLName    xml.Name   `json:"-" xml:"discovery"`
	Changeset  string     `json:"changeset" xml:"changeset"`
	Contact    string     `json:"contact" xml:"contact"`
	KeyService string     `json:"key_service" xml:"key_service"`
	Endpoints  []endpoint `json:"endpoints" xml:"endpoints>endpoint"`
	// Jurisdictions lists the municipalities served, whose codes jurisdiction_id takes (an
	// addition to the spec's document, which has no place for them).
	Jurisdictions []jurisdictionInfo `json:"jurisdictions" xml:"jurisdictions>jurisdiction"`
}

type endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

// changeset is when this API last changed in a way clients may notice.
const changeset = "2026-11-26T00:00:00+01:00"

func (h *Handler) discovery(c echo.Context) error {
	lang := httpapi.Lang(c)
	all, err := h.reports.Jurisdictions()
	if err != nil {
		return err
	}
	jurisdictions := make([]jurisdictionInfo, len(all))
	for i, j := range all {
		jurisdictions[i] = jurisdictionInfo{JurisdictionID: j.Code, Name: j.Name}
	}
	d := discovery{
		Changeset: changeset,
		Contact: problem.T("De gemeente, via het wijkbedrijf dat Wijkwerk beheert.",
			"The municipality, through the wijkbedrijf that runs Wijkwerk.").In(lang),
		KeyService: problem.T("Een api_key voor POST requests geeft de beheerder van Wijkwerk uit (wijkwerk open311-key create NAAM).",
			"The administrator of Wijkwerk issues an api_key for POST requests (wijkwerk open311-key create NAME).").In(lang),
		Jurisdictions: jurisdictions,
		Endpoints: []endpoint{{
			Specification: "http://wiki.open311.org/GeoReport_v2",
			URL:           baseURL(c) + "/open311/v2",
			Changeset:     changeset,
			Type:          "production",
			Formats:       []string{"text/xml", "application/json"},
		}},
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	c.Response().Header().Set("Vary", "Accept-Language")
	return write(c, http.StatusOK, d, d)
}
