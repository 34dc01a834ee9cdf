package job

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"wijkwerk/backend/database"
	"wijkwerk/backend/idempotency"
	"wijkwerk/backend/mail"
	"wijkwerk/backend/plaintext"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
	"wijkwerk/backend/worker"
)

// Service changes jobs on behalf of people: crews moving their tasks along.
type Service struct {
	db      *gorm.DB
	jobs    *Store
	updates Updates
}

// NewService returns a Service. Residents who asked for news hear as updates says.
func NewService(db *gorm.DB, jobs *Store, updates Updates) *Service {
	return &Service{db: db, jobs: jobs, updates: updates}
}

// Updates says how residents who asked for updates hear news of their jobs: by push to
// their app, which may stay undelivered for PushTTL, and, when MailTTL is not zero, by
// e-mail, which may wait MailTTL. A zero MailTTL means mail is off (no SMTP server is
// configured): then no mail is queued at all, rather than mail that never goes.
type Updates struct {
	PushTTL, MailTTL time.Duration
}

// Hours is time one worker spent on a job.
type Hours struct {
	WorkerID int64   `json:"worker_id"`
	Hours    float64 `json:"hours"`
}

// Act is a crew action on a task, as a phone sends it.
type Act struct {
	JobID   int64
	Action  Action
	Version int    // the version the phone saw (If-Match)
	Key     string // Idempotency-Key
	Actor   string // "worker:12"
	// ActorRole is the role of the worker whose phone acts: a complete without hours
	// is checked against the category's trainee rule as that worker's work.
	ActorRole string `json:"-"`
	// Teams are the worker's teams now, which the server knows, not the phone: left out
	// of the request's hash, so a retry after a team change still gets the first answer.
	Teams []int64 `json:"-"`
	// For complete:
	Note  string
	Hours []Hours
	// For cannot-complete:
	Reason     string
	ReasonText string
}

// Limits on what a crew sends with an action.
const (
	MaxNote         = 2000
	MaxHoursPerTask = 24
)

func (a *Act) validate() error {
	a.Note = plaintext.Clean(a.Note)
	a.ReasonText = plaintext.Clean(a.ReasonText)
	if utf8.RuneCountInString(a.Note) > MaxNote {
		return problem.Invalid("note", problem.Sprintf("De notitie is te lang (hoogstens %d tekens).", "The note is too long (at most %d characters).", MaxNote))
	}
	if utf8.RuneCountInString(a.ReasonText) > MaxNote {
		return problem.Invalid("text", problem.Sprintf("De uitleg is te lang (hoogstens %d tekens).", "The text is too long (at most %d characters).", MaxNote))
	}
	// Each action takes only its own fields: what another action's field would mean
	// here (hours of an accept, a reason for a start) is not stored anywhere.
	switch {
	case a.Action != Complete && (a.Note != "" || len(a.Hours) > 0):
		field := "note"
		if len(a.Hours) > 0 {
			field = "hours"
		}
		return problem.Invalid(field, problem.T("Een notitie en uren geeft u op als u de taak afrondt.",
			"A note and hours go with completing the task."))
	case a.Action != CannotFinish && (a.Reason != "" || a.ReasonText != ""):
		field := "reason"
		if a.Reason == "" {
			field = "text"
		}
		return problem.Invalid(field, problem.T("Een reden geeft u op als het werk niet lukt.",
			"A reason goes with reporting that the work could not be done."))
	}
	switch a.Action {
	case Complete:
		seen := map[int64]bool{}
		for i, h := range a.Hours {
			if h.WorkerID <= 0 || seen[h.WorkerID] {
				return problem.Invalid("hours", problem.T("Geef voor iedere collega één keer de uren op.", "Give hours once per worker."))
			}
			seen[h.WorkerID] = true
			// Stored in hundredths: what rounds to 0 is no hours, so 0.01 is the least,
			// and the answer says so (0.001 is "more than 0" to whoever typed it).
			r := math.Round(h.Hours*100) / 100
			if math.IsNaN(r) || r <= 0 || r > MaxHoursPerTask {
				return problem.Invalid("hours", problem.Sprintf(
					"Geef per collega minstens 0,01 uur en hoogstens %d uur. We ronden af op 0,01 uur.",
					"Give each worker at least 0.01 hours and at most %d hours. We round to 0.01 hours.", MaxHoursPerTask))
			}
			a.Hours[i].Hours = r
		}
	case CannotFinish:
		if _, ok := Reasons[a.Reason]; !ok {
			return problem.Invalid("reason", problem.T("Kies een reden uit de lijst.", "Choose a reason from the list."))
		}
		if a.Reason == "other" && a.ReasonText == "" {
			return problem.Invalid("text", problem.T("Leg kort uit waarom het niet lukte.", "Explain briefly why it could not be done."))
		}
	}
	return nil
}

// Do performs a crew action. A replay with the same key returns the first result; a
// stale version is a stale-version problem with the current task; an action that does not
// fit the task's state is an invalid-transition problem. The change, its audit event,
// the hours and the idempotency record commit together.
func (s *Service) Do(ctx context.Context, a Act) (Task, bool, error) {
	if err := a.validate(); err != nil {
		return Task{}, false, err
	}
	body, _ := json.Marshal(a)
	hash := idempotency.Hash(body)
	scope := fmt.Sprintf("task:%d", a.JobID)
	var (
		result   Task
		replayed bool
		// lateFrom is the crew's former team when their complete is refused because
		// the job moved away and the new team began it: the desk hears of the hours.
		lateFrom int64
	)
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		replayed, lateFrom = false, 0
		if a.Key != "" {
			stored, err := idempotency.Claim(ctx, tx, scope, a.Key, hash)
			if err != nil {
				return err
			}
			if stored != nil {
				replayed = true
				return json.Unmarshal(stored.Response, &result)
			}
		}
		var cur struct {
			ID      int64
			Status  string
			Version int
			TeamID  int64
			Trainee string // the category's trainee rule, for the hours of a complete
		}
		err := tx.WithContext(ctx).Raw(`
SELECT j.id, j.status, j.version, COALESCE(j.team_id, 0) AS team_id, c.trainee
FROM jobs j JOIN categories c ON c.code = j.category_code
WHERE j.id = ? FOR UPDATE OF j`, a.JobID).Scan(&cur).Error
		if err != nil {
			return fmt.Errorf("job: act: %w", err)
		}
		if cur.ID == 0 {
			return errTaskNotFound()
		}
		// team is the crew's team the job is with after this action, and action what
		// the audit event calls it.
		team, action, detail := cur.TeamID, string(a.Action), map[string]any{}
		var to Status
		if !containsID(a.Teams, cur.TeamID) {
			former, err := formerTeam(ctx, tx, a.JobID, a.Teams)
			if err != nil {
				return err
			}
			switch movedFate(former != 0, a.Action, a.Version, cur.Version, Status(cur.Status)) {
			case fateNotFound:
				return errTaskNotFound()
			case fateRefused:
				if a.Action == Complete {
					lateFrom = former
				}
				return movedAwayProblem(a.JobID, cur.Version, Status(cur.Status))
			}
			// The crew did the work while a planner moved the job: it goes back to their
			// team, so their hours and the team's figures follow who did it, and the
			// other team's phones drop it in their next sync (the task feed's trigger).
			team, to, action = former, Done, EventCompleteAfterMove
			detail["to_team"] = former
			if cur.TeamID != 0 {
				detail["from_team"] = cur.TeamID
			}
		} else if cur.Version != a.Version {
			return s.stale(ctx, tx, a.JobID)
		} else if to, err = Next(Status(cur.Status), a.Action); err != nil {
			// With the task as it is now, so that a phone can show it (as for a stale version).
			if p, ok := err.(*problem.Error); ok {
				task, terr := NewStore(tx).Task(ctx, a.JobID)
				if terr != nil {
					return terr
				}
				p.Extra = map[string]any{"current": task}
			}
			return err
		}
		if a.Action == Complete {
			if err := s.recordHours(ctx, tx, a, team, cur.Trainee); err != nil {
				return err
			}
		}
		err = tx.WithContext(ctx).Exec(`
UPDATE jobs SET status = ?, version = version + 1, team_id = ?,
       note = CASE WHEN ? <> '' THEN ? ELSE note END,
       reason = ?, reason_text = ?, desk_closed_at = NULL,
       closed_at = CASE WHEN ? IN ('done', 'cannot_complete', 'cancelled') THEN now() ELSE closed_at END
WHERE id = ?`, string(to), team, a.Note, a.Note, a.Reason, a.ReasonText, string(to), a.JobID).Error
		if err != nil {
			return fmt.Errorf("job: act: %w", err)
		}
		if a.Reason != "" {
			detail["reason"] = a.Reason
		}
		if len(a.Hours) > 0 {
			detail["hours"] = a.Hours
		}
		if err := Record(ctx, tx, Event{JobID: a.JobID, Actor: a.Actor, Action: action, From: Status(cur.Status), To: to, Detail: detail}); err != nil {
			return err
		}
		if err := s.tellResidents(ctx, tx, a.JobID, cur.Version+1, to, a.Reason); err != nil {
			return err
		}
		result, err = NewStore(tx).Task(ctx, a.JobID)
		if err != nil {
			return err
		}
		if a.Key != "" {
			return idempotency.Save(ctx, tx, scope, a.Key, 200, result)
		}
		return nil
	})
	if err != nil {
		if lateFrom != 0 {
			if lerr := s.recordLateWork(ctx, a, lateFrom); lerr != nil {
				return Task{}, false, lerr
			}
		}
		return Task{}, false, err
	}
	return result, replayed, nil
}

// residentTokensSQL finds the app tokens of residents who reported or supported a job
// and asked for updates (a supporter's contact is kept only then), with the language
// each resident used and whether they only supported it. A token that both reported
// and supported hears as a reporter; one that reported twice, in the language of its
// latest report.
const residentTokensSQL = `
SELECT DISTINCT ON (job_id, app_token) job_id, app_token AS token, lang, supporter FROM (
  SELECT r.job_id, rc.app_token, rc.lang, false AS supporter, rc.created_at
  FROM report_contacts rc JOIN reports r ON r.id = rc.report_id
  WHERE r.job_id = ANY(CAST(@jobs AS bigint[])) AND rc.app_token <> '' AND rc.wants_updates
  UNION ALL
  SELECT job_id, app_token, lang, true, created_at FROM support_contacts
  WHERE job_id = ANY(CAST(@jobs AS bigint[])) AND app_token <> ''
) t
ORDER BY job_id, app_token, supporter, created_at DESC`

// tellResidents queues a push to the residents' apps when a job reaches its end. Why a
// job could not be done (a reason from the fixed list, never the crew's own words) is
// in the push itself: a neighbour who supported the report has no tracking code to
// look it up.
func (s *Service) tellResidents(ctx context.Context, tx *gorm.DB, id int64, version int, to Status, reason string) error {
	r := push.Request{JobID: id, Kind: push.KindDone, Version: version}
	switch to {
	case Done:
	case CannotComplete:
		r.Kind = push.KindNotPossible
		if reason != "other" {
			r.Reason = Reasons[reason] // as the tracking page says it
		}
	default:
		return nil
	}
	return TellResidents(ctx, tx, s.updates, r)
}

// TellResidents queues each push of news about its job to the apps of the residents who
// reported or supported that job and asked for updates; nothing where there are none.
// With mail on (u.MailTTL), it also queues an e-mail to each of them who gave an address
// (mail.Enqueue), in the same transaction.
// Each resident hears in the language they reported or supported in, with the text for
// reporters or for supporters: one outbox row per job, language and kind of resident.
// One query reads the tokens of all the jobs and one statement writes the rows, however
// many jobs a planner moves at once.
func TellResidents(ctx context.Context, tx *gorm.DB, u Updates, news ...push.Request) error {
	if len(news) == 0 {
		return nil
	}
	if u.MailTTL > 0 {
		if err := mail.Enqueue(ctx, tx, u.MailTTL, news...); err != nil {
			return err
		}
	}
	ids := make([]int64, len(news))
	for i, r := range news {
		ids[i] = r.JobID
	}
	var rows []struct {
		JobID     int64
		Token     string
		Lang      string
		Supporter bool
	}
	if err := tx.WithContext(ctx).Raw(residentTokensSQL, map[string]any{"jobs": database.Int64Array(ids)}).Scan(&rows).Error; err != nil {
		return fmt.Errorf("job: resident tokens: %w", err)
	}
	type audience struct {
		job       int64
		lang      string
		supporter bool
	}
	var (
		order  []audience
		tokens = map[audience][]string{}
	)
	for _, row := range rows {
		a := audience{job: row.JobID, lang: row.Lang, supporter: row.Supporter}
		if _, ok := tokens[a]; !ok {
			order = append(order, a)
		}
		tokens[a] = append(tokens[a], row.Token)
	}
	byJob := make(map[int64]push.Request, len(news))
	for _, r := range news {
		byJob[r.JobID] = r
	}
	reqs := make([]push.Request, len(order))
	for i, a := range order {
		reqs[i] = byJob[a.job]
		reqs[i].Tokens, reqs[i].Lang, reqs[i].Supporters = tokens[a], a.lang, a.supporter
	}
	return push.EnqueueAll(ctx, tx, reqs, u.PushTTL)
}

// hoursWorkersSQL reads, for the workers of the hours in the order given (the array),
// their role and name (empty for no such worker), whether they are members of the team,
// whether they are the crew's colleagues (in one of @teams, the phone's teams: only
// their names may be told the crew), and whether they may get hours for job @job: they were with the crew (worker.AccessOnSQL)
// on the day the work began, so also someone who left since (their hours stay). The
// work began when the crew last pressed start, or, as people forget to, when the job
// was made: whoever left before that did not work on it.
var hoursWorkersSQL = `
WITH began AS (
  SELECT (COALESCE((SELECT max(e.at) FROM audit_events e WHERE e.job_id = @job AND e.action = 'start'), j.created_at)
          AT TIME ZONE 'Europe/Amsterdam')::date AS day
  FROM jobs j WHERE j.id = @job
)
SELECT h.worker_id, COALESCE(w.role, '') AS role, COALESCE(w.name, '') AS name,
       EXISTS (SELECT 1 FROM worker_teams wt WHERE wt.worker_id = h.worker_id AND wt.team_id = @team) AS member,
       EXISTS (SELECT 1 FROM worker_teams wt WHERE wt.worker_id = h.worker_id AND wt.team_id = ANY(CAST(@teams AS bigint[]))) AS colleague,
       COALESCE(` + worker.AccessOnSQL("w", "began.day") + `, false) AS with_crew
FROM unnest(CAST(@workers AS bigint[])) WITH ORDINALITY AS h(worker_id, n)
CROSS JOIN began
LEFT JOIN workers w ON w.id = h.worker_id
ORDER BY h.n`

// insertHoursSQL writes the hours of a job's workers (the arrays, in pairs) at once.
// Hours count on the day they are booked, for participation too; those of a worker
// who has left since count on their last day with the crew (worker.LastDaySQL, its
// last instant): nobody works after leaving, and a phone that was offline may book
// days later.
var insertHoursSQL = `
INSERT INTO job_hours (job_id, worker_id, hours, created_at)
SELECT @job, h.worker_id, h.hours,
       LEAST(now(), ((` + worker.LastDaySQL("w") + ` + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam') - interval '1 microsecond')
FROM unnest(CAST(@workers AS bigint[]), CAST(@hours AS float8[])) AS h(worker_id, hours)
JOIN workers w ON w.id = h.worker_id
ON CONFLICT (job_id, worker_id) DO UPDATE SET hours = EXCLUDED.hours`

// recordHours checks the hours a crew registers with complete against the team and the
// category's trainee rule, then writes them: a fixed number of statements, however many
// workers there are.
func (s *Service) recordHours(ctx context.Context, tx *gorm.DB, a Act, teamID int64, rule string) error {
	if len(a.Hours) == 0 {
		// Without hours, the worker whose phone completes did the work.
		if TraineeRule(rule, []string{a.ActorRole}) != nil {
			return problem.Invalid("hours", problem.T(
				"Een trainee mag dit werk niet alleen afronden. Geef de uren op van wie het werk deed, met een vakspecialist.",
				"A trainee may not complete this work alone. Give the hours of who did the work, with a specialist."))
		}
		return nil
	}
	ids, hours := make([]int64, len(a.Hours)), make([]float64, len(a.Hours))
	for i, h := range a.Hours {
		ids[i], hours[i] = h.WorkerID, h.Hours
	}
	var workers []struct {
		WorkerID  int64
		Role      string
		Name      string
		Member    bool
		Colleague bool
		WithCrew  bool
	}
	err := tx.WithContext(ctx).Raw(hoursWorkersSQL, map[string]any{"job": a.JobID, "team": teamID,
		"teams": database.Int64Array(a.Teams), "workers": database.Int64Array(ids)}).Scan(&workers).Error
	if err != nil {
		return fmt.Errorf("job: hours: %w", err)
	}
	var wrong wrongHours
	roles := make([]string, len(workers))
	for i, w := range workers {
		switch {
		case !w.Member && !w.Colleague:
			wrong.strangers++
		case !w.Member:
			wrong.otherTeam = append(wrong.otherTeam, w.Name)
		case !w.WithCrew:
			// They left before the work began: the phone's list of colleagues may be
			// older than their leaving.
			wrong.gone = append(wrong.gone, w.Name)
		}
		roles[i] = w.Role
	}
	if err := wrong.problem(); err != nil {
		return err
	}
	if err := TraineeRule(rule, roles); err != nil {
		return err
	}
	err = tx.WithContext(ctx).Exec(insertHoursSQL,
		map[string]any{"job": a.JobID, "workers": database.Int64Array(ids), "hours": database.Float64Array(hours)}).Error
	if err != nil {
		return fmt.Errorf("job: hours: %w", err)
	}
	return nil
}

// wrongHours gathers the workers of a complete's hours who may not get them, so that
// one answer names them all: a crew member knows colleagues by name, not by id. Someone
// who is not the crew's colleague (of another team, or no worker at all) stays unnamed:
// the crew has no business knowing who that is.
type wrongHours struct {
	gone      []string // the job's team's members who left before the work began
	otherTeam []string // the phone's colleagues who are not in the job's team
	strangers int      // not the phone's colleagues
}

// problem is the validation problem on "hours" that says what is wrong, nil if nothing.
func (w wrongHours) problem() error {
	var nl, en []string
	if n := len(w.gone); n > 0 {
		nl = append(nl, sentence(listNL(w.gone)+" "+plural(n, "werkte", "werkten")+" niet meer bij de ploeg toen dit werk begon."))
		en = append(en, sentence(listEN(w.gone)+" no longer worked with the crew when this work began."))
	}
	if n := len(w.otherTeam); n > 0 {
		nl = append(nl, sentence(listNL(w.otherTeam)+" "+plural(n, "hoort", "horen")+" niet bij de ploeg van deze taak."))
		en = append(en, sentence(listEN(w.otherTeam)+" "+plural(n, "is", "are")+" not in the crew of this task."))
	}
	switch w.strangers {
	case 0:
	case 1:
		nl = append(nl, "U gaf uren op voor iemand die niet in uw ploeg zit.")
		en = append(en, "You gave hours for someone who is not in your crew.")
	default:
		nl = append(nl, fmt.Sprintf("U gaf uren op voor %d mensen die niet in uw ploeg zitten.", w.strangers))
		en = append(en, fmt.Sprintf("You gave hours for %d people who are not in your crew.", w.strangers))
	}
	if len(nl) == 0 {
		return nil
	}
	nl = append(nl, "Geef de uren van wie het werk deed.")
	en = append(en, "Give the hours of who did the work.")
	return problem.Invalid("hours", problem.T(strings.Join(nl, " "), strings.Join(en, " ")))
}

// listNL and listEN join names as a sentence does: "A", "A en B", "A, B en C".
func listNL(names []string) string { return joinList(names, " en ") }
func listEN(names []string) string { return joinList(names, " and ") }

func joinList(names []string, and string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + and + names[len(names)-1]
}

func plural(n int, one, more string) string {
	if n == 1 {
		return one
	}
	return more
}

// sentence starts s with a capital, as a name that is written in lower case does not.
func sentence(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

func (s *Service) stale(ctx context.Context, tx *gorm.DB, id int64) error {
	cur, err := NewStore(tx).Task(ctx, id)
	if err != nil {
		return err
	}
	p := problem.StaleVersion.New(problem.Sprintf(
		"Deze taak is intussen gewijzigd (nu versie %d). Bekijk de taak opnieuw.",
		"This task changed in the meantime (now version %d). Look at it again.", cur.Version))
	p.Extra = map[string]any{"current": cur}
	return p
}

// CheckPhoto says whether a crew of teams may add a photo to job id: nil when the job is
// one of theirs and still needs work; a TaskClosed problem when it is closed (photoFits).
// A job that was theirs and moved to another team takes it while that team has not
// begun the job (movedFate: the crew's complete will close it); else it is a conflict
// with the task marked removed (the phone drops it and says so, as for an action). Any
// other job is not found. It is checked before the photo is processed and stored;
// AddPhoto checks again under the job's lock.
func (s *Service) CheckPhoto(ctx context.Context, id int64, teams []int64) error {
	return crewMayPhoto(ctx, s.db, id, teams, false)
}

// crewMayPhoto is CheckPhoto in db; lock locks the job's row.
func crewMayPhoto(ctx context.Context, db *gorm.DB, id int64, teams []int64, lock bool) error {
	var cur struct {
		ID      int64
		Version int
		Status  string
		TeamID  int64
	}
	q := `SELECT id, version, status, COALESCE(team_id, 0) AS team_id FROM jobs WHERE id = ?`
	if lock {
		q += " FOR UPDATE"
	}
	if err := db.WithContext(ctx).Raw(q, id).Scan(&cur).Error; err != nil {
		return fmt.Errorf("job: photo: %w", err)
	}
	if cur.ID == 0 {
		return errTaskNotFound()
	}
	if containsID(teams, cur.TeamID) {
		return photoFits(Status(cur.Status))
	}
	former, err := formerTeam(ctx, db, id, teams)
	if err != nil {
		return err
	}
	switch movedFate(former != 0, "", 0, cur.Version, Status(cur.Status)) {
	case fateTaken:
		return nil
	case fateRefused:
		return movedAwayProblem(id, cur.Version, Status(cur.Status))
	}
	return errTaskNotFound()
}

// TaskClosed is the problem of a crew's photo for a job that is closed (done, could not
// be completed, cancelled). Its type is part of the API: the crew app drops such a photo
// alone, as one the task has no room for.
var TaskClosed = problem.Kind{Type: "task-closed", Status: 409,
	Title: problem.T("Deze taak is al afgesloten", "This task is closed already"),
	About: problem.T("De taak is klaar, lukte niet of is geannuleerd. Er kunnen geen foto's meer bij.",
		"The task is done, could not be done or was cancelled. No more photos can be added.")}

// Kinds lists this package's problem kinds, for the problem documentation.
func Kinds() []problem.Kind { return []problem.Kind{TaskClosed} }

// photoFits refuses a crew's photo for a job in status st that is closed: what a crew
// adds after the end is not checked by anyone before the public sees it (a done job's
// after-photos are on the resident's tracking page at once), and the work it would show
// is over.
func photoFits(st Status) error {
	if st.IsOpen() {
		return nil
	}
	l := st.Label()
	return TaskClosed.New(problem.T(
		"Deze taak is afgesloten (“"+l.NL+"”). Er kunnen geen foto's meer bij.",
		"This task is closed (“"+l.EN+"”). No more photos can be added."))
}

func movedAwayProblem(id int64, version int, status Status) error {
	p := problem.StaleVersion.New(problem.T(
		"Deze taak is intussen naar een andere ploeg gegaan.", "This task has moved to another crew in the meantime."))
	p.Extra = map[string]any{"current": Task{ID: id, Version: version, Status: status, Removed: true}}
	return p
}

func errTaskNotFound() error {
	return problem.NotFound.New(problem.T("Deze taak bestaat niet of is niet voor uw ploeg.", "This task does not exist or is not for your crew."))
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// TraineeRule checks the roles of the workers who registered hours on one job against
// the category's trainee rule: with "no", a trainee may not register hours at all; with
// "paired", a trainee's hours need a specialist's hours on the same job; "alone" allows
// everything. Hours of other roles (seconded, enforcement) never break the rule. A job
// completed without hours is checked as the work of the worker whose phone completes it.
func TraineeRule(rule string, roles []string) error {
	var trainee, specialist bool
	for _, r := range roles {
		switch r {
		case "trainee":
			trainee = true
		case "specialist":
			specialist = true
		}
	}
	switch {
	case !trainee:
		return nil
	case rule == "no":
		return problem.Invalid("hours", problem.T(
			"Dit werk mag alleen een vakspecialist doen. Haal de uren van de trainee weg.",
			"Only a specialist may do this work. Remove the trainee's hours."))
	case rule == "paired" && !specialist:
		return problem.Invalid("hours", problem.T(
			"Een trainee mag dit werk alleen samen met een vakspecialist doen. Geef ook de uren van de vakspecialist op.",
			"A trainee may only do this work together with a specialist. Add the specialist's hours too."))
	}
	return nil
}
