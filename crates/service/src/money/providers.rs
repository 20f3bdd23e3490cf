//! Payment providers: where a subscriber pays by card, and whose signed notification is the
//! only thing that credits a line. A provider sits behind [`PaymentProvider`]; simexit ships
//! the generic HTTP provider (`simexit-notify`'s `payment_gateway`, the contract in
//! docs/PAYMENTS.md) and, with `--demo`, [`DemoProvider`], whose card page runs in simexit.
//!
//! Both speak the same notification contract, [`signed`]: a JSON body
//! `{"event","payment_id","amount","currency","reference","sent_at"}` and the header
//! `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>`; `sent_at` lies inside the signed
//! body, so an old notification replayed is refused by its age.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use simexit_domain::Money;
use simexit_domain::ledger::PaymentStatus;

use crate::Result;

/// A payment simexit asks a provider to start.
#[derive(Debug, Clone)]
pub struct PaymentStart {
    /// simexit's id of the payment: the provider echoes it as `reference`.
    pub payment_id: i64,
    pub amount: Money,
    pub description: String,
    /// Where the provider sends the payer back.
    pub return_url: String,
}

/// What the provider answered the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// The provider's id of the payment.
    pub provider_ref: String,
    /// Where the payer confirms (enters the card).
    pub confirmation_url: String,
}

/// A notification whose signature and age were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub provider_ref: String,
    /// `Succeeded` or `Canceled`.
    pub status: PaymentStatus,
    pub amount: Money,
    /// simexit's id of the payment, as the provider was given it.
    pub reference: i64,
}

/// What the provider's own API says of a payment, asked after a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    pub status: PaymentStatus,
    pub amount: Money,
}

/// A payment provider. Calls are made outside any database transaction; each must be safe to
/// repeat (the provider deduplicates by simexit's payment id).
pub trait PaymentProvider: Send + Sync {
    /// Starts a payment and returns where the payer confirms it.
    fn start(&self, payment: &PaymentStart) -> std::result::Result<Started, String>;
    /// Checks a notification's signature and age and reads it. `header` finds a request
    /// header by its lower-case name.
    fn verify(&self, header: &dyn Fn(&str) -> Option<String>, body: &[u8], now: Timestamp) -> Result<Notice>;
    /// The payment as the provider's API shows it: what a notification claims is believed
    /// only when this agrees.
    fn status(&self, provider_ref: &str) -> std::result::Result<ProviderPayment, String>;
    /// Refunds `amount` of a succeeded payment to its card; `key` makes a repeat a no-op.
    /// Returns the provider's id of the refund once it is made.
    fn refund(&self, provider_ref: &str, amount: Money, key: &str) -> std::result::Result<String, String>;
}

/// The configured providers by name (the `{provider}` of the notification URL); the first
/// is where subscribers pay.
#[derive(Clone, Default)]
pub struct Providers {
    by_name: BTreeMap<String, Arc<dyn PaymentProvider>>,
    default: Option<String>,
    demo_provider: Option<Arc<DemoProvider>>,
    return_base: String,
}

impl Providers {
    pub fn with(mut self, name: &str, provider: Arc<dyn PaymentProvider>) -> Self {
        self.default.get_or_insert_with(|| name.to_owned());
        self.by_name.insert(name.to_owned(), provider);
        self
    }

    /// Where providers send payers back: simexit's public URL.
    pub fn returning_to(mut self, public_url: &str) -> Self {
        self.return_base = public_url.trim_end_matches('/').to_owned();
        self
    }

    pub fn return_base(&self) -> &str {
        &self.return_base
    }

    /// Adds the demo provider under the name `demo`.
    pub fn with_demo(self, demo: Arc<DemoProvider>) -> Self {
        let mut providers = self.with("demo", demo.clone());
        providers.demo_provider = Some(demo);
        providers
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn PaymentProvider>> {
        self.by_name.get(name)
    }

    /// The provider subscribers pay through, if any is configured.
    pub fn default_name(&self) -> Option<&str> {
        self.default.as_deref()
    }

    /// The demo provider, when it is configured (its page lives in simexit).
    pub fn demo(&self) -> Option<Arc<DemoProvider>> {
        self.demo_provider.clone()
    }
}

/// The signed notification contract shared by the generic and the demo provider.
pub mod signed {
    use hmac::{Hmac, KeyInit, Mac};
    use jiff::{SignedDuration, Timestamp};
    use serde::{Deserialize, Serialize};
    use sha2::Sha256;
    use simexit_domain::Money;
    use simexit_domain::ledger::PaymentStatus;

    use super::Notice;
    use crate::{Result, ServiceError};

    /// The header that carries the signature.
    pub const HEADER: &str = "x-signature";

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Body {
        /// `payment.succeeded` or `payment.canceled`.
        pub event: String,
        pub payment_id: String,
        pub amount: i64,
        pub currency: String,
        pub reference: i64,
        pub sent_at: Timestamp,
    }

    /// `sha256=<hex>` of the body under `secret`.
    pub fn sign(secret: &[u8], body: &[u8]) -> Result<String> {
        Ok(format!("sha256={}", hex::encode(mac(secret, body)?.finalize().into_bytes())))
    }

    fn mac(secret: &[u8], body: &[u8]) -> Result<Hmac<Sha256>> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
            .map_err(|e| ServiceError::Internal(format!("payment notification key: {e}")))?;
        mac.update(body);
        Ok(mac)
    }

    /// The notification, when its signature is right and it was sent within `tolerance` of
    /// `now` (either way: a clock ahead is as suspect as a replay).
    pub fn verify(
        secret: &[u8],
        tolerance: SignedDuration,
        signature: Option<&str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<Notice> {
        let bad_signature = || ServiceError::Unauthenticated {
            code: "invalid_signature",
            message: format!("the {HEADER} header is missing or does not sign this body"),
        };
        let given = signature.and_then(|s| s.trim().strip_prefix("sha256=")).ok_or_else(bad_signature)?;
        let given = hex::decode(given).map_err(|_| bad_signature())?;
        mac(secret, body)?.verify_slice(&given).map_err(|_| bad_signature())?;
        let n: Body = serde_json::from_slice(body)
            .map_err(|e| ServiceError::bad_input("invalid_notification", format!("notification: {e}")))?;
        let age = now.duration_since(n.sent_at);
        if age.abs() > tolerance {
            return Err(ServiceError::Unauthenticated {
                code: "stale_notification",
                message: format!(
                    "sent_at {} is more than {} s from now: an old notification is not replayed",
                    n.sent_at,
                    tolerance.as_secs()
                ),
            });
        }
        let status = match n.event.as_str() {
            "payment.succeeded" => PaymentStatus::Succeeded,
            "payment.canceled" => PaymentStatus::Canceled,
            other => {
                return Err(ServiceError::bad_input(
                    "invalid_notification",
                    format!("event `{other}`: payment.succeeded or payment.canceled"),
                ));
            }
        };
        if n.currency != "RUB" {
            return Err(ServiceError::bad_input("invalid_notification", "currency: RUB"));
        }
        Ok(Notice { provider_ref: n.payment_id, status, amount: Money::from_kopecks(n.amount), reference: n.reference })
    }
}

/// The demo provider: a card page served by simexit itself (`/demo-pay/{id}`) that sends the
/// signed notification through the same verified path as any provider. It keeps its payments
/// in memory, as a provider keeps them on its side: after a restart, a payment started
/// before it cannot be paid, and a new one is started.
pub struct DemoProvider {
    secret: Vec<u8>,
    base_url: String,
    tolerance: jiff::SignedDuration,
    payments: Mutex<HashMap<String, DemoPayment>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPayment {
    pub reference: i64,
    pub amount: Money,
    /// Refunded to the card so far, by refund key.
    pub refunds: BTreeMap<String, Money>,
    pub description: String,
    pub return_url: String,
    pub status: PaymentStatus,
}

impl DemoProvider {
    /// `base_url` is where simexit's pages are served (the card page is under it).
    pub fn new(secret: &[u8], base_url: &str, tolerance: jiff::SignedDuration) -> Self {
        DemoProvider {
            secret: secret.to_vec(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            tolerance,
            payments: Mutex::default(),
        }
    }

    fn book(&self) -> std::sync::MutexGuard<'_, HashMap<String, DemoPayment>> {
        self.payments.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A payment the card page shows.
    pub fn payment(&self, provider_ref: &str) -> Option<DemoPayment> {
        self.book().get(provider_ref).cloned()
    }

    /// The payer paid (or gave up) on the card page: the demo provider's side changes, and
    /// the notification it sends is returned with its signature header.
    pub fn settle(&self, provider_ref: &str, paid: bool, now: Timestamp) -> Option<(Vec<u8>, String)> {
        let mut book = self.book();
        let p = book.get_mut(provider_ref)?;
        if p.status == PaymentStatus::Pending {
            p.status = if paid { PaymentStatus::Succeeded } else { PaymentStatus::Canceled };
        }
        let body = signed::Body {
            event: format!("payment.{}", p.status.as_str()),
            payment_id: provider_ref.to_owned(),
            amount: p.amount.kopecks(),
            currency: "RUB".into(),
            reference: p.reference,
            sent_at: now,
        };
        let body = serde_json::to_vec(&body).ok()?;
        let signature = signed::sign(&self.secret, &body).ok()?;
        Some((body, signature))
    }
}

impl PaymentProvider for DemoProvider {
    fn start(&self, payment: &PaymentStart) -> std::result::Result<Started, String> {
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|e| format!("no randomness: {e}"))?;
        let provider_ref = format!("demo-{}-{}", payment.payment_id, hex::encode(nonce));
        self.book().insert(
            provider_ref.clone(),
            DemoPayment {
                reference: payment.payment_id,
                amount: payment.amount,
                description: payment.description.clone(),
                return_url: payment.return_url.clone(),
                status: PaymentStatus::Pending,
                refunds: BTreeMap::new(),
            },
        );
        let confirmation_url = format!("{}/demo-pay/{provider_ref}", self.base_url);
        Ok(Started { provider_ref, confirmation_url })
    }

    fn verify(&self, header: &dyn Fn(&str) -> Option<String>, body: &[u8], now: Timestamp) -> Result<Notice> {
        signed::verify(&self.secret, self.tolerance, header(signed::HEADER).as_deref(), body, now)
    }

    fn status(&self, provider_ref: &str) -> std::result::Result<ProviderPayment, String> {
        let p = self.payment(provider_ref).ok_or_else(|| format!("the demo provider has no payment {provider_ref}"))?;
        Ok(ProviderPayment { status: p.status, amount: p.amount })
    }

    fn refund(&self, provider_ref: &str, amount: Money, key: &str) -> std::result::Result<String, String> {
        let mut book = self.book();
        let p = book.get_mut(provider_ref).ok_or_else(|| format!("the demo provider has no payment {provider_ref}"))?;
        if p.status != PaymentStatus::Succeeded {
            return Err(format!("payment {provider_ref} is {}: nothing to refund", p.status));
        }
        if !p.refunds.contains_key(key) {
            let refunded = p.refunds.values().fold(Money::ZERO, |a, b| a + *b);
            if refunded + amount > p.amount {
                return Err(format!("payment {provider_ref} holds {} and {refunded} was refunded", p.amount));
            }
            p.refunds.insert(key.to_owned(), amount);
        }
        Ok(format!("{provider_ref}-refund-{key}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn a_notification_is_believed_only_signed_with_the_secret_and_recent() {
        let demo = DemoProvider::new(b"whsec-test", "http://127.0.0.1:8080", jiff::SignedDuration::from_mins(5));
        let start = PaymentStart {
            payment_id: 7,
            amount: Money::from_kopecks(29050),
            description: "line 3".into(),
            return_url: "/my".into(),
        };
        let started = demo.start(&start).unwrap_or_else(|_| unreachable!());
        assert!(started.confirmation_url.starts_with("http://127.0.0.1:8080/demo-pay/demo-7-"));
        let now = t("2026-11-30T12:00:00Z");
        let (body, signature) = demo.settle(&started.provider_ref, true, now).unwrap_or_else(|| unreachable!());
        let header = |s: &str| (s == signed::HEADER).then(|| signature.clone());
        let notice = demo.verify(&header, &body, now).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((notice.status, notice.amount, notice.reference), (PaymentStatus::Succeeded, start.amount, 7));

        let code = |r: Result<Notice>| r.err().map(|e| e.code());
        assert_eq!(code(demo.verify(&header, &body, t("2026-11-30T12:06:00Z"))), Some("stale_notification"));
        let forged = String::from_utf8_lossy(&body).replace("29050", "2905000").into_bytes();
        assert_eq!(code(demo.verify(&header, &forged, now)), Some("invalid_signature"));
        assert_eq!(code(demo.verify(&|_| None, &body, now)), Some("invalid_signature"));
        let other = signed::sign(b"another secret", &body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(code(demo.verify(&|_| Some(other.clone()), &body, now)), Some("invalid_signature"));
        let status = demo.status(&started.provider_ref).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status, ProviderPayment { status: PaymentStatus::Succeeded, amount: start.amount });
    }
}
