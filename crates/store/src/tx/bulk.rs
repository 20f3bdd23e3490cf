//! Bulk terminations and the selection reports that feed them.

use super::*;

pub trait BulkTx {
    /// Active or suspended lines of subscribers holding more than `more_than` of them, by
    /// subscriber, most recently opened first.
    fn lines_of_heavy_holders(&mut self, more_than: i64) -> Result<Vec<CandidateLine>>;
    /// Active or suspended lines opened before `since` with no charge or payment since.
    fn lines_unused_since(&mut self, since: Timestamp, limit: u32) -> Result<Vec<CandidateLine>>;
    /// Records a run and its lines unless a run with the same id exists; `true` if new.
    fn insert_bulk_run(&mut self, run: &BulkRunRow, lines: &[(i64, String)]) -> Result<bool>;
    fn bulk_run(&mut self, id: &str) -> Result<Option<BulkRunRow>>;
    /// Lines not processed yet, in file order.
    fn pending_bulk_lines(&mut self, run_id: &str, limit: u32) -> Result<Vec<BulkLineRow>>;
    /// One line, locked for its processing.
    fn bulk_line(&mut self, run_id: &str, line_no: i64) -> Result<Option<BulkLineRow>>;
    fn set_bulk_outcome(&mut self, line: &BulkLineRow) -> Result<()>;
    /// Lines by outcome (`pending` for those not processed).
    fn bulk_counts(&mut self, run_id: &str) -> Result<Vec<(String, i64)>>;
    fn finish_bulk_run(&mut self, id: &str, at: Timestamp) -> Result<()>;
}
