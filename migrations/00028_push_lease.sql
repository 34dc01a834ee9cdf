-- +goose Up
-- A push worker's lease on an outbox row moves from next_attempt_at to a column of its own
-- that no index holds. Claiming a row then changes no indexed column, so PostgreSQL can
-- write the claimed version beside the old one on the same page without new index
-- entries (a HOT update): claiming was two index entries and a new row version elsewhere
-- for every push, the job of every new report among them (BENCHMARKS.md, eleventh
-- session). next_attempt_at is again only when a row is due: first at once, then after a
-- backoff. A row is free to claim when it is due and not leased (leased_until NULL or
-- past). Rows leased before this migration carry their lease in next_attempt_at still,
-- which a worker respects as before.
ALTER TABLE push_outbox ADD COLUMN leased_until timestamptz;

-- Room on each page for the claimed version of its rows: a new row version can only be
-- HOT on the page of the old one. The outbox is a queue pruned after days, so half-full
-- pages cost little. Applies to pages written from now on.
ALTER TABLE push_outbox SET (fillfactor = 50);

-- +goose Down
ALTER TABLE push_outbox RESET (fillfactor);
ALTER TABLE push_outbox DROP COLUMN leased_until;
