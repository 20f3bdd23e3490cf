//! The hash-chained audit log (see [`crate::audit`]).

use super::*;

pub trait AuditTx {
    /// The hash of the newest audit entry, locking the chain head until commit.
    fn audit_head(&mut self) -> Result<Option<String>>;
    fn insert_audit(&mut self, entry: &AuditRow) -> Result<()>;
    fn audit_entries(&mut self, after_id: i64, limit: u32) -> Result<Vec<AuditRow>>;
}
