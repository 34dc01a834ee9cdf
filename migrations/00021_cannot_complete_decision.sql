-- +goose Up
-- A job the crew could not complete waits for the desk: a planner sends it back to work
-- (reassign, which clears this again) or closes it, accepting that it ends there. Until
-- then desk_closed_at is NULL and the job is on the planner's cannot-complete list and
-- counted on the board. Jobs that were cannot_complete before this migration wait too:
-- nobody has decided on them yet.
ALTER TABLE jobs ADD COLUMN desk_closed_at timestamptz;

-- The cannot-complete list pages oldest first (closed_at, id); the board counts them per
-- team and area. The condition is job.AwaitingDecisionSQL.
CREATE INDEX jobs_awaiting_decision_idx ON jobs (closed_at, id)
    INCLUDE (team_id, area_id)
    WHERE status = 'cannot_complete' AND desk_closed_at IS NULL;

-- +goose Down
DROP INDEX jobs_awaiting_decision_idx;
ALTER TABLE jobs DROP COLUMN desk_closed_at;
