//! SMS through an operator's HTTP gateway, for operators without SMPP.
//!
//! The contract: `POST {url}` with `Content-Type: application/json` and the body
//! `{"id": "<outbox id>", "to": "+79161234567", "text": "…"}`, `Authorization: Bearer <token>`
//! when a token is configured, and `Idempotency-Key: simexit-outbox-<id>`, the same on every
//! attempt of one message, so a gateway that honours it never sends a message twice. A 2xx
//! answer accepts the message; its JSON `id`, if any, is the provider id. 408, 429, 5xx and
//! network errors are retried; any other status refuses the message for good.

use std::time::Duration;

use simexit_domain::notify::Rendered;
use simexit_service::notifications::{Outgoing, SendError, Sender};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSmsSettings {
    pub url: String,
    /// Bearer token ("" for none).
    pub token: String,
    pub timeout: Duration,
}

pub struct HttpSmsSender {
    agent: ureq::Agent,
    settings: HttpSmsSettings,
}

impl HttpSmsSender {
    pub fn new(settings: HttpSmsSettings) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .build()
            .new_agent();
        HttpSmsSender { agent, settings }
    }
}

impl Sender for HttpSmsSender {
    fn send(&self, m: &Outgoing) -> Result<String, SendError> {
        let Rendered::Sms { text } = &m.rendered else {
            return Err(SendError::Permanent("not an SMS".into()));
        };
        let key = format!("simexit-outbox-{}", m.id);
        let mut request = self.agent.post(&self.settings.url).header("Idempotency-Key", &key);
        if !self.settings.token.is_empty() {
            request = request.header("Authorization", &format!("Bearer {}", self.settings.token));
        }
        let body = serde_json::json!({ "id": m.id.to_string(), "to": m.to, "text": text });
        let mut response = request.send_json(&body).map_err(|e| SendError::Transient(format!("sms gateway: {e}")))?;
        let status = response.status().as_u16();
        let answer = response.body_mut().read_to_string().unwrap_or_default();
        match status {
            200..=299 => {
                let id = serde_json::from_str::<serde_json::Value>(&answer)
                    .ok()
                    .and_then(|v| v.get("id").and_then(|id| id.as_str().map(str::to_owned)))
                    .unwrap_or(key);
                Ok(id)
            }
            408 | 429 | 500..=599 => Err(SendError::Transient(format!("sms gateway: HTTP {status}: {answer}"))),
            _ => Err(SendError::Permanent(format!("sms gateway: HTTP {status}: {answer}"))),
        }
    }

    fn kind(&self) -> &'static str {
        "http"
    }
}
