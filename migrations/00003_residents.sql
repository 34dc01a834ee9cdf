-- +goose Up
-- Public writes per client per minute (fixed windows). Kept in PostgreSQL so that every
-- API replica counts together.
CREATE UNLOGGED TABLE rate_limits (
    bucket       text NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- "I have this too": one row per resident (device or contact, hashed) per job.
ALTER TABLE jobs ADD COLUMN support_count integer NOT NULL DEFAULT 0;

CREATE TABLE job_supports (
    job_id        bigint NOT NULL REFERENCES jobs (id),
    supporter     bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, supporter)
);

-- Contact details of supporters who want updates: personal data, erased like report contacts.
CREATE TABLE support_contacts (
    job_id        bigint NOT NULL REFERENCES jobs (id),
    supporter     bytea NOT NULL,
    email         text NOT NULL DEFAULT '',
    phone         text NOT NULL DEFAULT '',
    app_token     text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, supporter),
    FOREIGN KEY (job_id, supporter) REFERENCES job_supports (job_id, supporter) ON DELETE CASCADE
);

-- A resident app may give its FCM token to hear when the job is done.
ALTER TABLE report_contacts ADD COLUMN app_token text NOT NULL DEFAULT '';

CREATE INDEX jobs_closed_at_idx ON jobs (closed_at) WHERE closed_at IS NOT NULL;

-- Pushes to residents' apps name their tokens; crew pushes name a team.
ALTER TABLE push_outbox ADD COLUMN tokens text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE push_outbox DROP COLUMN tokens;
DROP INDEX jobs_closed_at_idx;
ALTER TABLE report_contacts DROP COLUMN app_token;
DROP TABLE support_contacts;
DROP TABLE job_supports;
ALTER TABLE jobs DROP COLUMN support_count;
DROP TABLE rate_limits;
