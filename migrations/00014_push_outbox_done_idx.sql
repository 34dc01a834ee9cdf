-- +goose Up
-- Finished outbox rows are pruned some days after they finished (push.Prune, from the
-- housekeeping of wijkwerk serve). This index finds them by age without reading the whole
-- outbox. Rows waiting to be sent have no entry: the enqueue on the intake path writes
-- nothing to it, only the update that marks a row done does.
CREATE INDEX push_outbox_done_idx ON push_outbox (done_at) WHERE done_at IS NOT NULL;

-- +goose Down
DROP INDEX push_outbox_done_idx;
