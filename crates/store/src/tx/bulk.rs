//! Bulk terminations and the selection reports that feed them.

use super::*;

pub trait BulkTx {
    /// Active or suspended lines of subscribers holding more than `more_than` of them, by
    /// subscriber, most recently opened first.
    fn lines_of_heavy_holders(&mut self, more_than: i64) -> Result<Vec<CandidateLine>>;
    /// Active or suspended lines opened before `since` with no use the BSS reported and no
    /// payment since.
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

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const LINES_OF_HEAVY_HOLDERS: &str =
        "SELECT l.id, l.msisdn, l.subscriber_id, s.category, l.opened_at, l.operator_id FROM lines l
         JOIN subscribers s ON s.id = l.subscriber_id
         WHERE l.state IN ('active', 'suspended') AND l.subscriber_id IN (
         SELECT subscriber_id FROM lines WHERE state IN ('active', 'suspended')
         GROUP BY subscriber_id HAVING COUNT(*) > ?1)
         ORDER BY l.subscriber_id, l.opened_at DESC, l.id DESC";
    pub const LINES_UNUSED_SINCE: &str =
        "SELECT l.id, l.msisdn, l.subscriber_id, s.category, l.opened_at, l.operator_id FROM lines l
         JOIN subscribers s ON s.id = l.subscriber_id
         WHERE l.state IN ('active', 'suspended') AND l.opened_at <= ?1
         AND NOT EXISTS (SELECT 1 FROM bss_lines b WHERE b.line_id = l.id AND b.last_activity_at >= ?1)
         AND NOT EXISTS (SELECT 1 FROM ledger_movements m
         WHERE m.line_id = l.id AND m.at >= ?1 AND m.kind = 'payment')
         ORDER BY l.id LIMIT ?2";
    pub const INSERT_BULK_RUN_1: &str =
        formatcp!("INSERT INTO bulk_runs ({BULK_RUN_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING");
    pub const INSERT_BULK_RUN_2: &str = "INSERT INTO bulk_lines (run_id, line_no, msisdn) VALUES (?1, ?2, ?3)";
    pub const BULK_RUN: &str = formatcp!("SELECT {BULK_RUN_COLS} FROM bulk_runs WHERE id = ?1");
    pub const SET_BULK_OUTCOME: &str =
        "UPDATE bulk_lines SET outcome = ?3, request_id = ?4, detail = ?5 WHERE run_id = ?1 AND line_no = ?2";
    pub const BULK_COUNTS: &str =
        "SELECT COALESCE(outcome, 'pending'), COUNT(*) FROM bulk_lines WHERE run_id = ?1 GROUP BY 1 ORDER BY 1";
    pub const FINISH_BULK_RUN: &str = "UPDATE bulk_runs SET finished_at = ?2 WHERE id = ?1 AND finished_at IS NULL";
    pub const BULK_LINE: &str = formatcp!("SELECT {BULK_LINE_COLS} FROM bulk_lines WHERE run_id = ?1 AND line_no = ?2");
    pub const PENDING_BULK_LINES: &str = formatcp!(
        "SELECT {BULK_LINE_COLS} FROM bulk_lines WHERE run_id = ?1 AND outcome IS NULL ORDER BY line_no LIMIT ?2"
    );
}
