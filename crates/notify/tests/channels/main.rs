//! The channels against real peers on loopback: an SMSC speaking SMPP 3.4 and an HTTP SMS
//! gateway, both small servers in this folder.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed unwrap is a failed test")]

mod http_sms;
mod smpp;
mod smsc;
