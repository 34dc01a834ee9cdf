-- +goose Up
-- The address a resident (through an Open311 client's address_string) gave beside the
-- coordinates: public text, shown with contact details redacted like the description.
-- A constant default rewrites nothing (PostgreSQL 11+).
ALTER TABLE reports ADD COLUMN address text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE reports DROP COLUMN address;
