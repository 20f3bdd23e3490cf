//! The notification outbox.

use super::*;

pub trait OutboxTx {
    /// Queues a message; `None` if one with the same dedupe key is already queued.
    fn insert_outbox(&mut self, message: &OutboxRow) -> Result<Option<i64>>;
    /// Messages by status (all when `None`), newest first; with an operator, only the messages
    /// about that operator's requests.
    fn outbox(&mut self, status: Option<&str>, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<OutboxRow>>;
    fn outbox_message(&mut self, id: i64) -> Result<Option<OutboxRow>>;
    fn outbox_by_provider_id(&mut self, channel: &str, provider_id: &str) -> Result<Option<OutboxRow>>;
    /// Claims up to `limit` due messages (pending and due, or `sending` past their lease):
    /// `sending` until `lease_until`, one more attempt counted. Concurrent dispatchers get
    /// disjoint messages.
    fn claim_outbox(&mut self, now: Timestamp, lease_until: Timestamp, limit: u32) -> Result<Vec<OutboxRow>>;
    fn update_outbox(&mut self, message: &OutboxRow) -> Result<()>;
    /// Messages per status.
    fn outbox_counts(&mut self) -> Result<Vec<(String, i64)>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const OUTBOX_MESSAGE: &str = formatcp!("SELECT {OUTBOX_COLS} FROM outbox WHERE id = ?1");
    pub const OUTBOX_BY_PROVIDER_ID: &str =
        formatcp!("SELECT {OUTBOX_COLS} FROM outbox WHERE provider_id = ?2 AND channel = ?1 ORDER BY id DESC LIMIT 1");
    pub const UPDATE_OUTBOX: &str =
        "UPDATE outbox SET status = ?2, attempts = ?3, last_error = ?4, sent_at = ?5, next_attempt_at = ?6,
         locked_until = ?7, provider_id = ?8, delivery = ?9 WHERE id = ?1";
    pub const OUTBOX_COUNTS: &str = "SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status";
    pub const OUTBOX: &str = formatcp!(
        "SELECT {OUTBOX_COLS} FROM outbox WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1)
         AND (CAST(?2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM termination_requests r WHERE r.id = outbox.request_id AND r.operator_id = ?2)) ORDER BY id DESC LIMIT ?3"
    );
    pub const INSERT_OUTBOX: &str = formatcp!(
        "INSERT INTO outbox ({OUTBOX_FIELDS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) ON CONFLICT DO NOTHING RETURNING id"
    );
}
