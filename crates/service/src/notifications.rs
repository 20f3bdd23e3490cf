//! Notifications. A message is queued in the outbox inside the transaction of the change that
//! causes it, so a change and its messages are stored together or not at all. A dispatcher
//! claims due messages with a lease, renders each in the recipient's language, hands it to
//! its channel's [`Sender`] and records the outcome: `sent` with the provider's id; back to
//! `pending` with an exponential backoff after a transient failure; `parked` with the error
//! after a permanent one or too many attempts, for an admin to resend.
//!
//! Exactly once, as far as the protocols allow: a message is recorded `sent` right after its
//! provider accepts it. A crash between the two leaves it `sending`; when its lease ends it is
//! sent again, so such a crash can duplicate that one message (e-mails carry a Message-ID
//! derived from the outbox id, which lets receiving systems drop the copy).

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use simexit_domain::access::Role;
use simexit_domain::calendar::{local_time, local_time_short};
use simexit_domain::notify::{Rendered, Templates};
use simexit_domain::{Action, Language, LineState, Msisdn, RequestState, TerminationPolicy};
use simexit_store::{OutboxRow, RefundRow, RequestRow, StoreExt, SubscriberRow, Tx};

use crate::jobs;
use crate::record::{audit, schedule};
use crate::{Principal, Result, Service, ServiceError};

/// How a send failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying: the server is down, busy, or the connection broke.
    #[error("{0}")]
    Transient(String),
    /// Retrying will not help: the recipient or the message is refused.
    #[error("{0}")]
    Permanent(String),
}

/// A message for one recipient on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The outbox id: senders derive idempotency keys from it where the protocol has them.
    pub id: i64,
    pub to: String,
    pub rendered: Rendered,
    /// The text carries a secret (a one-time code): it goes to its recipient and nowhere else,
    /// never to a log.
    pub secret: bool,
}

/// Templates whose text carries a one-time code.
pub const SECRET_TEMPLATES: &[&str] = &["password_reset_code", "sign_in_code"];

/// A channel's way out: SMTP, SMPP, an HTTP gateway, or the log.
pub trait Sender: Send + Sync {
    /// Sends the message; returns the provider's id of the accepted message.
    fn send(&self, message: &Outgoing) -> std::result::Result<String, SendError>;
    /// What the admin views show (`smtp`, `smpp`, `log`…).
    fn kind(&self) -> &'static str;
    /// Delivery receipts received since the last call: (provider id, state).
    fn take_receipts(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Writes messages to the log: the default, and what `--demo` uses.
pub struct LogSender;

impl Sender for LogSender {
    fn send(&self, m: &Outgoing) -> std::result::Result<String, SendError> {
        let withheld = "(withheld: it carries a one-time code)";
        match &m.rendered {
            Rendered::Email { subject, text, .. } => {
                let text = if m.secret { withheld } else { text };
                tracing::info!(id = m.id, to = %m.to, %subject, %text, "e-mail (log sink)");
            }
            Rendered::Sms { text } => {
                let text = if m.secret { withheld } else { text };
                tracing::info!(id = m.id, to = %m.to, %text, "SMS (log sink)");
            }
        }
        Ok(format!("log-{}", m.id))
    }

    fn kind(&self) -> &'static str {
        "log"
    }
}

/// The channels, templates and retry policy the dispatcher uses.
pub struct Notifier {
    pub email: Arc<dyn Sender>,
    pub sms: Arc<dyn Sender>,
    pub templates: Templates,
    /// Attempts before a message is parked.
    pub max_attempts: i64,
    /// Public address of the portal, for links in messages.
    pub public_url: String,
}

impl Default for Notifier {
    fn default() -> Self {
        let templates = Templates::builtin().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the built-in notification templates do not load");
            Templates::default()
        });
        Notifier {
            email: Arc::new(LogSender),
            sms: Arc::new(LogSender),
            templates,
            max_attempts: 8,
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// The wait before attempt `attempts + 1`: 30 s doubling, at most an hour.
pub fn backoff(attempts: i64) -> SignedDuration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 10)).unwrap_or(10);
    SignedDuration::from_secs((30 * 2i64.pow(exp)).min(3_600))
}

/// How long a claimed message is reserved for its dispatcher.
const LEASE: SignedDuration = SignedDuration::from_mins(2);

/// What one dispatch round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchReport {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub parked: usize,
}

/// Queues `event` for a subscriber on every channel they have (e-mail, SMS), in their
/// language with `fallback` for templates that language lacks. `dedupe` keeps an event from
/// being queued twice (per channel).
#[allow(clippy::too_many_arguments, reason = "one flat call per event reads better at the call sites")]
pub(crate) fn enqueue(
    tx: &mut dyn Tx,
    now: Timestamp,
    subscriber: &SubscriberRow,
    fallback: Language,
    event: &str,
    mut values: serde_json::Map<String, serde_json::Value>,
    request_id: Option<i64>,
    dedupe: Option<&str>,
    cut_off: Option<&Msisdn>,
) -> Result<()> {
    values.insert("_fallback".into(), fallback.as_str().into());
    let payload = serde_json::Value::Object(values).to_string();
    for (channel, to) in [("email", subscriber.email.trim()), ("sms", subscriber.phone.trim())] {
        if to.is_empty() {
            continue;
        }
        // After completion the terminated number is no one's to text: the subscriber's own
        // contact phone, if another, and their e-mail carry the message.
        if channel == "sms" && cut_off.is_some_and(|m| Msisdn::parse(to).is_ok_and(|p| &p == m)) {
            continue;
        }
        let mut m = OutboxRow::new(channel, to, event, subscriber.language.as_str(), payload.clone(), now);
        m.request_id = request_id;
        m.dedupe_key = dedupe.map(|k| format!("{k}:{channel}"));
        tx.insert_outbox(&m)?;
    }
    Ok(())
}

/// The values of a stored payload as template strings.
fn values(payload: &str) -> (BTreeMap<String, String>, Option<Language>) {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(payload).unwrap_or_default();
    let fallback = map.get("_fallback").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
    let values = map
        .into_iter()
        .map(|(k, v)| {
            let s = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, s)
        })
        .collect();
    (values, fallback)
}

impl Service {
    fn render(&self, m: &OutboxRow) -> std::result::Result<Outgoing, SendError> {
        let (mut values, fallback) = values(&m.payload);
        let secret = SECRET_TEMPLATES.contains(&m.template.as_str());
        if secret && let Some(code) = values.get_mut("code") {
            *code = self.unseal(crate::sealing::OUTBOX_CODE, code).map_err(|e| SendError::Permanent(e.to_string()))?;
        }
        let language: Language = m.language.parse().unwrap_or(Language::Ru);
        let rendered = self
            .notifier
            .templates
            .render(&m.template, &m.channel, language, fallback.unwrap_or(Language::Ru), &values)
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        Ok(Outgoing { id: m.id, to: m.recipient.clone(), rendered, secret })
    }

    /// Claims due messages and sends them; see the module documentation.
    pub fn dispatch_outbox(&self, limit: u32) -> Result<DispatchReport> {
        let now = self.now();
        let lease_until = now.checked_add(LEASE).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let claimed = self.store.write(|tx| tx.claim_outbox(now, lease_until, limit))?;
        let mut report = DispatchReport { claimed: claimed.len(), ..DispatchReport::default() };
        for mut m in claimed {
            let sender = if m.channel == "sms" { &self.notifier.sms } else { &self.notifier.email };
            let outcome = self.render(&m).and_then(|out| sender.send(&out));
            let now = self.now();
            m.locked_until = None;
            match outcome {
                Ok(provider_id) => {
                    m.status = "sent".into();
                    m.sent_at = Some(now);
                    m.provider_id = Some(provider_id);
                    m.last_error = None;
                    report.sent += 1;
                }
                Err(SendError::Transient(e)) if m.attempts < self.notifier.max_attempts => {
                    m.status = "pending".into();
                    m.next_attempt_at = now.checked_add(backoff(m.attempts)).unwrap_or(now);
                    tracing::warn!(id = m.id, channel = %m.channel, error = %e, retry_at = %m.next_attempt_at, "notification not sent, will retry");
                    m.last_error = Some(e);
                    report.retried += 1;
                }
                Err(e) => {
                    m.status = "parked".into();
                    tracing::error!(id = m.id, channel = %m.channel, error = %e, "notification parked");
                    m.last_error = Some(format!("{} after {} attempts", e, m.attempts));
                    report.parked += 1;
                }
            }
            self.store.write(|tx| tx.update_outbox(&m))?;
        }
        self.record_receipts()?;
        Ok(report)
    }

    /// Records the delivery receipts the channels collected on their messages.
    fn record_receipts(&self) -> Result<usize> {
        let mut recorded = 0;
        for (channel, sender) in [("sms", &self.notifier.sms), ("email", &self.notifier.email)] {
            for (provider_id, state) in sender.take_receipts() {
                recorded += self.store.write(|tx| {
                    let Some(mut m) = tx.outbox_by_provider_id(channel, &provider_id)? else {
                        tracing::warn!(%provider_id, %state, "a delivery receipt for no message of ours");
                        return Ok::<_, ServiceError>(0);
                    };
                    m.delivery = Some(state.clone());
                    tx.update_outbox(&m)?;
                    Ok(1)
                })?;
            }
        }
        Ok(recorded)
    }

    /// Dispatches until nothing due is left (tests, the dev clock).
    pub fn drain_outbox(&self) -> Result<DispatchReport> {
        let mut total = DispatchReport::default();
        loop {
            let r = self.dispatch_outbox(200)?;
            total.claimed += r.claimed;
            total.sent += r.sent;
            total.retried += r.retried;
            total.parked += r.parked;
            if r.claimed == 0 || r.sent + r.parked == 0 {
                return Ok(total);
            }
        }
    }

    /// The outbox, newest first (admins and auditors).
    pub fn outbox(&self, who: &Principal, status: Option<&str>, limit: u32) -> Result<Vec<OutboxRow>> {
        who.require(&[Role::Admin, Role::Auditor], "see the notification outbox")?;
        if let Some(s) = status
            && !["pending", "sending", "sent", "parked"].contains(&s)
        {
            return Err(ServiceError::bad_input("invalid_status", "status is pending, sending, sent or parked"));
        }
        // Staff of one operator see the messages about its requests only.
        Ok(self.store.read(|tx| tx.outbox(status, who.operator.as_ref(), limit.clamp(1, 500)))?)
    }

    /// Puts a parked message back in the queue, due now, with its attempts reset (admins).
    pub fn resend_outbox(&self, who: &Principal, id: i64) -> Result<OutboxRow> {
        who.require(&[Role::Admin], "resend notifications")?;
        let now = self.now();
        self.store.write(|tx| {
            let mut m = tx.outbox_message(id)?.ok_or_else(|| ServiceError::not_found("message", id))?;
            if let Some(op) = &who.operator {
                let ours = match m.request_id {
                    Some(r) => tx.request(r)?.is_some_and(|r| &r.operator == op),
                    None => false,
                };
                if !ours {
                    return Err(ServiceError::not_found("message", id));
                }
            }
            if m.status != "parked" {
                return Err(ServiceError::conflict(
                    "message_not_parked",
                    format!("message {id} is {}; only parked messages are resent", m.status),
                ));
            }
            m.status = "pending".into();
            m.attempts = 0;
            m.next_attempt_at = now;
            tx.update_outbox(&m)?;
            let details = serde_json::json!({ "last_error": m.last_error });
            audit(tx, now, &who.actor(), "resend_notification", "outbox", id, details)?;
            Ok(m)
        })
    }
}

impl Service {
    fn link(&self, request_id: i64) -> String {
        format!("{}/requests/{request_id}", self.notifier.public_url.trim_end_matches('/'))
    }

    /// The public page that checks a certificate (what its QR code holds).
    pub(crate) fn certificate_url(&self, number: &str) -> String {
        format!("{}/certificates/{number}", self.notifier.public_url.trim_end_matches('/'))
    }

    /// Queues what a request's step tells its subscriber, and after completion schedules the
    /// reminder before the aging ends.
    pub(crate) fn notify_step(
        &self,
        tx: &mut dyn Tx,
        policy: &TerminationPolicy,
        r: &RequestRow,
        action: Action,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let event = match action {
            Action::Submit => "request_submitted",
            Action::RequestInfo => "info_requested",
            Action::Approve => "request_approved",
            Action::Reject => "request_rejected",
            Action::Complete if policy.revocation_allowed && r.reason != simexit_domain::Reason::PortOut => {
                "request_completed"
            }
            Action::Complete => "request_completed_final",
            _ => return Ok(()),
        };
        let Some(subscriber) = tx.subscriber(r.subscriber_id)? else { return Ok(()) };
        let mut v = serde_json::Map::new();
        v.insert("request_id".into(), r.id.into());
        v.insert("msisdn".into(), r.msisdn.masked().into());
        // The completion message links the certificate's public page; the others the request.
        let certificate = if action == Action::Complete { tx.certificate_of_request(r.id)? } else { None };
        if let Some(c) = &certificate {
            v.insert("certificate".into(), c.number.clone().into());
        }
        let link = certificate.map_or_else(|| self.link(r.id), |c| self.certificate_url(&c.number));
        v.insert("link".into(), link.into());
        // The deadline is the end of its local day: its last minute, with the zone named.
        if let Some(d) = r.review_deadline {
            let last_minute = d.checked_sub(SignedDuration::from_mins(1)).unwrap_or(d);
            v.insert("deadline".into(), local_time(last_minute, &policy.zone()).into());
            v.insert("deadline_short".into(), local_time_short(last_minute, &policy.zone()).into());
        }
        if let Some(reason) = reason {
            v.insert("reason".into(), reason.into());
        }
        if let Some(until) = r.aging_until {
            v.insert("aging_until".into(), local_time(until, &policy.zone()).into());
            v.insert("aging_until_short".into(), local_time_short(until, &policy.zone()).into());
            v.insert("aging_until_short".into(), local_time_short(until, &policy.zone()).into());
        }
        let key = format!("{event}:{}:{}", r.id, now.as_millisecond());
        // From completion on, the line's own number is cut off.
        let cut_off = matches!(action, Action::Complete).then_some(&r.msisdn);
        enqueue(tx, now, &subscriber, policy.default_language, event, v, Some(r.id), Some(&key), cut_off)?;
        // The reminder is the last chance to revoke: none where revocation is not allowed.
        if action == Action::Complete
            && policy.revocation_allowed
            && policy.aging_reminder_days > 0
            && let Some(until) = r.aging_until
        {
            let before = SignedDuration::from_hours(24 * i64::from(policy.aging_reminder_days));
            let at = until.checked_sub(before).unwrap_or(until);
            if at > now {
                schedule(tx, jobs::AGING_REMINDER, r.id, at, now)?;
            }
        }
        Ok(())
    }

    /// The reminder job: the subscriber's last chance to revoke, if the request is still in
    /// its aging.
    pub(crate) fn remind_aging(&self, tx: &mut dyn Tx, request_id: i64, now: Timestamp) -> Result<()> {
        let Some(r) = tx.request(request_id)? else { return Ok(()) };
        let Some(until) = r.aging_until.filter(|u| *u > now && r.state == RequestState::Completed) else {
            return Ok(());
        };
        let policy = self.policy(&r.operator)?;
        let Some(subscriber) = tx.subscriber(r.subscriber_id)? else { return Ok(()) };
        let hours = until.duration_since(now).as_hours();
        let days = (hours + 23) / 24;
        let mut v = serde_json::Map::new();
        v.insert("request_id".into(), r.id.into());
        v.insert("msisdn".into(), r.msisdn.masked().into());
        v.insert("days".into(), days.into());
        v.insert("aging_until".into(), local_time(until, &policy.zone()).into());
        v.insert("aging_until_short".into(), local_time_short(until, &policy.zone()).into());
        v.insert("link".into(), self.link(r.id).into());
        let key = format!("aging_reminder:{}:{}", r.id, until.as_millisecond());
        let cut_off = Some(&r.msisdn);
        enqueue(tx, now, &subscriber, policy.default_language, "aging_reminder", v, Some(r.id), Some(&key), cut_off)
    }

    /// Queues the message that a refund was paid.
    pub(crate) fn notify_refund_paid(&self, tx: &mut dyn Tx, refund: &RefundRow, now: Timestamp) -> Result<()> {
        let Some(line) = tx.line(refund.line_id)? else { return Ok(()) };
        let Some(subscriber) = tx.subscriber(line.subscriber_id)? else { return Ok(()) };
        let policy = self.policy(&refund.operator)?;
        let mut v = serde_json::Map::new();
        v.insert("request_id".into(), refund.request_id.unwrap_or_default().into());
        let k = refund.amount.kopecks();
        v.insert("amount".into(), format!("{}.{:02}", k / 100, (k % 100).abs()).into());
        let key = format!("refund_paid:{}", refund.id);
        let cut_off = (line.state == LineState::Terminated).then_some(&line.msisdn);
        let event = "refund_paid";
        enqueue(tx, now, &subscriber, policy.default_language, event, v, refund.request_id, Some(&key), cut_off)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let secs: Vec<i64> = (1..=10).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}
