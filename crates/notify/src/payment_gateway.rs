//! The generic payment provider over HTTP: the contract a provider (or a thin adapter in front
//! of a real acquirer) implements so subscribers can pay by card. docs/PAYMENTS.md has it in
//! full:
//!
//! - `POST {api_url}/payments` with `Authorization: Bearer <api_key>`, `Idempotency-Key:
//!   simexit-payment-<id>` and `{"amount": 29050, "currency": "RUB", "description": "…",
//!   "reference": <id>, "return_url": "…"}` answers 2xx `{"id": "…", "status": "pending",
//!   "confirmation_url": "https://…"}`;
//! - `GET {api_url}/payments/{id}` answers `{"id", "status": "pending|succeeded|canceled",
//!   "amount", "currency", "reference"}`: simexit asks it after every notification and
//!   believes the notification only when it agrees;
//! - `POST {api_url}/refunds` with `Idempotency-Key: simexit-refund-<id>` and
//!   `{"payment_id", "amount", "currency": "RUB"}` answers 2xx `{"id", "status": "succeeded"}`
//!   once the card is refunded (a repeated key answers the same refund);
//! - notifications follow [`simexit_service::money::providers::signed`].
//!
//! Redirects are not followed and every call has a timeout.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use simexit_domain::Money;
use simexit_domain::ledger::PaymentStatus;
use simexit_service::money::providers::{Notice, PaymentProvider, PaymentStart, ProviderPayment, Started, signed};

pub struct HttpPaymentProvider {
    agent: ureq::Agent,
    api_url: String,
    api_key: String,
    secret: Vec<u8>,
    tolerance: SignedDuration,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    confirmation_url: String,
}

#[derive(Deserialize)]
struct Refund {
    id: String,
    status: String,
}

#[derive(Deserialize)]
struct Payment {
    status: String,
    amount: i64,
    #[serde(default)]
    currency: Option<String>,
}

impl HttpPaymentProvider {
    pub fn new(api_url: &str, api_key: &str, secret: &[u8], tolerance: SignedDuration, timeout: Duration) -> Self {
        let agent = crate::http_agent(timeout);
        HttpPaymentProvider {
            agent,
            api_url: api_url.trim_end_matches('/').to_owned(),
            api_key: api_key.to_owned(),
            secret: secret.to_vec(),
            tolerance,
        }
    }

    fn answer<T: for<'de> Deserialize<'de>>(
        what: &str,
        resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T, String> {
        let mut resp = resp.map_err(|e| format!("{what}: {e}"))?;
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().map_err(|e| format!("{what}: {e}"))?;
        if !(200..300).contains(&status) {
            return Err(format!("{what}: HTTP {status}: {}", text.chars().take(200).collect::<String>()));
        }
        serde_json::from_str(&text).map_err(|e| format!("{what}: unreadable answer: {e}"))
    }
}

impl PaymentProvider for HttpPaymentProvider {
    fn start(&self, p: &PaymentStart) -> Result<Started, String> {
        let body = serde_json::json!({
            "amount": p.amount.kopecks(),
            "currency": "RUB",
            "description": p.description,
            "reference": p.payment_id,
            "return_url": p.return_url,
        });
        let resp = self
            .agent
            .post(&format!("{}/payments", self.api_url))
            .header("Authorization", &format!("Bearer {}", self.api_key))
            .header("Idempotency-Key", &format!("simexit-payment-{}", p.payment_id))
            .send_json(&body);
        let created: Created = Self::answer("starting a payment", resp)?;
        if !(created.confirmation_url.starts_with("https://") || created.confirmation_url.starts_with("http://")) {
            return Err("starting a payment: the confirmation_url is not http(s)".into());
        }
        Ok(Started { provider_ref: created.id, confirmation_url: created.confirmation_url })
    }

    fn verify(
        &self,
        header: &dyn Fn(&str) -> Option<String>,
        body: &[u8],
        now: Timestamp,
    ) -> simexit_service::Result<Notice> {
        signed::verify(&self.secret, self.tolerance, header(signed::HEADER).as_deref(), body, now)
    }

    fn status(&self, provider_ref: &str) -> Result<ProviderPayment, String> {
        let id: String = provider_ref.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
        if id != provider_ref || id.is_empty() {
            return Err("a payment id of letters, digits, `-` and `_` only".into());
        }
        let resp = self
            .agent
            .get(&format!("{}/payments/{id}", self.api_url))
            .header("Authorization", &format!("Bearer {}", self.api_key))
            .call();
        let p: Payment = Self::answer("asking a payment's status", resp)?;
        if p.currency.as_deref().is_some_and(|c| c != "RUB") {
            return Err("asking a payment's status: not in RUB".into());
        }
        let status = p.status.parse::<PaymentStatus>().map_err(|e| format!("asking a payment's status: {e}"))?;
        Ok(ProviderPayment { status, amount: Money::from_kopecks(p.amount) })
    }

    fn refund(&self, provider_ref: &str, amount: Money, key: &str) -> Result<String, String> {
        let body = serde_json::json!({ "payment_id": provider_ref, "amount": amount.kopecks(), "currency": "RUB" });
        let resp = self
            .agent
            .post(&format!("{}/refunds", self.api_url))
            .header("Authorization", &format!("Bearer {}", self.api_key))
            .header("Idempotency-Key", key)
            .send_json(&body);
        let refund: Refund = Self::answer("refunding a card", resp)?;
        if refund.status != "succeeded" {
            return Err(format!("refunding a card: the provider says {}", refund.status));
        }
        Ok(refund.id)
    }
}
