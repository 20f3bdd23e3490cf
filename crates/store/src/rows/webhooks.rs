//! Rows of webhook subscriptions and deliveries.

use super::*;

/// A webhook subscription: where simexit's events go, which ones, signed with its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: i64,
    /// http(s) only.
    pub url: String,
    /// Comma-separated patterns of event types: `termination.*,number.released`.
    pub events: String,
    /// The signing secret, sealed at rest.
    pub secret: String,
    pub enabled: bool,
    /// Events of this operator only; `None` for all.
    pub operator: Option<OperatorId>,
    /// The last change fanned out into deliveries.
    pub last_change: i64,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// One event's delivery to one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    /// The event: a row of `changes`.
    pub change_id: i64,
    /// The event's resource: deliveries of one resource go in order.
    pub subject: String,
    /// `pending`, `sending`, `delivered` or `parked`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub locked_until: Option<Timestamp>,
    pub last_error: Option<String>,
    pub response_status: Option<i64>,
    pub delivered_at: Option<Timestamp>,
}
