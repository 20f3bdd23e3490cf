-- Uploaded documents (their content lives in the blob store, encrypted) and the acts that
-- record each destruction of personal data.

CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    request_id    INTEGER NOT NULL REFERENCES termination_requests(id),
    kind          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    storage_key   TEXT NOT NULL UNIQUE,
    key_id        TEXT NOT NULL,
    -- uploaded, verified, rejected or destroyed
    status        TEXT NOT NULL,
    review_reason TEXT,
    reviewed_by   TEXT,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   INTEGER NOT NULL,
    retention_until INTEGER,
    destroyed_at  INTEGER
);
CREATE INDEX documents_request ON documents(request_id, id);
CREATE INDEX documents_due ON documents(retention_until) WHERE status <> 'destroyed';

CREATE TABLE destruction_acts (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL REFERENCES documents(id),
    request_id    INTEGER NOT NULL,
    subscriber_id INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            INTEGER NOT NULL
);
