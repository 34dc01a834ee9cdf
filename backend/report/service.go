package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
	"wijkwerk/backend/idempotency"
	"wijkwerk/backend/initiative"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
	"wijkwerk/backend/routing"
)

// Service takes in and tracks reports.
type Service struct {
	db         *gorm.DB
	categories *category.Cache
	router     *routing.Router
	jobs       *job.Store
	pushTTL    time.Duration
	now        func() time.Time
}

// NewService wires the intake. A new job's team hears of it by push, which may stay
// undelivered for pushTTL.
func NewService(db *gorm.DB, categories *category.Cache, router *routing.Router, jobs *job.Store, pushTTL time.Duration) *Service {
	return &Service{db: db, categories: categories, router: router, jobs: jobs, pushTTL: pushTTL, now: time.Now}
}

// idempotencyScope keeps report keys apart from other endpoints' keys.
const idempotencyScope = "report"

// Submit accepts a report. When key is not empty and was used before for the same
// submission, it returns the first receipt with replayed set, and changes nothing.
//
// The report, its job (new, or the open duplicate it joins), the audit event and the
// idempotency record commit in one transaction.
func (s *Service) Submit(ctx context.Context, sub Submission, key string) (rc Receipt, replayed bool, err error) {
	if err := sub.Validate(); err != nil {
		return Receipt{}, false, err
	}
	cat, err := s.categories.Get(ctx, sub.Category)
	if errors.Is(err, category.ErrNotFound) || (err == nil && !cat.Reportable()) {
		return Receipt{}, false, unknownCategory(sub.Category)
	}
	if err != nil {
		return Receipt{}, false, err
	}
	if err := validateAnswers(cat, sub.Answers); err != nil {
		return Receipt{}, false, err
	}
	route, err := s.router.Route(ctx, sub.Location, string(cat.Department))
	if err != nil {
		return Receipt{}, false, err
	}
	var hash []byte
	if key != "" {
		hash = submissionHash(sub)
	}

	err = database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		replayed = false
		if key != "" {
			stored, err := idempotency.Claim(ctx, tx, idempotencyScope, key, hash)
			if err != nil {
				return err
			}
			if stored != nil {
				replayed = true
				return json.Unmarshal(stored.Response, &rc)
			}
		}
		rc, err = s.file(ctx, tx, sub, cat, route)
		if err != nil {
			return err
		}
		if key != "" {
			return idempotency.Save(ctx, tx, idempotencyScope, key, 201, rc)
		}
		return nil
	})
	if err != nil {
		return Receipt{}, false, err
	}
	return rc, replayed, nil
}

// file writes the report and its job inside tx. Intake is the hot path, so each branch
// writes job, report and audit event in one statement (see store.go).
func (s *Service) file(ctx context.Context, tx *gorm.DB, sub Submission, cat category.Category, route routing.Route) (Receipt, error) {
	area := route.Chain[0]
	dup, found, err := job.FindDuplicate(ctx, tx, cat.Code, sub.Location)
	if err != nil {
		return Receipt{}, err
	}
	var f filed
	if found {
		f, err = fileDuplicate(ctx, tx, sub, dup.ID, area.ID)
	} else {
		nj := job.Job{
			CategoryCode: cat.Code, Location: sub.Location, AreaID: area.ID, Status: job.Open,
			Description: sub.Description, DueDate: job.DueDate(s.now(), cat.HandlingDays), EffortMinutes: cat.EffortMinutes,
		}
		if route.Team != nil {
			nj.TeamID, nj.Status = route.Team.ID, job.Assigned
			f.teamName = route.Team.Name
		}
		var level string
		level, err = initiative.LevelAt(ctx, tx, sub.Location, initiative.AreaIDs(route.Chain), cat.Theme)
		if err != nil {
			return Receipt{}, err
		}
		f, err = fileNew(ctx, tx, sub, nj, f.teamName, level)
		if err == nil && nj.TeamID != 0 {
			err = push.Enqueue(ctx, tx, push.Request{JobID: f.jobID, TeamID: nj.TeamID, Kind: push.KindAssigned, Version: f.version}, s.pushTTL)
		}
	}
	if err != nil {
		return Receipt{}, err
	}
	if !sub.Contact.Empty() {
		if err := insertContact(ctx, tx, f.reportID, sub.Contact); err != nil {
			return Receipt{}, err
		}
	}
	for _, ph := range sub.Photos {
		ph.Kind = "report"
		if err := job.AttachPhoto(ctx, tx, f.jobID, ph); err != nil {
			return Receipt{}, err
		}
	}

	rc := Receipt{
		ID: f.reportID, TrackingCode: f.trackingCode, Status: f.status, JobID: f.jobID, Category: cat.Code,
		Area:        AreaRef{Code: area.Code, Name: area.Name, Kind: string(area.Kind)},
		ReportCount: f.reportCount, DueDate: f.dueDate.UTC().Format(time.DateOnly),
		CreatedAt: f.createdAt.UTC().Format(time.RFC3339),
	}
	if f.teamID != 0 {
		rc.Team = &TeamRef{ID: f.teamID, Name: f.teamName}
	}
	if found {
		rc.DuplicateOf = &f.jobID
		rc.Message = fmt.Sprintf("Dit is al gemeld. Nu hebben %d bewoners dit gemeld. We pakken het op.", f.reportCount)
		rc.MessageEN = fmt.Sprintf("This was already reported. %d residents have now reported it. We are on it.", f.reportCount)
	} else {
		rc.Message = "Bedankt. We hebben uw melding ontvangen."
		rc.MessageEN = "Thank you. We have received your report."
	}
	return rc, nil
}

func unknownCategory(code string) error {
	return &problem.Error{
		Kind: problem.UnknownCategory,
		Detail: problem.Sprintf("We kennen de categorie %q niet. Kies een categorie uit de lijst.",
			"We do not know category %q. Choose a category from the list.", truncate(code, 60)),
		Fields: []problem.Field{{Name: "category", Reason: problem.T("onbekende categorie", "unknown category")}},
	}
}

func validateAnswers(cat category.Category, answers map[string]string) error {
	known := map[string]category.Question{}
	for _, q := range cat.Questions {
		known[q.Key] = q
	}
	for code := range answers {
		if _, ok := known[code]; !ok {
			return problem.Invalid("answers."+truncate(code, 40), problem.Sprintf(
				"Deze categorie stelt geen vraag %q.", "This category has no question %q.", truncate(code, 40)))
		}
	}
	for _, q := range cat.Questions {
		a, given := answers[q.Key]
		if q.Required && strings.TrimSpace(a) == "" {
			return problem.Invalid("answers."+q.Key, problem.Sprintf("Beantwoord de vraag: %s", "Answer the question: %s", q.TextNL))
		}
		if given && len(q.Options) > 0 && !contains(q.Options, a) {
			return problem.Invalid("answers."+q.Key, problem.Sprintf(
				"Kies een van deze antwoorden: %s.", "Choose one of: %s.", strings.Join(q.Options, ", ")))
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func submissionHash(sub Submission) []byte {
	b, _ := json.Marshal(sub)
	return idempotency.Hash(b)
}
