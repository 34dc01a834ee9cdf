// Package httpapi holds what every Wijkwerk HTTP handler shares: rendering errors as RFC
// 9457 problem documents, choosing the language, decoding JSON bodies safely and reading
// the Idempotency-Key and If-Match headers.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/database"
	"wijkwerk/backend/problem"
)

// ProblemContentType is the media type of problem documents.
const ProblemContentType = "application/problem+json"

// Lang picks the language of the answer: "en" when the client asks for English with
// ?lang=en or prefers it in Accept-Language, otherwise Dutch ("nl").
func Lang(c echo.Context) string {
	if l := c.QueryParam("lang"); l == "en" || l == "nl" {
		return l
	}
	return acceptedLang(c.Request().Header.Get("Accept-Language"))
}

// acceptedLang picks "nl" or "en" from an Accept-Language header by its weights (q):
// the one the client likes best, the first of equals, Dutch when it names neither.
func acceptedLang(header string) string {
	best, bestQ := "nl", 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(part, ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		lang := ""
		switch {
		case tag == "nl" || strings.HasPrefix(tag, "nl-"):
			lang = "nl"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			lang = "en"
		default:
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		if q > bestQ {
			best, bestQ = lang, q
		}
	}
	return best
}

// ErrorHandler renders every error as a problem document. Errors that are not problems
// are logged once with the request id and shown as a bare internal error.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		if errors.Is(err, echo.ErrNotFound) {
			if allowed := allowedMethods(c); len(allowed) > 0 {
				c.Response().Header().Set(echo.HeaderAllow, strings.Join(allowed, ", "))
				err = echo.ErrMethodNotAllowed
			}
		}
		p := toProblem(err)
		switch {
		case p.Kind == problem.Unavailable && c.Path() == "/readyz":
			// Saying so is the probe's job; the cause is logged where it happens.
		case p.Kind == problem.Unavailable:
			log.Warn("request refused: unavailable", "method", Method(c), "path", c.Path(),
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
		case p.Status >= 500:
			log.Error("request failed", "method", Method(c), "path", c.Path(),
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
		case unstorableText(err):
			// Refused, but it reached a statement: an input without its database.Text
			// check, worth mending where it came in.
			log.Warn("text refused by the database", "method", Method(c), "path", c.Path(),
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID), "err", err)
		}
		WriteProblem(c, p)
	}
}

// allowedMethods lists the methods that have a route for the path of a request that
// reached no route. Echo answers 405 itself, except under a group with middleware (the
// desk's and the crew's authenticated routes): the group's catch-all takes every method
// it has no route for, which made a wrong method a 404.
func allowedMethods(c echo.Context) []string {
	e, path := c.Echo(), echo.GetPath(c.Request())
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := e.NewContext(nil, nil)
		e.Router().Find(m, path, probe)
		if p := probe.Path(); p != "" && p != c.Path() && !strings.HasSuffix(p, "/*") {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

func toProblem(err error) *problem.Error {
	if p, ok := problem.As(err); ok {
		return p
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return problem.NotFound.New(problem.T("Dit adres bestaat niet.", "This address does not exist."))
		case http.StatusMethodNotAllowed:
			return problem.MethodNotAllowed.New(problem.T("Deze methode kan hier niet.", "This method is not allowed here."))
		case http.StatusRequestEntityTooLarge:
			return problem.BodyTooLarge.New(problem.T("Dit is te groot. Stuur minder.", "This is too large. Send less."))
		case http.StatusUnsupportedMediaType:
			return problem.UnsupportedMedia.New(problem.T("Stuur de gegevens als JSON.", "Send the data as JSON."))
		case http.StatusUnauthorized:
			return problem.Unauthorized.New(problem.T("Log eerst in.", "Sign in first."))
		case http.StatusForbidden:
			return problem.Forbidden.New(problem.T("Dit mag u niet doen.", "You may not do this."))
		case http.StatusTooManyRequests:
			return problem.RateLimited.New(problem.T("Te veel verzoeken. Probeer het straks opnieuw.", "Too many requests. Try again later."))
		}
		if he.Code >= 400 && he.Code < 500 {
			return problem.BadRequest.New(problem.T("Het verzoek klopt niet.", "The request is not valid."))
		}
	}
	if unstorableText(err) {
		// The client's mistake, whichever input it came in.
		return problem.ValidationFailed.New(problem.T("De tekst bevat een teken dat niet mag. Haal het weg en probeer het opnieuw.",
			"The text contains a character that is not allowed. Remove it and try again."))
	}
	if database.Unreachable(err) {
		// The database is down or restarting: not a bug, and worth trying again.
		p := problem.Unavailable.Wrap(err, problem.T("De dienst is even niet bereikbaar. Probeer het over een halve minuut opnieuw.",
			"The service cannot be reached for a moment. Try again in half a minute."))
		p.Headers = map[string]string{"Retry-After": "30"}
		return p
	}
	return problem.Internal.Wrap(err, problem.T("Er ging iets mis bij ons. Probeer het later opnieuw.", "Something went wrong on our side. Try again later."))
}

// unstorableText reports whether err is PostgreSQL refusing text it cannot store (see
// database.Text).
func unstorableText(err error) bool {
	return database.IsCode(err, database.CharacterNotInRepertoire) || database.IsCode(err, database.UntranslatableCharacter)
}

// WriteProblem writes p as application/problem+json in the client's language.
func WriteProblem(c echo.Context, p *problem.Error) {
	lang := Lang(c)
	doc := map[string]any{
		"type":   "/problems/" + p.Type,
		"title":  p.Title.In(lang),
		"status": p.Status,
	}
	if d := p.Detail.In(lang); d != "" {
		doc["detail"] = d
	}
	if id := c.Response().Header().Get(echo.HeaderXRequestID); id != "" {
		doc["request_id"] = id
	}
	if len(p.Fields) > 0 {
		fields := make([]map[string]string, len(p.Fields))
		for i, f := range p.Fields {
			fields[i] = map[string]string{"name": f.Name, "reason": f.Reason.In(lang)}
		}
		doc["errors"] = fields
	}
	for k, v := range p.Extra {
		if _, taken := doc[k]; !taken {
			doc[k] = v
		}
	}
	for k, v := range p.Headers {
		c.Response().Header().Set(k, v)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		body = []byte(`{"type":"/problems/internal","title":"Internal error","status":500}`)
		p = &problem.Error{Kind: problem.Internal}
	}
	c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
	c.Response().WriteHeader(p.Status)
	_, _ = c.Response().Write(body)
}

// LimitBody caps request bodies at n bytes; a larger body is a body-too-large problem
// that says the limit in kB or MB.
func LimitBody(n int64) echo.MiddlewareFunc {
	return limitBody(n, problem.Sprintf("Dit is te groot. Stuur hoogstens %s.", "This is too large. Send at most %s.", SizeText(n)))
}

// photoPartSlack is the room a photo's multipart headers take besides its bytes.
const photoPartSlack = 8 << 10

// LimitPhotos caps a body that carries at most photos photos of photoBytes each, and
// rest bytes besides them (the form's other fields). A larger body is a body-too-large
// problem that says how many photos of how many MB may be sent.
func LimitPhotos(photos int, photoBytes, rest int64) echo.MiddlewareFunc {
	return limitBody(rest+int64(photos)*(photoBytes+photoPartSlack), PhotosTooLarge(photos, photoBytes).Detail)
}

// PhotosTooLarge is the problem of a body or a photo past the photo limit: at most
// photos photos of photoBytes each.
func PhotosTooLarge(photos int, photoBytes int64) *problem.Error {
	size := SizeText(photoBytes)
	if photos == 1 {
		return problem.BodyTooLarge.New(problem.Sprintf("Deze foto is te groot. Stuur een foto van hoogstens %s.",
			"This photo is too large. Send a photo of at most %s.", size))
	}
	return problem.BodyTooLarge.New(problem.Sprintf("Dit is te groot. Stuur hoogstens %d foto's van elk hoogstens %s.",
		"This is too large. Send at most %d photos of at most %s each.", photos, size))
}

// limitBody caps request bodies at n bytes; a larger body is body-too-large with detail,
// whether Content-Length says so at once or the body turns out larger while read.
func limitBody(n int64, detail problem.Text) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > n {
				return problem.BodyTooLarge.New(detail)
			}
			r.Body = tooLargeBody{http.MaxBytesReader(c.Response(), r.Body, n), detail}
			return next(c)
		}
	}
}

// tooLargeBody turns the error of reading past the limit into the limit's own problem,
// so ReadError can say it as LimitBody or LimitPhotos put it.
type tooLargeBody struct {
	io.ReadCloser
	detail problem.Text
}

func (b tooLargeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return n, &problem.Error{Kind: problem.BodyTooLarge, Detail: b.detail, Err: err}
	}
	return n, err
}

// SizeText says a number of bytes for people: in whole MB from 1 MB on (rounded down, so
// a limit with room for a form's headers reads as its photos' 10 MB), else in kB.
func SizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// IsJSON reports whether the request says its body is JSON.
func IsJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// DecodeJSON reads the JSON body of c into dst. Wrong content type, malformed JSON, a
// body that is too large or trailing data each give their own problem.
func DecodeJSON(c echo.Context, dst any) error { return decodeJSON(c, dst, false) }

// DecodeJSONStrict is DecodeJSON refusing fields dst does not have (UnmarshalStrict).
func DecodeJSONStrict(c echo.Context, dst any) error { return decodeJSON(c, dst, true) }

func decodeJSON(c echo.Context, dst any, strict bool) error {
	if !IsJSON(c.Request()) {
		return problem.UnsupportedMedia.New(problem.T(
			"Stuur de gegevens als JSON (Content-Type: application/json).",
			"Send the data as JSON (Content-Type: application/json)."))
	}
	body, err := ReadBody(c)
	if err != nil {
		return err
	}
	return unmarshal(body, dst, strict)
}

// DecodeOptionalJSON reads a JSON body that may be left out: an empty body (no
// bytes, whether Content-Length says 0 or a chunked body ends at once) leaves dst as it
// is and needs no Content-Type; any other body is read as DecodeJSON reads it.
func DecodeOptionalJSON(c echo.Context, dst any) error { return decodeOptionalJSON(c, dst, false) }

// DecodeOptionalJSONStrict is DecodeOptionalJSON refusing fields dst does not have, for
// bodies where a misspelt field would be work lost without a word (a crew's hours).
func DecodeOptionalJSONStrict(c echo.Context, dst any) error {
	return decodeOptionalJSON(c, dst, true)
}

func decodeOptionalJSON(c echo.Context, dst any, strict bool) error {
	body, err := ReadBody(c)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return nil
	}
	if !IsJSON(c.Request()) {
		return problem.UnsupportedMedia.New(problem.T(
			"Stuur de gegevens als JSON (Content-Type: application/json).",
			"Send the data as JSON (Content-Type: application/json)."))
	}
	return unmarshal(body, dst, strict)
}

// ReadBody reads the whole request body, within the limit LimitBody set.
func ReadBody(c echo.Context) ([]byte, error) {
	if err := PlainBody(c); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, ReadError(err)
	}
	return body, nil
}

// PlainBody refuses a compressed request body (Content-Encoding: gzip, …): it would be
// read as its compressed bytes and answered "not JSON", or as a form without its fields
// (an Open311 client told its api_key is missing). RFC 9110 says 415, and
// Accept-Encoding tells the client what to send instead. Every reader of a request body
// calls it: ReadBody and ReadForm do, and a handler that parses a body itself must.
func PlainBody(c echo.Context) error {
	switch enc := strings.TrimSpace(c.Request().Header.Get(echo.HeaderContentEncoding)); {
	case enc == "", strings.EqualFold(enc, "identity"):
		return nil
	}
	c.Response().Header().Set(echo.HeaderAcceptEncoding, "identity")
	return problem.UnsupportedMedia.New(problem.T(
		"Stuur de gegevens zonder compressie (geen Content-Encoding).",
		"Send the data uncompressed (no Content-Encoding)."))
}

// ReadError translates an error from reading a request body.
func ReadError(err error) error {
	if p, ok := problem.As(err); ok && p.Kind == problem.BodyTooLarge {
		return p // said by LimitBody or LimitPhotos
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return problem.BodyTooLarge.New(problem.Sprintf("Dit is te groot. Stuur hoogstens %s.",
			"This is too large. Send at most %s.", SizeText(mbe.Limit)))
	}
	return problem.BadRequest.Wrap(err, problem.T("Het bericht kwam niet goed aan.", "The request body could not be read."))
}

// Unmarshal decodes one JSON value from body into dst, with clear problems for bad JSON.
func Unmarshal(body []byte, dst any) error { return unmarshal(body, dst, false) }

// UnmarshalStrict is Unmarshal refusing fields dst does not have, with a 422 that names
// the field by its path ("contact.e-mail"): for a body whose every field is kept (a resident's report), where a
// misspelt "descripton" would otherwise be lost without a word.
func UnmarshalStrict(body []byte, dst any) error { return unmarshal(body, dst, true) }

func unmarshal(body []byte, dst any, strict bool) error {
	// First whether it is JSON at all: one well-formed value and nothing after it. A
	// scan says so without decoding (on intake's hot path); only a body that is not
	// says why.
	if !json.Valid(body) {
		return notOneValue(body)
	}
	raw := body
	// Then what encoding/json lets through: text that is not UTF-8 (it would keep
	// U+FFFD in its place) and a key twice (it would keep the last). A plain body has
	// neither, and is walked only if it does not decode, to name what is wrong.
	plain := plainJSON(raw)
	var w jsonWalk
	if !plain {
		if w = walkJSON(raw, reflect.TypeOf(dst)); w.bad != nil {
			return w.bad
		}
	}
	// Then whether its values fit dst: each mistake is the client's, named by its path.
	dec := json.NewDecoder(bytes.NewReader(raw))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(dst); err != nil {
		if plain {
			w = walkJSON(raw, reflect.TypeOf(dst))
		}
		return valueProblem(err, w)
	}
	return nil
}

// notOneValue says why body, which json.Valid refused, is not one JSON value: empty,
// not JSON, or more text after the value.
func notOneValue(body []byte) error {
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return jsonProblem(err)
	}
	return problem.InvalidJSON.New(problem.T("Na de JSON staat nog meer tekst.", "There is more text after the JSON value."))
}

// jsonProblem says what is wrong with a body that is not one JSON value.
func jsonProblem(err error) error {
	if errors.Is(err, io.EOF) {
		return problem.InvalidJSON.New(problem.T("Het bericht is leeg.", "The body is empty."))
	}
	return problem.InvalidJSON.Wrap(err, problem.T("De gegevens zijn geen geldige JSON.", "The body is not valid JSON."))
}

// valueProblem says what is wrong with a well-formed JSON value w that did not decode:
// a field its type does not have, a value of the wrong type or one its own decoder
// refused. Each is a 422 that names the field by its path (see jsonWalk).
func valueProblem(err error, w jsonWalk) error {
	if p, ok := problem.As(err); ok {
		return p
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		if w.unknown == name || strings.HasSuffix(w.unknown, "."+name) {
			name = w.unknown
		}
		return problem.Invalid(name, problem.Sprintf("Het veld %s kennen we niet.", "Unknown field %s.", name))
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return wrongValue(w.pathAt(typeErr.Offset), expected(typeErr), err)
	}
	// A value that decodes itself (a date, say) refused what it was given: find which.
	path, perr := w.refused()
	if perr != nil {
		return perr
	}
	return wrongValue(path, problem.T("Deze waarde heeft niet de goede vorm.", "This value is not in the right form."), err)
}

// wrongValue is the 422 for a value at path that is not what is expected: reason says
// what to give instead. The whole body (path "") is invalid-json.
func wrongValue(path string, reason problem.Text, err error) error {
	if path == "" {
		// Not the object the request is: no field to name, so said as a body that is
		// not what we take.
		return problem.InvalidJSON.Wrap(err, problem.T("Stuur de gegevens als één JSON-object, tussen { en }.",
			"Send the data as one JSON object, between { and }."))
	}
	return &problem.Error{
		Kind:   problem.ValidationFailed,
		Detail: problem.T("Het veld "+path+" klopt niet. "+reason.NL, "The field "+path+" is not right. "+reason.EN),
		Fields: []problem.Field{{Name: path, Reason: reason}},
		Err:    err,
	}
}

// expected says, for a value of the wrong type, what kind of value to give.
func expected(e *json.UnmarshalTypeError) problem.Text {
	t := e.Type
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return problem.T("Deze waarde heeft de verkeerde soort.", "This value has the wrong type.")
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		if strings.HasPrefix(e.Value, "number") { // a number, but out of range
			return problem.T("Dit getal is te groot.", "This number is too large.")
		}
		return problem.T("Geef een getal, zoals 1.5.", "Give a number, such as 1.5.")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return problem.T("Geef een heel getal, zoals 3.", "Give a whole number, such as 3.")
	case reflect.String:
		return problem.T("Geef een tekst, tussen aanhalingstekens.", "Give a text, in quotes.")
	case reflect.Bool:
		return problem.T("Geef true (ja) of false (nee).", "Give true or false.")
	case reflect.Slice, reflect.Array:
		return problem.T("Geef een lijst, tussen [ en ].", "Give a list, between [ and ].")
	case reflect.Struct, reflect.Map:
		return problem.T("Geef een groep velden, tussen { en }.", "Give a group of fields, between { and }.")
	}
	return problem.T("Deze waarde heeft de verkeerde soort.", "This value has the wrong type.")
}

// MaxIdempotencyKey is the longest Idempotency-Key we accept.
const MaxIdempotencyKey = 200

// IdempotencyKey returns the request's Idempotency-Key header ("" when absent).
func IdempotencyKey(c echo.Context) (string, error) {
	k := c.Request().Header.Get("Idempotency-Key")
	if len(k) > MaxIdempotencyKey {
		return "", problem.Invalid("Idempotency-Key", problem.Sprintf(
			"De Idempotency-Key is te lang (hoogstens %d tekens).", "The Idempotency-Key is too long (at most %d characters).", MaxIdempotencyKey))
	}
	for _, r := range k {
		if r < 0x21 || r > 0x7e {
			return "", problem.Invalid("Idempotency-Key", problem.T(
				"De Idempotency-Key mag alleen gewone tekens zonder spaties bevatten.",
				"The Idempotency-Key may only contain printable ASCII without spaces."))
		}
	}
	return k, nil
}

// IfMatchVersion reads If-Match as a version number ("3" or "\"3\"" or W/"3").
func IfMatchVersion(c echo.Context) (int, error) {
	v := c.Request().Header.Get("If-Match")
	if v == "" {
		return 0, problem.PreconditionRequired.New(problem.T(
			"Stuur de versie mee in de kop If-Match.", "Send the version in the If-Match header."))
	}
	v = strings.Trim(strings.TrimPrefix(v, "W/"), `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, problem.Invalid("If-Match", problem.T("If-Match moet een versienummer zijn.", "If-Match must be a version number."))
	}
	return n, nil
}

// Allower decides whether a client may make another public write.
type Allower interface {
	Enabled() bool
	Allow(ctx context.Context, bucket string) (bool, time.Duration, error)
}

// RateLimit limits public writes per client address and, when the client names one in
// X-Device-Id, per device. Over the limit is 429 with Retry-After.
func RateLimit(l Allower) echo.MiddlewareFunc { return RateLimitAs(l, "") }

// RateLimitAs limits as RateLimit does, in buckets of its own named name: desk sign-in
// and crew pairing count apart from the public writes, so residents behind one address
// (CGNAT) or a busy Open311 client cannot lock planners and crews out, while guessing a
// password or a pairing code stays limited per address.
func RateLimitAs(l Allower, name string) echo.MiddlewareFunc {
	prefix := ""
	if name != "" {
		prefix = name + ":"
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !l.Enabled() {
				return next(c)
			}
			buckets := []string{prefix + "ip:" + c.RealIP()}
			if d := c.Request().Header.Get("X-Device-Id"); d != "" && len(d) <= 200 {
				buckets = append(buckets, prefix+"device:"+d)
			}
			for _, b := range buckets {
				if err := Limit(c.Request().Context(), l, b); err != nil {
					return err
				}
			}
			return next(c)
		}
	}
}

// Limit counts a hit on bucket: nil while it is within l's limit (or l limits nothing),
// else a 429 problem with Retry-After. For callers that know the client only after the
// request is read, such as an Open311 client by its api_key.
func Limit(ctx context.Context, l Allower, bucket string) error {
	if !l.Enabled() {
		return nil
	}
	ok, wait, err := l.Allow(ctx, bucket)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	return &problem.Error{
		Kind: problem.RateLimited,
		Detail: problem.Sprintf("U stuurt te veel in korte tijd. Probeer het over %d seconden opnieuw.",
			"You are sending too much in a short time. Try again in %d seconds.", secs),
		Headers: map[string]string{"Retry-After": strconv.Itoa(secs)},
	}
}
