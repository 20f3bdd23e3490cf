//! Uploaded documents and the acts of their destruction.

use super::*;

pub trait DocumentsTx {
    fn insert_document(&mut self, document: &DocumentRow) -> Result<i64>;
    fn document(&mut self, id: i64) -> Result<Option<DocumentRow>>;
    fn documents_of(&mut self, request_id: i64) -> Result<Vec<DocumentRow>>;
    fn update_document(&mut self, document: &DocumentRow) -> Result<()>;
    /// Sets the destruction deadline of a request's documents not yet destroyed.
    fn set_documents_retention(&mut self, request_id: i64, until: Timestamp) -> Result<u64>;
    /// Documents past their deadline and not yet destroyed, oldest deadline first.
    fn documents_due(&mut self, now: Timestamp, limit: u32) -> Result<Vec<DocumentRow>>;
    fn insert_destruction_act(&mut self, act: &DestructionActRow) -> Result<i64>;
    /// Acts after `after_id`, oldest first; of one operator's requests when given.
    fn destruction_acts(
        &mut self,
        after_id: i64,
        operator: Option<&OperatorId>,
        limit: u32,
    ) -> Result<Vec<DestructionActRow>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const INSERT_DOCUMENT: &str = formatcp!(
        "INSERT INTO documents ({DOCUMENT_FIELDS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) RETURNING id"
    );
    pub const DOCUMENTS_OF: &str = formatcp!("SELECT {DOCUMENT_COLS} FROM documents WHERE request_id = ?1 ORDER BY id");
    pub const UPDATE_DOCUMENT: &str =
        "UPDATE documents SET status = ?2, review_reason = ?3, reviewed_by = ?4, retention_until = ?5,
         destroyed_at = ?6, file_name = ?7 WHERE id = ?1";
    pub const SET_DOCUMENTS_RETENTION: &str =
        "UPDATE documents SET retention_until = ?2 WHERE request_id = ?1 AND status <> 'destroyed'";
    pub const INSERT_DESTRUCTION_ACT: &str = formatcp!(
        "INSERT INTO destruction_acts ({ACT_FIELDS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id"
    );
    pub const DESTRUCTION_ACTS: &str =
        formatcp!("SELECT {ACT_COLS} FROM destruction_acts WHERE id > ?1
         AND (CAST(?3 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM termination_requests r WHERE r.id = destruction_acts.request_id AND r.operator_id = ?3)) ORDER BY id LIMIT ?2");
    pub const DOCUMENT: &str = formatcp!("SELECT {DOCUMENT_COLS} FROM documents WHERE id = ?1");
    pub const DOCUMENTS_DUE: &str = formatcp!(
        "SELECT {DOCUMENT_COLS} FROM documents WHERE status <> 'destroyed' AND retention_until <= ?1
         ORDER BY retention_until, id LIMIT ?2"
    );
}
