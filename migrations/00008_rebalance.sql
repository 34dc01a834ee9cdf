-- +goose Up
-- Rebalance proposals: a planner asks for moves of work between teams, looks at them and
-- applies them with one call. Kept in PostgreSQL so that the apply may reach any replica
-- and survive a restart. result holds the moves (with each job's version at the time)
-- and every team's load before and after, as JSON.
CREATE TABLE rebalance_proposals (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_by bigint NOT NULL REFERENCES desk_users (id) ON DELETE CASCADE,
    week       text NOT NULL,
    threshold  double precision NOT NULL,
    max_moves  integer NOT NULL,
    result     jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    applied_at timestamptz,
    applied_by bigint REFERENCES desk_users (id) ON DELETE SET NULL
);
-- Unapplied proposals are removed after a week.
CREATE INDEX rebalance_proposals_pending_idx ON rebalance_proposals (created_at) WHERE applied_at IS NULL;

-- +goose Down
DROP TABLE rebalance_proposals;
