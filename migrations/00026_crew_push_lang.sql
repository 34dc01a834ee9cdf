-- +goose Up
-- The language of a crew phone's pushes ("nl" or "en"), which the crew app sends with
-- PUT /mobile/v1/device and again when the crew member switches the app's language.
-- Phones paired before this migration were told in Dutch, and stay so until their app
-- says otherwise. A constant default rewrites nothing (PostgreSQL 11+).
ALTER TABLE devices ADD COLUMN lang text NOT NULL DEFAULT 'nl' CHECK (lang IN ('nl', 'en'));

-- The English text of a crew push, beside the Dutch one in title_nl and body_nl: the push
-- worker sends each device the text in its language. Empty means "as title_nl/body_nl":
-- rows from before this migration, and rows for residents' apps.
--
-- title_nl and body_nl are misnamed since migration 00023: a row for residents' apps
-- (team_id NULL, tokens set) holds there the text in those residents' language, which may
-- be English. They keep their names in this change, so that it touches no statement that
-- does not need the English text (the intake statement writes them on the hot path); a
-- later change may rename them to title and body.
ALTER TABLE push_outbox
    ADD COLUMN title_en text NOT NULL DEFAULT '',
    ADD COLUMN body_en  text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE push_outbox DROP COLUMN body_en, DROP COLUMN title_en;
ALTER TABLE devices DROP COLUMN lang;
