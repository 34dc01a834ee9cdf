// Package job holds maintenance jobs (werkorders): their states and the rules for moving
// between them, due dates in working days, and their store. A job gathers one or more
// residents' reports of the same issue.
package job

import (
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Status is where a job is in its life.
type Status string

// The job states: open → assigned → accepted → in_progress → done, with cannot_complete
// and cancelled as other ends.
const (
	Open           Status = "open"
	Assigned       Status = "assigned"
	Accepted       Status = "accepted"
	InProgress     Status = "in_progress"
	Done           Status = "done"
	CannotComplete Status = "cannot_complete"
	Cancelled      Status = "cancelled"
)

// OpenStatuses are the states in which a job still needs work; duplicates join only these.
var OpenStatuses = []Status{Open, Assigned, Accepted, InProgress}

// OpenSQL is the SQL condition that job j (the alias every query uses) still needs work:
// its status is one of OpenStatuses. The migrations' partial indexes on open jobs carry
// the same list, so the planner can use them.
var OpenSQL = StatusInSQL(OpenStatuses)

// AwaitingDecisionSQL is the SQL condition that job j waits for the desk: its crew could
// not complete it and no planner has closed it yet (ActionClose) or sent it back to work.
// The migrations' partial index jobs_awaiting_decision_idx carries the same condition.
const AwaitingDecisionSQL = "j.status = 'cannot_complete' AND j.desk_closed_at IS NULL"

// AwaitingDecision reports whether a job in s waits for the desk (AwaitingDecisionSQL):
// deskClosed is whether a planner closed it (desk_closed_at is set).
func AwaitingDecision(s Status, deskClosed bool) bool { return s == CannotComplete && !deskClosed }

// PublicOpen reports whether residents see a job as open: it still needs work, or its
// crew could not do it and the desk has yet to decide what happens next
// (AwaitingDecision). It is closed once it is done or cancelled, or the desk closed it.
// Open311's status and the resident's tracking page follow it.
func PublicOpen(s Status, deskClosed bool) bool { return s.IsOpen() || AwaitingDecision(s, deskClosed) }

// PublicOpenSQL is PublicOpen as an SQL condition on job j.
var PublicOpenSQL = "(" + OpenSQL + " OR (" + AwaitingDecisionSQL + "))"

// StatusInSQL is the SQL condition that job j is in one of statuses.
func StatusInSQL(statuses []Status) string {
	quoted := make([]string, len(statuses))
	for i, s := range statuses {
		quoted[i] = "'" + string(s) + "'"
	}
	return "j.status IN (" + strings.Join(quoted, ", ") + ")"
}

// IsOpen reports whether a job in s still needs work.
func (s Status) IsOpen() bool { return slices.Contains(OpenStatuses, s) }

// Job is a maintenance job.
type Job struct {
	ID            int64
	CategoryCode  string
	Location      orb.Point
	AreaID        int64
	TeamID        int64 // 0 while in the planner queue
	Status        Status
	Description   string
	DueDate       time.Time // a date, at midnight UTC
	EffortMinutes int
	ReportCount   int
	Version       int
	ChangeSeq     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Event is one audit event: who changed what on a job, and when.
type Event struct {
	JobID  int64
	Actor  string
	Action string
	From   Status
	To     Status
	Detail map[string]any
	At     time.Time
}
