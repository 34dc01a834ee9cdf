-- +goose Up
-- NOTIFY inside the intake transaction serialises every committing transaction on
-- PostgreSQL's global notification queue lock, held until the commit is flushed: it
-- capped intake at about one report per WAL flush. Push workers now poll every second
-- (an index-only look at due rows) and still LISTEN, so a writer outside the hot path may
-- nudge them with NOTIFY push_outbox after it commits.
DROP TRIGGER push_outbox_notify ON push_outbox;

-- +goose Down
CREATE TRIGGER push_outbox_notify AFTER INSERT ON push_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION notify_push_outbox();
