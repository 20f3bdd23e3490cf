-- The national numbering plan (mobile DEF ranges), replaced as a whole by each import.

CREATE TABLE numbering_ranges (
    def           INTEGER NOT NULL,
    range_from    INTEGER NOT NULL,
    range_to      INTEGER NOT NULL,
    operator_name TEXT NOT NULL,
    region        TEXT NOT NULL,
    territory     TEXT,
    inn           TEXT,
    PRIMARY KEY (def, range_from)
);

CREATE TABLE numbering_imports (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    ranges      INTEGER NOT NULL,
    imported_at INTEGER NOT NULL
);
