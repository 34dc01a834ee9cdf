package open311

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"wijkwerk/backend/category"
	"wijkwerk/backend/httpapi"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/report"
)

// service is one service in GET services: a category residents can report under.
type service struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

type servicesXML struct {
	XMLName  xml.Name  `xml:"services"`
	Services []service `xml:"service"`
}

// serviceOf describes cat, a reportable category under group (its main category).
func serviceOf(cat, group category.Category, lang string) service {
	name := cat.Name(lang)
	desc := report.HandlingNotice(cat.HandlingDays).In(lang)
	if g := group.Name(lang); g != "" {
		desc = g + ": " + name + ". " + desc
	} else {
		desc = name + ". " + desc
	}
	// Words in the asked language, never internal codes.
	var keywords []string
	for _, k := range []string{cat.Department.Name(lang), category.ThemeName(cat.Theme, lang)} {
		if k != "" {
			keywords = append(keywords, k)
		}
	}
	if cat.Urgent {
		keywords = append(keywords, problem.T("spoed", "urgent").In(lang))
	}
	return service{
		ServiceCode: cat.Code,
		ServiceName: name,
		Description: desc,
		Metadata:    len(cat.Questions) > 0,
		// Reports are filed at once: a POST answers with the service_request_id.
		Type:     "realtime",
		Keywords: strings.Join(keywords, ", "),
		Group:    group.Name(lang),
	}
}

func (h *Handler) services(c echo.Context) error {
	// Every municipality served has the same services.
	if _, err := h.jurisdiction(c.QueryParam(jurisdictionParam)); err != nil {
		return err
	}
	cats, err := h.categories.List(c.Request().Context())
	if err != nil {
		return err
	}
	lang := httpapi.Lang(c)
	groups := map[string]category.Category{}
	for _, cat := range cats {
		groups[cat.Code] = cat
	}
	out := []service{}
	for _, cat := range cats {
		if cat.Reportable() {
			out = append(out, serviceOf(cat, groups[cat.ParentCode], lang))
		}
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	c.Response().Header().Set("Vary", "Accept-Language")
	return write(c, http.StatusOK, out, servicesXML{Services: out})
}

// serviceDefinition is GET services/{service_code}: the extra questions of a category.
type serviceDefinition struct {
	XMLName     xml.Name      `json:"-" xml:"service_definition"`
	ServiceCode string        `json:"service_code" xml:"service_code"`
	Attributes  attributeList `json:"attributes" xml:"attributes"`
}

// attribute is one extra question, sent back in POST requests as attribute[code].
type attribute struct {
	Variable            bool      `json:"variable" xml:"variable"`
	Code                string    `json:"code" xml:"code"`
	Datatype            string    `json:"datatype" xml:"datatype"`
	Required            bool      `json:"required" xml:"required"`
	DatatypeDescription string    `json:"datatype_description" xml:"datatype_description"`
	Order               int       `json:"order" xml:"order"`
	Description         string    `json:"description" xml:"description"`
	Values              valueList `json:"values" xml:"values"`
}

type value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

// attributeList and valueList keep their wrapping element in XML when empty, as the
// spec's examples show it.
type attributeList []attribute

func (l attributeList) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		Items []attribute `xml:"attribute"`
	}{l}, start)
}

type valueList []value

func (l valueList) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		Items []value `xml:"value"`
	}{l}, start)
}

// attributeOf describes question q, the order-th of its category.
func attributeOf(q category.Question, order int, lang string) attribute {
	a := attribute{
		Variable:    true,
		Code:        q.Key,
		Required:    q.Required,
		Order:       order,
		Description: q.TextNL,
		Values:      valueList{},
	}
	if lang == "en" && q.TextEN != "" {
		a.Description = q.TextEN
	}
	switch {
	case len(q.Options) > 0:
		a.Datatype = "singlevaluelist"
		for i, o := range q.Options {
			a.Values = append(a.Values, value{Key: o, Name: q.OptionName(i, lang)})
		}
		a.DatatypeDescription = problem.T("Kies een van de waarden; stuur de key.", "Choose one of the values; send its key.").In(lang)
	case q.Type == "bool":
		a.Datatype = "singlevaluelist"
		a.Values = valueList{
			{Key: "true", Name: problem.T("Ja", "Yes").In(lang)},
			{Key: "false", Name: problem.T("Nee", "No").In(lang)},
		}
		a.DatatypeDescription = problem.T("Ja (true) of nee (false).", "Yes (true) or no (false).").In(lang)
	default:
		a.Datatype = "string"
		a.DatatypeDescription = problem.Sprintf("Tekst, hoogstens %d tekens.", "Text, at most %d characters.", report.MaxAnswer).In(lang)
	}
	return a
}

// service returns the category that service_code code names, or a problem of kind k
// that names service_code (not the resident app's "categorie"): the spec's own words,
// for a code that is unknown or a group (a main category, not a service).
func (h *Handler) service(ctx context.Context, code string, k problem.Kind) (category.Category, error) {
	cat, err := h.categories.Get(ctx, code)
	switch {
	case errors.Is(err, category.ErrNotFound):
		return category.Category{}, &problem.Error{Kind: k, Detail: problem.Sprintf(
			"We kennen de service_code %q niet. Zie services.xml voor de lijst.",
			"We do not know service_code %q. See services.xml for the list.", truncate(code, 60)),
			Fields: []problem.Field{{Name: "service_code", Reason: problem.T("onbekend", "unknown")}}}
	case err != nil:
		return category.Category{}, err
	case !cat.Reportable():
		return category.Category{}, &problem.Error{Kind: k, Detail: problem.Text{
			NL: fmt.Sprintf("service_code %q is een groep (%s), geen dienst. Kies een service_code uit services.xml.", truncate(code, 60), cat.Name("nl")),
			EN: fmt.Sprintf("service_code %q is a group (%s), not a service. Choose a service_code from services.xml.", truncate(code, 60), cat.Name("en")),
		},
			Fields: []problem.Field{{Name: "service_code", Reason: problem.T("een groep", "a group")}}}
	}
	return cat, nil
}

// checkAttributes names attribute[code] for an answer to a question that the service
// does not ask, where the report service would speak of a category and its questions.
func checkAttributes(cat category.Category, answers map[string]string) error {
	for _, code := range slices.Sorted(maps.Keys(answers)) {
		if !slices.ContainsFunc(cat.Questions, func(q category.Question) bool { return q.Key == code }) {
			return param("attribute["+truncate(code, 40)+"]", problem.Sprintf(
				"service_code %s kent geen attribute[%s]. Zie services/%s.xml voor de attributes.",
				"service_code %s has no attribute[%s]. See services/%s.xml for its attributes.", cat.Code, truncate(code, 40), cat.Code))
		}
	}
	return nil
}

func (h *Handler) serviceDefinition(c echo.Context) error {
	if _, err := h.jurisdiction(c.QueryParam(jurisdictionParam)); err != nil {
		return err
	}
	code := trimFormat(c.Param("code"))
	cat, err := h.service(c.Request().Context(), code, problem.NotFound)
	if err != nil {
		return err
	}
	lang := httpapi.Lang(c)
	def := serviceDefinition{ServiceCode: cat.Code, Attributes: attributeList{}}
	for i, q := range cat.Questions {
		def.Attributes = append(def.Attributes, attributeOf(q, i+1, lang))
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	c.Response().Header().Set("Vary", "Accept-Language")
	return write(c, http.StatusOK, def, def)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
