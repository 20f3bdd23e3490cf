//! The hash-chained audit log (see [`crate::audit`]).

use super::*;

pub trait AuditTx {
    /// The hash of the newest audit entry, locking the chain head until commit.
    fn audit_head(&mut self) -> Result<Option<String>>;
    /// Stores an entry whose links are already computed (see [`AuditTx::append_audit`]).
    fn insert_audit(&mut self, entry: &AuditRow) -> Result<()>;
    /// Entries after `after_id`, oldest first; about one operator when given.
    fn audit_entries(&mut self, after_id: i64, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<AuditRow>>;
    /// The key the store chains entries with: the deployment's, given when it was opened.
    fn audit_key(&self) -> &crate::audit::AuditKey;

    /// Appends an entry to the chain: links it to the head (locked until commit) and hashes
    /// it with the store's key. Returns the entry as stored, its id unset.
    fn append_audit(&mut self, mut entry: AuditRow) -> Result<AuditRow> {
        entry.prev_hash = self.audit_head()?.unwrap_or_default();
        entry.hash = crate::audit::chain_hash(self.audit_key(), &entry.prev_hash, &entry);
        self.insert_audit(&entry)?;
        Ok(entry)
    }
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const INSERT_AUDIT_1: &str =
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, details, prev_hash, hash, operator_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    pub const INSERT_AUDIT_2: &str =
        "INSERT INTO audit_head (id, hash) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET hash = excluded.hash";
    pub const AUDIT_ENTRIES: &str = formatcp!(
        "SELECT {AUDIT_COLS} FROM audit_log WHERE id > ?1 AND (CAST(?3 AS TEXT) IS NULL OR operator_id = ?3)
         ORDER BY id LIMIT ?2"
    );
    pub const AUDIT_HEAD: &str = "SELECT hash FROM audit_head WHERE id = 1";
}
