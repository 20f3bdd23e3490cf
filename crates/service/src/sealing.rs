//! Values kept sealed in rows: identity document numbers, refund account numbers and the
//! one-time codes waiting in the outbox. Each is sealed for its place (the associated data
//! names the column), with the deployment's [`KeyRing`], and opened only where it is shown
//! or sent.

use simexit_domain::sealing::{KeyRing, is_sealed_text};

use crate::{Result, Service, ServiceError};

/// The places a sealed value may be kept; each seals for its own.
pub const ID_DOCUMENT_NUMBER: &str = "subscribers.id_document_number";
/// A refund's bank account, in a request's settlement choice and in the refund made of it
/// (one place, so completion copies the sealed value as it is).
pub const REFUND_ACCOUNT: &str = "refund_account";
pub const OUTBOX_CODE: &str = "outbox.code";
/// The phone number an SBP refund goes to.
pub const REFUND_PHONE: &str = "refund.sbp_phone";
/// A webhook subscription's signing secret.
pub const WEBHOOK_SECRET: &str = "webhook.secret";

/// A key that lives as long as the process: for a service built without configured keys
/// (benchmarks, tools). A server always has the deployment's keys.
pub fn ephemeral() -> KeyRing {
    let mut key = [0u8; 32];
    if getrandom::fill(&mut key).is_err() {
        tracing::error!("no randomness for an ephemeral sealing key");
    }
    KeyRing::single("ephemeral", key)
}

impl Service {
    /// Seals `plain` for `place`.
    pub fn seal(&self, place: &str, plain: &str) -> Result<String> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
        self.sealing.seal_text(place, plain, nonce).map_err(|e| ServiceError::Internal(format!("sealing: {e}")))
    }

    /// Opens a value of `place`; a value written before sealing began is returned as it is.
    pub fn unseal(&self, place: &str, stored: &str) -> Result<String> {
        if !is_sealed_text(stored) {
            return Ok(stored.to_owned());
        }
        self.sealing.open_text(place, stored).map_err(|e| ServiceError::Internal(format!("{place}: {e}")))
    }
}

impl Service {
    /// A request as callers see it: its refund account opened.
    pub(crate) fn open_request(&self, mut r: simexit_store::RequestRow) -> Result<simexit_store::RequestRow> {
        if let Some(a) = &r.settlement.refund_account {
            r.settlement.refund_account = Some(self.unseal(REFUND_ACCOUNT, a)?);
        }
        Ok(r)
    }

    /// A refund as callers see it: its bank account opened.
    pub(crate) fn open_refund(&self, mut r: simexit_store::RefundRow) -> Result<simexit_store::RefundRow> {
        if let Some(a) = &r.account {
            r.account = Some(self.unseal(REFUND_ACCOUNT, a)?);
        }
        if let Some(p) = &r.sbp_phone {
            r.sbp_phone = Some(self.unseal(REFUND_PHONE, p)?);
        }
        Ok(r)
    }
}
