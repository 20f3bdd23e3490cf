-- Disconnections and port-outs from before simexit held the numbers (`simexit history
-- import`), so reassigned-number lookups do not start blind. One row per event; importing
-- the same file twice changes nothing.

CREATE TABLE past_events (
    msisdn        TEXT NOT NULL,
    at            BIGINT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('disconnected', 'ported_out')),
    operator_id   TEXT NOT NULL REFERENCES operators(id),
    -- The date from which the import that brought this event is complete.
    history_since BIGINT NOT NULL,
    source        TEXT NOT NULL,
    PRIMARY KEY (msisdn, at, kind)
);

-- Lookups read a number's holder periods on every relying-party request: an index that
-- holds every column they read answers them from the index alone.
CREATE INDEX number_assignments_history
    ON number_assignments(msisdn, from_at, id) INCLUDE (subscriber_id, line_id, to_at, end_reason);
DROP INDEX number_assignments_msisdn;
