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
    fn destruction_acts(&mut self, after_id: i64, limit: u32) -> Result<Vec<DestructionActRow>>;
}
