//! Reading and verifying the audit log.

use simexit_domain::access::Role;
use simexit_store::audit::first_broken_link;
use simexit_store::{AuditRow, StoreExt};

use crate::{Principal, Result, Service, ServiceError};

/// The outcome of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainReport {
    pub entries: u64,
    /// The first entry whose link does not hold: it, or the one before it, was altered,
    /// inserted or deleted.
    pub first_broken: Option<i64>,
    /// The stored chain head disagrees with the last entry (entries removed from the end).
    pub head_mismatch: bool,
    /// The newest entry and its hash.
    pub last: Option<(i64, String)>,
    /// The hash of the entry asked for (a checkpoint's), if the chain reached it.
    pub at: Option<String>,
}

/// A signed statement of the chain's head at one moment: entry number and hash, signed with
/// the deployment's Ed25519 key (the certificates' keys, published at
/// `/api/v1/certificates/keys`). Kept outside the database, it lets a later check tell that
/// the log was cut short or rewritten since.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub entry: i64,
    pub hash: String,
    pub at: String,
    pub key_id: String,
    pub signature: String,
}

impl Checkpoint {
    /// The text that is signed.
    fn signed_text(entry: i64, hash: &str) -> String {
        format!("simexit-audit-checkpoint:v1:{entry}:{hash}")
    }
}

/// What a check against a checkpoint found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointProblem {
    /// The checkpoint's signature does not verify under the deployment's keys.
    Forged,
    /// The log ends before the checkpoint's entry: it was cut short.
    Truncated { last: i64 },
    /// The checkpoint's entry is not the one it signed: the chain was rewritten.
    Rewritten,
}

const PAGE: u32 = 1_000;

impl Service {
    /// Walks the audit chain from the first entry and reports the first broken link.
    pub fn verify_audit_chain(&self) -> Result<ChainReport> {
        self.walk_audit_chain(None)
    }

    /// Walks the chain, keeping the hash of entry `at` when it is reached.
    fn walk_audit_chain(&self, at: Option<i64>) -> Result<ChainReport> {
        let mut report = ChainReport::default();
        let mut prev = String::new();
        let mut after = 0;
        loop {
            let (page, key) = self
                .store
                .read(|tx| Ok::<_, ServiceError>((tx.audit_entries(after, None, PAGE)?, tx.audit_key().clone())))?;
            let Some(last) = page.last() else { break };
            after = last.id;
            report.entries += page.len() as u64;
            match first_broken_link(&key, &page, prev) {
                Ok(hash) => prev = hash,
                Err(id) => {
                    report.first_broken = Some(id);
                    return Ok(report);
                }
            }
            if let Some(e) = at.and_then(|at| page.iter().find(|e| e.id == at)) {
                report.at = Some(e.hash.clone());
            }
            report.last = Some((last.id, last.hash.clone()));
        }
        let head = self.store.read(|tx| tx.audit_head())?.unwrap_or_default();
        report.head_mismatch = head != prev;
        Ok(report)
    }

    /// Signs the chain's head as it is now; the chain must verify first.
    pub fn audit_checkpoint(&self) -> Result<Checkpoint> {
        let report = self.verify_audit_chain()?;
        if report.first_broken.is_some() || report.head_mismatch {
            return Err(ServiceError::conflict("audit_chain_broken", "the audit chain does not verify: no checkpoint"));
        }
        let (entry, hash) = report.last.unwrap_or((0, String::new()));
        let (key_id, signature) = self.signing.sign_text(&Checkpoint::signed_text(entry, &hash));
        Ok(Checkpoint { entry, hash, at: self.now().to_string(), key_id, signature })
    }

    /// Walks the chain and holds it to a checkpoint taken earlier: the report of the walk, and
    /// what the checkpoint shows besides (a forged checkpoint, a log cut short, a rewrite).
    pub fn verify_audit_against(&self, checkpoint: &Checkpoint) -> Result<(ChainReport, Option<CheckpointProblem>)> {
        let signed = Checkpoint::signed_text(checkpoint.entry, &checkpoint.hash);
        if !self.signing.published().verify(&signed, &checkpoint.key_id, &checkpoint.signature) {
            return Ok((ChainReport::default(), Some(CheckpointProblem::Forged)));
        }
        let report = self.walk_audit_chain(Some(checkpoint.entry))?;
        if report.first_broken.is_some() {
            return Ok((report, None));
        }
        let last = report.last.as_ref().map_or(0, |l| l.0);
        let problem = if last < checkpoint.entry {
            Some(CheckpointProblem::Truncated { last })
        } else if report.at.as_deref() != Some(checkpoint.hash.as_str()) && checkpoint.entry > 0 {
            Some(CheckpointProblem::Rewritten)
        } else {
            None
        };
        Ok((report, problem))
    }

    /// A page of the audit log for auditors and admins: of their operator when they are
    /// scoped to one (the entries about its records; what spans operators stays with the
    /// deployment-wide ones).
    pub fn audit_entries(&self, who: &Principal, after: i64, limit: u32) -> Result<Vec<AuditRow>> {
        who.require(&[Role::Auditor, Role::Admin], "read the audit log")?;
        Ok(self.store.read(|tx| tx.audit_entries(after.max(0), who.operator.as_ref(), limit.clamp(1, PAGE)))?)
    }
}
