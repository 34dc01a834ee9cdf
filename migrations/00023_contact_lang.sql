-- +goose Up
-- The language a resident reported or supported in ("nl" or "en", from the request's
-- Accept-Language or ?lang=), so that the pushes about the job reach them in it. Contacts
-- from before this migration were all told in Dutch, and stay so. A constant default
-- rewrites nothing (PostgreSQL 11+); the check reads the rows once.
ALTER TABLE report_contacts ADD COLUMN lang text NOT NULL DEFAULT 'nl' CHECK (lang IN ('nl', 'en'));
ALTER TABLE support_contacts ADD COLUMN lang text NOT NULL DEFAULT 'nl' CHECK (lang IN ('nl', 'en'));

-- +goose Down
ALTER TABLE support_contacts DROP COLUMN lang;
ALTER TABLE report_contacts DROP COLUMN lang;
