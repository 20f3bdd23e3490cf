//! Reading and verifying the audit log.

use simexit_domain::access::Role;
use simexit_store::audit::first_broken_link;
use simexit_store::{AuditRow, StoreExt};

use crate::{Principal, Result, Service, ServiceError};

/// The outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub entries: u64,
    /// The first entry whose link does not hold: it, or the one before it, was altered,
    /// inserted or deleted.
    pub first_broken: Option<i64>,
    /// The stored chain head disagrees with the last entry (entries removed from the end).
    pub head_mismatch: bool,
}

const PAGE: u32 = 1_000;

impl Service {
    /// Walks the audit chain from the first entry and reports the first broken link.
    pub fn verify_audit_chain(&self) -> Result<ChainReport> {
        let mut prev = String::new();
        let mut after = 0;
        let mut entries = 0u64;
        loop {
            let page = self.store.read(|tx| tx.audit_entries(after, PAGE))?;
            let Some(last) = page.last() else { break };
            after = last.id;
            entries += page.len() as u64;
            match first_broken_link(&page, prev) {
                Ok(hash) => prev = hash,
                Err(id) => return Ok(ChainReport { entries, first_broken: Some(id), head_mismatch: false }),
            }
        }
        let head = self.store.read(|tx| tx.audit_head())?.unwrap_or_default();
        Ok(ChainReport { entries, first_broken: None, head_mismatch: head != prev })
    }

    /// A page of the audit log for auditors and admins.
    pub fn audit_entries(&self, who: &Principal, after: i64, limit: u32) -> Result<Vec<AuditRow>> {
        who.require(&[Role::Auditor, Role::Admin], "read the audit log")?;
        if who.operator.is_some() {
            return Err(ServiceError::forbidden(
                "the audit log spans operators: only deployment-wide auditors read it",
            ));
        }
        Ok(self.store.read(|tx| tx.audit_entries(after.max(0), limit.clamp(1, PAGE)))?)
    }
}
