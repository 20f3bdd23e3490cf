-- Money reaches a line only where it really moved: a payment started with a provider and
-- credited on its verified notification, or cash taken at a store's desk with a receipt.
CREATE TABLE payments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    provider         TEXT NOT NULL,
    provider_ref     TEXT,
    line_id          INTEGER NOT NULL REFERENCES lines(id),
    operator_id      TEXT NOT NULL,
    amount           INTEGER NOT NULL,
    status           TEXT NOT NULL,
    confirmation_url TEXT,
    store_id         TEXT,
    started_by       TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    settled_at       INTEGER,
    movement_id      INTEGER
);
CREATE UNIQUE INDEX payments_provider_ref ON payments(provider, provider_ref);
CREATE INDEX payments_line ON payments(line_id, id);
