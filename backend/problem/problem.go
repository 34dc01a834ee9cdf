// Package problem defines the errors that Wijkwerk shows to people and programs: each has
// a stable type, an HTTP status and a short Dutch (and English) title. Handlers render
// them as RFC 9457 application/problem+json; anything that is not a *problem.Error is an
// internal error, logged once and shown without detail.
//
// The package imports no HTTP library, so domain packages may return these errors.
package problem

import (
	"errors"
	"fmt"
)

// Text is a user-facing sentence in Dutch and English. Dutch is the default.
type Text struct {
	NL string
	EN string
}

// In returns the text in lang ("en" gives English, anything else Dutch).
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.NL
}

// T builds a Text from Dutch and English.
func T(nl, en string) Text { return Text{NL: nl, EN: en} }

// Kind is one stable kind of problem: its type slug, status and title never change.
type Kind struct {
	Type   string
	Status int
	Title  Text
}

// Error is a problem to show to the client.
type Error struct {
	Kind
	Detail Text
	// Fields names the request fields at fault, with what is wrong with each.
	Fields []Field
	// Extra members are added to the problem document (for example "current" with the
	// current state of a task on a conflict).
	Extra map[string]any
	// Headers are added to the response (for example Retry-After).
	Headers map[string]string
	// Err is the cause, for logs; it is never shown.
	Err error
}

// Field is one invalid request field.
type Field struct {
	Name   string `json:"name"`
	Reason Text   `json:"-"`
}

func (e *Error) Error() string {
	msg := e.Type + ": " + e.Detail.EN
	if e.Detail.EN == "" {
		msg = e.Type + ": " + e.Detail.NL
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, SomeKind.New(...)) and errors.Is(err, &Error{Kind: k}) compare kinds.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Type == e.Type
}

// New returns an error of kind k with a detail sentence.
func (k Kind) New(detail Text) *Error {
	return &Error{Kind: k, Detail: detail}
}

// Wrap returns an error of kind k with a detail sentence and a cause for the logs.
func (k Kind) Wrap(err error, detail Text) *Error {
	return &Error{Kind: k, Detail: detail, Err: err}
}

// Invalid returns a validation error for one field.
func Invalid(field string, reason Text) *Error {
	return &Error{Kind: ValidationFailed, Detail: reason, Fields: []Field{{Name: field, Reason: reason}}}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var p *Error
	if errors.As(err, &p) {
		return p, true
	}
	return nil, false
}

// Of reports whether err is a problem of kind k.
func Of(err error, k Kind) bool {
	p, ok := As(err)
	return ok && p.Type == k.Type
}

// The kinds of problems. Their Type is part of the API: clients switch on it.
var (
	BadRequest           = Kind{"bad-request", 400, T("Het verzoek klopt niet", "Bad request")}
	InvalidJSON          = Kind{"invalid-json", 400, T("De gegevens zijn geen geldige JSON", "The body is not valid JSON")}
	Unauthorized         = Kind{"unauthorized", 401, T("U bent niet ingelogd", "Not signed in")}
	Forbidden            = Kind{"forbidden", 403, T("Dit mag u niet doen", "Not allowed")}
	NotFound             = Kind{"not-found", 404, T("Niet gevonden", "Not found")}
	MethodNotAllowed     = Kind{"method-not-allowed", 405, T("Deze methode kan hier niet", "Method not allowed")}
	Conflict             = Kind{"conflict", 409, T("Dit botst met een andere wijziging", "Conflict")}
	StaleVersion         = Kind{"stale-version", 409, T("Iemand anders heeft dit al gewijzigd", "Someone else changed this first")}
	InvalidTransition    = Kind{"invalid-transition", 409, T("Deze stap kan nu niet", "This step is not possible now")}
	BodyTooLarge         = Kind{"body-too-large", 413, T("Het bericht is te groot", "The request body is too large")}
	UnsupportedMedia     = Kind{"unsupported-media-type", 415, T("Dit soort gegevens kennen we niet", "Unsupported content type")}
	ValidationFailed     = Kind{"validation-failed", 422, T("Niet alle gegevens kloppen", "Some fields are not valid")}
	InvalidLocation      = Kind{"invalid-location", 422, T("De locatie klopt niet", "The location is not valid")}
	OutsideArea          = Kind{"outside-area", 422, T("Deze plek valt buiten ons gebied", "This place is outside our area")}
	UnknownCategory      = Kind{"unknown-category", 422, T("Deze categorie kennen we niet", "Unknown category")}
	IdempotencyKeyReused = Kind{"idempotency-key-reused", 422, T("Deze sleutel is al gebruikt voor iets anders", "Idempotency key reused for a different request")}
	PreconditionRequired = Kind{"precondition-required", 428, T("De versie ontbreekt", "A version (If-Match) is required")}
	RateLimited          = Kind{"rate-limited", 429, T("Te veel verzoeken", "Too many requests")}
	Internal             = Kind{"internal", 500, T("Er ging iets mis bij ons", "Internal error")}
	Unavailable          = Kind{"unavailable", 503, T("De dienst is even niet beschikbaar", "Service unavailable")}
)

// Kinds lists every kind, for documentation.
func Kinds() []Kind {
	return []Kind{BadRequest, InvalidJSON, Unauthorized, Forbidden, NotFound, MethodNotAllowed, Conflict,
		StaleVersion, InvalidTransition, BodyTooLarge, UnsupportedMedia, ValidationFailed, InvalidLocation,
		OutsideArea, UnknownCategory, IdempotencyKeyReused, PreconditionRequired, RateLimited, Internal, Unavailable}
}

// Sprintf formats the same arguments into both languages of a Text.
func Sprintf(nl, en string, args ...any) Text {
	return Text{NL: fmt.Sprintf(nl, args...), EN: fmt.Sprintf(en, args...)}
}
