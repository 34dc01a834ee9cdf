-- +goose Up
-- A crew member's phone works while they are with the crew: active (the desk has not
-- ended their access), their contract has not ended and they have not flowed out
-- (worker.AccessSQL compares those dates with today at every check). So that the API's
-- cached credential checks (migration 00016) follow a change of those dates at once, a
-- new or removed outflow and a changed contract end or placement start notify crew_auth
-- too. A date that merely passes (midnight) notifies nothing: a cached check lives at
-- most 30 seconds.
DROP TRIGGER workers_crew_auth ON workers;
CREATE TRIGGER workers_crew_auth AFTER UPDATE OF active, name, role, contract_end, placement_start OR DELETE OR TRUNCATE ON workers
    FOR EACH STATEMENT EXECUTE FUNCTION notify_crew_auth();
CREATE TRIGGER worker_outflows_crew_auth AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON worker_outflows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_crew_auth();

-- +goose Down
DROP TRIGGER worker_outflows_crew_auth ON worker_outflows;
DROP TRIGGER workers_crew_auth ON workers;
CREATE TRIGGER workers_crew_auth AFTER UPDATE OF active, name, role OR DELETE OR TRUNCATE ON workers
    FOR EACH STATEMENT EXECUTE FUNCTION notify_crew_auth();
