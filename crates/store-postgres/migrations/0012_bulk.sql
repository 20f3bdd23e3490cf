-- Bulk terminations: a run is identified by its reason and list, so starting the same file
-- again resumes it; each line's outcome is written in the transaction that terminates it.

CREATE TABLE bulk_runs (
    id          TEXT PRIMARY KEY,
    reason      TEXT NOT NULL,
    source      TEXT NOT NULL,
    total       BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT
);

CREATE TABLE bulk_lines (
    run_id     TEXT NOT NULL REFERENCES bulk_runs(id),
    line_no    BIGINT NOT NULL,
    msisdn     TEXT NOT NULL,
    -- NULL until processed
    outcome    TEXT,
    request_id BIGINT,
    detail     TEXT,
    PRIMARY KEY (run_id, line_no)
);
CREATE INDEX bulk_lines_pending ON bulk_lines(run_id, line_no) WHERE outcome IS NULL;
