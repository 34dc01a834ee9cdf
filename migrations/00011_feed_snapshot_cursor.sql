-- +goose Up
-- Crew sync cursors were the highest feed seq a phone had seen. But a seq is taken when a
-- transaction writes, not when it commits: a transaction that took seq 100 and committed
-- after one that took seq 105 was never sent to a phone whose cursor had passed 105. Feed
-- rows now carry the id of the transaction that wrote them, and the cursor is the oldest
-- transaction still running when the phone synced (the snapshot's xmin): everything older
-- had committed or rolled back by then, everything newer is sent next time (again, if it
-- was seen already; phones take a task they have by its version).
ALTER TABLE task_feed ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX task_feed_team_xid_idx ON task_feed (team_id, xid);
DROP INDEX task_feed_team_seq_idx;

-- +goose Down
CREATE INDEX task_feed_team_seq_idx ON task_feed (team_id, seq);
DROP INDEX task_feed_team_xid_idx;
ALTER TABLE task_feed DROP COLUMN xid;
