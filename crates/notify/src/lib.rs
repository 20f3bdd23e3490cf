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
