-- Core schema: operators, stores, subscribers and accounts, the number inventory with its
-- holder history, lines, termination requests with their events, the audit chain and jobs.
-- Instants are INTEGER milliseconds since the Unix epoch (UTC); money is INTEGER kopecks.

CREATE TABLE operators (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    inn  TEXT NOT NULL
);

CREATE TABLE stores (
    id                   TEXT PRIMARY KEY,
    operator_id          TEXT NOT NULL REFERENCES operators(id),
    name                 TEXT NOT NULL,
    address              TEXT NOT NULL,
    region               TEXT NOT NULL,
    time_zone            TEXT NOT NULL,
    hours                TEXT NOT NULL,
    accepts_terminations INTEGER NOT NULL,
    recycles_sims        INTEGER NOT NULL,
    wait_minutes         INTEGER NOT NULL
);

CREATE TABLE subscribers (
    id                 INTEGER PRIMARY KEY,
    category           TEXT NOT NULL,
    full_name          TEXT NOT NULL,
    id_document_type   TEXT NOT NULL,
    id_document_number TEXT NOT NULL,
    email              TEXT NOT NULL,
    phone              TEXT NOT NULL,
    language           TEXT NOT NULL,
    created_at         INTEGER NOT NULL
);

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    operator_id   TEXT REFERENCES operators(id),
    store_id      TEXT REFERENCES stores(id),
    subscriber_id INTEGER REFERENCES subscribers(id),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE numbers (
    msisdn        TEXT PRIMARY KEY,
    operator_id   TEXT NOT NULL REFERENCES operators(id),
    state         TEXT NOT NULL,
    aging_until   INTEGER,
    line_id       INTEGER,
    subscriber_id INTEGER,
    history_since INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
-- The pool: available numbers per operator, longest-rested first.
CREATE INDEX numbers_pool ON numbers(operator_id, updated_at) WHERE state = 'available';

CREATE TABLE number_assignments (
    id            INTEGER PRIMARY KEY,
    msisdn        TEXT NOT NULL REFERENCES numbers(msisdn),
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
    line_id       INTEGER NOT NULL,
    from_at       INTEGER NOT NULL,
    to_at         INTEGER,
    end_reason    TEXT
);
CREATE INDEX number_assignments_msisdn ON number_assignments(msisdn, from_at);
-- At most one open holder period per number.
CREATE UNIQUE INDEX number_assignments_open ON number_assignments(msisdn) WHERE to_at IS NULL;

CREATE TABLE lines (
    id            INTEGER PRIMARY KEY,
    msisdn        TEXT NOT NULL REFERENCES numbers(msisdn),
    iccid         TEXT,
    operator_id   TEXT NOT NULL REFERENCES operators(id),
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
    state         TEXT NOT NULL,
    balance       INTEGER NOT NULL,
    opened_at     INTEGER NOT NULL,
    terminated_at INTEGER
);
CREATE INDEX lines_subscriber ON lines(subscriber_id);
CREATE INDEX lines_msisdn ON lines(msisdn, opened_at);

CREATE TABLE termination_requests (
    id                   INTEGER PRIMARY KEY,
    line_id              INTEGER NOT NULL REFERENCES lines(id),
    subscriber_id        INTEGER NOT NULL REFERENCES subscribers(id),
    operator_id          TEXT NOT NULL REFERENCES operators(id),
    msisdn               TEXT NOT NULL,
    channel              TEXT NOT NULL,
    reason               TEXT NOT NULL,
    state                TEXT NOT NULL,
    line_state_before    TEXT NOT NULL,
    store_id             TEXT,
    created_by           INTEGER NOT NULL,
    created_at           INTEGER NOT NULL,
    submitted_at         INTEGER,
    review_deadline      INTEGER,
    review_deadline_date TEXT,
    deadline_fallback    INTEGER NOT NULL,
    overdue              INTEGER NOT NULL,
    decided_at           INTEGER,
    completed_at         INTEGER,
    aging_until          INTEGER,
    closed_at            INTEGER,
    note                 TEXT,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX termination_requests_subscriber ON termination_requests(subscriber_id);
-- One open request per line: a second one is a conflict, not a race.
CREATE UNIQUE INDEX termination_requests_open_per_line ON termination_requests(line_id)
    WHERE state IN ('draft', 'submitted', 'info_requested', 'info_provided', 'approved');
CREATE INDEX termination_requests_review ON termination_requests(operator_id, review_deadline)
    WHERE state IN ('submitted', 'info_provided');

CREATE TABLE request_events (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES termination_requests(id),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    reason     TEXT
);
CREATE INDEX request_events_request ON request_events(request_id, id);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

-- The newest hash of the chain, one row; updating it serialises appends.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    hash TEXT NOT NULL
);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    -- When the job is next due: its schedule while pending, its lease expiry while running.
    run_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    status       TEXT NOT NULL,
    locked_until INTEGER,
    last_error   TEXT,
    dedupe_key   TEXT UNIQUE,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs(run_at) WHERE status IN ('pending', 'running');
