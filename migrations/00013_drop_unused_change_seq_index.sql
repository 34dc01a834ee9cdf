-- +goose Up
-- No query reads jobs by change_seq since the task feed carries its own positions
-- (migrations 00002 and 00011); the index only cost every job insert and update, and it
-- kept an update of a job's report count from being a HOT update (one that writes no
-- index entries).
DROP INDEX jobs_change_seq_idx;

-- +goose Down
CREATE INDEX jobs_change_seq_idx ON jobs (change_seq);
