//! Events out: the operator's other systems subscribe to what simexit does. Every event is a
//! row of `changes`, written in the transaction of the change it tells of; the worker fans
//! each out to the subscriptions whose patterns match it and delivers it as a CloudEvents 1.0
//! JSON document, signed as Standard Webhooks does (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64 HMAC-SHA256>`). One resource's events leave in order; a
//! failed delivery is retried with backoff, then parked until an admin resends it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;
use simexit_domain::access::Role;
use simexit_store::{ChangeRow, DeliveryRow, StoreExt, WebhookRow};

use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

/// The event types a subscription may name (`termination.*` names the first eight).
pub const EVENT_TYPES: &[&str] = &[
    "termination.submitted",
    "termination.info_requested",
    "termination.info_provided",
    "termination.approved",
    "termination.rejected",
    "termination.withdrawn",
    "termination.completed",
    "termination.revoked",
    "termination.closed",
    "line.terminated",
    "number.released",
    "refund.approved",
    "refund.paid",
    "refund.failed",
    "bulk.finished",
];

/// The CloudEvents `type` prefix.
pub const TYPE_PREFIX: &str = "ru.simexit.";
/// Attempts before a delivery is parked.
pub const MAX_ATTEMPTS: i64 = 8;
const CLAIM: SignedDuration = SignedDuration::from_secs(120);

/// How a delivery leaves: an HTTP POST (`simexit-notify`'s `webhook_out`).
pub trait WebhookTransport: Send + Sync {
    /// POSTs `body` to `url` with `headers`; the answer's status, or why there was none.
    fn post(&self, url: &str, headers: &[(&'static str, String)], body: &[u8]) -> std::result::Result<u16, String>;
}

/// Where events go out: the transport and the `source` every event names.
pub struct Outbound {
    pub transport: Option<std::sync::Arc<dyn WebhookTransport>>,
    /// The CloudEvents `source`: simexit's public URL.
    pub source: String,
}

impl Default for Outbound {
    fn default() -> Self {
        Outbound { transport: None, source: "urn:simexit".into() }
    }
}

/// Whether `kind` is named by one of the comma-separated `patterns` (`*`, `termination.*`,
/// `number.released`).
pub fn matches(patterns: &str, kind: &str) -> bool {
    patterns.split(',').map(str::trim).any(|p| match p.strip_suffix(".*") {
        _ if p == "*" => true,
        Some(prefix) => kind.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')),
        None => p == kind,
    })
}

fn valid_events(events: &str) -> Result<String> {
    let patterns: Vec<&str> = events.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    let unknown: Vec<&str> = patterns.iter().copied().filter(|p| !EVENT_TYPES.iter().any(|t| matches(p, t))).collect();
    if patterns.is_empty() || !unknown.is_empty() {
        return Err(ServiceError::unprocessable(
            "invalid_events",
            format!(
                "events: patterns of {} (`*` and `termination.*` too); unknown: {}",
                EVENT_TYPES.join(", "),
                unknown.join(", ")
            ),
        ));
    }
    Ok(patterns.join(","))
}

fn valid_url(url: &str) -> Result<String> {
    let url = url.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default()).unwrap_or_default();
    let ok = !host.is_empty()
        && !host.contains('@')
        && url.len() <= 2000
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(url.to_owned())
    } else {
        Err(ServiceError::unprocessable(
            "invalid_url",
            "url: an http:// or https:// address with a host, no credentials",
        ))
    }
}

fn new_secret() -> Result<String> {
    let mut key = [0u8; 24];
    getrandom::fill(&mut key).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    Ok(format!("whsec_{}", B64.encode(key)))
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under the secret's key, as Standard
/// Webhooks signs.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String> {
    let key = B64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|e| ServiceError::Internal(format!("webhook secret: {e}")))?;
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key)
        .map_err(|e| ServiceError::Internal(format!("webhook secret: {e}")))?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Ok(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

/// The CloudEvents 1.0 structured-mode document of a change.
pub fn cloud_event(change: &ChangeRow, source: &str) -> serde_json::Value {
    let data: serde_json::Value = serde_json::from_str(&change.data).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "specversion": "1.0",
        "id": format!("evt_{}", change.id),
        "source": source,
        "type": format!("{TYPE_PREFIX}{}", change.kind),
        "subject": change.subject,
        "time": change.at,
        "datacontenttype": "application/json",
        "data": data,
    })
}

/// The backoff after `attempts` failures: 30 s, 1 min, 2 min, … up to 1 h.
fn backoff(attempts: i64) -> SignedDuration {
    let secs = 30i64.saturating_mul(1i64 << attempts.clamp(0, 7));
    SignedDuration::from_secs(secs.min(3600))
}

impl Service {
    fn webhook_admin(&self, who: &Principal) -> Result<()> {
        who.require(&[Role::Admin], "manage webhooks")
    }

    fn own_webhook(&self, tx: &mut dyn simexit_store::Tx, who: &Principal, id: i64) -> Result<WebhookRow> {
        let w = tx.webhook(id)?.ok_or_else(|| ServiceError::not_found("webhook", id))?;
        match (&who.operator, &w.operator) {
            (None, _) => Ok(w),
            (Some(mine), Some(its)) if mine == its => Ok(w),
            _ => Err(ServiceError::not_found("webhook", id)),
        }
    }

    /// A subscription to events from now on; its secret is returned this once. An operator's
    /// admin subscribes to that operator's events only; `None` is the command line (every
    /// operator).
    pub fn create_webhook(&self, who: Option<&Principal>, url: &str, events: &str) -> Result<(WebhookRow, String)> {
        if let Some(w) = who {
            self.webhook_admin(w)?;
        }
        let (url, events) = (valid_url(url)?, valid_events(events)?);
        let secret = new_secret()?;
        let now = self.now();
        let actor = who.map_or_else(|| "cli".to_owned(), Principal::actor);
        self.store.write(|tx| {
            let mut w = WebhookRow {
                id: 0,
                url: url.clone(),
                events: events.clone(),
                secret: self.seal(crate::sealing::WEBHOOK_SECRET, &secret)?,
                enabled: true,
                operator: who.and_then(|w| w.operator.clone()),
                last_change: tx.last_change_id()?,
                created_at: now,
                created_by: actor.clone(),
            };
            w.id = tx.insert_webhook(&w)?;
            let details = serde_json::json!({ "url": url, "events": events });
            audit(tx, now, &actor, "webhook_created", "webhook", w.id, details)?;
            Ok((w, secret.clone()))
        })
    }

    pub fn webhooks(&self, who: &Principal) -> Result<Vec<WebhookRow>> {
        self.webhook_admin(who)?;
        let all = self.store.read(|tx| tx.webhooks())?;
        Ok(all.into_iter().filter(|w| who.operator.is_none() || w.operator == who.operator).collect())
    }

    pub fn webhook(&self, who: &Principal, id: i64) -> Result<WebhookRow> {
        self.webhook_admin(who)?;
        self.store.read(|tx| self.own_webhook(tx, who, id))
    }

    /// Stops (or resumes) a subscription; events while it is disabled are not sent to it.
    pub fn set_webhook_enabled(&self, who: &Principal, id: i64, enabled: bool) -> Result<WebhookRow> {
        self.webhook_admin(who)?;
        let now = self.now();
        self.store.write(|tx| {
            let mut w = self.own_webhook(tx, who, id)?;
            if w.enabled != enabled && enabled {
                // Resumed from now on: what happened while it was off is not replayed.
                w.last_change = tx.last_change_id()?;
            }
            w.enabled = enabled;
            tx.update_webhook(&w)?;
            let action = if enabled { "webhook_enabled" } else { "webhook_disabled" };
            audit(tx, now, &who.actor(), action, "webhook", id, serde_json::json!({}))?;
            Ok(w)
        })
    }

    pub fn delete_webhook(&self, who: &Principal, id: i64) -> Result<()> {
        self.webhook_admin(who)?;
        let now = self.now();
        self.store.write(|tx| {
            self.own_webhook(tx, who, id)?;
            tx.delete_webhook(id)?;
            audit(tx, now, &who.actor(), "webhook_deleted", "webhook", id, serde_json::json!({}))
        })
    }

    /// A new secret, returned this once; deliveries from now on are signed with it.
    pub fn rotate_webhook_secret(&self, who: &Principal, id: i64) -> Result<(WebhookRow, String)> {
        self.webhook_admin(who)?;
        let secret = new_secret()?;
        let now = self.now();
        self.store.write(|tx| {
            let mut w = self.own_webhook(tx, who, id)?;
            w.secret = self.seal(crate::sealing::WEBHOOK_SECRET, &secret)?;
            tx.update_webhook(&w)?;
            audit(tx, now, &who.actor(), "webhook_secret_rotated", "webhook", id, serde_json::json!({}))?;
            Ok((w, secret.clone()))
        })
    }

    /// A subscription's delivery log, newest first.
    pub fn webhook_deliveries(&self, who: &Principal, id: i64, limit: u32) -> Result<Vec<DeliveryRow>> {
        self.webhook_admin(who)?;
        self.store.read(|tx| {
            self.own_webhook(tx, who, id)?;
            Ok(tx.deliveries_of(id, limit.clamp(1, 500))?)
        })
    }

    /// Sends a parked delivery again, from its first attempt.
    pub fn resend_delivery(&self, who: &Principal, id: i64) -> Result<DeliveryRow> {
        self.webhook_admin(who)?;
        let now = self.now();
        self.store.write(|tx| {
            let mut d = tx.delivery(id)?.ok_or_else(|| ServiceError::not_found("delivery", id))?;
            self.own_webhook(tx, who, d.webhook_id).map_err(|_| ServiceError::not_found("delivery", id))?;
            if d.status != "parked" {
                return Err(ServiceError::conflict("delivery_not_parked", format!("this delivery is {}", d.status)));
            }
            (d.status, d.attempts, d.next_attempt_at, d.locked_until) = ("pending".into(), 0, now, None);
            tx.update_delivery(&d)?;
            audit(
                tx,
                now,
                &who.actor(),
                "webhook_resend",
                "webhook",
                d.webhook_id,
                serde_json::json!({ "delivery": id }),
            )?;
            Ok(d)
        })
    }

    /// Fans the changes since each enabled subscription's mark out into its deliveries.
    /// Returns how many deliveries were added.
    pub fn fan_out_webhooks(&self) -> Result<usize> {
        let mut added = 0;
        for w in self.store.read(|tx| tx.webhooks())?.into_iter().filter(|w| w.enabled) {
            // Each worker tick comes here: a subscription with nothing new costs a read, not a
            // write transaction.
            if self.store.read(|tx| tx.changes(w.last_change, w.operator.as_ref(), 1))?.is_empty() {
                continue;
            }
            loop {
                let now = self.now();
                let (n, more) = self.store.write(|tx| {
                    let Some(mut w) = tx.webhook(w.id)?.filter(|w| w.enabled) else { return Ok((0, false)) };
                    let changes = tx.changes(w.last_change, w.operator.as_ref(), 500)?;
                    let mut n = 0;
                    for c in &changes {
                        if matches(&w.events, &c.kind) {
                            tx.insert_delivery(&DeliveryRow {
                                id: 0,
                                webhook_id: w.id,
                                change_id: c.id,
                                subject: c.subject.clone(),
                                status: "pending".into(),
                                attempts: 0,
                                next_attempt_at: now,
                                locked_until: None,
                                last_error: None,
                                response_status: None,
                                delivered_at: None,
                            })?;
                            n += 1;
                        }
                    }
                    if let Some(last) = changes.last() {
                        w.last_change = last.id;
                        tx.update_webhook(&w)?;
                    }
                    Ok::<_, ServiceError>((n, changes.len() == 500))
                })?;
                added += n;
                if !more {
                    break;
                }
            }
        }
        Ok(added)
    }

    /// Sends the deliveries due now, the first of each resource's waiting events at a time.
    /// Returns how many were attempted; call again until 0.
    pub fn deliver_due_webhooks(&self) -> Result<usize> {
        let Some(transport) = self.webhooks.transport.clone() else { return Ok(0) };
        let now = self.now();
        let claimed = self.store.write(|tx| {
            let due = tx.due_deliveries(now, 50)?;
            let mut claimed = Vec::new();
            for mut d in due {
                d.status = "sending".into();
                d.locked_until = Some(now + CLAIM);
                tx.update_delivery(&d)?;
                claimed.push(d);
            }
            Ok::<_, ServiceError>(claimed)
        })?;
        for mut d in claimed.iter().cloned() {
            let (webhook, change) =
                self.store.read(|tx| Ok::<_, ServiceError>((tx.webhook(d.webhook_id)?, tx.change(d.change_id)?)))?;
            let outcome = match (webhook, change) {
                (Some(w), Some(c)) if w.enabled => self.send_one(&*transport, &w, &c),
                (Some(_), Some(_)) => Err((None, "the subscription is disabled".to_owned())),
                _ => Err((None, "the subscription or the event is gone".to_owned())),
            };
            let done = self.now();
            d.attempts += 1;
            d.locked_until = None;
            match outcome {
                Ok(status) => {
                    (d.status, d.response_status, d.delivered_at, d.last_error) =
                        ("delivered".into(), Some(i64::from(status)), Some(done), None);
                }
                Err((status, error)) => {
                    d.response_status = status.map(i64::from);
                    d.last_error = Some(error.chars().take(500).collect());
                    if d.attempts >= MAX_ATTEMPTS {
                        d.status = "parked".into();
                        tracing::warn!(delivery = d.id, webhook = d.webhook_id, "webhook delivery parked");
                    } else {
                        d.status = "pending".into();
                        d.next_attempt_at = done + backoff(d.attempts - 1);
                    }
                }
            }
            self.store.write(|tx| tx.update_delivery(&d))?;
        }
        Ok(claimed.len())
    }

    /// One worker step for events out: fan out, then deliver until nothing is due (bounded).
    pub fn run_webhooks(&self) -> Result<usize> {
        self.fan_out_webhooks()?;
        let mut sent = 0;
        for _ in 0..20 {
            let n = self.deliver_due_webhooks()?;
            sent += n;
            if n == 0 {
                break;
            }
        }
        Ok(sent)
    }

    fn send_one(
        &self,
        transport: &dyn WebhookTransport,
        w: &WebhookRow,
        c: &ChangeRow,
    ) -> std::result::Result<u16, (Option<u16>, String)> {
        let fail = |e: ServiceError| (None, e.to_string());
        let secret = self.unseal(crate::sealing::WEBHOOK_SECRET, &w.secret).map_err(fail)?;
        let body = cloud_event(c, &self.webhooks.source).to_string().into_bytes();
        let id = format!("evt_{}", c.id);
        // The wall clock, not the service's (which a demo may have moved): receivers refuse a
        // timestamp far from their own time, as Standard Webhooks asks them to.
        let timestamp = Timestamp::now().as_second();
        let signature = sign(&secret, &id, timestamp, &body).map_err(fail)?;
        let headers = [
            ("content-type", "application/cloudevents+json".to_owned()),
            ("webhook-id", id),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ];
        match transport.post(&w.url, &headers, &body) {
            Ok(status) if (200..300).contains(&status) => Ok(status),
            Ok(status) => Err((Some(status), format!("HTTP {status}"))),
            Err(e) => Err((None, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_name_event_types_by_prefix_or_whole() {
        assert!(matches("termination.*,number.*", "termination.completed"));
        assert!(matches("termination.*,number.*", "number.released"));
        assert!(!matches("termination.*", "terminations.x"));
        assert!(!matches("refund.paid", "refund.failed"));
        assert!(matches("*", "bulk.finished"));
        assert!(valid_events("termination.*, refund.paid").is_ok());
        assert!(valid_events("termination.exploded").is_err());
        assert!(valid_events("").is_err());
        assert!(valid_url("ftp://x").is_err() && valid_url("https://user:pw@x/").is_err());
        assert!(valid_url("https://hooks.example.ru/simexit").is_ok());
    }

    #[test]
    fn the_signature_is_standard_webhooks_v1() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let signed = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap_or_default();
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert_eq!(backoff(0), SignedDuration::from_secs(30));
        assert_eq!(backoff(20), SignedDuration::from_secs(3600));
    }
}
