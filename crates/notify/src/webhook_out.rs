//! Webhook deliveries over HTTP: a POST of the signed CloudEvent to the subscriber's URL, with
//! a timeout and no redirect followed (a redirect is an answer that is not 2xx: retried, then
//! parked, never sent somewhere the subscription did not name).

use std::time::Duration;

use simexit_service::webhooks::WebhookTransport;

pub struct HttpWebhooks {
    agent: ureq::Agent,
}

impl HttpWebhooks {
    pub fn new(timeout: Duration) -> Self {
        let agent = crate::http_agent(timeout);
        HttpWebhooks { agent }
    }
}

impl WebhookTransport for HttpWebhooks {
    fn post(&self, url: &str, headers: &[(&'static str, String)], body: &[u8]) -> Result<u16, String> {
        let mut req = self.agent.post(url);
        for (name, value) in headers {
            req = req.header(*name, value.as_str());
        }
        let resp = req.send(body).map_err(|e| format!("webhook: {e}"))?;
        Ok(resp.status().as_u16())
    }
}
