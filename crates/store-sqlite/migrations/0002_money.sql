-- Money: a double-entry ledger replaces the stored line balance, plus paid add-on services,
-- refunds, the settlement choice on a request, and frozen final bills.

CREATE TABLE ledger_movements (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    -- A movement is recorded once per key: retries and double clicks do nothing.
    idempotency_key TEXT NOT NULL UNIQUE,
    memo            TEXT NOT NULL,
    -- A movement is reversed at most once.
    reverses        INTEGER UNIQUE REFERENCES ledger_movements(id),
    line_id         INTEGER,
    at              INTEGER NOT NULL,
    actor           TEXT NOT NULL
);
CREATE INDEX ledger_movements_line ON ledger_movements(line_id, at);

CREATE TABLE ledger_entries (
    id          INTEGER PRIMARY KEY,
    movement_id INTEGER NOT NULL REFERENCES ledger_movements(id),
    account     TEXT NOT NULL,
    amount      INTEGER NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries(account, movement_id);

-- Balances stored before the ledger become opening movements.
INSERT INTO ledger_movements (kind, idempotency_key, memo, line_id, at, actor)
    SELECT 'opening', 'opening:line:' || id, 'balance carried over', id, opened_at, 'migration'
    FROM lines WHERE balance <> 0;
INSERT INTO ledger_entries (movement_id, account, amount)
    SELECT m.id, 'line:' || l.id, l.balance
    FROM lines l JOIN ledger_movements m ON m.idempotency_key = 'opening:line:' || l.id;
INSERT INTO ledger_entries (movement_id, account, amount)
    SELECT m.id, 'operator:' || l.operator_id || ':opening_balances', -l.balance
    FROM lines l JOIN ledger_movements m ON m.idempotency_key = 'opening:line:' || l.id;
ALTER TABLE lines DROP COLUMN balance;

CREATE TABLE line_services (
    id             INTEGER PRIMARY KEY,
    line_id        INTEGER NOT NULL REFERENCES lines(id),
    name           TEXT NOT NULL,
    monthly_charge INTEGER NOT NULL,
    started_at     INTEGER NOT NULL,
    -- Charges (in arrears) cover the service up to this instant.
    charged_until  INTEGER NOT NULL,
    stopped_at     INTEGER
);
CREATE INDEX line_services_line ON line_services(line_id);

CREATE TABLE refunds (
    id             INTEGER PRIMARY KEY,
    line_id        INTEGER NOT NULL REFERENCES lines(id),
    request_id     INTEGER REFERENCES termination_requests(id),
    operator_id    TEXT NOT NULL REFERENCES operators(id),
    amount         INTEGER NOT NULL,
    state          TEXT NOT NULL,
    recipient_name TEXT,
    bik            TEXT,
    account        TEXT,
    reason         TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX refunds_state ON refunds(state, created_at);
CREATE INDEX refunds_line ON refunds(line_id);

ALTER TABLE termination_requests ADD COLUMN settlement TEXT;
ALTER TABLE termination_requests ADD COLUMN transfer_to_line INTEGER;
ALTER TABLE termination_requests ADD COLUMN refund_name TEXT;
ALTER TABLE termination_requests ADD COLUMN refund_bik TEXT;
ALTER TABLE termination_requests ADD COLUMN refund_account TEXT;

CREATE TABLE final_bills (
    request_id INTEGER PRIMARY KEY REFERENCES termination_requests(id),
    bill       TEXT NOT NULL,
    issued_at  INTEGER NOT NULL
);
