-- +goose Up
-- Basic quality level (CROW beeldkwaliteit) per area and theme. An area without a row
-- takes its parent's level; the root without one is at 'B'.
CREATE TABLE area_quality (
    area_id    bigint NOT NULL REFERENCES areas (id) ON DELETE CASCADE,
    theme      text NOT NULL CHECK (theme IN ('green', 'paving', 'cleanliness', 'furniture')),
    level      text NOT NULL CHECK (level IN ('A+', 'A', 'B', 'C', 'D')),
    updated_by text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (area_id, theme)
);

-- Residents' initiatives (bewonersinitiatieven): a polygon inside one neighbourhood that
-- residents want above the basic level, with what they commit and what they ask.
-- proposed → approved → active (first contribution) ⇄ paused → ended; proposed → rejected.
CREATE TABLE initiatives (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'proposed'
                    CHECK (status IN ('proposed', 'approved', 'active', 'paused', 'ended', 'rejected')),
    theme           text NOT NULL CHECK (theme IN ('green', 'paving', 'cleanliness', 'furniture')),
    target_level    text NOT NULL CHECK (target_level IN ('A+', 'A', 'B', 'C', 'D')),
    basic_level     text NOT NULL CHECK (basic_level IN ('A+', 'A', 'B', 'C', 'D')),
    title           text NOT NULL,
    description     text NOT NULL DEFAULT '',
    geom            geometry(Polygon, 4326) NOT NULL,
    area_m2         double precision NOT NULL,
    area_id         bigint NOT NULL REFERENCES areas (id),
    tasks           text NOT NULL DEFAULT '',
    hours_per_month numeric(7, 2) NOT NULL DEFAULT 0,
    people          integer NOT NULL DEFAULT 1,
    materials       jsonb NOT NULL DEFAULT '[]',
    guidance_hours  numeric(7, 2) NOT NULL DEFAULT 0,
    team_id         bigint REFERENCES teams (id),
    conditions      text NOT NULL DEFAULT '',
    reason          text NOT NULL DEFAULT '',
    decided_by      text NOT NULL DEFAULT '',
    decided_at      timestamptz,
    -- closed_at is when the initiative ended or was rejected; contact details are erased
    -- a retention period later.
    closed_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- The overlap check looks at initiatives that hold (or may again hold) their place.
CREATE INDEX initiatives_holding_geom_idx ON initiatives USING gist (geom)
    WHERE status IN ('approved', 'active', 'paused');
CREATE INDEX initiatives_area_idx ON initiatives (area_id);
CREATE INDEX initiatives_status_idx ON initiatives (status);
CREATE INDEX initiatives_closed_at_idx ON initiatives (closed_at) WHERE closed_at IS NOT NULL;

-- Contact details are personal data (AVG): kept apart like report_contacts, erased after
-- the initiative closes.
CREATE TABLE initiative_contacts (
    initiative_id bigint PRIMARY KEY REFERENCES initiatives (id) ON DELETE CASCADE,
    name          text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    phone         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- The raised level of an approved initiative's polygon, one row per period it holds:
-- pausing or ending sets raised_until, resuming adds a row. Jobs created inside a row's
-- polygon while it is open carry its level; the council report counts the periods.
CREATE TABLE quality_raises (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    theme         text NOT NULL,
    level         text NOT NULL CHECK (level IN ('A+', 'A', 'B', 'C', 'D')),
    geom          geometry(Polygon, 4326) NOT NULL,
    raised_from   timestamptz NOT NULL DEFAULT now(),
    raised_until  timestamptz
);
CREATE INDEX quality_raises_open_geom_idx ON quality_raises USING gist (geom) WHERE raised_until IS NULL;
CREATE INDEX quality_raises_initiative_idx ON quality_raises (initiative_id);

-- Support jobs the crews do for an initiative: delivering materials, the first session
-- guided by a specialist.
CREATE TABLE initiative_jobs (
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    job_id        bigint NOT NULL UNIQUE REFERENCES jobs (id),
    kind          text NOT NULL CHECK (kind IN ('materials', 'guidance')),
    PRIMARY KEY (initiative_id, kind)
);

-- What residents did: the hours they log, for the council report.
CREATE TABLE initiative_contributions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    day           date NOT NULL,
    hours         numeric(7, 2) NOT NULL CHECK (hours > 0),
    people        integer NOT NULL CHECK (people > 0),
    what          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX initiative_contributions_initiative_idx ON initiative_contributions (initiative_id, day);

-- Every change of an initiative's status: who, when, from, to.
CREATE TABLE initiative_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    actor         text NOT NULL,
    action        text NOT NULL,
    from_status   text NOT NULL DEFAULT '',
    to_status     text NOT NULL DEFAULT '',
    detail        jsonb NOT NULL DEFAULT '{}',
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX initiative_events_initiative_idx ON initiative_events (initiative_id, id);

-- The category of support jobs. It is inactive, so residents cannot report under it and
-- it is not listed, but crews and planners see its name on the jobs.
INSERT INTO categories (code, name_nl, name_en, icon, department, handling_days, effort_minutes, trainee, theme, sort_order, active)
VALUES ('initiatief.steun', 'Steun bewonersinitiatief', 'Support for a residents'' initiative', 'hands',
        'wijkbeheer', 10, 60, 'paired', '', 1000, false)
ON CONFLICT (code) DO NOTHING;

-- +goose Down
DROP TABLE initiative_events;
DROP TABLE initiative_contributions;
DROP TABLE initiative_jobs;
DROP TABLE quality_raises;
DROP TABLE initiative_contacts;
DROP TABLE initiatives;
DROP TABLE area_quality;
DELETE FROM categories WHERE code = 'initiatief.steun' AND NOT EXISTS (SELECT 1 FROM jobs WHERE category_code = 'initiatief.steun');
