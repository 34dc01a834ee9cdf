-- +goose Up
CREATE EXTENSION IF NOT EXISTS postgis;

-- Areas form one tree: municipality > district (wijk) > neighbourhood (buurt).
CREATE TABLE areas (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    name       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('municipality', 'district', 'neighbourhood')),
    parent_id  bigint REFERENCES areas (id) ON DELETE SET NULL,
    schematic  boolean NOT NULL DEFAULT false,
    geom       geometry(MultiPolygon, 4326) NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX areas_geom_idx ON areas USING gist (geom);
CREATE INDEX areas_parent_idx ON areas (parent_id);

-- Every change to the areas tells the API instances to reload their in-memory index.
-- +goose StatementBegin
CREATE FUNCTION notify_areas_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('areas_changed', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER areas_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON areas
    FOR EACH STATEMENT EXECUTE FUNCTION notify_areas_changed();

CREATE TABLE categories (
    code           text PRIMARY KEY,
    parent_code    text REFERENCES categories (code),
    name_nl        text NOT NULL,
    name_en        text NOT NULL,
    icon           text NOT NULL DEFAULT '',
    department     text CHECK (department IN ('wijkbeheer', 'afval', 'accommodaties', 'stedelijk_beheer', 'handhaving')),
    handling_days  integer NOT NULL DEFAULT 5 CHECK (handling_days >= 0),
    effort_minutes integer NOT NULL DEFAULT 30 CHECK (effort_minutes >= 0),
    trainee        text NOT NULL DEFAULT 'alone' CHECK (trainee IN ('alone', 'paired', 'no')),
    theme          text NOT NULL DEFAULT '',
    urgent         boolean NOT NULL DEFAULT false,
    questions      jsonb NOT NULL DEFAULT '[]',
    sort_order     integer NOT NULL DEFAULT 0,
    active         boolean NOT NULL DEFAULT true
);

CREATE TABLE teams (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Which team serves which area for which department. One team per area and department;
-- routing walks up the area tree to find the nearest one.
CREATE TABLE team_areas (
    area_id    bigint NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    department text NOT NULL,
    team_id    bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (area_id, department)
);
CREATE INDEX team_areas_team_idx ON team_areas (team_id);

-- change_seq orders every change to a job; crew phones sync with it as cursor.
CREATE SEQUENCE job_change_seq;

CREATE TABLE jobs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category_code text NOT NULL REFERENCES categories (code),
    location      geometry(Point, 4326) NOT NULL,
    area_id       bigint NOT NULL REFERENCES areas (id),
    team_id       bigint REFERENCES teams (id),
    status        text NOT NULL CHECK (status IN ('open', 'assigned', 'accepted', 'in_progress', 'done', 'cannot_complete', 'cancelled')),
    description   text NOT NULL DEFAULT '',
    due_date      date NOT NULL,
    effort_minutes integer NOT NULL,
    report_count  integer NOT NULL DEFAULT 1,
    version       integer NOT NULL DEFAULT 1,
    change_seq    bigint NOT NULL DEFAULT nextval('job_change_seq'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    closed_at     timestamptz
);
-- Duplicate detection looks for open jobs of one category near a point, in metres.
CREATE INDEX jobs_open_location_idx ON jobs USING gist ((location::geography))
    WHERE status IN ('open', 'assigned', 'accepted', 'in_progress');
CREATE INDEX jobs_team_status_idx ON jobs (team_id, status);
CREATE INDEX jobs_change_seq_idx ON jobs (change_seq);

CREATE TABLE reports (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tracking_code text NOT NULL UNIQUE,
    job_id        bigint NOT NULL REFERENCES jobs (id),
    category_code text NOT NULL REFERENCES categories (code),
    location      geometry(Point, 4326) NOT NULL,
    area_id       bigint NOT NULL REFERENCES areas (id),
    description   text NOT NULL DEFAULT '',
    answers       jsonb NOT NULL DEFAULT '{}',
    channel       text NOT NULL DEFAULT 'app',
    duplicate     boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_job_idx ON reports (job_id);
CREATE INDEX reports_created_idx ON reports (created_at);

-- Contact details are personal data (AVG): kept apart from the report so that public
-- queries never touch them and the erase job can delete them in one place.
CREATE TABLE report_contacts (
    report_id     bigint PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    email         text NOT NULL DEFAULT '',
    phone         text NOT NULL DEFAULT '',
    wants_updates boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id      bigint NOT NULL REFERENCES jobs (id),
    actor       text NOT NULL,
    action      text NOT NULL,
    from_status text NOT NULL DEFAULT '',
    to_status   text NOT NULL DEFAULT '',
    detail      jsonb NOT NULL DEFAULT '{}',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_job_idx ON audit_events (job_id, id);

-- A retried request with the same Idempotency-Key gets the first answer back.
CREATE TABLE idempotency_keys (
    scope        text NOT NULL,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    status       integer NOT NULL DEFAULT 0,
    response     jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE audit_events;
DROP TABLE report_contacts;
DROP TABLE reports;
DROP TABLE jobs;
DROP SEQUENCE job_change_seq;
DROP TABLE team_areas;
DROP TABLE teams;
DROP TABLE categories;
DROP TRIGGER areas_changed ON areas;
DROP FUNCTION notify_areas_changed();
DROP TABLE areas;
