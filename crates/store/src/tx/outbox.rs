//! The notification outbox.

use super::*;

pub trait OutboxTx {
    /// Queues a message; `None` if one with the same dedupe key is already queued.
    fn insert_outbox(&mut self, message: &OutboxRow) -> Result<Option<i64>>;
    /// Messages by status (all when `None`), newest first.
    fn outbox(&mut self, status: Option<&str>, limit: u32) -> Result<Vec<OutboxRow>>;
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
