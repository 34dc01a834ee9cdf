// Package push tells crews about their tasks through Firebase Cloud Messaging (FCM).
//
// It is a transactional outbox: the use case that changes a job calls [Enqueue] in its
// own transaction, so the push request commits together with the change or not at all.
// A [Worker] (one or more per replica) later claims due outbox rows, sends one message
// per device token of the team's active workers with the Firebase Admin SDK, and records
// one push_deliveries row per token.
//
// Sending is at most once per token and outbox row: a token's delivery row is committed
// in state 'sending' before the SDK is called, and a token with a delivery row is only
// sent to again when that row says 'retry', which it only does after FCM answered that
// it did not take the message (UNAVAILABLE, INTERNAL, QUOTA_EXCEEDED). A worker that
// dies mid-send leaves its tokens in 'sending'; nobody sends to them again. Phones do
// not depend on pushes for correctness: they sync their tasks with the change feed, so
// a lost push costs a little delay, a double push only annoyance.
package push

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/problem"
)

// Kind says what happened to a job, and thereby which default text a push carries.
type Kind string

// The kinds of push a job change can cause.
const (
	// KindAssigned: the job was given to the team.
	KindAssigned Kind = "assigned"
	// KindReassigned: the job moved from one team to another.
	KindReassigned Kind = "reassigned"
	// KindDueChanged: the job's due date changed.
	KindDueChanged Kind = "due_changed"
	// KindCancelled: the job was cancelled.
	KindCancelled Kind = "cancelled"
	// KindDueTomorrow: the job is due tomorrow and not done yet.
	KindDueTomorrow Kind = "due_tomorrow"
	// KindDone: the job a resident reported is done (sent to residents' apps).
	KindDone Kind = "done"
	// KindNotPossible: the job a resident reported could not be done.
	KindNotPossible Kind = "not_possible"
	// KindRetry: a planner sent the job a resident heard could not be done back to a
	// crew.
	KindRetry Kind = "retry"
)

// crewTexts holds the title and body of the pushes to crews, in Dutch and English (B1),
// used when a Request brings none. Each device gets them in its own language.
var crewTexts = map[Kind][2]problem.Text{
	KindAssigned: {
		problem.T("Nieuwe taak", "New task"),
		problem.T("Er is een nieuwe taak voor jullie ploeg.", "There is a new task for your crew."),
	},
	KindReassigned: {
		problem.T("Taak verplaatst", "Task moved"),
		problem.T("Een taak is van ploeg gewisseld. Kijk in de app welke taken nu voor jullie zijn.",
			"A task moved to another crew. Look in the app to see which tasks are yours now."),
	},
	KindDueChanged: {
		problem.T("Nieuwe datum", "New date"),
		problem.T("De datum van een taak is veranderd. Kijk in de app wanneer die klaar moet zijn.",
			"The date of a task has changed. Look in the app to see when it must be done."),
	},
	KindCancelled: {
		problem.T("Taak gaat niet door", "Task cancelled"),
		problem.T("Een taak gaat niet door. Jullie hoeven er niets meer aan te doen.",
			"A task is cancelled. You do not have to do anything more for it."),
	},
	KindDueTomorrow: {
		problem.T("Taak voor morgen", "Task for tomorrow"),
		problem.T("Een taak moet morgen klaar zijn.", "A task must be done tomorrow."),
	},
}

// residentTexts holds the title and body of the pushes to residents' apps, used when a
// Request brings none, in Dutch (B1) and English: for those who reported the job, and
// for those who only supported it ("Ik heb dit ook"), who filed no report of their own.
var residentTexts = map[Kind]struct{ reporter, supporter [2]problem.Text }{
	KindDone: {
		reporter: [2]problem.Text{
			problem.T("Uw melding is opgelost", "Your report is solved"),
			problem.T("De ploeg is klaar. Bedankt voor uw melding!", "The crew is done. Thank you for your report!"),
		},
		supporter: [2]problem.Text{
			problem.T("Het is opgelost", "It is solved"),
			problem.T("Het probleem dat u ook zag, is opgelost. Bedankt dat u het liet weten!",
				"The problem you also saw is solved. Thank you for letting us know!"),
		},
	},
	KindNotPossible: {
		reporter: [2]problem.Text{
			problem.T("Over uw melding", "About your report"),
			problem.T("Het lukte de ploeg niet om dit op te lossen.", "The crew could not solve this."),
		},
		supporter: [2]problem.Text{
			problem.T("Over het probleem dat u ook zag", "About the problem you also saw"),
			problem.T("Het lukte de ploeg niet om dit op te lossen.", "The crew could not solve this."),
		},
	},
	KindRetry: {
		reporter: [2]problem.Text{
			problem.T("Over uw melding", "About your report"),
			problem.T("We proberen het opnieuw. Een ploeg gaat het oppakken.", "We are trying again. A crew will pick it up."),
		},
		supporter: [2]problem.Text{
			problem.T("Over het probleem dat u ook zag", "About the problem you also saw"),
			problem.T("We proberen het opnieuw. Een ploeg gaat het oppakken.", "We are trying again. A crew will pick it up."),
		},
	},
}

// reasonText follows the body of a push with the reason a job could not be done, as
// the tracking page says it.
var reasonText = problem.T("Reden: %s.", "Reason: %s.")

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	_, crew := crewTexts[k]
	_, resident := residentTexts[k]
	return crew || resident
}

// Request asks for a push about one job to every device of one team, or to residents'
// app tokens.
type Request struct {
	// JobID is the job the push is about; the phone fetches it by this id.
	JobID int64
	// TeamID is the team whose workers' devices get the push.
	TeamID int64
	// Tokens are residents' app tokens that get the push, for a request without team.
	Tokens []string
	// Kind is what happened to the job.
	Kind Kind
	// Version is the job's version after the change, so a phone can tell whether it
	// already has that state.
	Version int
	// Title and Body are the notification text, in Dutch and English. Empty ones (the
	// zero Text) get the default text for Kind. A crew device gets the text in its own
	// language (devices.lang), residents in Lang.
	Title, Body problem.Text
	// Lang is the language of the residents whose Tokens get the push: "en" for
	// English, anything else Dutch. A crew push carries both languages.
	Lang string
	// Supporters says that the Tokens are of residents who supported the job ("Ik heb
	// dit ook") without a report of their own: their default text does not speak of
	// their report.
	Supporters bool
	// Reason is why the job could not be done (KindNotPossible); the default body says
	// it, in Lang.
	Reason problem.Text
}

// ErrInvalid means a Request or ttl that Enqueue cannot store.
var ErrInvalid = errors.New("push: invalid request")

// Text returns the title and body the push will show, in Dutch and English: r's own, or
// the default for its kind (fit for supporters, for residents) where r leaves them
// empty, the body followed by r.Reason if any. It is the one place push texts are made.
func (r Request) Text() (title, body problem.Text) {
	d := crewTexts[r.Kind]
	if t, ok := residentTexts[r.Kind]; ok {
		d = t.reporter
		if r.Supporters {
			d = t.supporter
		}
	}
	title, body = r.Title, r.Body
	if title == (problem.Text{}) {
		title = d[0]
	}
	if body == (problem.Text{}) {
		body = d[1]
		if r.Reason != (problem.Text{}) {
			body = problem.T(withReason(body, r.Reason, "nl"), withReason(body, r.Reason, "en"))
		}
	}
	return title, body
}

// withReason is body in lang followed by the reason (reasonText).
func withReason(body, reason problem.Text, lang string) string {
	return body.In(lang) + " " + fmt.Sprintf(reasonText.In(lang), reason.In(lang))
}

// OutboxText returns the texts of r as push_outbox keeps them. A crew push with its
// kind's default text keeps none: all four are empty, and the worker sends each device
// the default in its language (claimedRow.fillDefaultText). Most pushes are such, the
// one of every new job among them, so the outbox rows stay small: each is written three
// times (queued, claimed, done), and a text in both languages was about a seventh of a
// report's WAL (BENCHMARKS.md). A crew push with text of its own keeps it in Dutch
// (title_nl, body_nl) and English (title_en, body_en); a push to residents' apps keeps
// theirs in their language only, in the _nl columns, the _en ones empty (see migration
// 00026). It serves Enqueue and the statements that write the outbox themselves.
func (r Request) OutboxText() (titleNL, bodyNL, titleEN, bodyEN string) {
	if r.TeamID > 0 && r.Title == (problem.Text{}) && r.Body == (problem.Text{}) && r.Reason == (problem.Text{}) {
		return "", "", "", ""
	}
	title, body := r.Text()
	if r.TeamID <= 0 {
		return title.In(r.Lang), body.In(r.Lang), "", ""
	}
	return title.In("nl"), body.In("nl"), title.In("en"), body.In("en")
}

func (r Request) validate(ttl time.Duration) error {
	switch {
	case r.JobID <= 0:
		return fmt.Errorf("%w: no job id", ErrInvalid)
	case r.TeamID <= 0 && len(r.Tokens) == 0:
		return fmt.Errorf("%w: no team id and no tokens", ErrInvalid)
	case !r.Kind.Valid():
		return fmt.Errorf("%w: unknown kind %q", ErrInvalid, r.Kind)
	case ttl <= 0:
		return fmt.Errorf("%w: ttl must be positive", ErrInvalid)
	}
	return nil
}

// enqueueSQL writes the requests, one row each, with one statement: the arrays are their
// fields, in the order of the requests. A request's tokens come as a text array literal.
const enqueueSQL = `
INSERT INTO push_outbox (job_id, team_id, kind, version, title_nl, body_nl, title_en, body_en, expires_at, tokens)
SELECT r.job_id, NULLIF(r.team_id, 0), r.kind, r.version, r.title_nl, r.body_nl, r.title_en, r.body_en,
       now() + make_interval(secs => ?), CAST(r.tokens AS text[])
FROM unnest(CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]),
            CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
  AS r(job_id, team_id, kind, version, title_nl, body_nl, title_en, body_en, tokens)`

// Enqueue writes a push request in the caller's transaction tx (the outbox), so it is
// sent only if the change it reports commits. ttl is how long the push may stay
// undelivered: after that it is dropped, because an old "new task" nudge helps nobody.
// Workers find the row within their poll interval after tx commits.
func Enqueue(ctx context.Context, tx *gorm.DB, r Request, ttl time.Duration) error {
	return EnqueueAll(ctx, tx, []Request{r}, ttl)
}

// EnqueueAll writes push requests like Enqueue, all with one statement, or none when one
// of them is invalid.
func EnqueueAll(ctx context.Context, tx *gorm.DB, rs []Request, ttl time.Duration) error {
	if len(rs) == 0 {
		return nil
	}
	var (
		jobs, teams, versions = make([]int64, len(rs)), make([]int64, len(rs)), make([]int64, len(rs))
		kinds, tokens         = make([]string, len(rs)), make([]string, len(rs))
		titles, bodies        = make([]string, len(rs)), make([]string, len(rs))
		titlesEN, bodiesEN    = make([]string, len(rs)), make([]string, len(rs))
	)
	for i, r := range rs {
		if err := r.validate(ttl); err != nil {
			return err
		}
		jobs[i], teams[i], versions[i], kinds[i] = r.JobID, r.TeamID, int64(r.Version), string(r.Kind)
		titles[i], bodies[i], titlesEN[i], bodiesEN[i] = r.OutboxText()
		tokens[i] = database.TextArray(r.Tokens)
	}
	err := tx.WithContext(ctx).Exec(enqueueSQL, ttl.Seconds(),
		database.Int64Array(jobs), database.Int64Array(teams), database.TextArray(kinds), database.Int64Array(versions),
		database.TextArray(titles), database.TextArray(bodies), database.TextArray(titlesEN), database.TextArray(bodiesEN),
		database.TextArray(tokens)).Error
	if err != nil {
		return fmt.Errorf("push: enqueue: %w", err)
	}
	return nil
}
