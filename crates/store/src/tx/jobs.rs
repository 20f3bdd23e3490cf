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
