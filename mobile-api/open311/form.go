package open311

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/report"
)

// decodeForm turns the form of POST requests into a submission, or a problem saying what
// is wrong. It is a pure function of the form, so it can be fuzzed.
//
// What the spec's fields become:
//   - service_code: the category; lat and long: the location (WGS84).
//   - address_string, address_id: we have no geocoder, so a place given only by address
//     is refused with a request for coordinates rather than guessed. Beside coordinates,
//     address_string is kept as the report's address (public, like the description);
//     address_id is ignored.
//   - attribute[code]=value: the answer to the category's question code.
//   - email, phone: the contact, stored apart from the report and never shown by GET;
//     a planner who may see the job may read it to ask the reporter something, and each
//     such lookup is recorded (planner.Store.ReporterContacts).
//   - description: the report's text.
//   - first_name, last_name: dropped; Wijkwerk keeps no names of residents.
//   - media: a photo as a file part of a multipart form; the handler stores it as the
//     resident API does (see readForm), not here.
//   - media_url: accepted and ignored, and the answer's service_notice says so: we fetch
//     nothing from outside addresses.
//   - device_id, account_id: accepted and ignored.
//   - jurisdiction_id: checked by the handler (see jurisdiction), not here: routing
//     follows the location, whichever municipality it is in.
//   - api_key is checked by the handler, not here.
func decodeForm(form url.Values) (report.Submission, error) {
	code := strings.TrimSpace(form.Get("service_code"))
	if code == "" {
		return report.Submission{}, param("service_code", problem.T(
			"Geef een service_code op: de code van een dienst uit services.xml.",
			"Give a service_code: the code of a service from services.xml."))
	}
	loc, err := decodeLocation(form)
	if err != nil {
		return report.Submission{}, err
	}
	sub := report.Submission{
		Category:    code,
		Location:    loc,
		Description: form.Get("description"),
		Address:     form.Get("address_string"),
		Contact:     report.Contact{Email: form.Get("email"), Phone: form.Get("phone")},
		Channel:     "open311",
	}
	for _, k := range slices.Sorted(maps.Keys(form)) {
		vs := form[k]
		name, ok := attributeCode(k)
		if !ok {
			continue
		}
		if name == "" {
			return report.Submission{}, param(k, problem.T(
				"Een attribute heeft een code nodig: attribute[code]=waarde.",
				"An attribute needs a code: attribute[code]=value."))
		}
		if len(vs) > 1 {
			return report.Submission{}, param(k, problem.Sprintf(
				"Geef voor attribute[%s] één waarde.", "Give one value for attribute[%s].", truncate(name, 40)))
		}
		if sub.Answers == nil {
			sub.Answers = map[string]string{}
		}
		sub.Answers[name] = strings.TrimSpace(vs[0])
	}
	if err := sub.Validate(); err != nil {
		return report.Submission{}, err
	}
	return sub, nil
}

// attributeCode returns code for a form key "attribute[code]" (or "attribute[code][]",
// the spec's form for list values), and whether k is an attribute at all.
func attributeCode(k string) (string, bool) {
	rest, ok := strings.CutPrefix(k, "attribute[")
	if !ok {
		return "", false
	}
	rest = strings.TrimSuffix(rest, "[]")
	code, ok := strings.CutSuffix(rest, "]")
	if !ok {
		return "", true
	}
	return code, true
}

// decodeLocation reads lat and long. Without them, an address alone is not enough: we
// would have to guess where it is.
func decodeLocation(form url.Values) (orb.Point, error) {
	latS, lonS := strings.TrimSpace(form.Get("lat")), strings.TrimSpace(form.Get("long"))
	if latS == "" && lonS == "" {
		if strings.TrimSpace(form.Get("address_string")) != "" || strings.TrimSpace(form.Get("address_id")) != "" {
			return orb.Point{}, param("lat", problem.T(
				"We kunnen een adres niet op de kaart zetten. Geef de plek met coördinaten: lat en long (WGS84, bijvoorbeeld lat=51.959 en long=6.2967).",
				"We cannot place an address on the map. Give the place as coordinates: lat and long (WGS84, for example lat=51.959 and long=6.2967)."))
		}
		return orb.Point{}, param("lat", problem.T(
			"Geef de plek met coördinaten: lat en long (WGS84, bijvoorbeeld lat=51.959 en long=6.2967).",
			"Give the place as coordinates: lat and long (WGS84, for example lat=51.959 and long=6.2967)."))
	}
	if latS == "" || lonS == "" {
		return orb.Point{}, param("lat", problem.T(
			"Geef zowel lat als long.", "Give both lat and long."))
	}
	lat, ok1 := httpapi.ParseDecimal(latS)
	lon, ok2 := httpapi.ParseDecimal(lonS)
	if !ok1 || !ok2 {
		name := "lat"
		if ok1 {
			name = "long"
		}
		return orb.Point{}, &problem.Error{
			Kind: problem.InvalidLocation,
			Detail: problem.T("lat en long moeten gewone getallen zijn, met een punt als decimaalteken (bijvoorbeeld 51.959).",
				"lat and long must be plain numbers with a decimal point (for example 51.959)."),
			Fields: []problem.Field{{Name: name, Reason: problem.T("geen getal", "not a number")}},
		}
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return orb.Point{}, &problem.Error{
			Kind: problem.InvalidLocation,
			Detail: problem.T("lat moet tussen -90 en 90 liggen en long tussen -180 en 180 (WGS84).",
				"lat must lie between -90 and 90 and long between -180 and 180 (WGS84)."),
			Fields: []problem.Field{{Name: "lat", Reason: problem.T("buiten bereik", "out of range")}},
		}
	}
	p := orb.Point{lon, lat}
	return p, report.ValidLocation(p)
}

// param is a problem with one request parameter.
func param(name string, reason problem.Text) *problem.Error {
	return &problem.Error{Kind: problem.BadRequest, Detail: reason, Fields: []problem.Field{{Name: name, Reason: reason}}}
}
