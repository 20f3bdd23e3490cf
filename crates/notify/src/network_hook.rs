//! Network steps over an HTTP webhook: the operator's provisioning system (in front of its
//! HSS/HLR) receives one call per step and answers once the network has applied it.
//!
//! The contract: `POST {url}` with `{"request_id": 42, "msisdn": "+79161234567", "step":
//! "bar", "idempotency_key": "simexit-42-deprovision-bar"}` (steps `bar`, `detach`, `delete`
//! after a termination; `create`, `attach`, `unbar` after a revocation), `Authorization:
//! Bearer <token>` when configured. A 2xx answer confirms the step; anything else, or no
//! answer within the timeout, is a failure that simexit retries with backoff. The same key
//! may arrive again after a crash: the receiver must treat a repeated step as done.

use std::time::Duration;

use simexit_domain::Msisdn;
use simexit_service::network::NetworkAdapter;

pub struct NetworkWebhook {
    agent: ureq::Agent,
    url: String,
    token: String,
}

impl NetworkWebhook {
    pub fn new(url: &str, token: &str, timeout: Duration) -> Self {
        let agent =
            ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().new_agent();
        NetworkWebhook { agent, url: url.to_owned(), token: token.to_owned() }
    }
}

impl NetworkAdapter for NetworkWebhook {
    fn apply(&self, request_id: i64, msisdn: &Msisdn, step: &str) -> Result<(), String> {
        let direction = if matches!(step, "bar" | "detach" | "delete") { "deprovision" } else { "restore" };
        let body = serde_json::json!({
            "request_id": request_id,
            "msisdn": msisdn.as_str(),
            "step": step,
            "idempotency_key": format!("simexit-{request_id}-{direction}-{step}"),
        });
        let mut req = self.agent.post(&self.url);
        if !self.token.is_empty() {
            req = req.header("Authorization", &format!("Bearer {}", self.token));
        }
        let mut resp = req.send_json(&body).map_err(|e| format!("network hook: {e}"))?;
        let status = resp.status().as_u16();
        if (200..300).contains(&status) {
            Ok(())
        } else {
            let text = resp.body_mut().read_to_string().unwrap_or_default();
            Err(format!("network hook: HTTP {status}: {}", text.chars().take(200).collect::<String>()))
        }
    }

    fn kind(&self) -> &'static str {
        "webhook"
    }
}
