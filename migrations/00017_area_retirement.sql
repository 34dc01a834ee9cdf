-- +goose Up
-- Areas are retired, not deleted: when CBS redraws its neighbourhoods, the old ones leave
-- routing (the in-memory index loads only areas without retired_at) while the jobs,
-- reports and initiatives that point at them keep their place names. Importing an area
-- again brings it back. Adding a nullable column without a default rewrites nothing.
ALTER TABLE areas ADD COLUMN retired_at timestamptz;

-- +goose Down
ALTER TABLE areas DROP COLUMN retired_at;
