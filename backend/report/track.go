package report

import (
	"context"
	"fmt"
	"time"

	"wijkwerk/backend/job"
	"wijkwerk/backend/problem"
	"wijkwerk/backend/publiccode"
)

// ErrNotFound is the problem for an unknown tracking code.
func errTrackingNotFound() error {
	return problem.NotFound.New(problem.T(
		"We kennen deze code niet. Controleer de code en probeer het opnieuw.",
		"We do not know this code. Check the code and try again."))
}

const trackSQL = `
SELECT r.tracking_code, r.created_at, r.job_id, j.status, j.desk_closed_at IS NOT NULL AS desk_closed, j.reason, j.report_count, j.support_count, j.due_date,
       c.code AS category, c.name_nl, c.name_en, a.code AS area_code, a.name AS area_name, a.kind AS area_kind,
       COALESCE(t.name, '') AS team_name, COALESCE(rc.wants_updates, false) AS wants_updates
FROM reports r
JOIN jobs j ON j.id = r.job_id
JOIN categories c ON c.code = r.category_code
JOIN areas a ON a.id = r.area_id
LEFT JOIN teams t ON t.id = j.team_id
LEFT JOIN report_contacts rc ON rc.report_id = r.id
WHERE r.tracking_code = ?`

// Track returns the public status of the report with code, in lang ("nl" or "en").
func (s *Service) Track(ctx context.Context, code, lang string) (Tracking, error) {
	var row struct {
		TrackingCode string
		CreatedAt    time.Time
		JobID        int64
		Status       string
		DeskClosed   bool
		Reason       string
		ReportCount  int
		SupportCount int
		DueDate      time.Time
		Category     string
		NameNL       string
		NameEN       string
		AreaCode     string
		AreaName     string
		AreaKind     string
		TeamName     string
		WantsUpdates bool
	}
	code, ok := publiccode.Parse(code)
	if !ok {
		return Tracking{}, errTrackingNotFound()
	}
	if err := s.db.WithContext(ctx).Raw(trackSQL, code).Scan(&row).Error; err != nil {
		return Tracking{}, fmt.Errorf("report: track: %w", err)
	}
	if row.TrackingCode == "" {
		return Tracking{}, errTrackingNotFound()
	}
	events, err := s.jobs.Events(ctx, row.JobID)
	if err != nil {
		return Tracking{}, err
	}
	st := job.Status(row.Status)
	t := Tracking{
		TrackingCode: row.TrackingCode, Status: row.Status, Open: job.PublicOpen(st, row.DeskClosed),
		Next:       NextStep(st, row.DeskClosed).In(lang),
		ClosedNote: ClosedNote(st, row.DeskClosed, row.Reason).In(lang),
		Category:   row.Category, CategoryName: row.NameNL,
		Area:     AreaRef{Code: row.AreaCode, Name: row.AreaName, Kind: row.AreaKind},
		TeamName: row.TeamName, ReportCount: row.ReportCount, SupportCount: row.SupportCount,
		DueDate:      promisedDate(st, row.TeamName != "", row.DueDate.UTC().Format(time.DateOnly)),
		CreatedAt:    row.CreatedAt.UTC().Format(time.RFC3339),
		Timeline:     timeline(row.CreatedAt, events, lang),
		WantsUpdates: row.WantsUpdates,
	}
	if lang == "en" {
		t.CategoryName = row.NameEN
	}
	var hashes []string
	err = s.db.WithContext(ctx).Raw(`SELECT p.hash FROM job_photos p WHERE p.job_id = ? AND `+publicPhoto+` ORDER BY p.created_at`, row.JobID).
		Scan(&hashes).Error
	if err != nil {
		return Tracking{}, fmt.Errorf("report: track photos: %w", err)
	}
	t.Photos = make([]string, len(hashes))
	for i, h := range hashes {
		t.Photos[i] = PublicPhotoURL(h)
	}
	return t, nil
}

// timeline turns audit events into public steps: when the report came in, and each
// status the job reached since. Who did it is never shown.
func timeline(received time.Time, events []job.Event, lang string) []Step {
	steps := []Step{{Status: "received", Text: stepText("received", lang), At: received.UTC()}}
	reason := "" // why the crew could not do it, as the last cannot_complete said
	for _, e := range events {
		at := e.At.UTC()
		if at.Before(received) {
			at = received.UTC()
		}
		if e.Action == string(job.ActionClose) && e.To == job.CannotComplete {
			// The desk closed it: the status stays, so the step is its own. Its detail is
			// the planner's note, for the desk only.
			steps = append(steps, Step{Status: "closed", Text: ClosedNote(e.To, true, reason).In(lang), At: at})
			continue
		}
		if e.To == "" || e.To == e.From || e.To == job.Open {
			continue
		}
		text := stepText(string(e.To), lang)
		switch {
		case e.To == job.Assigned && (e.From == job.Accepted || e.From == job.InProgress):
			// A planner moved work a crew had taken on: say so, or it reads as a step back.
			text = stepText("moved", lang)
		case e.To == job.Assigned && e.From == job.CannotComplete:
			// A planner sent work that could not be done back to a crew.
			text = stepText("retry", lang)
		}
		if e.To == job.CannotComplete { // with the reason from the fixed list, as the push promised
			reason, _ = e.Detail["reason"].(string)
			text = statusNote(e.To, reason).In(lang)
		}
		steps = append(steps, Step{Status: string(e.To), Text: text, At: at})
	}
	return steps
}

var stepTexts = map[string]problem.Text{
	"received":        problem.T("Melding ontvangen", "Report received"),
	"assigned":        problem.T("Een ploeg gaat het oppakken", "A crew will pick it up"),
	"moved":           problem.T("Een andere ploeg gaat het oppakken", "Another crew will pick it up"),
	"retry":           problem.T("We proberen het opnieuw", "We are trying again"),
	"accepted":        problem.T("De ploeg heeft het ingepland", "The crew has planned it"),
	"in_progress":     problem.T("De ploeg is ermee bezig", "The crew is working on it"),
	"done":            problem.T("Klaar", "Done"),
	"cannot_complete": problem.T("Het lukte niet", "It could not be done"),
	"cancelled":       problem.T("Geannuleerd", "Cancelled"),
}

func stepText(status, lang string) string {
	if t, ok := stepTexts[status]; ok {
		return t.In(lang)
	}
	return status
}

// PublicPhotoURL is where anyone may see an after-photo.
func PublicPhotoURL(hash string) string { return "/api/v1/photos/" + hash }

// publicPhoto is the condition on job_photos p under which anyone may see a photo: a
// crew's after-photo of a job that is done. Photos that residents send are not public
// (they may show people or homes), nor is an after-photo while the work goes on.
const publicPhoto = `p.kind = 'after' AND EXISTS (SELECT 1 FROM jobs pj WHERE pj.id = p.job_id AND pj.status = 'done')`

// PhotoIsPublic reports whether hash is a photo anyone may see (publicPhoto).
func (s *Service) PhotoIsPublic(ctx context.Context, hash string) (bool, error) {
	var ok bool
	err := s.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM job_photos p WHERE p.hash = ? AND `+publicPhoto+`)`, hash).Scan(&ok).Error
	if err != nil {
		return false, fmt.Errorf("report: photo: %w", err)
	}
	return ok, nil
}
