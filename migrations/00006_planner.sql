-- +goose Up
-- Capacity: what a worker is contracted for, and the milestones of a placement
-- (placement start → evaluation, by default three months later → contract end).
ALTER TABLE workers
    ADD COLUMN contract_hours  numeric(4, 1) NOT NULL DEFAULT 32 CHECK (contract_hours >= 0 AND contract_hours <= 60),
    ADD COLUMN placement_start date,
    ADD COLUMN evaluation_due  date,
    ADD COLUMN contract_end    date;

-- Days a worker is away. The reason is a code, never free text: an absence reason can be
-- health data, and the planner only needs to know that someone is away.
CREATE TABLE worker_absences (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id  bigint NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    from_date  date NOT NULL,
    to_date    date NOT NULL,
    reason     text NOT NULL CHECK (reason IN ('leave', 'sick', 'training', 'other')),
    created_by bigint REFERENCES desk_users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (to_date >= from_date)
);
CREATE INDEX worker_absences_worker_idx ON worker_absences (worker_id, to_date);

-- Outflow: a worker leaves for a regular employer, education or elsewhere. From this
-- date on the worker no longer counts for capacity.
CREATE TABLE worker_outflows (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id  bigint NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    date       date NOT NULL,
    employer   text NOT NULL DEFAULT '',
    kind       text NOT NULL CHECK (kind IN ('regular_job', 'education', 'other')),
    created_by bigint REFERENCES desk_users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX worker_outflows_worker_idx ON worker_outflows (worker_id, date);
CREATE INDEX worker_outflows_date_idx ON worker_outflows (date);

-- Development notes by job coaches: PERSONAL DATA. Only job coaches and admins read
-- them; no export, board or log contains them.
CREATE TABLE development_notes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id  bigint NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    author_id  bigint NOT NULL REFERENCES desk_users (id),
    skill      text NOT NULL CHECK (skill IN ('punctuality', 'cooperation', 'safety', 'craft')),
    score      smallint CHECK (score BETWEEN 1 AND 5),
    text       text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX development_notes_worker_idx ON development_notes (worker_id, created_at);

-- A planner's estimate of a job's effort; NULL means the category default, which the
-- job copied into effort_minutes when it was created.
ALTER TABLE jobs ADD COLUMN effort_override_minutes integer
    CHECK (effort_override_minutes BETWEEN 1 AND 6000);

-- The board sums open jobs per team and area; this index holds everything it reads, so
-- the sum is an index-only scan over the open jobs.
CREATE INDEX jobs_open_board_idx ON jobs (team_id, area_id)
    INCLUDE (due_date, effort_minutes, effort_override_minutes)
    WHERE status IN ('open', 'assigned', 'accepted', 'in_progress');
-- Overdue, due-soon and due-tomorrow look open jobs up by due date; the lists page in
-- (due_date, id) order.
CREATE INDEX jobs_open_due_idx ON jobs (due_date, id)
    WHERE status IN ('open', 'assigned', 'accepted', 'in_progress');
-- Participation sums hours per period.
CREATE INDEX job_hours_created_idx ON job_hours (created_at);
CREATE INDEX job_hours_worker_idx ON job_hours (worker_id, created_at);

-- One due-tomorrow push per team and due date, however many replicas or restarts try.
CREATE TABLE due_tomorrow_pushes (
    team_id    bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    due_date   date NOT NULL,
    jobs       integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, due_date)
);

-- +goose Down
DROP TABLE due_tomorrow_pushes;
DROP INDEX job_hours_worker_idx;
DROP INDEX job_hours_created_idx;
DROP INDEX jobs_open_due_idx;
DROP INDEX jobs_open_board_idx;
ALTER TABLE jobs DROP COLUMN effort_override_minutes;
DROP TABLE development_notes;
DROP TABLE worker_outflows;
DROP TABLE worker_absences;
ALTER TABLE workers
    DROP COLUMN contract_end,
    DROP COLUMN evaluation_due,
    DROP COLUMN placement_start,
    DROP COLUMN contract_hours;
