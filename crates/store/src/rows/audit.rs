//! Rows of the hash-chained audit log.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON object with the details (before/after, reason).
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
    /// The operator the entry is about; `None` for what spans operators.
    pub operator: Option<OperatorId>,
}
