-- Certificates of termination: the canonical payload as signed, the key id and signature.

CREATE TABLE certificates (
    number     TEXT PRIMARY KEY,
    request_id INTEGER NOT NULL UNIQUE REFERENCES termination_requests(id),
    operator_id TEXT NOT NULL,
    payload    TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    signature  TEXT NOT NULL,
    issued_at  INTEGER NOT NULL
);
