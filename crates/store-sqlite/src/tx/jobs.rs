//! Durable jobs: scheduled, leased, retried, finished.

use super::*;

pub(super) fn job(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        payload: r.get(2)?,
        run_at: time(r, 3)?,
        attempts: r.get(4)?,
        max_attempts: r.get(5)?,
        status: r.get(6)?,
        locked_until: time_opt(r, 7)?,
        last_error: r.get(8)?,
        dedupe_key: r.get(9)?,
    })
}

impl JobsTx for SqliteTx<'_> {
    fn insert_job(&mut self, j: &NewJob) -> Result<()> {
        self.exec(
            "INSERT INTO jobs (kind, payload, run_at, max_attempts, status, dedupe_key, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?6) ON CONFLICT (dedupe_key) DO NOTHING",
            params![j.kind, j.payload, ts(j.run_at), j.max_attempts, j.dedupe_key, ts(j.created_at)],
        )
        .map(drop)
    }

    fn claim_jobs(&mut self, now: Timestamp, lease_until: Timestamp, limit: u32) -> Result<Vec<JobRow>> {
        // A running job's run_at is its lease expiry, so one index finds both the due and the
        // abandoned jobs.
        self.all(&queues::claim_jobs(), params![ts(now), ts(lease_until), limit], job).map(|mut jobs| {
            jobs.sort_by_key(|j| j.id);
            jobs
        })
    }

    fn finish_job(&mut self, id: i64, at: Timestamp) -> Result<()> {
        self.exec(
            "UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = ?2 WHERE id = ?1",
            params![id, ts(at)],
        )
        .map(drop)
    }

    fn retry_job(&mut self, id: i64, run_at: Timestamp, error: &str) -> Result<()> {
        self.exec(
            "UPDATE jobs SET status = 'pending', run_at = ?2, locked_until = NULL, last_error = ?3, updated_at = ?2 WHERE id = ?1",
            params![id, ts(run_at), error],
        )
        .map(drop)
    }

    fn fail_job(&mut self, id: i64, at: Timestamp, error: &str) -> Result<()> {
        self.exec(
            "UPDATE jobs SET status = 'failed', locked_until = NULL, last_error = ?3, updated_at = ?2 WHERE id = ?1",
            params![id, ts(at), error],
        )
        .map(drop)
    }

    fn job(&mut self, id: i64) -> Result<Option<JobRow>> {
        self.one(&format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"), [id], job)
    }

    fn jobs_by_status(&mut self) -> Result<Vec<(String, i64)>> {
        self.all("SELECT status, COUNT(*) FROM jobs GROUP BY status ORDER BY status", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }
}
