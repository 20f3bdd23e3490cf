//! Webhook subscriptions and the deliveries of events (the rows of `changes`) to them.

use super::*;

pub trait WebhooksTx {
    fn insert_webhook(&mut self, webhook: &WebhookRow) -> Result<i64>;
    fn webhook(&mut self, id: i64) -> Result<Option<WebhookRow>>;
    fn webhooks(&mut self) -> Result<Vec<WebhookRow>>;
    /// Rewrites a subscription's url, events, secret, enabled flag and fan-out mark.
    fn update_webhook(&mut self, webhook: &WebhookRow) -> Result<()>;
    /// Removes a subscription and its deliveries; false when there was none.
    fn delete_webhook(&mut self, id: i64) -> Result<bool>;
    /// Adds a delivery unless that event was already given to that subscription.
    fn insert_delivery(&mut self, delivery: &DeliveryRow) -> Result<()>;
    fn delivery(&mut self, id: i64) -> Result<Option<DeliveryRow>>;
    fn update_delivery(&mut self, delivery: &DeliveryRow) -> Result<()>;
    /// Deliveries due at `now` (pending and due, or sending past their claim), oldest event
    /// first, each the first undelivered one of its resource for its subscription.
    fn due_deliveries(&mut self, now: Timestamp, limit: u32) -> Result<Vec<DeliveryRow>>;
    /// A subscription's deliveries, newest first.
    fn deliveries_of(&mut self, webhook_id: i64, limit: u32) -> Result<Vec<DeliveryRow>>;
    fn change(&mut self, id: i64) -> Result<Option<ChangeRow>>;
    /// The newest change's id (0 when none): where a new subscription starts.
    fn last_change_id(&mut self) -> Result<i64>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    pub const WEBHOOK_COLS: &str = "id, url, events, secret, enabled, operator_id, last_change, created_at, created_by";
    pub const INSERT_WEBHOOK: &str = "INSERT INTO webhooks (url, events, secret, enabled, operator_id, last_change,
         created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
    pub const WEBHOOK: &str = formatcp!("SELECT {WEBHOOK_COLS} FROM webhooks WHERE id = ?1");
    pub const WEBHOOKS: &str = formatcp!("SELECT {WEBHOOK_COLS} FROM webhooks ORDER BY id");
    pub const UPDATE_WEBHOOK: &str = "UPDATE webhooks SET url = ?2, events = ?3, secret = ?4, enabled = ?5,
         last_change = ?6 WHERE id = ?1";
    pub const DELETE_WEBHOOK_DELIVERIES: &str = "DELETE FROM webhook_deliveries WHERE webhook_id = ?1";
    pub const DELETE_WEBHOOK: &str = "DELETE FROM webhooks WHERE id = ?1";
    pub const DELIVERY_COLS: &str = "id, webhook_id, change_id, subject, status, attempts, next_attempt_at,
         locked_until, last_error, response_status, delivered_at";
    pub const INSERT_DELIVERY: &str = "INSERT INTO webhook_deliveries (webhook_id, change_id, subject, status,
         attempts, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (webhook_id, change_id) DO NOTHING";
    pub const DELIVERY: &str = formatcp!("SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE id = ?1");
    pub const UPDATE_DELIVERY: &str = "UPDATE webhook_deliveries SET status = ?2, attempts = ?3,
         next_attempt_at = ?4, locked_until = ?5, last_error = ?6, response_status = ?7, delivered_at = ?8
         WHERE id = ?1";
    /// Due, and no earlier event of the same resource for the same subscription still
    /// waiting (pending or sending): one resource's events leave in order.
    pub const DUE_DELIVERIES: &str = formatcp!(
        "SELECT {DELIVERY_COLS} FROM webhook_deliveries d
         WHERE ((d.status = 'pending' AND d.next_attempt_at <= ?1)
                OR (d.status = 'sending' AND d.locked_until <= ?1))
           AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                           WHERE e.webhook_id = d.webhook_id AND e.subject = d.subject
                             AND e.change_id < d.change_id AND e.status IN ('pending', 'sending'))
         ORDER BY d.change_id, d.id LIMIT ?2"
    );
    pub const DELIVERIES_OF: &str =
        formatcp!("SELECT {DELIVERY_COLS} FROM webhook_deliveries WHERE webhook_id = ?1 ORDER BY id DESC LIMIT ?2");
    pub const LAST_CHANGE_ID: &str = "SELECT COALESCE(MAX(id), 0) FROM changes";
    pub const CHANGE: &str = "SELECT id, at, kind, subject, operator_id, data FROM changes WHERE id = ?1";
}
