//! Rows of the ledger, services and refunds.

use super::*;

/// A movement to record: entries summing to zero (checked by the domain's `Movement`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMovement {
    pub movement: simexit_domain::ledger::Movement,
    pub idempotency_key: String,
    pub reverses: Option<i64>,
    pub line_id: Option<i64>,
    pub at: Timestamp,
    pub actor: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementRow {
    pub id: i64,
    pub kind: simexit_domain::ledger::MovementKind,
    pub idempotency_key: String,
    pub memo: String,
    pub reverses: Option<i64>,
    pub line_id: Option<i64>,
    pub at: Timestamp,
    pub actor: String,
    pub entries: Vec<simexit_domain::ledger::Entry>,
}

/// One entry on an account, with its movement: a line of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    pub movement_id: i64,
    pub kind: simexit_domain::ledger::MovementKind,
    pub memo: String,
    pub reverses: Option<i64>,
    pub at: Timestamp,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRow {
    pub id: i64,
    pub line_id: i64,
    pub name: String,
    pub monthly_charge: Money,
    pub started_at: Timestamp,
    pub charged_until: Timestamp,
    pub stopped_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRow {
    pub id: i64,
    pub line_id: i64,
    pub request_id: Option<i64>,
    pub operator: OperatorId,
    pub amount: Money,
    /// `awaiting_details`, `requested`, `approved`, `paid`, `failed` or `cancelled`.
    pub state: String,
    pub recipient_name: Option<String>,
    pub bik: Option<String>,
    pub account: Option<String>,
    pub reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// How the money goes; the fields of that route only are set.
    pub route: simexit_domain::RefundRoute,
    /// SBP: the phone number (E.164) and the bank's NSPK member id.
    pub sbp_phone: Option<String>,
    pub sbp_bank: Option<String>,
    /// Card: the payment whose card is refunded.
    pub card_payment_id: Option<i64>,
    /// Cash: the store where it is paid out.
    pub cash_store_id: Option<String>,
    /// The payout's reference: the provider's refund id, or the cash voucher's number.
    pub payout_ref: Option<String>,
}

/// A bank of the Faster Payments System (SBP), by its NSPK member id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbpBankRow {
    /// The 12-digit NSPK member id (`100000000111`).
    pub id: String,
    pub name: String,
}
