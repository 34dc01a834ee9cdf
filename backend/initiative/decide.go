package initiative

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"gorm.io/gorm"

	"wijkwerk/backend/access"
	"wijkwerk/backend/category"
	"wijkwerk/backend/contact"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/plaintext"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/push"
	"wijkwerk/backend/team"
)

// SupportCategory is the category of the jobs that support initiatives. It is inactive,
// so residents cannot report under it.
const SupportCategory = "initiatief.steun"

// transitions lists, per action, the states it may start from.
var transitions = map[Action][]Status{
	Approve: {Proposed},
	Reject:  {Proposed},
	Pause:   {Approved, Active},
	Resume:  {Paused},
	End:     {Approved, Active, Paused},
}

// Decision is a planner's action on an initiative, with its text: the conditions of an
// approval, the reason of a rejection, pause or end.
type Decision struct {
	Action Action
	Text   string
}

func (d *Decision) validate() error {
	d.Text = plaintext.Clean(d.Text)
	name := "reason"
	if d.Action == Approve {
		name = "conditions"
	}
	if !utf8.ValidString(d.Text) || utf8.RuneCountInString(d.Text) > MaxConditionLength {
		return problem.Invalid(name, problem.Sprintf("Deze tekst is te lang (hoogstens %d tekens).",
			"This text is too long (at most %d characters).", MaxConditionLength))
	}
	if d.Action == Reject && d.Text == "" {
		return problem.Invalid("reason", problem.T("Geef de bewoners een reden voor de afwijzing.",
			"Give the residents a reason for the rejection."))
	}
	return nil
}

// Decide performs a planner's action on the initiative with id, which must be in u's
// part of the area tree (else it is not found). Approval creates the support jobs for the
// team that serves the area (department wijkbeheer), pushes them, and raises the level
// of the polygon; pause and end return it to the basic level, resume raises it again.
// The reason of a rejection, pause or end is the initiative's reason until the next
// decision (resume clears it); the event keeps it too, as the approval's event keeps its
// conditions.
// Everything of one decision commits in one transaction.
func (s *Service) Decide(ctx context.Context, u access.User, id int64, d Decision) (Initiative, error) {
	if _, ok := transitions[d.Action]; !ok {
		return Initiative{}, problem.BadRequest.New(problem.T("Deze actie bestaat niet.", "No such action."))
	}
	if err := d.validate(); err != nil {
		return Initiative{}, err
	}
	var result Initiative
	err := database.Tx(ctx, s.db, func(tx *gorm.DB) error {
		scope, args := access.Scope(u, "i.area_id")
		var cur struct {
			ID            int64
			Status        string
			Theme         string
			TargetLevel   string
			Title         string
			AreaID        int64
			Tasks         string
			Materials     []byte
			GuidanceHours float64
			Contributions int
		}
		err := tx.WithContext(ctx).Raw(`
SELECT i.id, i.status, i.theme, i.target_level, i.title, i.area_id, i.tasks, i.materials, i.guidance_hours,
       (SELECT count(*) FROM initiative_contributions c WHERE c.initiative_id = i.id) AS contributions
FROM initiatives i WHERE i.id = ? AND `+scope+` FOR UPDATE`, append([]any{id}, args...)...).Scan(&cur).Error
		if err != nil {
			return fmt.Errorf("initiative: decide: %w", err)
		}
		if cur.ID == 0 {
			return errNotFoundForDesk()
		}
		from := Status(cur.Status)
		if !allowed(d.Action, from) {
			return problem.InvalidTransition.New(withStatus(
				"Dit kan niet: het initiatief heeft de status %q.", "Not possible: the initiative's status is %q.", from))
		}
		to := next(d.Action, cur.Contributions > 0)
		who := actor(u)
		detail := map[string]any{}
		set := "status = ?, updated_at = now()"
		setArgs := []any{string(to)}

		switch d.Action {
		case Approve:
			basic, teamID, jobs, err := s.approve(ctx, tx, id, cur.Theme, cur.TargetLevel, cur.AreaID, supportPlan{
				initiativeID: id, title: cur.Title, tasks: cur.Tasks, materials: cur.Materials, guidanceHours: cur.GuidanceHours,
				conditions: d.Text, level: cur.TargetLevel, areaID: cur.AreaID, actor: who, pushTTL: s.pushTTL, now: s.now()})
			if err != nil {
				return err
			}
			detail["jobs"] = jobs
			if teamID != 0 {
				detail["team_id"] = teamID
			}
			set += ", basic_level = ?, conditions = ?, team_id = NULLIF(?, 0)::bigint, decided_by = ?, decided_at = now()"
			setArgs = append(setArgs, basic, d.Text, teamID, who)
		case Reject:
			set += ", reason = ?, decided_by = ?, decided_at = now(), closed_at = now()"
			setArgs = append(setArgs, d.Text, who)
		case Pause:
			if err := lower(ctx, tx, id); err != nil {
				return err
			}
			set += ", reason = ?"
			setArgs = append(setArgs, d.Text)
		case Resume:
			if err := raise(ctx, tx, id); err != nil {
				return err
			}
			set += ", reason = ''"
		case End:
			if err := lower(ctx, tx, id); err != nil {
				return err
			}
			cancelled, err := cancelSupport(ctx, tx, id, who, s.pushTTL)
			if err != nil {
				return err
			}
			if len(cancelled) > 0 {
				detail["cancelled_jobs"] = cancelled
			}
			set += ", reason = ?, closed_at = now()"
			setArgs = append(setArgs, d.Text)
		}
		if d.Text != "" {
			// The history says what was agreed, or why: an approval's conditions, the
			// reason of the other decisions.
			if d.Action == Approve {
				detail["conditions"] = d.Text
			} else {
				detail["reason"] = d.Text
			}
		}
		if err := tx.WithContext(ctx).Exec(`UPDATE initiatives SET `+set+` WHERE id = ?`, append(setArgs, id)...).Error; err != nil {
			return fmt.Errorf("initiative: decide: %w", err)
		}
		if err := record(ctx, tx, event{ID: id, Actor: who, Action: string(d.Action), From: from, To: to, Detail: detail}); err != nil {
			return err
		}
		result, err = get(ctx, tx, u, id)
		return err
	})
	if err != nil {
		return Initiative{}, err
	}
	return result, nil
}

// approve checks in tx that the initiative still fits (no overlap with one approved
// meanwhile, target still above the basic level), creates its support jobs and raises
// its level. It returns the basic level and the support team.
func (s *Service) approve(ctx context.Context, tx *gorm.DB, id int64, theme, target string, areaID int64, plan supportPlan) (string, int64, []supportJob, error) {
	// Two approvals of overlapping proposals must not both pass the check.
	if err := tx.WithContext(ctx).Exec(`SELECT pg_advisory_xact_lock(hashtextextended('initiative-theme:' || ?, 0))`, theme).Error; err != nil {
		return "", 0, nil, fmt.Errorf("initiative: lock theme: %w", err)
	}
	var g struct {
		Geom    []byte
		Retired bool
	}
	if err := tx.WithContext(ctx).Raw(`SELECT ST_AsEWKB(i.geom) AS geom, a.retired_at IS NOT NULL AS retired
FROM initiatives i JOIN areas a ON a.id = i.area_id WHERE i.id = ?`, id).Scan(&g).Error; err != nil {
		return "", 0, nil, fmt.Errorf("initiative: approve: %w", err)
	}
	if g.Retired {
		// Proposed before CBS redrew the neighbourhood: no team, no basic level, no place.
		return "", 0, nil, problem.Conflict.New(problem.T(
			"Dit initiatief ligt in een buurt die niet meer bestaat: de buurtindeling is veranderd. Wijs het af. De bewoners kunnen het opnieuw voorstellen.",
			"This initiative lies in a neighbourhood that no longer exists: the neighbourhoods were redrawn. Reject it. The residents can propose it again."))
	}
	if err := checkOverlap(ctx, tx, ewkbParam(g.Geom), theme, id, toPlanner); err != nil {
		return "", 0, nil, err
	}
	basic, err := checkLevel(ctx, tx, areaID, theme, target, toPlanner)
	if err != nil {
		return "", 0, nil, err
	}
	teamID, jobs, err := plan.create(ctx, tx)
	if err != nil {
		return "", 0, nil, err
	}
	if err := raise(ctx, tx, id); err != nil {
		return "", 0, nil, err
	}
	return basic, teamID, jobs, nil
}

func allowed(a Action, from Status) bool {
	for _, s := range transitions[a] {
		if s == from {
			return true
		}
	}
	return false
}

// next is where action a leads. Resuming returns to active when residents already
// logged work, else to approved.
func next(a Action, started bool) Status {
	switch a {
	case Approve:
		return Approved
	case Reject:
		return Rejected
	case Pause:
		return Paused
	case Resume:
		if started {
			return Active
		}
		return Approved
	}
	return Ended
}

// raise opens a raised level for the initiative's polygon.
func raise(ctx context.Context, tx *gorm.DB, id int64) error {
	err := tx.WithContext(ctx).Exec(`
INSERT INTO quality_raises (initiative_id, theme, level, geom)
SELECT id, theme, target_level, geom FROM initiatives WHERE id = ?`, id).Error
	if err != nil {
		return fmt.Errorf("initiative: raise level: %w", err)
	}
	return nil
}

// lower closes the open raised level of the initiative's polygon.
func lower(ctx context.Context, tx *gorm.DB, id int64) error {
	err := tx.WithContext(ctx).Exec(`UPDATE quality_raises SET raised_until = now() WHERE initiative_id = ? AND raised_until IS NULL`, id).Error
	if err != nil {
		return fmt.Errorf("initiative: lower level: %w", err)
	}
	return nil
}

// supportPlan is what approval gives the crew.
type supportPlan struct {
	initiativeID  int64
	title         string
	tasks         string
	materials     []byte
	guidanceHours float64
	conditions    string
	level         string
	areaID        int64
	actor         string
	pushTTL       time.Duration
	now           time.Time
}

// supportJob is one created support job, for the audit detail.
type supportJob struct {
	JobID  int64  `json:"job_id"`
	Kind   string `json:"kind"`
	TeamID int64  `json:"team_id,omitempty"`
}

// create makes the support jobs: "Materialen leveren" when residents asked for
// materials, and "Eerste begeleide sessie met vakspecialist" when they asked for
// guidance. They go to the team that serves the initiative's area for wijkbeheer (walking
// up the area tree), or wait in the planner queue when no team does. Each has an audit
// event and a push to its team, and carries the initiative's level. The push names the
// initiative by its title without contact details (contact.Redact): it passes through
// the push service to lock screens.
func (p supportPlan) create(ctx context.Context, tx *gorm.DB) (int64, []supportJob, error) {
	chain, err := areaChain(ctx, tx, p.areaID)
	if err != nil {
		return 0, nil, err
	}
	t, hasTeam, err := team.ForChain(ctx, tx, chain, string(category.Wijkbeheer))
	if err != nil {
		return 0, nil, err
	}
	var cat struct {
		HandlingDays  int
		EffortMinutes int
	}
	if err := tx.WithContext(ctx).Raw(`SELECT handling_days, effort_minutes FROM categories WHERE code = ?`, SupportCategory).Scan(&cat).Error; err != nil {
		return 0, nil, fmt.Errorf("initiative: support category: %w", err)
	}
	var at struct{ Lon, Lat float64 }
	if err := tx.WithContext(ctx).Raw(`SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM initiatives WHERE id = ?) s`,
		p.initiativeID).Scan(&at).Error; err != nil {
		return 0, nil, fmt.Errorf("initiative: support location: %w", err)
	}
	var materials []Material
	_ = json.Unmarshal(p.materials, &materials)

	type planned struct {
		kind, description string
		effort            int
	}
	var plan []planned
	// The residents' contact stays at the desk (personal data): the crew asks the planner
	// to arrange the delivery or the session. The task text is Dutch only, so is this.
	const ask = "\nBel de planner voor het adres en de contactpersoon."
	suffix := ""
	if p.conditions != "" {
		suffix = "\nVoorwaarden: " + p.conditions
	}
	if len(materials) > 0 {
		items := make([]string, len(materials))
		for i, m := range materials {
			items[i] = fmt.Sprintf("%s %s %s", formatQuantity(m.Quantity), m.Unit, m.Item)
		}
		plan = append(plan, planned{"materials", fmt.Sprintf("Materialen leveren voor bewonersinitiatief %q (nr. %d): %s.%s%s",
			p.title, p.initiativeID, strings.Join(items, "; "), ask, suffix), cat.EffortMinutes})
	}
	if p.guidanceHours > 0 {
		// The first session takes at most half a day; the rest of the guidance follows later.
		effort := int(math.Round(math.Min(p.guidanceHours, 4) * 60))
		plan = append(plan, planned{"guidance", fmt.Sprintf(
			"Eerste begeleide sessie met vakspecialist voor bewonersinitiatief %q (nr. %d). De bewoners doen: %s. Gevraagde begeleiding: %s uur.%s%s",
			p.title, p.initiativeID, p.tasks, formatQuantity(p.guidanceHours), ask, suffix), max(effort, 30)})
	}
	var out []supportJob
	for _, pl := range plan {
		j := job.Job{CategoryCode: SupportCategory, Location: orb.Point{at.Lon, at.Lat}, AreaID: p.areaID, Status: job.Open,
			Description: pl.description, DueDate: job.DueDate(p.now, cat.HandlingDays), EffortMinutes: pl.effort}
		if hasTeam {
			j.TeamID, j.Status = t.ID, job.Assigned
		}
		if err := job.Create(ctx, tx, &j); err != nil {
			return 0, nil, err
		}
		if err := StampJob(ctx, tx, j.ID, p.level); err != nil {
			return 0, nil, err
		}
		err := tx.WithContext(ctx).Exec(`INSERT INTO initiative_jobs (initiative_id, job_id, kind) VALUES (?, ?, ?)`, p.initiativeID, j.ID, pl.kind).Error
		if err != nil {
			return 0, nil, fmt.Errorf("initiative: link support job: %w", err)
		}
		ev := job.Event{JobID: j.ID, Actor: p.actor, Action: "created", To: j.Status,
			Detail: map[string]any{"initiative_id": p.initiativeID, "support": pl.kind}}
		if hasTeam {
			ev.Detail["team_id"] = t.ID
		}
		if err := job.Record(ctx, tx, ev); err != nil {
			return 0, nil, err
		}
		if hasTeam {
			err := push.Enqueue(ctx, tx, push.Request{JobID: j.ID, TeamID: t.ID, Kind: push.KindAssigned, Version: j.Version,
				Title: supportPushTitle, Body: supportPushBody(pl.kind, p.title)}, p.pushTTL)
			if err != nil {
				return 0, nil, err
			}
		}
		out = append(out, supportJob{JobID: j.ID, Kind: pl.kind, TeamID: j.TeamID})
	}
	if !hasTeam {
		return 0, out, nil
	}
	return t.ID, out, nil
}

// cancelSupport cancels the support jobs of initiative id that are still open, with an
// audit event and a push to their team.
func cancelSupport(ctx context.Context, tx *gorm.DB, id int64, who string, ttl time.Duration) ([]int64, error) {
	var open []struct {
		ID     int64
		Status string
		TeamID int64
	}
	err := tx.WithContext(ctx).Raw(`
SELECT j.id, j.status, COALESCE(j.team_id, 0) AS team_id FROM jobs j JOIN initiative_jobs ij ON ij.job_id = j.id
WHERE ij.initiative_id = ? AND `+job.OpenSQL+`
ORDER BY j.id FOR UPDATE OF j`, id).Scan(&open).Error
	if err != nil {
		return nil, fmt.Errorf("initiative: support jobs: %w", err)
	}
	var ids []int64
	for _, j := range open {
		to, err := job.Next(job.Status(j.Status), job.ActionCancel)
		if err != nil {
			return nil, err
		}
		var version int
		err = tx.WithContext(ctx).Raw(`
UPDATE jobs SET status = ?, version = version + 1, closed_at = now()
WHERE id = ? RETURNING version`, string(to), j.ID).Scan(&version).Error
		if err != nil {
			return nil, fmt.Errorf("initiative: cancel job %d: %w", j.ID, err)
		}
		err = job.Record(ctx, tx, job.Event{JobID: j.ID, Actor: who, Action: string(job.ActionCancel), From: job.Status(j.Status), To: to,
			Detail: map[string]any{"initiative_id": id, "reason": "initiative_ended"}})
		if err != nil {
			return nil, err
		}
		if j.TeamID != 0 {
			if err := push.Enqueue(ctx, tx, push.Request{JobID: j.ID, TeamID: j.TeamID, Kind: push.KindCancelled, Version: version}, ttl); err != nil {
				return nil, err
			}
		}
		ids = append(ids, j.ID)
	}
	return ids, nil
}

// formatQuantity prints 20 as "20" and 2.5 as "2,5", as Dutch readers expect.
func formatQuantity(x float64) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	return strings.Replace(s, ".", ",", 1)
}

// supportPushTitle is the title of the push to the team of a new support job.
var supportPushTitle = problem.T("Nieuwe taak: bewonersinitiatief", "New task: residents' initiative")

// supportPushBody is the body of the push to the team of a new support job of kind for
// the initiative titled title. The title goes to lock screens through the push service,
// so it is shown as the public map shows it: contact details redacted, and short.
func supportPushBody(kind, title string) problem.Text {
	t := truncate(contact.Redact(title), 60)
	return problem.T(supportNames[kind].NL+" voor "+t+".", supportNames[kind].In("en")+" for "+t+".")
}
