//! The channels notifications leave by, each a [`simexit_service::notifications::Sender`]:
//! e-mail over SMTP ([`smtp::SmtpSender`], with `lettre`). The dispatcher, the outbox and the
//! templates live in the service; these only talk to the outside.

pub mod smtp;
