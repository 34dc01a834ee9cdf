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
	// About says when the problem happens and what a client can do about it, for the
	// documentation at GET /problems/{type}; the Title where it says enough.
	About Text
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
func Invalid(field string, reason Text) *Error { return ValidationFailed.Invalid(field, reason) }

// Invalid returns an error of kind k about one field, whose reason is the detail: a
// client that shows a field's reason after the detail when they differ (the resident
// app) shows it once, and never a label such as "te klein" as if it were a sentence.
func (k Kind) Invalid(field string, detail Text) *Error {
	return &Error{Kind: k, Detail: detail, Fields: []Field{{Name: field, Reason: detail}}}
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
	BadRequest = Kind{"bad-request", 400, T("Het verzoek klopt niet", "Bad request"),
		T("Het verzoek kon niet worden gelezen, bijvoorbeeld een kapot formulier. Controleer wat u stuurt.",
			"The request could not be read, for example a broken form. Check what you send.")}
	InvalidJSON = Kind{"invalid-json", 400, T("De gegevens zijn geen geldige JSON", "The body is not valid JSON"),
		T("De gegevens zijn geen geldige JSON: leeg, kapot, met meer tekst na de JSON, of geen object tussen { en }. Een veld met de verkeerde soort waarde is validation-failed.",
			"The body is not valid JSON: empty, broken, with more text after the JSON, or not an object between { and }. A field of the wrong type is validation-failed.")}
	Unauthorized = Kind{"unauthorized", 401, T("U bent niet ingelogd", "Not signed in"),
		T("Log in, of stuur een geldige sleutel mee (Authorization: Bearer …). Een ontkoppelde telefoon moet opnieuw koppelen.",
			"Sign in, or send a valid key (Authorization: Bearer …). An unpaired phone must pair again.")}
	Forbidden = Kind{"forbidden", 403, T("Dit mag u niet doen", "Not allowed"),
		T("U bent ingelogd, maar met uw rol mag u dit niet.", "You are signed in, but your role may not do this.")}
	NotFound = Kind{"not-found", 404, T("Niet gevonden", "Not found"),
		T("Dit bestaat niet, of u mag het niet zien (bijvoorbeeld buiten uw gebied).",
			"This does not exist, or you may not see it (for example outside your area).")}
	MethodNotAllowed = Kind{"method-not-allowed", 405, T("Deze methode kan hier niet", "Method not allowed"),
		T("Dit adres kent deze HTTP-methode niet.", "This address does not take this HTTP method.")}
	Conflict = Kind{"conflict", 409, T("Dit botst met een andere wijziging", "Conflict"),
		T("Dit botst met iets dat er al is of tegelijk gebeurde. Haal de gegevens opnieuw op en probeer het dan nog eens.",
			"This clashes with something that exists or happened at the same time. Fetch the data again, then try again.")}
	StaleVersion = Kind{"stale-version", 409, T("Iemand anders heeft dit al gewijzigd", "Someone else changed this first"),
		T("De versie in If-Match is niet meer de nieuwste. current in het antwoord is de stand van nu: bekijk die en probeer het opnieuw.",
			"The version in If-Match is no longer the latest. current in the answer is the state now: look at it and try again.")}
	InvalidTransition = Kind{"invalid-transition", 409, T("Deze stap kan nu niet", "This step is not possible now"),
		T("Deze stap past niet bij de status van nu, bijvoorbeeld een afgeronde taak starten.",
			"This step does not fit the status now, for example starting a finished task.")}
	BodyTooLarge = Kind{"body-too-large", 413, T("Het bericht is te groot", "The request body is too large"),
		T("Het bericht is groter dan mag. Stuur minder of kleinere foto's.", "The body is larger than allowed. Send fewer or smaller photos.")}
	UnsupportedMedia = Kind{"unsupported-media-type", 415, T("Dit soort gegevens kennen we niet", "Unsupported content type"),
		T("Stuur JSON (application/json) of een formulier (multipart/form-data), zoals het adres vraagt, en foto's als JPEG, PNG of WebP.",
			"Send JSON (application/json) or a form (multipart/form-data), as the address asks, and photos as JPEG, PNG or WebP.")}
	ValidationFailed = Kind{"validation-failed", 422, T("Niet alle gegevens kloppen", "Some fields are not valid"),
		T("Eén of meer velden kloppen niet: een verkeerde waarde (tekst waar een getal hoort), een veld dat we niet kennen of dat er twee keer in staat, of tekst met ongeldige tekens. errors noemt elk veld met zijn pad (zoals contact.email of hours.0.hours) en de reden.",
			"One or more fields are not valid: a wrong value (text where a number belongs), a field we do not know or that is in there twice, or text with invalid characters. errors names each field by its path (such as contact.email or hours.0.hours) with the reason.")}
	InvalidLocation = Kind{"invalid-location", 422, T("De locatie klopt niet", "The location is not valid"),
		T("De plek is geen geldig GeoJSON-punt: [lengtegraad, breedtegraad] in WGS84, zoals [6.29, 51.96].",
			"The place is not a valid GeoJSON point: [longitude, latitude] in WGS84, such as [6.29, 51.96].")}
	OutsideArea = Kind{"outside-area", 422, T("Deze plek valt buiten ons gebied", "This place is outside our area"),
		T("De plek ligt buiten de gebieden waar wij werken. Zet de speld binnen de gemeente.",
			"The place lies outside the areas we serve. Put the pin inside the municipality.")}
	UnknownCategory = Kind{"unknown-category", 422, T("Deze categorie kennen we niet", "Unknown category"),
		T("Deze categorie kennen we niet, of het is een groep. Kies een categorie uit GET /api/v1/categories.",
			"We do not know this category, or it is a group. Choose one from GET /api/v1/categories.")}
	IdempotencyKeyReused = Kind{"idempotency-key-reused", 422, T("Deze sleutel is al gebruikt voor iets anders", "Idempotency key reused for a different request"),
		T("Deze Idempotency-Key hoort bij een ander verzoek. Gebruik een nieuwe sleutel voor elk nieuw verzoek, en dezelfde alleen als u het verzoek herhaalt.",
			"This Idempotency-Key belongs to another request. Use a new key for each new request, and the same one only to repeat a request.")}
	PreconditionRequired = Kind{"precondition-required", 428, T("De versie ontbreekt", "A version (If-Match) is required"),
		T("Stuur de versie die u zag mee in de kop If-Match.", "Send the version you saw in the If-Match header.")}
	RateLimited = Kind{"rate-limited", 429, T("Te veel verzoeken", "Too many requests"),
		T("Te veel verzoeken vanaf dit adres. Wacht even en probeer het dan opnieuw.", "Too many requests from this address. Wait a while, then try again.")}
	Internal = Kind{"internal", 500, T("Er ging iets mis bij ons", "Internal error"),
		T("Er ging bij ons iets mis. Probeer het later opnieuw. Noem request_id als u contact opneemt.",
			"Something went wrong on our side. Try again later. Quote request_id when you contact us.")}
	Unavailable = Kind{"unavailable", 503, T("De dienst is even niet beschikbaar", "Service unavailable"),
		T("De dienst is even niet bereikbaar. Probeer het over een paar minuten opnieuw.", "The service cannot be reached for a moment. Try again in a few minutes.")}
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
