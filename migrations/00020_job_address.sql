-- +goose Up
-- The address a report gave (Open311 address_string) goes with its job to the crew's
-- phone. Kept on the job, written by intake with the job, so the task sync reads a column
-- instead of looking up the job's reports for each task (that made a full sync ~17%
-- slower). Adding a column with a constant default rewrites nothing.
ALTER TABLE jobs ADD COLUMN address text NOT NULL DEFAULT '';
UPDATE jobs j SET address = r.address
FROM (SELECT DISTINCT ON (job_id) job_id, address FROM reports WHERE address <> '' ORDER BY job_id, id) r
WHERE j.id = r.job_id;

-- +goose Down
ALTER TABLE jobs DROP COLUMN address;
