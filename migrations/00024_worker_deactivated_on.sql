-- +goose Up
-- The day the desk ended a worker's access (worker.Store.Deactivate), so that capacity
-- keeps the weeks before it: the board and rebalance count a deactivated worker up to the
-- day before, as they do for an outflow. Workers deactivated before this column have none
-- and stay out of every week, as before.
ALTER TABLE workers ADD COLUMN deactivated_on date;

-- +goose Down
ALTER TABLE workers DROP COLUMN deactivated_on;
