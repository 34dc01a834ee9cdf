package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"wijkwerk/backend/category"
	"wijkwerk/backend/database"
	"wijkwerk/backend/idempotency"
	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/publiccode"
	"wijkwerk/backend/routing"
)

// Service takes in and tracks reports.
type Service struct {
	db         *gorm.DB
	categories *category.Cache
	router     *routing.Router
	jobs       *job.Store
	now        func() time.Time
	group      *grouper
}

// NewService wires the intake. A new job's team hears of it by push, which may stay
// undelivered for pushTTL.
func NewService(db *gorm.DB, categories *category.Cache, router *routing.Router, jobs *job.Store, pushTTL time.Duration) *Service {
	s := &Service{db: db, categories: categories, router: router, jobs: jobs, now: time.Now}
	s.group = &grouper{file: func(ctx context.Context, group []filing) (out []filed, err error) {
		err = database.Pipeline(ctx, db, func(c *pgx.Conn) (err error) {
			out, err = sendGroup(ctx, c, group, pushTTL)
			return err
		})
		return out, err
	}}
	return s
}

// idempotencyScope keeps report keys apart from other endpoints' keys.
const idempotencyScope = "report"

// Submit accepts a report. When key is not empty and was used before for the same
// submission, it returns the first receipt with replayed set, and changes nothing.
//
// The report, its job (new, or the open duplicate it joins), the audit event, the
// crew's push and the idempotency key commit in one transaction, sent to PostgreSQL in
// one round trip, together with the reports that arrive at the same moment (see
// group.go and store.go).
func (s *Service) Submit(ctx context.Context, sub Submission, key string) (rc Receipt, replayed bool, err error) {
	fl, cat, err := s.prepare(ctx, &sub, key)
	if err != nil {
		return Receipt{}, false, err
	}
	var f filed
	err = database.Retry(ctx, func() (err error) {
		fl.code = publiccode.New() // a new one after a collision
		f, err = s.group.do(ctx, fl)
		return err
	})
	if idempotency.Taken(err) || (err == nil && f.KeyTaken) {
		// The key was stored by an earlier attempt of this request (or, wrongly, of
		// another one); this attempt was rolled back.
		stored, err := idempotency.Lookup(ctx, s.db, idempotencyScope, key, fl.hash)
		if err != nil {
			return Receipt{}, false, err
		}
		if stored == nil {
			return Receipt{}, false, fmt.Errorf("report: idempotency key taken, then gone")
		}
		rc, err := storedReceipt(cat.Code, stored.Response)
		return rc, true, err
	}
	if err != nil {
		return Receipt{}, false, err
	}
	return receipt(cat.Code, f), false, nil
}

// prepare checks sub (normalising it) and works out all that filing it needs before the
// database: its category, its route and due date. The filing has no tracking code yet.
// open311KeyPrefix starts the idempotency keys of Open311 clients (Open311Key), which
// share the reports' keys with the apps: an app's key may not start with it.
const open311KeyPrefix = "open311:"

// Open311Key is the stored idempotency key of an Open311 client's key: per client, so
// two clients' keys never meet, and apart from the apps' keys (AppKey).
func Open311Key(clientID int64, key string) string {
	return open311KeyPrefix + strconv.FormatInt(clientID, 10) + ":" + key
}

// AppKey checks an app's idempotency key for a report: one that looks like an Open311
// client's could take that client's key away from it.
func AppKey(key string) (string, error) {
	if strings.HasPrefix(key, open311KeyPrefix) {
		return "", problem.Invalid("Idempotency-Key", problem.T(
			"Deze Idempotency-Key mag niet met open311: beginnen.", "This Idempotency-Key may not start with open311:."))
	}
	return key, nil
}

// Check says whether sub would be filed, as far as the report itself can tell (its
// fields, category, answers and place), without filing it: a caller that must store
// something first (photos) checks before, so that nothing is kept of a refused report.
func (s *Service) Check(ctx context.Context, sub Submission) error {
	_, _, err := s.prepare(ctx, &sub, "")
	return err
}

func (s *Service) prepare(ctx context.Context, sub *Submission, key string) (filing, category.Category, error) {
	if err := sub.Validate(); err != nil {
		return filing{}, category.Category{}, err
	}
	cat, err := s.reportable(ctx, sub.Category)
	if err != nil {
		return filing{}, category.Category{}, err
	}
	if err := validateAnswers(cat, sub.Answers); err != nil {
		return filing{}, category.Category{}, err
	}
	route, err := s.router.Route(ctx, sub.Location, string(cat.Department))
	if err != nil {
		return filing{}, category.Category{}, err
	}
	var hash []byte
	if key != "" {
		hash = submissionHash(*sub)
	}
	return newFiling(*sub, cat, route, job.DueDate(s.now(), cat.HandlingDays), key, hash), cat, nil
}

// receipt is the answer to a filed report.
func receipt(category string, f filed) Receipt {
	rc := Receipt{
		ID: f.ReportID, TrackingCode: f.TrackingCode, Status: f.Status, JobID: f.JobID, Category: category,
		Area: f.Area, ReportCount: f.ReportCount, SupportCount: f.SupportCount,
		DueDate:   promisedDate(job.Status(f.Status), f.TeamID != 0, f.DueDate),
		CreatedAt: f.CreatedAt.UTC().Format(time.RFC3339),
	}
	if f.TeamID != 0 {
		rc.Team = &TeamRef{ID: f.TeamID, Name: f.TeamName}
	}
	if f.Duplicate {
		rc.DuplicateOf = &f.JobID
		n := f.ReportCount + f.SupportCount // as a support's answer counts them
		rc.Message = fmt.Sprintf("Dit is al gemeld. Nu hebben %d bewoners dit gemeld. We pakken het op.", n)
		rc.MessageEN = fmt.Sprintf("This was already reported. %d residents have now reported it. We are on it.", n)
	} else {
		rc.Message = "Bedankt. We hebben uw melding ontvangen."
		rc.MessageEN = "Thank you. We have received your report."
	}
	return rc
}

// storedReceipt remakes the receipt from what a report's idempotency key stored: the
// filed row, or (for keys stored before migration 00010) the receipt itself.
func storedReceipt(category string, raw []byte) (Receipt, error) {
	var f filed
	if err := json.Unmarshal(raw, &f); err != nil {
		return Receipt{}, fmt.Errorf("report: stored receipt: %w", err)
	}
	if f.ReportID != 0 {
		return receipt(category, f), nil
	}
	var rc Receipt
	if err := json.Unmarshal(raw, &rc); err != nil {
		return Receipt{}, fmt.Errorf("report: stored receipt: %w", err)
	}
	return rc, nil
}

// reportable returns the category with code if residents can report under it, else an
// unknown-category problem that says which to choose.
func (s *Service) reportable(ctx context.Context, code string) (category.Category, error) {
	cat, err := s.categories.Get(ctx, code)
	switch {
	case errors.Is(err, category.ErrNotFound):
		return category.Category{}, unknownCategory(code)
	case err != nil:
		return category.Category{}, err
	case !cat.Reportable(): // a group, such as "wegen"
		return category.Category{}, problem.UnknownCategory.Invalid("category", problem.Text{
			NL: fmt.Sprintf("%q is een groep. Kies een categorie binnen %s.", code, cat.NameNL),
			EN: fmt.Sprintf("%q is a group. Choose a category within %s.", code, cat.Name("en")),
		})
	}
	return cat, nil
}

func unknownCategory(code string) error {
	return problem.UnknownCategory.Invalid("category", problem.Sprintf("We kennen de categorie %q niet. Kies een categorie uit de lijst.",
		"We do not know category %q. Choose a category from the list.", truncate(code, 60)))
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
			// The values to send; in English each with its English name.
			en := make([]string, len(q.Options))
			for i, o := range q.Options {
				en[i] = o
				if name := q.OptionName(i, "en"); name != o {
					en[i] = o + " (" + name + ")"
				}
			}
			return problem.Invalid("answers."+q.Key, problem.T(
				fmt.Sprintf("Kies een van deze antwoorden: %s.", strings.Join(q.Options, ", ")),
				fmt.Sprintf("Choose one of: %s.", strings.Join(en, ", "))))
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
