//! Bulk and forced terminations: `simexit bulk terminate FILE --reason …` and the admin API.
//!
//! A run is identified by its reason and its list of numbers, so starting the same file again
//! resumes it. Each line is processed in its own transaction that terminates the line through
//! the same completion code as a single termination and records the line's outcome: killing
//! the process at any moment and starting again terminates nothing twice and skips nothing.
//! A dry run performs exactly the same code in transactions that are rolled back.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use simexit_domain::access::Role;
use simexit_domain::csvfile::CsvFile;
use simexit_domain::{Msisdn, Reason};
use simexit_store::{BulkRunRow, StoreExt};

use crate::record::audit;
use crate::terminations::Forced;
use crate::{Principal, Result, Service, ServiceError};

/// The numbers of a bulk file: a header with `msisdn` (or `number`), one number per row; other
/// columns (names with `;` or `,` in quotes, as spreadsheets export them) are ignored.
pub fn parse_bulk_file(text: &str) -> Result<Vec<(i64, Msisdn)>> {
    let bad = |line: u64, message: String| {
        ServiceError::unprocessable("invalid_bulk_file", format!("line {line}: {message}"))
    };
    let file = CsvFile::open(text).map_err(|e| bad(e.line, e.message))?;
    let column = file
        .column(&["msisdn", "number", "номер"])
        .ok_or_else(|| bad(1, "the header has no `msisdn` column".into()))?;
    let mut out = Vec::new();
    for row in file {
        let row = row.map_err(|e| bad(e.line, e.message))?;
        let n = Msisdn::parse(row.get(column)).map_err(|e| bad(row.line, e.to_string()))?;
        out.push((i64::try_from(row.line).unwrap_or(i64::MAX), n));
    }
    Ok(out)
}

/// Where a run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkProgress {
    pub run: BulkRunRow,
    /// Lines by outcome; `pending` for those not processed yet.
    pub counts: BTreeMap<String, i64>,
}

impl BulkProgress {
    pub fn pending(&self) -> i64 {
        self.counts.get("pending").copied().unwrap_or(0)
    }
}

/// A run's id: its reason, its numbers and, for an admin of one operator, that operator (so
/// the same file started by admins of two operators is two runs, each seeing its own lines).
fn run_id(reason: Reason, scope: Option<&simexit_domain::OperatorId>, lines: &[(i64, Msisdn)]) -> String {
    let mut h = Sha256::new();
    h.update(reason.as_str().as_bytes());
    if let Some(op) = scope {
        h.update(b"\0");
        h.update(op.as_str().as_bytes());
    }
    for (_, n) in lines {
        h.update(b"\n");
        h.update(n.as_str().as_bytes());
    }
    format!("bulk-{}", &hex::encode(h.finalize())[..24])
}

#[derive(serde::Serialize, serde::Deserialize)]
struct BatchPayload {
    run: String,
    account: i64,
}

fn schedule_batch(tx: &mut dyn simexit_store::Tx, run: &str, account: i64, now: jiff::Timestamp) -> Result<()> {
    let payload = serde_json::to_string(&BatchPayload { run: run.into(), account })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    tx.insert_job(&simexit_store::NewJob {
        kind: crate::jobs::BULK_BATCH.into(),
        payload,
        run_at: now,
        max_attempts: 10,
        dedupe_key: None,
        created_at: now,
    })?;
    Ok(())
}

fn admin(who: &Principal) -> Result<()> {
    who.require(&[Role::Admin], "run bulk terminations")
}

impl Service {
    /// What a run would do to each line, computed by the real code and rolled back.
    pub fn bulk_dry_run(
        &self,
        who: &Principal,
        lines: &[(i64, Msisdn)],
        reason: Reason,
    ) -> Result<Vec<(i64, Msisdn, Forced)>> {
        admin(who)?;
        let now = self.now();
        let mut out = Vec::with_capacity(lines.len());
        for (line_no, n) in lines {
            let outcome = self.store.dry_run(|tx| self.force_terminate(tx, who, n, reason, now))?;
            out.push((*line_no, n.clone(), outcome));
        }
        Ok(out)
    }

    /// Records a run (or finds the same run started before) and returns its progress.
    pub fn bulk_start(
        &self,
        who: &Principal,
        lines: &[(i64, Msisdn)],
        reason: Reason,
        source: &str,
    ) -> Result<BulkProgress> {
        admin(who)?;
        if matches!(reason, Reason::Voluntary | Reason::PortOut) {
            return Err(ServiceError::unprocessable(
                "reason_not_forced",
                "a bulk run needs a forced reason (port-outs are recorded one by one on their numbers)",
            ));
        }
        let now = self.now();
        let id = run_id(reason, who.operator.as_ref(), lines);
        let run = BulkRunRow {
            id: id.clone(),
            reason: reason.as_str().into(),
            source: source.into(),
            total: i64::try_from(lines.len()).unwrap_or(i64::MAX),
            created_by: who.actor(),
            created_at: now,
            finished_at: None,
        };
        let rows: Vec<(i64, String)> = lines.iter().map(|(l, n)| (*l, n.as_str().to_owned())).collect();
        self.store.write(|tx| {
            if tx.insert_bulk_run(&run, &rows)? {
                let details = serde_json::json!({ "reason": run.reason, "total": run.total, "source": source });
                audit(tx, now, &who.actor(), "start_bulk_termination", "bulk_run", &id, details)?;
            }
            Ok::<_, ServiceError>(())
        })?;
        self.bulk_progress(who, &id)
    }

    /// Processes up to `limit` pending lines of a run in one transaction: each line is
    /// terminated and its outcome recorded together, and an interruption rolls the whole
    /// batch back, so a restart redoes exactly the lines not committed.
    pub fn bulk_step(&self, who: &Principal, run_id: &str, limit: u32) -> Result<usize> {
        admin(who)?;
        let run =
            self.store.read(|tx| tx.bulk_run(run_id))?.ok_or_else(|| ServiceError::not_found("bulk run", run_id))?;
        let reason: Reason =
            run.reason.parse().map_err(|_| ServiceError::Internal(format!("run {run_id}: bad reason")))?;
        let pending = self.store.read(|tx| tx.pending_bulk_lines(run_id, limit))?;
        let now = self.now();
        self.store.write(|tx| {
            for p in &pending {
                // Re-read under the write lock: another worker may have done it meanwhile.
                let Some(mut line) = tx.bulk_line(run_id, p.line_no)?.filter(|l| l.outcome.is_none()) else {
                    continue;
                };
                let outcome = match Msisdn::from_e164(&line.msisdn) {
                    Ok(n) => self.force_terminate(tx, who, &n, reason, now)?,
                    Err(_) => Forced::UnknownNumber,
                };
                line.outcome = Some(outcome.code().into());
                (line.request_id, line.detail) = match &outcome {
                    Forced::Terminated { request_id } | Forced::OpenRequest { request_id } => (Some(*request_id), None),
                    Forced::Debt { amount } => (None, Some(format!("debt {amount}"))),
                    _ => (None, None),
                };
                tx.set_bulk_outcome(&line)?;
            }
            Ok::<_, ServiceError>(())
        })?;
        if pending.is_empty() {
            let now = self.now();
            self.store.write(|tx| {
                let Some(run) = tx.bulk_run(run_id)?.filter(|r| r.finished_at.is_none()) else { return Ok(()) };
                tx.finish_bulk_run(run_id, now)?;
                let data = serde_json::json!({
                    "id": run.id, "reason": run.reason, "source": run.source, "total": run.total, "finished_at": now,
                });
                crate::record::change(tx, now, "bulk.finished", &format!("bulk_run/{run_id}"), None, data)
            })?;
        }
        Ok(pending.len())
    }

    /// Starts a run that the worker carries out in batches (the admin API).
    pub fn bulk_start_in_background(
        &self,
        who: &Principal,
        lines: &[(i64, Msisdn)],
        reason: Reason,
        source: &str,
    ) -> Result<BulkProgress> {
        let progress = self.bulk_start(who, lines, reason, source)?;
        let now = self.now();
        self.store.write(|tx| schedule_batch(tx, &progress.run.id, who.account_id, now))?;
        Ok(progress)
    }

    /// The worker's batch of a background run: up to 200 lines, then the next batch.
    pub(crate) fn bulk_batch(&self, payload: &str) -> Result<()> {
        let p: BatchPayload =
            serde_json::from_str(payload).map_err(|e| ServiceError::Internal(format!("bulk batch payload: {e}")))?;
        let account = self
            .store
            .read(|tx| tx.account(p.account))?
            .ok_or_else(|| ServiceError::Internal(format!("bulk run {}: its admin is gone", p.run)))?;
        if account.disabled {
            // A run carries its admin's authority: it stops when that admin is disabled, and
            // another admin may start the same file again to finish it.
            tracing::warn!(run = %p.run, account = p.account, "bulk run stopped: its admin is disabled");
            let now = self.now();
            let details = serde_json::json!({ "account": p.account });
            self.store.write(|tx| audit(tx, now, "system", "stop_bulk_termination", "bulk_run", &p.run, details))?;
            return Ok(());
        }
        let who = Principal::from(account);
        if self.bulk_step(&who, &p.run, 200)? > 0 {
            let now = self.now();
            self.store.write(|tx| schedule_batch(tx, &p.run, p.account, now))?;
        }
        Ok(())
    }

    pub fn bulk_progress(&self, who: &Principal, run_id: &str) -> Result<BulkProgress> {
        admin(who)?;
        self.store.read(|tx| {
            let run = tx.bulk_run(run_id)?.ok_or_else(|| ServiceError::not_found("bulk run", run_id))?;
            // An admin of one operator sees the runs of admins of that operator only.
            if let Some(op) = &who.operator {
                let creator = run
                    .created_by
                    .strip_prefix("account:")
                    .and_then(|rest| rest.split('@').next())
                    .and_then(|id| id.parse::<i64>().ok());
                let theirs = match creator {
                    Some(id) => tx.account(id)?.is_some_and(|a| a.operator.as_ref() == Some(op)),
                    None => false,
                };
                if !theirs {
                    return Err(ServiceError::not_found("bulk run", run_id));
                }
            }
            let counts = tx.bulk_counts(run_id)?.into_iter().collect();
            Ok(BulkProgress { run, counts })
        })
    }
}

/// The per-person limit of lines by category (since 1 November 2025: 20 for citizens, 10 for
/// foreigners).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineLimits {
    pub citizen: i64,
    pub foreigner: i64,
}

impl Default for LineLimits {
    fn default() -> Self {
        LineLimits { citizen: 20, foreigner: 10 }
    }
}

impl LineLimits {
    fn of(&self, category: simexit_domain::CustomerCategory) -> i64 {
        match category {
            simexit_domain::CustomerCategory::Resident => self.citizen,
            _ => self.foreigner,
        }
    }
}

impl Service {
    /// The lines above each holder's limit, to review before a bulk run: per holder, the most
    /// recently opened lines beyond the limit go (the rule the report states).
    pub fn over_limit_report(&self, who: &Principal, limits: LineLimits) -> Result<Vec<simexit_store::CandidateLine>> {
        admin(who)?;
        let lines = self.store.read(|tx| tx.lines_of_heavy_holders(limits.citizen.min(limits.foreigner)))?;
        let mut out = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let holder = lines[i].subscriber_id;
            let end = lines[i..].iter().position(|l| l.subscriber_id != holder).map_or(lines.len(), |p| i + p);
            let held = &lines[i..end];
            let limit = usize::try_from(limits.of(held[0].category)).unwrap_or(0);
            // Newest first: the first `held.len() - limit` are the excess.
            out.extend(held.iter().take(held.len().saturating_sub(limit)).cloned());
            i = end;
        }
        // The limit is per person across operators; an admin of one operator acts on its lines.
        out.retain(|l| who.staff_of(&l.operator));
        Ok(out)
    }

    /// Lines their subscriber has not used for `days` days (opened at least that long ago): no
    /// call, SMS or data the BSS reported, and no payment. Automatic charges are not use.
    pub fn unused_report(&self, who: &Principal, days: u32) -> Result<Vec<simexit_store::CandidateLine>> {
        admin(who)?;
        let since = self
            .now()
            .checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days)))
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut lines = self.store.read(|tx| tx.lines_unused_since(since, 1_000_000))?;
        lines.retain(|l| who.staff_of(&l.operator));
        Ok(lines)
    }
}
