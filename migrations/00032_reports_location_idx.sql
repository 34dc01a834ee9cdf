-- +goose Up
-- Open311's GET requests may ask for the reports within a radius of a point (lat, long,
-- radius, in metres on the sphere: report.RequestFilter.Near). Without an index every such
-- question reads all reports of its 90-day window; with it PostgreSQL may start from the
-- few reports near the point. The expression is the one the query compares, so the index
-- serves ST_DWithin on geography.
CREATE INDEX reports_location_idx ON reports USING gist ((location::geography));

-- +goose Down
DROP INDEX reports_location_idx;
