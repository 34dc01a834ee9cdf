-- +goose Up
-- People at a desk: planners (scoped to areas), job coaches and admins.
CREATE TABLE desk_users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('planner', 'jobcoach', 'admin')),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- The areas (roots of subtrees) a desk user may see. Admins see everything.
CREATE TABLE desk_user_areas (
    user_id bigint NOT NULL REFERENCES desk_users (id) ON DELETE CASCADE,
    area_id bigint NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, area_id)
);

CREATE TABLE desk_sessions (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES desk_users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX desk_sessions_expires_idx ON desk_sessions (expires_at);

-- +goose Down
DROP TABLE desk_sessions;
DROP TABLE desk_user_areas;
DROP TABLE desk_users;
