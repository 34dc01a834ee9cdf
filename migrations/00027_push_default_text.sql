-- +goose Up
-- A crew push with its kind's default text keeps no text: the push worker sends each
-- device the default in its language (push.Request.OutboxText). Most rows are such (the
-- push of every new job, written by report intake), so the text columns default to empty
-- and intake leaves them out. Rows written before this migration keep their text and are
-- sent with it. Setting a default rewrites nothing.
ALTER TABLE push_outbox ALTER COLUMN title_nl SET DEFAULT '', ALTER COLUMN body_nl SET DEFAULT '';

-- +goose Down
ALTER TABLE push_outbox ALTER COLUMN title_nl DROP DEFAULT, ALTER COLUMN body_nl DROP DEFAULT;
