-- +goose Up
-- The API keeps a phone's credential check for a few seconds (worker.Store.Authenticate);
-- every change that could change its answer notifies crew_auth, on which every replica
-- empties that cache. These tables change rarely (the desk, pairing), so the notify lock
-- they take at commit costs nothing that matters; a pairing (INSERT INTO devices) and a
-- device's last_seen_at or push token change no answer and notify nothing.
-- +goose StatementBegin
CREATE FUNCTION notify_crew_auth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('crew_auth', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER devices_crew_auth AFTER UPDATE OF revoked_at, worker_id, token_hash OR DELETE OR TRUNCATE ON devices
    FOR EACH STATEMENT EXECUTE FUNCTION notify_crew_auth();
CREATE TRIGGER workers_crew_auth AFTER UPDATE OF active, name, role OR DELETE OR TRUNCATE ON workers
    FOR EACH STATEMENT EXECUTE FUNCTION notify_crew_auth();
CREATE TRIGGER worker_teams_crew_auth AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON worker_teams
    FOR EACH STATEMENT EXECUTE FUNCTION notify_crew_auth();

-- +goose Down
DROP TRIGGER worker_teams_crew_auth ON worker_teams;
DROP TRIGGER workers_crew_auth ON workers;
DROP TRIGGER devices_crew_auth ON devices;
DROP FUNCTION notify_crew_auth();
