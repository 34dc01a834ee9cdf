-- +goose Up
-- The task feed is pruned: rows older than the retention period are deleted in batches.
-- A phone whose cursor came before a deleted row would miss that change, so every batch
-- raises the horizon (the newest transaction id whose feed rows may be gone) in the same
-- transaction as its delete, and a sync from a cursor at or below the horizon is a full
-- sync. One row; pruners lock it, so they take turns.
CREATE TABLE task_feed_horizon (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    xid       xid8 NOT NULL DEFAULT '0',
    pruned_at timestamptz
);
INSERT INTO task_feed_horizon DEFAULT VALUES;

-- +goose Down
-- Rows already pruned stay gone: phones that synced before them may have missed changes
-- until their next full sync.
DROP TABLE task_feed_horizon;
