//! Rows of payments.

use super::*;

/// Money that reached (or is on its way to) a line from outside: a payment started with a
/// provider and credited on its verified notification, or cash taken at a store's desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: i64,
    /// A configured provider's name (`demo`, `gateway`, …), or `cash` at a store's desk.
    pub provider: String,
    /// The provider's id of the payment, or `<store>/<receipt number>` for cash; `None` until
    /// the provider has answered the start.
    pub provider_ref: Option<String>,
    pub line_id: i64,
    pub operator: OperatorId,
    pub amount: Money,
    pub status: simexit_domain::ledger::PaymentStatus,
    /// Where the payer confirms the payment (the provider's page).
    pub confirmation_url: Option<String>,
    /// The store whose desk took cash.
    pub store_id: Option<String>,
    /// Who started it: `subscriber:7`, `staff:clerk1`.
    pub started_by: String,
    pub created_at: Timestamp,
    /// When it was credited or given up.
    pub settled_at: Option<Timestamp>,
    /// The ledger movement that credited the line.
    pub movement_id: Option<i64>,
}
