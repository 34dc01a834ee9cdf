package open311

import (
	"errors"
	"fmt"
	"strings"

	"wijkwerk/backend/problem"
	"wijkwerk/backend/report"
)

// jurisdictionParam is the spec's parameter for the jurisdiction a request is for: here
// a served municipality's CBS code, such as GM0222 (see report.Jurisdiction). Every
// endpoint that the spec gives it takes it; none needs it.
const jurisdictionParam = "jurisdiction_id"

// jurisdiction checks the jurisdiction_id a client sent: none (empty) gives the zero
// Jurisdiction, which narrows nothing; a served municipality's code gives it; anything
// else is a 400 that says which codes are served, so that a client set up for another
// municipality learns so rather than reading or filing in this one.
func (h *Handler) jurisdiction(code string) (report.Jurisdiction, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return report.Jurisdiction{}, nil
	}
	j, err := h.reports.Jurisdiction(code)
	if !errors.Is(err, report.ErrUnknownJurisdiction) {
		return j, err
	}
	all, err := h.reports.Jurisdictions()
	if err != nil {
		return report.Jurisdiction{}, err
	}
	served := problem.T("Zie discovery.xml voor de codes.", "See discovery.xml for the codes.")
	if len(all) > 0 && len(all) <= 10 {
		names := make([]string, len(all))
		for i, j := range all {
			names[i] = fmt.Sprintf("%s (%s)", j.Code, j.Name)
		}
		served = problem.Sprintf("Hier kan: %s.", "Served here: %s.", strings.Join(names, ", "))
	}
	return report.Jurisdiction{}, param(jurisdictionParam, problem.Text{
		NL: fmt.Sprintf("We kennen jurisdiction_id %q niet. %s U mag jurisdiction_id ook weglaten.", truncate(code, 40), served.NL),
		EN: fmt.Sprintf("We do not know jurisdiction_id %q. %s You may also leave jurisdiction_id out.", truncate(code, 40), served.EN),
	})
}

// jurisdictionInfo is one served municipality in the discovery document: what to send
// as jurisdiction_id, and its name.
type jurisdictionInfo struct {
	JurisdictionID string `json:"jurisdiction_id" xml:"jurisdiction_id"`
	Name           string `json:"name" xml:"name"`
}
