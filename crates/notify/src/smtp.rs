//! E-mail over SMTP: plain (on a trusted network), STARTTLS or implicit TLS, with optional
//! authentication; each message has a text and an HTML part and a Message-ID derived from
//! its outbox id, so a receiving system can drop a copy sent again after a crash.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use simexit_domain::notify::Rendered;
use simexit_service::notifications::{Outgoing, SendError, Sender};

/// How to reach the SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub tls: String,
    /// Empty for no authentication.
    pub username: String,
    pub password: String,
    /// `simexit <noreply@operator.example>`.
    pub from: String,
    /// A PEM file of a private CA to trust besides the public roots (empty: none).
    pub ca_file: String,
    pub timeout: Duration,
}

pub struct SmtpSender {
    transport: SmtpTransport,
    from: Mailbox,
    domain: String,
}

#[derive(Debug, thiserror::Error)]
#[error("smtp: {0}")]
pub struct SmtpConfigError(String);

impl SmtpSender {
    pub fn new(s: &SmtpSettings) -> Result<Self, SmtpConfigError> {
        let bad = |e: &dyn std::fmt::Display| SmtpConfigError(e.to_string());
        let from: Mailbox = s.from.parse().map_err(|e| bad(&format!("from `{}`: {e}", s.from)))?;
        let tls_parameters = || {
            let mut b = TlsParameters::builder(s.host.clone());
            if !s.ca_file.is_empty() {
                let pem = std::fs::read(&s.ca_file).map_err(|e| bad(&format!("ca_file {}: {e}", s.ca_file)))?;
                b = b.add_root_certificate(Certificate::from_pem(&pem).map_err(|e| bad(&e))?);
            }
            b.build_rustls().map_err(|e| bad(&e))
        };
        let tls = match s.tls.as_str() {
            "none" => Tls::None,
            "starttls" => Tls::Required(tls_parameters()?),
            "tls" => Tls::Wrapper(tls_parameters()?),
            other => return Err(bad(&format!("tls is `none`, `starttls` or `tls`, not `{other}`"))),
        };
        let mut builder =
            SmtpTransport::builder_dangerous(s.host.clone()).port(s.port).tls(tls).timeout(Some(s.timeout));
        if !s.username.is_empty() {
            builder = builder.credentials(Credentials::new(s.username.clone(), s.password.clone()));
        }
        let domain = from.email.domain().to_owned();
        Ok(SmtpSender { transport: builder.build(), from, domain })
    }
}

impl Sender for SmtpSender {
    fn send(&self, m: &Outgoing) -> Result<String, SendError> {
        let Rendered::Email { subject, text, html } = &m.rendered else {
            return Err(SendError::Permanent("not an e-mail".into()));
        };
        let to: Mailbox = m.to.parse().map_err(|e| SendError::Permanent(format!("recipient `{}`: {e}", m.to)))?;
        let message_id = format!("<outbox-{}@{}>", m.id, self.domain);
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(message_id.clone()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text.clone()))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html.clone())),
            )
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport.send(&email) {
            Ok(_) => Ok(message_id),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }

    fn kind(&self) -> &'static str {
        "smtp"
    }
}
