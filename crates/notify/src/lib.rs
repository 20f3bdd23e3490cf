//! The channels notifications leave by, each a [`simexit_service::notifications::Sender`]:
//! e-mail over SMTP ([`smtp::SmtpSender`], with `lettre`) and SMS over SMPP 3.4
//! ([`smpp::SmppSender`], the protocol implemented here) or an HTTP gateway
//! ([`http_sms::HttpSmsSender`]); and the network provisioning webhook
//! ([`network_hook::NetworkWebhook`]) that bars, detaches and deletes terminated numbers. The dispatcher, the outbox and the
//! templates live in the service; these only talk to the outside.

pub mod http_sms;
pub mod network_hook;
pub mod payment_gateway;
pub mod smpp;
pub mod smtp;
pub mod webhook_out;

/// The HTTP client of the outbound adapters: a timeout on every call, statuses read as
/// answers (not errors), and no redirect followed — a redirect is not where simexit was told
/// to send.
pub(crate) fn http_agent(timeout: std::time::Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
}
