-- A running balance per ledger account, kept by a trigger in the transaction that posts each
-- entry (whoever inserts it), so a balance is one row read however long the account's
-- history; `simexit check` compares it with the sum of the entries. Each entry also carries
-- its movement's instant, so a period's entries (a final bill's) are found by an index
-- without reading the account's whole past.
CREATE TABLE account_balances (
    account TEXT PRIMARY KEY,
    balance INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO account_balances (account, balance)
    SELECT account, SUM(amount) FROM ledger_entries GROUP BY account;

ALTER TABLE ledger_entries ADD COLUMN at INTEGER NOT NULL DEFAULT 0;
UPDATE ledger_entries SET at = (SELECT m.at FROM ledger_movements m WHERE m.id = ledger_entries.movement_id);
CREATE INDEX ledger_entries_account_at ON ledger_entries(account, at);
DROP INDEX ledger_entries_account;
-- A movement's entries (read to reverse it, as a revocation does) by an index, not a scan of
-- every entry ever posted.
CREATE INDEX ledger_entries_movement ON ledger_entries(movement_id);

CREATE TRIGGER ledger_entries_balance AFTER INSERT ON ledger_entries
BEGIN
    INSERT INTO account_balances (account, balance) VALUES (NEW.account, NEW.amount)
        ON CONFLICT (account) DO UPDATE SET balance = balance + excluded.balance;
END;
