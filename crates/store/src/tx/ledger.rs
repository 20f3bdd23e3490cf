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
    /// The sum of every entry in the books: zero unless something is badly wrong.
    fn ledger_total(&mut self) -> Result<i64>;
    fn insert_refund(&mut self, refund: &RefundRow) -> Result<i64>;
    fn refund(&mut self, id: i64) -> Result<Option<RefundRow>>;
    fn update_refund(&mut self, refund: &RefundRow) -> Result<()>;
    /// Refunds by state (all when `None`), scoped to an operator when given, oldest first.
    fn refunds(&mut self, state: Option<&str>, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<RefundRow>>;
    fn refunds_of_line(&mut self, line_id: i64) -> Result<Vec<RefundRow>>;
    fn save_final_bill(&mut self, request_id: i64, bill: &str, at: Timestamp) -> Result<()>;
    fn final_bill(&mut self, request_id: i64) -> Result<Option<String>>;
}
