-- An operator's own data and its billing system (BSS): the BSS's ids of subscribers and
-- lines, the last use a subscriber made of a line, the history of file imports, and the feed
-- of what simexit changed, written in the transaction of each change.
CREATE TABLE bss_subscribers (
    subscriber_id INTEGER PRIMARY KEY REFERENCES subscribers(id),
    external_id   TEXT NOT NULL UNIQUE
);

CREATE TABLE bss_lines (
    line_id            INTEGER PRIMARY KEY REFERENCES lines(id),
    external_id        TEXT NOT NULL UNIQUE,
    imsi               TEXT NOT NULL DEFAULT '',
    last_activity_at   INTEGER,
    last_activity_kind TEXT
);

CREATE TABLE imports (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    file      TEXT NOT NULL,
    rows      INTEGER NOT NULL,
    created   INTEGER NOT NULL,
    updated   INTEGER NOT NULL,
    unchanged INTEGER NOT NULL
);

CREATE TABLE changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    operator_id TEXT,
    data        TEXT NOT NULL
);
CREATE INDEX changes_operator ON changes(operator_id, id);
