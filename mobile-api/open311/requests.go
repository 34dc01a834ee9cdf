package open311

import (
	"encoding/xml"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/report"
)

// serviceRequest is one request in GET requests. It holds no personal data: the
// resident's contact details are never selected.
type serviceRequest struct {
	ServiceRequestID  string  `json:"service_request_id" xml:"service_request_id"`
	Status            string  `json:"status" xml:"status"`
	StatusNotes       string  `json:"status_notes" xml:"status_notes"`
	ServiceName       string  `json:"service_name" xml:"service_name"`
	ServiceCode       string  `json:"service_code" xml:"service_code"`
	Description       string  `json:"description" xml:"description"`
	AgencyResponsible string  `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string  `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string  `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string  `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string  `json:"expected_datetime" xml:"expected_datetime"`
	Address           string  `json:"address" xml:"address"`
	AddressID         string  `json:"address_id" xml:"address_id"`
	Zipcode           string  `json:"zipcode" xml:"zipcode"`
	Lat               float64 `json:"lat" xml:"lat"`
	Long              float64 `json:"long" xml:"long"`
	MediaURL          string  `json:"media_url" xml:"media_url"`
}

// serviceRequests is the XML root of every answer about requests.
type serviceRequests[T any] struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []T      `xml:"request"`
}

// w3c formats t as the spec's W3C date-time, in Dutch local time: 2026-11-26T10:15:00+01:00.
func w3c(t time.Time) string {
	return t.In(job.Amsterdam).Format("2006-01-02T15:04:05-07:00")
}

// expected is when a job is due: the end of its due date, Dutch time.
func expected(due time.Time) time.Time {
	y, m, d := due.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, job.Amsterdam)
}

// requestOf is r as Open311 shows it. base is this server's address (scheme and host),
// which turns the path of a public photo into the URL that media_url must be.
func requestOf(r report.PublicRequest, lang, base string) serviceRequest {
	status := "closed"
	if r.Open {
		status = "open"
	}
	agency := r.TeamName
	if agency == "" {
		agency = "Gemeente"
	}
	// A date is promised only for open work that a crew has (report.DuePromised): not for
	// closed requests, nor for those waiting in the planners' queue (as service_notice says).
	expect := ""
	if due, ok := r.Expected(); ok {
		expect = w3c(expected(due))
	}
	media := ""
	if r.PhotoURL != "" {
		media = base + r.PhotoURL
	}
	return serviceRequest{
		ServiceRequestID:  r.TrackingCode,
		Status:            status,
		StatusNotes:       r.StatusNote.In(lang),
		ServiceName:       r.CategoryName.In(lang),
		ServiceCode:       r.Category,
		Description:       r.Description,
		AgencyResponsible: agency,
		ServiceNotice:     r.Notice.In(lang),
		RequestedDatetime: w3c(r.CreatedAt),
		UpdatedDatetime:   w3c(r.UpdatedAt),
		ExpectedDatetime:  expect,
		Address:           r.Address,
		Lat:               r.Location[1],
		Long:              r.Location[0],
		MediaURL:          media,
	}
}

// baseURL is the scheme and host that clients reach this server at.
func baseURL(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host
}

// Limits of GET requests.
const (
	// maxWindow is the widest span of start_date to end_date the spec allows.
	maxWindow = 90 * 24 * time.Hour
	// maxIDs caps the service_request_id list.
	maxIDs = report.MaxPublicRequests
	// maxPage keeps page × page_size sensible.
	maxPage = 100000
	// defaultRadius is how far around lat and long GET requests looks, in metres, when
	// no radius is given: a few streets, what "around here" means in a town.
	defaultRadius = 500
	// maxRadius caps radius: a small town or a city's district. Wider questions are the
	// whole municipality's (jurisdiction_id), which no radius is needed for.
	maxRadius = 5000
)

// parseFilter reads the query of GET requests. Like the spec: service_request_id (comma
// separated) overrides every other parameter; without dates the window is the last 90
// days; a window may not span more than 90 days; at most 1000 requests come back.
// start_date alone means the 90 days from it, end_date alone the 90 days up to it.
// page_size and page (the common pagination extension) page through the window; lat,
// long and radius (the common extension for requests around a point, see around) keep
// those near it.
func parseFilter(q url.Values, now time.Time) (report.RequestFilter, error) {
	var f report.RequestFilter
	if ids := splitList(q.Get("service_request_id")); len(ids) > 0 {
		if len(ids) > maxIDs {
			return f, param("service_request_id", problem.Sprintf(
				"Vraag hoogstens %d service_request_id's tegelijk.", "Ask for at most %d service_request_ids at once.", maxIDs))
		}
		f.TrackingCodes = ids
		return f, nil
	}
	f.Categories = splitList(q.Get("service_code"))
	if len(f.Categories) > 100 {
		return f, param("service_code", problem.T("Vraag hoogstens 100 service_codes tegelijk.", "Ask for at most 100 service_codes at once."))
	}
	open, closed := false, false
	for _, s := range splitList(q.Get("status")) {
		switch strings.ToLower(s) {
		case "open":
			open = true
		case "closed":
			closed = true
		default:
			return f, param("status", problem.Sprintf(
				"status %q bestaat niet. Kies open of closed.", "status %q does not exist. Choose open or closed.", truncate(s, 40)))
		}
	}
	if open != closed {
		f.Open = &open
	}
	var err error
	if f.From, f.To, err = window(q.Get("start_date"), q.Get("end_date"), now); err != nil {
		return f, err
	}
	if f.Near, f.Radius, err = around(q.Get("lat"), q.Get("long"), q.Get("radius")); err != nil {
		return f, err
	}
	f.Limit = report.MaxPublicRequests
	if s := q.Get("page_size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > report.MaxPublicRequests {
			return f, param("page_size", problem.Sprintf(
				"page_size moet een getal van 1 tot %d zijn.", "page_size must be a number from 1 to %d.", report.MaxPublicRequests))
		}
		f.Limit = n
	}
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPage {
			return f, param("page", problem.Sprintf(
				"page moet een getal van 1 tot %d zijn.", "page must be a number from 1 to %d.", maxPage))
		}
		f.Offset = (n - 1) * f.Limit
	}
	return f, nil
}

// around reads lat, long and radius, the common extension that keeps the requests near a
// point: lat and long together or neither (nil), radius in metres only with them,
// defaultRadius without it.
func around(latS, longS, radiusS string) (*orb.Point, float64, error) {
	if latS == "" && longS == "" {
		if radiusS != "" {
			return nil, 0, param("radius", problem.T(
				"radius werkt alleen samen met lat en long. Geef die ook op.",
				"radius works only together with lat and long. Give them too."))
		}
		return nil, 0, nil
	}
	if latS == "" || longS == "" {
		missing := "lat"
		if longS == "" {
			missing = "long"
		}
		return nil, 0, param(missing, problem.Sprintf(
			"Geef lat en long samen op, of geen van beide. %s ontbreekt.",
			"Give lat and long together, or neither. %s is missing.", missing))
	}
	lat, ok := number(latS, -90, 90)
	if !ok {
		return nil, 0, param("lat", problem.Sprintf(
			"lat moet een getal van -90 tot 90 zijn: de breedtegraad in graden (WGS84), bijvoorbeeld %s.",
			"lat must be a number from -90 to 90: the latitude in degrees (WGS84), for example %s.", "51.959"))
	}
	long, ok := number(longS, -180, 180)
	if !ok {
		return nil, 0, param("long", problem.Sprintf(
			"long moet een getal van -180 tot 180 zijn: de lengtegraad in graden (WGS84), bijvoorbeeld %s.",
			"long must be a number from -180 to 180: the longitude in degrees (WGS84), for example %s.", "6.2967"))
	}
	radius := float64(defaultRadius)
	if radiusS != "" {
		var ok bool
		if radius, ok = number(radiusS, 0, maxRadius); !ok || radius == 0 {
			return nil, 0, param("radius", problem.Sprintf(
				"radius moet een getal groter dan 0 en hoogstens %d zijn: meters rond lat en long.",
				"radius must be a number above 0 and at most %d: metres around lat and long.", maxRadius))
		}
	}
	return &orb.Point{long, lat}, radius, nil
}

// number reads a plain decimal from lo to hi, as Open311's POST reads lat and long
// (httpapi.ParseDecimal: no NaN, infinity, exponent or hexadecimal).
func number(s string, lo, hi float64) (float64, bool) {
	v, ok := httpapi.ParseDecimal(strings.TrimSpace(s))
	return v, ok && v >= lo && v <= hi
}

// window turns start_date and end_date into the inclusive span to search.
func window(startS, endS string, now time.Time) (from, to time.Time, err error) {
	var start, end time.Time
	if startS != "" {
		if start, err = parseW3C(startS, false); err != nil {
			return from, to, param("start_date", dateProblem("start_date"))
		}
	}
	if endS != "" {
		if end, err = parseW3C(endS, true); err != nil {
			return from, to, param("end_date", dateProblem("end_date"))
		}
	}
	switch {
	case startS == "" && endS == "":
		return now.Add(-maxWindow), now, nil
	case endS == "":
		return start, start.Add(maxWindow), nil
	case startS == "":
		return end.Add(-maxWindow), end, nil
	}
	if end.Before(start) {
		return from, to, param("end_date", problem.T("end_date ligt voor start_date.", "end_date is before start_date."))
	}
	if end.Sub(start) > maxWindow {
		return from, to, param("end_date", problem.T(
			"Tussen start_date en end_date mag hoogstens 90 dagen liggen. Vraag een kleiner venster.",
			"start_date and end_date may be at most 90 days apart. Ask for a smaller window."))
	}
	return start, end, nil
}

func dateProblem(name string) problem.Text {
	return problem.Sprintf(
		"%s is geen geldige datum. Gebruik het W3C-formaat met tijdzone, bijvoorbeeld 2026-11-26T10:15:00+01:00.",
		"%s is not a valid date. Use the W3C format with a time zone, for example 2026-11-26T10:15:00+01:00.", name)
}

// parseW3C reads a W3C date-time with a time zone (2026-11-26T10:15:00+01:00, with or
// without seconds or their fraction, or Z). A plus sign that a client left unencoded
// arrives as a space and is read as a plus. A bare date (2026-11-26) is a Dutch day: its
// start, or with end set its last microsecond.
func parseW3C(s string, end bool) (time.Time, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "+")
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	d, err := time.ParseInLocation(time.DateOnly, s, job.Amsterdam)
	if err != nil {
		return time.Time{}, err
	}
	if end {
		d = d.AddDate(0, 0, 1).Add(-time.Microsecond)
	}
	return d, nil
}

// splitList splits a comma-separated parameter, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// requests answers GET requests.json: the public reports that match the filter.
func (h *Handler) requests(c echo.Context) error {
	j, err := h.jurisdiction(c.QueryParam(jurisdictionParam))
	if err != nil {
		return err
	}
	f, err := parseFilter(c.QueryParams(), h.now())
	if err != nil {
		return err
	}
	f.Jurisdiction = j.AreaID
	reqs, err := h.reports.PublicRequests(c.Request().Context(), f)
	if err != nil {
		return err
	}
	lang, base := httpapi.Lang(c), baseURL(c)
	out := make([]serviceRequest, len(reqs))
	for i, r := range reqs {
		out[i] = requestOf(r, lang, base)
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return write(c, http.StatusOK, requestList(out), serviceRequests[serviceRequest]{Requests: out})
}

// find returns the report with the public id (given in field, service_request_id or
// token), or a 404 problem; also for a report in another municipality than the
// jurisdiction_id asked for.
func (h *Handler) find(c echo.Context, field, id string) (report.PublicRequest, error) {
	j, err := h.jurisdiction(c.QueryParam(jurisdictionParam))
	if err != nil {
		return report.PublicRequest{}, err
	}
	if id != "" && len(id) <= 64 {
		reqs, err := h.reports.PublicRequests(c.Request().Context(), report.RequestFilter{TrackingCodes: []string{id}, Jurisdiction: j.AreaID})
		if err != nil {
			return report.PublicRequest{}, err
		}
		if len(reqs) == 1 {
			return reqs[0], nil
		}
	}
	return report.PublicRequest{}, problem.NotFound.New(problem.Sprintf(
		"We kennen %s %q niet.", "We do not know %s %q.", field, truncate(id, 64)))
}

func (h *Handler) request(c echo.Context) error {
	r, err := h.find(c, "service_request_id", trimFormat(c.Param("id")))
	if err != nil {
		return err
	}
	out := []serviceRequest{requestOf(r, httpapi.Lang(c), baseURL(c))}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return write(c, http.StatusOK, requestList(out), serviceRequests[serviceRequest]{Requests: out})
}

// tokenAnswer is GET tokens/{token}. Requests are filed at once, so the token a client
// may hold is the service_request_id itself.
type tokenAnswer struct {
	ServiceRequestID string `json:"service_request_id" xml:"service_request_id"`
	Token            string `json:"token" xml:"token"`
}

func (h *Handler) token(c echo.Context) error {
	token := trimFormat(c.Param("token"))
	r, err := h.find(c, "token", token)
	if err != nil {
		return err
	}
	out := []tokenAnswer{{ServiceRequestID: r.TrackingCode, Token: token}}
	return write(c, http.StatusOK, out, serviceRequests[tokenAnswer]{Requests: out})
}

// created is the answer to POST requests.
type created struct {
	ServiceRequestID string `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    string `json:"service_notice" xml:"service_notice"`
	AccountID        null   `json:"account_id" xml:"account_id"`
}

// null is a value we never have: null in JSON, an empty element in XML.
type null struct{}

func (null) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

func (null) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement("", start)
}

func (h *Handler) create(c echo.Context) error {
	ctx := c.Request().Context()
	client, form, media, err := h.authorize(c)
	if err != nil {
		return err
	}
	key, err := httpapi.IdempotencyKey(c)
	if err != nil {
		return err
	}
	j, err := h.jurisdiction(form.Get(jurisdictionParam))
	if err != nil {
		return err
	}
	sub, err := decodeForm(form)
	if err != nil {
		return err
	}
	if j.AreaID != 0 {
		if err := h.reports.InJurisdiction(j, sub.Location); err != nil {
			return err
		}
	}
	cat, err := h.service(ctx, sub.Category, problem.BadRequest)
	if err != nil {
		return err
	}
	if err := checkAttributes(cat, sub.Answers); err != nil {
		return err
	}
	if media != nil {
		// A request that would be refused (unknown service, a place outside every area)
		// leaves no photo behind on disk; a photo we cannot take is refused before it
		// is stored.
		if err := h.reports.Check(ctx, sub); err != nil {
			return err
		}
		p, err := h.photos.Save(ctx, media)
		if err != nil {
			return err
		}
		sub.Photos = []job.Photo{{Hash: p.Hash, Width: p.Width, Height: p.Height, Bytes: p.Bytes}}
	}
	if key != "" {
		key = report.Open311Key(client.ID, key)
	}
	sub.Contact.Lang = httpapi.Lang(c)
	rc, replayed, err := h.reports.Submit(ctx, sub, key)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	notice := problem.Text{NL: rc.Message, EN: rc.MessageEN}
	if strings.TrimSpace(form.Get("media_url")) != "" {
		notice = problem.Text{NL: notice.NL + " " + mediaURLIgnored.NL, EN: notice.EN + " " + mediaURLIgnored.EN}
	}
	c.Response().Header().Set(echo.HeaderLocation, "/open311/v2/requests/"+rc.TrackingCode+"."+string(formatFrom(c)))
	out := []created{{ServiceRequestID: rc.TrackingCode, ServiceNotice: notice.In(httpapi.Lang(c))}}
	return write(c, http.StatusCreated, out, serviceRequests[created]{Requests: out})
}

// mediaURLIgnored tells a client that sent media_url that we did not use it: we fetch
// nothing from outside addresses.
var mediaURLIgnored = problem.T(
	"We halen geen foto op van media_url. Stuur de foto als bestand mee in het veld media.",
	"We do not fetch photos from media_url. Send the photo as a file in the field media.")

// authorize reads a POST's form and finds its client by the api_key in it, counting the
// request against a rate limit: a known client's against its key's (h.keys), any other
// request (no key, an unknown one, a form we cannot read) against its address's, as the
// resident API counts, so guessing keys stays limited per address. The key is in the
// form, so the form (capped by limitBody) is read before the count.
func (h *Handler) authorize(c echo.Context) (report.Open311Client, url.Values, []byte, error) {
	form, media, err := h.readForm(c)
	if err == nil {
		var cl report.Open311Client
		if cl, err = h.client(c, form.Get("api_key")); err == nil {
			if err := httpapi.Limit(c.Request().Context(), h.keys, "open311-key:"+strconv.FormatInt(cl.ID, 10)); err != nil {
				return report.Open311Client{}, nil, nil, err
			}
			return cl, form, media, nil
		}
	}
	if lerr := h.limit(func(echo.Context) error { return nil })(c); lerr != nil {
		return report.Open311Client{}, nil, nil, lerr
	}
	return report.Open311Client{}, nil, nil, err
}

// client checks the api_key: 401 without one, 403 for a key we do not know.
func (h *Handler) client(c echo.Context, key string) (report.Open311Client, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		c.Response().Header().Set("WWW-Authenticate", `api_key realm="open311"`)
		return report.Open311Client{}, problem.Unauthorized.New(problem.T(
			"Geef een api_key mee. De beheerder van Wijkwerk geeft die uit.",
			"Send an api_key. The Wijkwerk administrator issues them."))
	}
	cl, err := h.reports.Open311Client(c.Request().Context(), key)
	if errors.Is(err, report.ErrUnknownKey) {
		return report.Open311Client{}, problem.Forbidden.New(problem.T(
			"Deze api_key kennen we niet, of hij is ingetrokken.",
			"We do not know this api_key, or it was revoked."))
	}
	return cl, err
}

// mediaField is the form field of a photo sent with a request: a file part of a
// multipart form, as GeoReport v2 clients upload it.
const mediaField = "media"

// readForm reads a form body (urlencoded, as the spec says, or multipart), merged with
// the query string; the body wins. A multipart form is read as the resident API reads
// one (httpapi.ReadForm) and may hold one photo, in field media, which is returned
// unchecked. A compressed body is refused (415), as the resident API refuses one: read
// as it came, it would hold no api_key, and a 401 would send the client looking for one.
func (h *Handler) readForm(c echo.Context) (form url.Values, media []byte, err error) {
	if err := httpapi.PlainBody(c); err != nil {
		return nil, nil, err
	}
	r := c.Request()
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	switch mt {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, nil, httpapi.ReadError(err)
		}
		return r.Form, nil, nil
	case "multipart/form-data":
		f, err := httpapi.ReadForm(c, h.photos.Limits().MaxBytes, 1)
		if err != nil {
			return nil, nil, err
		}
		form = r.URL.Query()
		for k, v := range f.Fields {
			form.Set(k, v)
		}
		for name, files := range f.Files {
			if name != mediaField {
				return nil, nil, param(name, problem.Sprintf(
					"Stuur de foto in het veld media, niet in %q.", "Send the photo in the field media, not in %q.", truncate(name, 40)))
			}
			media = files[0]
		}
		return form, media, nil
	}
	return nil, nil, problem.UnsupportedMedia.New(problem.T(
		"Stuur het verzoek als formulier (Content-Type: application/x-www-form-urlencoded), zoals Open311 voorschrijft.",
		"Send the request as a form (Content-Type: application/x-www-form-urlencoded), as Open311 prescribes."))
}
