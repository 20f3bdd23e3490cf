//! Payments from outside: started with a provider, credited on its verified notification, or
//! taken in cash at a store's desk.

use super::*;

pub trait PaymentsTx {
    fn insert_payment(&mut self, payment: &PaymentRow) -> Result<i64>;
    /// A payment, locked in a write transaction where the backend has row locks.
    fn payment(&mut self, id: i64) -> Result<Option<PaymentRow>>;
    /// A payment by its provider's id, locked like [`PaymentsTx::payment`].
    fn payment_by_ref(&mut self, provider: &str, provider_ref: &str) -> Result<Option<PaymentRow>>;
    /// Rewrites what changes as a payment goes on: its provider's id, status, confirmation
    /// URL, when it settled and the movement that credited it.
    fn update_payment(&mut self, payment: &PaymentRow) -> Result<()>;
    /// A line's payments, newest first.
    fn payments_of_line(&mut self, line_id: i64) -> Result<Vec<PaymentRow>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    pub const PAYMENT_COLS: &str = "id, provider, provider_ref, line_id, operator_id, amount, status,
         confirmation_url, store_id, started_by, created_at, settled_at, movement_id";
    pub const INSERT_PAYMENT: &str = "INSERT INTO payments (provider, provider_ref, line_id, operator_id, amount,
         status, confirmation_url, store_id, started_by, created_at, settled_at, movement_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id";
    pub const PAYMENT: &str = formatcp!("SELECT {PAYMENT_COLS} FROM payments WHERE id = ?1");
    pub const PAYMENT_BY_REF: &str =
        formatcp!("SELECT {PAYMENT_COLS} FROM payments WHERE provider = ?1 AND provider_ref = ?2");
    pub const UPDATE_PAYMENT: &str = "UPDATE payments SET provider_ref = ?2, status = ?3, confirmation_url = ?4,
         settled_at = ?5, movement_id = ?6 WHERE id = ?1";
    pub const PAYMENTS_OF_LINE: &str =
        formatcp!("SELECT {PAYMENT_COLS} FROM payments WHERE line_id = ?1 ORDER BY id DESC LIMIT 200");
}
