//! Durable jobs: scheduled, leased, retried, finished.

use super::*;

pub(super) fn job(r: &Row) -> Result<JobRow> {
    Ok(JobRow {
        id: get(r, 0)?,
        kind: get(r, 1)?,
        payload: get(r, 2)?,
        run_at: time(r, 3)?,
        attempts: get(r, 4)?,
        max_attempts: get(r, 5)?,
        status: get(r, 6)?,
        locked_until: time_opt(r, 7)?,
        last_error: get(r, 8)?,
        dedupe_key: get(r, 9)?,
    })
}

impl JobsTx for PgTx<'_> {
    fn insert_job(&mut self, j: &NewJob) -> Result<()> {
        self.exec(
            sql::INSERT_JOB,
            &[&j.kind, &j.payload, &ts(j.run_at), &j.max_attempts, &j.dedupe_key, &ts(j.created_at)],
        )
        .map(drop)
    }

    fn claim_jobs(&mut self, now: Timestamp, lease_until: Timestamp, n: u32) -> Result<Vec<JobRow>> {
        // SKIP LOCKED: two workers claiming at once get disjoint jobs.
        let mut jobs = self.all(
            &format!(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, run_at = $2, locked_until = $2, updated_at = $1
                 WHERE id IN (SELECT id FROM jobs WHERE status IN ('pending', 'running') AND run_at <= $1
                              ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
                 RETURNING {JOB_COLS}"
            ),
            &[&ts(now), &ts(lease_until), &limit(n)],
            job,
        )?;
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    fn finish_job(&mut self, id: i64, at: Timestamp) -> Result<()> {
        self.exec(sql::FINISH_JOB, &[&id, &ts(at)]).map(drop)
    }

    fn retry_job(&mut self, id: i64, run_at: Timestamp, error: &str) -> Result<()> {
        self.exec(sql::RETRY_JOB, &[&id, &ts(run_at), &error]).map(drop)
    }

    fn fail_job(&mut self, id: i64, at: Timestamp, error: &str) -> Result<()> {
        self.exec(sql::FAIL_JOB, &[&id, &ts(at), &error]).map(drop)
    }

    fn job(&mut self, id: i64) -> Result<Option<JobRow>> {
        self.one(sql::JOB, &[&id], job)
    }

    fn jobs_by_status(&mut self) -> Result<Vec<(String, i64)>> {
        self.all(sql::JOBS_BY_STATUS, &[], |r| Ok((get(r, 0)?, get(r, 1)?)))
    }
}
