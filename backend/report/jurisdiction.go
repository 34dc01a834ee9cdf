package report

import (
	"errors"
	"strings"

	"github.com/paulmach/orb"

	"wijkwerk/backend/problem"
)

// A deployment may serve several municipalities (see ARCHITECTURE.md), so Open311's
// jurisdiction_id means something here: it is a served municipality's CBS code, the code
// of a root of the area tree (GM0222). A client that names one says which municipality it
// means; one that names none gets them all, as a server of one jurisdiction would answer.
// Routing still follows a report's place, never the code: a code only narrows what is
// shown, and refuses a report placed in another municipality rather than filing it there.

// Jurisdiction is a municipality that this deployment serves.
type Jurisdiction struct {
	AreaID int64
	Code   string // its CBS code: GM0222
	Name   string
}

// ErrUnknownJurisdiction means a jurisdiction_id names no municipality served here.
var ErrUnknownJurisdiction = errors.New("report: unknown jurisdiction")

// Jurisdictions returns the municipalities served, by code.
func (s *Service) Jurisdictions() ([]Jurisdiction, error) {
	areas, err := s.router.Municipalities()
	if err != nil {
		return nil, err
	}
	out := make([]Jurisdiction, len(areas))
	for i, a := range areas {
		out[i] = Jurisdiction{AreaID: a.ID, Code: a.Code, Name: a.Name}
	}
	return out, nil
}

// Jurisdiction returns the served municipality whose code is code (in any case), or
// ErrUnknownJurisdiction.
func (s *Service) Jurisdiction(code string) (Jurisdiction, error) {
	all, err := s.Jurisdictions()
	if err != nil {
		return Jurisdiction{}, err
	}
	code = strings.TrimSpace(code)
	for _, j := range all {
		if strings.EqualFold(j.Code, code) {
			return j, nil
		}
	}
	return Jurisdiction{}, ErrUnknownJurisdiction
}

// InJurisdiction checks that p lies in municipality j: a report placed elsewhere would be
// filed in another municipality than its sender meant. A point outside every area is the
// same problem that Submit gives.
func (s *Service) InJurisdiction(j Jurisdiction, p orb.Point) error {
	if err := ValidLocation(p); err != nil {
		return err
	}
	chain, err := s.router.Locate(p)
	if err != nil {
		return err
	}
	root := chain[len(chain)-1]
	if root.ID == j.AreaID {
		return nil
	}
	return &problem.Error{
		Kind: problem.OutsideArea,
		Detail: problem.Sprintf("Deze plek ligt in %s (%s), niet in jurisdiction_id %s (%s).",
			"This place is in %s (%s), not in jurisdiction_id %s (%s).", root.Name, root.Code, j.Code, j.Name),
		Fields: []problem.Field{{Name: "jurisdiction_id", Reason: problem.T("een andere gemeente", "another municipality")}},
	}
}
