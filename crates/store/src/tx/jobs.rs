//! Durable jobs: scheduled, leased, retried, finished.

use super::*;

pub trait JobsTx {
    /// Schedules a job; a job with the same `dedupe_key` already scheduled is kept as is.
    fn insert_job(&mut self, job: &NewJob) -> Result<()>;
    /// Leases up to `limit` due jobs (pending and due, or running with an expired lease).
    fn claim_jobs(&mut self, now: Timestamp, lease_until: Timestamp, limit: u32) -> Result<Vec<JobRow>>;
    fn finish_job(&mut self, id: i64, at: Timestamp) -> Result<()>;
    fn retry_job(&mut self, id: i64, run_at: Timestamp, error: &str) -> Result<()>;
    fn fail_job(&mut self, id: i64, at: Timestamp, error: &str) -> Result<()>;
    fn job(&mut self, id: i64) -> Result<Option<JobRow>>;
    fn jobs_by_status(&mut self) -> Result<Vec<(String, i64)>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const INSERT_JOB: &str =
        "INSERT INTO jobs (kind, payload, run_at, max_attempts, status, dedupe_key, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?6) ON CONFLICT (dedupe_key) DO NOTHING";
    pub const FINISH_JOB: &str = "UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = ?2 WHERE id = ?1";
    pub const RETRY_JOB: &str = "UPDATE jobs SET status = 'pending', run_at = ?2, locked_until = NULL, last_error = ?3, updated_at = ?2 WHERE id = ?1";
    pub const FAIL_JOB: &str =
        "UPDATE jobs SET status = 'failed', locked_until = NULL, last_error = ?3, updated_at = ?2 WHERE id = ?1";
    pub const JOB: &str = formatcp!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1");
    pub const JOBS_BY_STATUS: &str = "SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status";
}
