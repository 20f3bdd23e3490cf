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

/// Claims due jobs: SQLite has one writer at a time, so no job is claimed twice.
pub(super) const CLAIM_JOBS: &str = formatcp!(
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, run_at = ?2, locked_until = ?2, updated_at = ?1
             WHERE id IN (SELECT id FROM jobs WHERE status IN ('pending', 'running') AND run_at <= ?1
                          ORDER BY run_at, id LIMIT ?3)
             RETURNING {JOB_COLS}"
);

impl JobsTx for SqliteTx<'_> {
    fn insert_job(&mut self, j: &NewJob) -> Result<()> {
        self.exec(
            sql::INSERT_JOB,
            params![j.kind, j.payload, ts(j.run_at), j.max_attempts, j.dedupe_key, ts(j.created_at)],
        )
        .map(drop)
    }

    fn claim_jobs(&mut self, now: Timestamp, lease_until: Timestamp, limit: u32) -> Result<Vec<JobRow>> {
        // A running job's run_at is its lease expiry, so one index finds both the due and the
        // abandoned jobs.
        self.all(CLAIM_JOBS, params![ts(now), ts(lease_until), limit], job).map(|mut jobs| {
            jobs.sort_by_key(|j| j.id);
            jobs
        })
    }

    fn finish_job(&mut self, id: i64, at: Timestamp) -> Result<()> {
        self.exec(sql::FINISH_JOB, params![id, ts(at)]).map(drop)
    }

    fn retry_job(&mut self, id: i64, run_at: Timestamp, error: &str) -> Result<()> {
        self.exec(sql::RETRY_JOB, params![id, ts(run_at), error]).map(drop)
    }

    fn fail_job(&mut self, id: i64, at: Timestamp, error: &str) -> Result<()> {
        self.exec(sql::FAIL_JOB, params![id, ts(at), error]).map(drop)
    }

    fn job(&mut self, id: i64) -> Result<Option<JobRow>> {
        self.one(sql::JOB, [id], job)
    }

    fn jobs_by_status(&mut self) -> Result<Vec<(String, i64)>> {
        self.all(sql::JOBS_BY_STATUS, [], |r| Ok((r.get(0)?, r.get(1)?)))
    }
}
