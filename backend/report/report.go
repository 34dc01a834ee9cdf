// Package report takes in residents' reports (meldingen): it validates them, joins a
// report to an open job of the same issue nearby or starts a new routed job, and tells
// residents how their report is doing. The app API and Open311 both use it.
package report

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"wijkwerk/backend/contact"
	"wijkwerk/backend/database"
	"wijkwerk/backend/job"
	"wijkwerk/backend/plaintext"
	"wijkwerk/backend/problem"
)

// Limits on what a resident may send.
const (
	MaxDescription = 2000
	MaxAddress     = 200
	MaxAnswer      = 500
	MaxAppToken    = 4096
)

// Submission is a report as a resident sends it.
type Submission struct {
	Category    string
	Location    orb.Point // lon, lat in WGS84
	Description string
	// Address is the place in words as the resident gave it beside the coordinates
	// (Open311's address_string); the coordinates decide where it is. Left out of the
	// idempotency hash when empty (see submissionHash), so keys stored before it existed
	// still match their retries.
	Address string `json:",omitempty"`
	Contact Contact
	Answers map[string]string
	Channel string // "app" or "open311"
	// Photos were checked, re-encoded and stored before the submission (see package photo).
	Photos []job.Photo
}

// Contact is how a resident may be reached: personal data, stored apart from the report.
// It serves e-mail updates (WantsUpdates) and a planner who may see the job (its area or
// its team is theirs) and needs to ask the reporter something (planner.Store.ReporterContacts, recorded per lookup).
type Contact struct {
	Email string
	Phone string
	// WantsUpdates: the resident asked to hear how it ends (pushes go only then).
	WantsUpdates bool
	// AppToken is the FCM token of a resident app that wants a push when the job ends;
	// dropped when the resident wants no updates.
	AppToken string
	// Lang is the language the resident wrote in ("en" or "nl"; anything else is
	// Dutch): the pushes about the job reach them in it. Left out of the idempotency
	// hash (see submissionHash): the same report asked in another language is the same
	// report, and keys stored before it existed still match their retries.
	Lang string `json:"-"`
}

// lang is the language to store with c: "en" or "nl".
func (c Contact) lang() string {
	if c.Lang == "en" {
		return "en"
	}
	return "nl"
}

// Empty reports whether no contact details were given.
func (c Contact) Empty() bool {
	return c.Email == "" && c.Phone == "" && !c.WantsUpdates && c.AppToken == ""
}

// Validate checks what can be checked without the database, and normalises s.
func (s *Submission) Validate() error {
	var fields []problem.Field
	add := func(name string, reason problem.Text) {
		fields = append(fields, problem.Field{Name: name, Reason: reason})
	}

	s.Category = strings.TrimSpace(s.Category)
	if s.Category == "" {
		add("category", problem.T("Kies een categorie.", "Choose a category."))
	}
	if err := ValidLocation(s.Location); err != nil {
		return err
	}
	s.Description = plaintext.Clean(s.Description)
	if !database.Text(s.Description) {
		add("description", problem.T("De omschrijving bevat ongeldige tekens.", "The description contains invalid characters."))
	} else if n := utf8.RuneCountInString(s.Description); n > MaxDescription {
		add("description", problem.Sprintf("De omschrijving is te lang: %d tekens. Het mogen er %d zijn.",
			"The description is too long: %d characters. At most %d are allowed.", n, MaxDescription))
	}
	s.Address = strings.TrimSpace(s.Address)
	if !database.Text(s.Address) {
		add("address", problem.T("Het adres bevat ongeldige tekens.", "The address contains invalid characters."))
	} else if n := utf8.RuneCountInString(s.Address); n > MaxAddress {
		add("address", problem.Sprintf("Het adres is te lang: %d tekens. Het mogen er %d zijn.",
			"The address is too long: %d characters. At most %d are allowed.", n, MaxAddress))
	}
	fields = append(fields, s.Contact.normalize()...)
	for k, v := range s.Answers {
		v = plaintext.StripControls(v)
		s.Answers[k] = v // (assigning to a key being ranged over is allowed)
		if utf8.RuneCountInString(v) > MaxAnswer || len(k) > 100 {
			add("answers."+k, problem.T("Dit antwoord is te lang.", "This answer is too long."))
		} else if !database.Text(k) || !database.Text(v) {
			add("answers", problem.T("Een antwoord bevat ongeldige tekens.", "An answer contains invalid characters."))
		}
	}
	if s.Channel == "" {
		s.Channel = "app"
	}
	if len(fields) > 0 {
		return &problem.Error{Kind: problem.ValidationFailed, Detail: fields[0].Reason, Fields: fields}
	}
	return nil
}

// ValidLocation checks that p is a real WGS84 point.
func ValidLocation(p orb.Point) error {
	lon, lat := p[0], p[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return problem.InvalidLocation.New(problem.T("De coördinaten zijn geen getallen.", "The coordinates are not numbers."))
	}
	if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return problem.InvalidLocation.New(problem.T(
			"De coördinaten kloppen niet. Geef eerst de lengtegraad (-180 tot 180), dan de breedtegraad (-90 tot 90).",
			"The coordinates are out of range. Give longitude (-180 to 180) first, then latitude (-90 to 90)."))
	}
	return nil
}

// normalize trims the contact details and says which are not valid.
func (c *Contact) normalize() []problem.Field {
	var fields []problem.Field
	add := func(name string, reason problem.Text) {
		fields = append(fields, problem.Field{Name: name, Reason: reason})
	}
	fields = append(fields, contact.Normalize(&c.Email, &c.Phone)...)
	c.AppToken = strings.TrimSpace(c.AppToken)
	if len(c.AppToken) > MaxAppToken || !database.Text(c.AppToken) {
		add("contact.app_token", problem.T("Het app-token is te lang of bevat ongeldige tekens.", "The app token is too long or contains invalid characters."))
	}
	if c.WantsUpdates && c.Email == "" && c.Phone == "" && c.AppToken == "" {
		add("contact.email", problem.T("Geef een e-mailadres als u berichten wilt krijgen.", "Give an email address to get updates."))
	}
	if !c.WantsUpdates {
		c.AppToken = "" // only ever used to push updates: not kept for someone who wants none
	}
	return fields
}

// Validate trims the contact details and checks them.
func (c *Contact) Validate() error {
	if fields := c.normalize(); len(fields) > 0 {
		return &problem.Error{Kind: problem.ValidationFailed, Detail: fields[0].Reason, Fields: fields}
	}
	return nil
}

// AreaRef names an area in answers.
type AreaRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// TeamRef names a team in answers.
type TeamRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Receipt is the answer to an accepted report. It holds no personal data.
type Receipt struct {
	ID           int64    `json:"id"`
	TrackingCode string   `json:"tracking_code"`
	Status       string   `json:"status"`
	JobID        int64    `json:"job_id"`
	Category     string   `json:"category"`
	Area         AreaRef  `json:"area"`
	Team         *TeamRef `json:"team"`
	DuplicateOf  *int64   `json:"duplicate_of"`
	ReportCount  int      `json:"report_count"`
	// SupportCount is how many residents said "I have this too" (support) without a
	// report of their own; the residents who reported it are both counts together.
	SupportCount int `json:"support_count"`
	// DueDate is the date the job is promised done by, null when none is promised
	// (DuePromised): no crew has it yet.
	DueDate   *string `json:"due_date"`
	CreatedAt string  `json:"created_at"`
	Message   string  `json:"message"`
	MessageEN string  `json:"message_en"`
}

// Tracking is the public status of a report: no personal data, no workers' names.
type Tracking struct {
	TrackingCode string `json:"tracking_code"`
	Status       string `json:"status"`
	// Open is whether the report is open as residents see it (job.PublicOpen), as in
	// Open311: also while the desk decides what happens after the crew could not do it.
	Open bool `json:"open"`
	// Next says what happens next while the desk decides (NextStep); empty otherwise.
	Next string `json:"next,omitempty"`
	// ClosedNote says that the municipality closed it after the crew could not do it, and
	// why (ClosedNote); empty otherwise.
	ClosedNote   string  `json:"closed_note,omitempty"`
	Category     string  `json:"category"`
	CategoryName string  `json:"category_name"`
	Area         AreaRef `json:"area"`
	TeamName     string  `json:"team_name,omitempty"`
	ReportCount  int     `json:"report_count"`
	SupportCount int     `json:"support_count"` // as Receipt's
	// DueDate is the date the job is promised done by, null when none is promised
	// (DuePromised): no crew has it, or it is closed.
	DueDate   *string `json:"due_date"`
	CreatedAt string  `json:"created_at"`
	Timeline  []Step  `json:"timeline"`
	// Photos are the crew's after-photos, once the job is done.
	Photos []string `json:"photos"`
	// WantsUpdates is whether the reporter asked for updates and may still stop them
	// (Service.StopUpdates): only that, never how they are reached.
	WantsUpdates bool `json:"wants_updates"`
}

// Step is one public moment in a report's life.
type Step struct {
	Status string    `json:"status"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}
