//! The channels against real peers on loopback: an SMSC built on python-smpplib
//! (`tests/peers/smsc.py`) and an HTTP SMS gateway.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed unwrap is a failed test")]

mod http_sms;
mod smpp;
mod smsc;
