-- +goose Up
-- Photos are files named by their hash; the daily sweep removes files no job_photos row
-- names (a report refused after its photos were saved, a crew photo for a task that had
-- moved). It asks by hash, in batches.
CREATE INDEX job_photos_hash_idx ON job_photos (hash);

-- +goose Down
DROP INDEX job_photos_hash_idx;
