//! The double-entry ledger (see `simexit_domain::ledger`), refunds and frozen final bills.

use super::*;

pub trait LedgerTx {
    /// Records a movement once per idempotency key; `None` when the key was already used.
    fn record_movement(&mut self, movement: &NewMovement) -> Result<Option<i64>>;
    fn movement(&mut self, id: i64) -> Result<Option<MovementRow>>;
    fn movement_by_key(&mut self, key: &str) -> Result<Option<MovementRow>>;
    /// The id of the movement that reversed `id`, if any.
    fn reversal_of(&mut self, id: i64) -> Result<Option<i64>>;
    fn balance(&mut self, account: &Account) -> Result<Money>;
    /// Every entry on an account, oldest first.
    fn statement(&mut self, account: &Account) -> Result<Vec<StatementRow>>;
    /// The entries on an account at or after `since`, oldest first: what a period's bill
    /// lists, read without the history before it.
    fn statement_since(&mut self, account: &Account, since: Timestamp) -> Result<Vec<StatementRow>>;
    /// The sum of every entry in the books: zero unless something is badly wrong.
    fn ledger_total(&mut self) -> Result<i64>;
    fn insert_refund(&mut self, refund: &RefundRow) -> Result<i64>;
    fn refund(&mut self, id: i64) -> Result<Option<RefundRow>>;
    fn update_refund(&mut self, refund: &RefundRow) -> Result<()>;
    /// Refunds by state (all when `None`), scoped to an operator when given, oldest first.
    /// Refunds in a state, of an operator, paid out in cash at a store (each filter optional).
    fn refunds(
        &mut self,
        state: Option<&str>,
        operator: Option<&OperatorId>,
        cash_store: Option<&str>,
        limit: u32,
    ) -> Result<Vec<RefundRow>>;
    fn refunds_of_line(&mut self, line_id: i64) -> Result<Vec<RefundRow>>;
    /// The banks of the Faster Payments System, by name.
    fn sbp_banks(&mut self) -> Result<Vec<SbpBankRow>>;
    fn sbp_bank(&mut self, id: &str) -> Result<Option<SbpBankRow>>;
    /// Replaces the whole list of SBP banks (an import of the NSPK's list).
    fn replace_sbp_banks(&mut self, banks: &[SbpBankRow]) -> Result<()>;
    fn save_final_bill(&mut self, request_id: i64, bill: &str, at: Timestamp) -> Result<()>;
    fn final_bill(&mut self, request_id: i64) -> Result<Option<String>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    /// The account's running balance follows by the `ledger_entries_balance` trigger.
    pub const INSERT_ENTRY: &str =
        "INSERT INTO ledger_entries (movement_id, account, amount, at) VALUES (?1, ?2, ?3, ?4)";
    pub const MOVEMENT: &str = formatcp!("SELECT {MOVEMENT_COLS} FROM ledger_movements WHERE id = ?1");
    pub const MOVEMENT_BY_KEY: &str =
        formatcp!("SELECT {MOVEMENT_COLS} FROM ledger_movements WHERE idempotency_key = ?1");
    pub const REVERSAL_OF: &str = "SELECT id FROM ledger_movements WHERE reverses = ?1";
    pub const STATEMENT: &str = "SELECT m.id, m.kind, m.memo, m.reverses, m.at, e.amount FROM ledger_entries e
         JOIN ledger_movements m ON m.id = e.movement_id WHERE e.account = ?1 ORDER BY m.at, m.id";
    /// The entries at or after an instant: the index on (account, at) reads only those.
    pub const STATEMENT_SINCE: &str = "SELECT m.id, m.kind, m.memo, m.reverses, m.at, e.amount FROM ledger_entries e
         JOIN ledger_movements m ON m.id = e.movement_id WHERE e.account = ?1 AND e.at >= ?2 ORDER BY m.at, m.id";
    pub const INSERT_REFUND: &str = formatcp!(
        "INSERT INTO refunds ({REFUND_FIELDS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) RETURNING id"
    );
    pub const UPDATE_REFUND: &str =
        "UPDATE refunds SET amount = ?2, state = ?3, recipient_name = ?4, bik = ?5, account = ?6, reason = ?7,
         updated_at = ?8, route = ?9, sbp_phone = ?10, sbp_bank = ?11, card_payment_id = ?12, cash_store_id = ?13,
         payout_ref = ?14 WHERE id = ?1";
    pub const SBP_BANKS: &str = "SELECT id, name FROM sbp_banks ORDER BY name, id";
    pub const SBP_BANK: &str = "SELECT id, name FROM sbp_banks WHERE id = ?1";
    pub const DELETE_SBP_BANKS: &str = "DELETE FROM sbp_banks";
    pub const INSERT_SBP_BANK: &str = "INSERT INTO sbp_banks (id, name) VALUES (?1, ?2)";
    pub const REFUNDS_OF_LINE: &str = formatcp!("SELECT {REFUND_COLS} FROM refunds WHERE line_id = ?1 ORDER BY id");
    pub const SAVE_FINAL_BILL: &str = "INSERT INTO final_bills (request_id, bill, issued_at) VALUES (?1, ?2, ?3)";
    pub const FINAL_BILL: &str = "SELECT bill FROM final_bills WHERE request_id = ?1";
    pub const REFUND: &str = formatcp!("SELECT {REFUND_COLS} FROM refunds WHERE id = ?1");
    /// The running balance (see `INSERT_ENTRY`): one row, however long the history.
    pub const BALANCE: &str = "SELECT balance FROM account_balances WHERE account = ?1";
    pub const LEDGER_TOTAL: &str = "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries";
    pub const REFUNDS: &str = formatcp!("SELECT {REFUND_COLS} FROM refunds WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1) AND (CAST(?2 AS TEXT) IS NULL OR operator_id = ?2)
         AND (CAST(?3 AS TEXT) IS NULL OR (route = 'cash' AND cash_store_id = ?3))
         ORDER BY created_at, id LIMIT ?4");
    pub const INSERT_MOVEMENT: &str = "INSERT INTO ledger_movements (kind, idempotency_key, memo, reverses, line_id, at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id";
    /// A movement's entries, in the order they were written.
    pub const MOVEMENT_ENTRIES: &str = "SELECT account, amount FROM ledger_entries WHERE movement_id = ?1 ORDER BY id";
}
