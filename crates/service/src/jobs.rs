//! Durable jobs: timers and background work stored in the database.
//!
//! A worker step claims due jobs in one short transaction (a lease, so a crashed worker's
//! jobs are taken over when the lease expires), then runs each job's effect in its own
//! transaction that also marks the job done, so an effect on the database happens exactly
//! once. Handlers re-check the state they act on, so a job made moot (a request revoked
//! before its aging ended) finishes as a no-op. Failures retry with exponential backoff.

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use simexit_domain::number::release;
use simexit_domain::{LineState, RequestState};
use simexit_store::{JobRow, StoreExt, Tx};

use crate::ledger;
use crate::record::{audit, inventory_number, schedule, step};
use crate::{Result, Service, ServiceError};

/// Marks a request overdue when its review deadline passes undecided.
pub const REVIEW_OVERDUE: &str = "review_overdue";
/// Ends a number's freeze: the number returns to the pool and the request closes.
pub const END_AGING: &str = "end_aging";

/// Destroys a closed request's documents once their retention ends.
pub const DESTROY_DOCUMENTS: &str = "destroy_documents";

/// Processes the next batch of a bulk termination run started from the admin API.
pub const BULK_BATCH: &str = "bulk_batch";

/// Runs a network task's remaining steps (outside a transaction: see `network`).
pub const NETWORK_STEPS: &str = "network_steps";

/// Reminds the subscriber, some days before the aging ends, that they may still revoke.
pub const AGING_REMINDER: &str = "aging_reminder";

/// Bills one period of a paid add-on service and schedules the next.
pub const BILL_SERVICE: &str = "bill_service";

#[derive(Deserialize)]
struct Payload {
    /// The request or service the job is about.
    #[serde(alias = "request_id")]
    id: i64,
}

/// What one worker step did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StepReport {
    pub claimed: usize,
    pub done: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Delay before attempt `attempts + 1`: 10 s doubling per attempt, at most an hour.
pub fn backoff(attempts: i64) -> SignedDuration {
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    SignedDuration::from_secs(10i64.saturating_mul(1i64 << exp).min(3_600))
}

impl Service {
    /// Claims and runs up to `limit` due jobs.
    pub fn run_due_jobs(&self, limit: u32) -> Result<StepReport> {
        let now = self.now();
        let lease_until = now.checked_add(self.config.job_lease).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let claimed = self.store.write(|tx| Ok::<_, ServiceError>(tx.claim_jobs(now, lease_until, limit)?))?;
        let mut report = StepReport { claimed: claimed.len(), ..StepReport::default() };
        // Jobs run in the order they were scheduled (a network task's steps before the aging
        // end that waits for them). Each run of consecutive jobs whose effect is a database
        // change commits as one transaction (the aging sweep releases a million numbers in
        // batches, not a million commits); if any of them fails, that transaction rolls back
        // and each runs alone, so one bad job neither blocks nor undoes the others.
        for group in claimed.chunk_by(|a, b| !commits_own_work(&a.kind) && !commits_own_work(&b.kind)) {
            if group.len() > 1 && self.run_together(group, now).is_ok() {
                report.done += group.len();
                continue;
            }
            for job in group {
                let ran = self.run_one(job, now);
                self.record_outcome(job, ran, now, &mut report)?;
            }
        }
        Ok(report)
    }

    /// Runs the effects of database-only jobs and marks them done, all in one transaction:
    /// each effect happens exactly once, with its job's end.
    fn run_together(&self, jobs: &[JobRow], now: Timestamp) -> Result<()> {
        self.store.write(|tx| {
            for job in jobs {
                self.run_job(tx, job, now)?;
                tx.finish_job(job.id, now)?;
            }
            Ok::<_, ServiceError>(())
        })
    }

    fn run_one(&self, job: &JobRow, now: Timestamp) -> Result<()> {
        let finish = |()| Ok(self.store.write(|tx| tx.finish_job(job.id, now))?);
        match job.kind.as_str() {
            // These commit their own work (a bulk run's batches; network steps with the
            // network's I/O between them) and only then mark the job done.
            BULK_BATCH => self.bulk_batch(&job.payload).and_then(finish),
            NETWORK_STEPS => payload(job).and_then(|p| self.run_network_task(p.id)).and_then(finish),
            _ => self.run_together(std::slice::from_ref(job), now),
        }
    }

    fn record_outcome(&self, job: &JobRow, ran: Result<()>, now: Timestamp, report: &mut StepReport) -> Result<()> {
        match ran {
            Ok(()) => report.done += 1,
            Err(e) => {
                let error = e.to_string();
                if job.attempts >= job.max_attempts {
                    tracing::error!(job = job.id, kind = %job.kind, %error, "job failed for good");
                    self.store.write(|tx| tx.fail_job(job.id, now, &error))?;
                    report.failed += 1;
                } else {
                    let at = now.checked_add(backoff(job.attempts)).unwrap_or(now);
                    tracing::warn!(job = job.id, kind = %job.kind, %error, retry_at = %at, "job failed, will retry");
                    self.store.write(|tx| tx.retry_job(job.id, at, &error))?;
                    report.retried += 1;
                }
            }
        }
        Ok(())
    }

    /// Runs due jobs until none is left, then sends the messages due (the jobs' included).
    pub fn drain_due_jobs(&self) -> Result<StepReport> {
        let mut total = StepReport::default();
        loop {
            let r = self.run_due_jobs(100)?;
            total.claimed += r.claimed;
            total.done += r.done;
            total.retried += r.retried;
            total.failed += r.failed;
            if r.claimed == 0 || r.done == 0 {
                break;
            }
        }
        let sent = self.drain_outbox()?;
        if sent.claimed > 0 {
            tracing::info!(sent = sent.sent, retried = sent.retried, parked = sent.parked, "dispatched notifications");
        }
        Ok(total)
    }

    fn run_job(&self, tx: &mut dyn Tx, job: &JobRow, now: Timestamp) -> Result<()> {
        let payload = payload(job)?;
        match job.kind.as_str() {
            REVIEW_OVERDUE => mark_overdue(tx, payload.id, now),
            END_AGING => {
                if !self.network_released(tx, payload.id)? {
                    // The number is still live in the network: it stays frozen; look again later.
                    tracing::warn!(request = payload.id, "aging ended but the network still holds the number");
                    let later = now.checked_add(SignedDuration::from_hours(1)).unwrap_or(now);
                    return schedule(tx, END_AGING, payload.id, later, now);
                }
                end_aging(tx, payload.id, now)?;
                match tx.request(payload.id)? {
                    Some(r) if r.state == RequestState::Closed && r.closed_at == Some(now) => {
                        self.schedule_destruction(tx, &r, now)
                    }
                    _ => Ok(()),
                }
            }
            DESTROY_DOCUMENTS => self.destroy_documents(tx, payload.id, now),
            BILL_SERVICE => bill_service_period(tx, payload.id, now),
            AGING_REMINDER => self.remind_aging(tx, payload.id, now),
            other => Err(ServiceError::Internal(format!("unknown job kind `{other}`"))),
        }
    }
}

/// Jobs that commit their own work in steps, outside the batch of a worker step.
fn commits_own_work(kind: &str) -> bool {
    matches!(kind, BULK_BATCH | NETWORK_STEPS)
}

fn payload(job: &JobRow) -> Result<Payload> {
    serde_json::from_str(&job.payload)
        .map_err(|e| ServiceError::Internal(format!("job {} has a bad payload: {e}", job.id)))
}

fn bill_service_period(tx: &mut dyn Tx, service_id: i64, now: Timestamp) -> Result<()> {
    let Some(mut service) = tx.service(service_id)? else {
        return Ok(());
    };
    if service.stopped_at.is_some() {
        return Ok(());
    }
    let line =
        tx.line(service.line_id)?.ok_or_else(|| ServiceError::Internal(format!("service {service_id} has no line")))?;
    let period_end = ledger::period_end(service.started_at, service.charged_until)?;
    if period_end > now {
        return Ok(());
    }
    ledger::bill_service(tx, &mut service, &line.operator, period_end, "system")?;
    let next = ledger::period_end(service.started_at, period_end)?;
    schedule(tx, BILL_SERVICE, service.id, next, now)
}

fn mark_overdue(tx: &mut dyn Tx, request_id: i64, now: Timestamp) -> Result<()> {
    let Some(mut r) = tx.request(request_id)? else {
        return Ok(());
    };
    let due = r.review_deadline.is_some_and(|d| d <= now);
    if !r.state.awaits_review() || r.overdue || !due {
        return Ok(());
    }
    r.overdue = true;
    r.updated_at = now;
    tx.update_request(&r)?;
    step(tx, &r, now, "system", "overdue", r.state, r.state, Some("the review deadline passed"))
}

fn end_aging(tx: &mut dyn Tx, request_id: i64, now: Timestamp) -> Result<()> {
    let Some(mut r) = tx.request(request_id)? else {
        return Ok(());
    };
    if r.state != RequestState::Completed {
        // Revoked in the meantime, or already closed by an earlier run: nothing to do.
        return Ok(());
    }
    let to = r.state.next(simexit_domain::Action::EndAging)?;
    let mut number = inventory_number(tx, &r.msisdn)?;
    number.state = release(number.state, number.aging_until, now)?;
    number.aging_until = None;
    number.line_id = None;
    number.subscriber_id = None;
    number.updated_at = now;
    tx.update_number(&number)?;
    if let Some(mut line) = tx.line(r.line_id)? {
        line.state = LineState::Terminated;
        tx.update_line(&line)?;
    }
    r.state = to;
    r.closed_at = Some(now);
    r.updated_at = now;
    tx.update_request(&r)?;
    step(tx, &r, now, "system", "end_aging", RequestState::Completed, to, None)?;
    let data = serde_json::json!({ "msisdn": r.msisdn.as_str(), "state": number.state, "request_id": r.id });
    crate::record::change(tx, now, "number.released", &format!("number/{}", r.msisdn), Some(&r.operator), data)?;
    audit(tx, now, "system", "release", "number", &r.msisdn, serde_json::json!({ "state": number.state }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(0), SignedDuration::from_secs(10));
        assert_eq!(backoff(1), SignedDuration::from_secs(20));
        assert_eq!(backoff(3), SignedDuration::from_secs(80));
        assert_eq!(backoff(30), SignedDuration::from_secs(3_600));
    }
}
