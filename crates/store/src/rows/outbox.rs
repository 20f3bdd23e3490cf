//! Rows of the notification outbox.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    /// `sms` or `email`.
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub language: String,
    /// JSON with the template's values.
    pub payload: String,
    /// `pending`, `sending` (claimed by a dispatcher until its lease ends), `sent` or `parked`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// When the message is due (its first attempt, a retry, or the end of a claim's lease).
    pub next_attempt_at: Timestamp,
    pub locked_until: Option<Timestamp>,
    /// The provider's id of the accepted message (SMTP Message-ID, SMPP message_id).
    pub provider_id: Option<String>,
    /// What the provider reported later (an SMPP delivery receipt's state).
    pub delivery: Option<String>,
    /// One message per key: an event queued twice is queued once.
    pub dedupe_key: Option<String>,
    pub request_id: Option<i64>,
}

impl OutboxRow {
    /// A message due now.
    pub fn new(
        channel: &str,
        recipient: &str,
        template: &str,
        language: &str,
        payload: String,
        now: Timestamp,
    ) -> Self {
        OutboxRow {
            id: 0,
            channel: channel.into(),
            recipient: recipient.into(),
            template: template.into(),
            language: language.into(),
            payload,
            status: "pending".into(),
            attempts: 0,
            last_error: None,
            created_at: now,
            sent_at: None,
            next_attempt_at: now,
            locked_until: None,
            provider_id: None,
            delivery: None,
            dedupe_key: None,
            request_id: None,
        }
    }
}
