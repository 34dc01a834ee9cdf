-- +goose Up
-- Crew members. A worker belongs to one or more teams and sees those teams' tasks.
CREATE TABLE workers (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    role       text NOT NULL CHECK (role IN ('specialist', 'trainee', 'seconded', 'enforcement')),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE worker_teams (
    worker_id bigint NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    team_id   bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (worker_id, team_id)
);
CREATE INDEX worker_teams_team_idx ON worker_teams (team_id);

-- Short-lived codes that a phone exchanges for a device credential. Only hashes are kept.
CREATE TABLE pairing_codes (
    code_hash  bytea PRIMARY KEY,
    worker_id  bigint NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_by text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A paired phone: a revocable bearer credential, stored hashed, and its FCM token.
CREATE TABLE devices (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id    bigint NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    fcm_token    text UNIQUE,
    platform     text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);
CREATE INDEX devices_worker_idx ON devices (worker_id);

-- What a crew member needs to finish a job.
ALTER TABLE jobs
    ADD COLUMN note             text NOT NULL DEFAULT '',
    ADD COLUMN reason           text NOT NULL DEFAULT '',
    ADD COLUMN reason_text      text NOT NULL DEFAULT '',
    ADD COLUMN quality_level    text NOT NULL DEFAULT 'B';

CREATE TABLE job_hours (
    job_id     bigint NOT NULL REFERENCES jobs (id),
    worker_id  bigint NOT NULL REFERENCES workers (id),
    hours      numeric(5, 2) NOT NULL CHECK (hours > 0 AND hours <= 24),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, worker_id)
);

CREATE TABLE job_photos (
    job_id     bigint NOT NULL REFERENCES jobs (id),
    hash       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('before', 'after', 'report')),
    width      integer NOT NULL,
    height     integer NOT NULL,
    bytes      bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, kind, hash)
);

-- The task feed: one row per change of a job for each team that must hear of it (the
-- team it has, and the team it left). Crew phones sync with its seq as cursor. Triggers
-- keep it, so no code path can change a job without the phones seeing it.
CREATE TABLE task_feed (
    seq     bigint PRIMARY KEY,
    team_id bigint NOT NULL,
    job_id  bigint NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_feed_team_seq_idx ON task_feed (team_id, seq);

-- +goose StatementBegin
CREATE FUNCTION jobs_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_seq := nextval('job_change_seq');
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER jobs_touch BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_touch();

-- +goose StatementBegin
CREATE FUNCTION jobs_feed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.team_id IS NOT NULL THEN
        INSERT INTO task_feed (seq, team_id, job_id) VALUES (NEW.change_seq, NEW.team_id, NEW.id);
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.team_id IS NOT NULL AND OLD.team_id IS DISTINCT FROM NEW.team_id THEN
        INSERT INTO task_feed (seq, team_id, job_id) VALUES (nextval('job_change_seq'), OLD.team_id, NEW.id);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER jobs_feed AFTER INSERT OR UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_feed();

-- Push requests, written in the transaction that changes the job (transactional outbox),
-- sent by the push worker. One delivery row per device token makes sending at most once
-- per token.
CREATE TABLE push_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id          bigint NOT NULL REFERENCES jobs (id),
    team_id         bigint REFERENCES teams (id),
    kind            text NOT NULL,
    version         integer NOT NULL,
    title_nl        text NOT NULL,
    body_nl         text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    done_at         timestamptz,
    last_error      text NOT NULL DEFAULT ''
);
CREATE INDEX push_outbox_pending_idx ON push_outbox (next_attempt_at) WHERE done_at IS NULL;

CREATE TABLE push_deliveries (
    outbox_id  bigint NOT NULL REFERENCES push_outbox (id) ON DELETE CASCADE,
    token      text NOT NULL,
    state      text NOT NULL CHECK (state IN ('sending', 'sent', 'retry', 'failed', 'unregistered', 'expired')),
    attempts   integer NOT NULL DEFAULT 0,
    last_error text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outbox_id, token)
);

-- +goose StatementBegin
CREATE FUNCTION notify_push_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('push_outbox', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER push_outbox_notify AFTER INSERT ON push_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION notify_push_outbox();

-- +goose Down
DROP TABLE push_deliveries;
DROP TABLE push_outbox;
DROP FUNCTION notify_push_outbox();
DROP TRIGGER jobs_feed ON jobs;
DROP FUNCTION jobs_feed();
DROP TRIGGER jobs_touch ON jobs;
DROP FUNCTION jobs_touch();
DROP TABLE task_feed;
DROP TABLE job_photos;
DROP TABLE job_hours;
ALTER TABLE jobs DROP COLUMN note, DROP COLUMN reason, DROP COLUMN reason_text, DROP COLUMN quality_level;
DROP TABLE devices;
DROP TABLE pairing_codes;
DROP TABLE worker_teams;
DROP TABLE workers;
