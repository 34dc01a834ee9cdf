-- +goose Up
-- Keys of Open311 clients: apps and services that file reports on residents' behalf
-- through POST /open311/v2/requests. Only the SHA-256 of a key is kept, so a leaked
-- table gives no working key; revoking a key stops it at once.
CREATE TABLE open311_keys (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    key_hash   bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- +goose Down
DROP TABLE open311_keys;
