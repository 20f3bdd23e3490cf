-- Driving the network after a termination (bar, detach, delete) or after a revocation (the
-- inverse steps): one task per request and direction, its steps done in order.

CREATE TABLE network_tasks (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES termination_requests(id),
    msisdn      TEXT NOT NULL,
    -- deprovision or restore
    direction   TEXT NOT NULL,
    -- comma-separated steps, in order
    steps       TEXT NOT NULL,
    -- how many steps are confirmed
    done_steps  INTEGER NOT NULL,
    -- in_progress, done, alert or cancelled
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    last_error  TEXT,
    updated_at  INTEGER NOT NULL,
    UNIQUE (request_id, direction)
);
CREATE INDEX network_tasks_alerts ON network_tasks(updated_at) WHERE status = 'alert';
