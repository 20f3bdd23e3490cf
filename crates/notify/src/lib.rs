//! The channels notifications leave by, each a [`simexit_service::notifications::Sender`]:
//! e-mail over SMTP ([`smtp::SmtpSender`], with `lettre`) and SMS over SMPP 3.4
//! ([`smpp::SmppSender`], the protocol implemented here) or an HTTP gateway
//! ([`http_sms::HttpSmsSender`]). The dispatcher, the outbox and the
//! templates live in the service; these only talk to the outside.

pub mod http_sms;
pub mod smpp;
pub mod smtp;
