//! Driving the network: a completed termination must really cut service. After completion a
//! task bars the number, detaches it and deletes it from the subscriber database, each step
//! confirmed by the network before the next; a revocation during aging runs the inverse of
//! what was done, in reverse order. A step that fails is retried with backoff; after a few
//! failures the task raises an alert (admins see it) and, until the task is done, the aging
//! end does not return the number to the pool: a number still live in the network never goes
//! to someone else.

use jiff::{SignedDuration, Timestamp};
use simexit_domain::Msisdn;
use simexit_domain::access::Role;
use simexit_store::{NetworkTaskRow, RequestRow, StoreExt, Tx};

use crate::record::{audit, schedule};
use crate::{Principal, Result, Service, ServiceError, jobs};

/// The steps after a termination, in order.
pub const DEPROVISION: [&str; 3] = ["bar", "detach", "delete"];

/// Failures of one step before the task raises an alert (it keeps retrying).
pub const ALERT_AFTER: i64 = 3;

/// The step that undoes `step`.
pub fn inverse(step: &str) -> &'static str {
    match step {
        "bar" => "unbar",
        "detach" => "attach",
        "delete" => "create",
        _ => "noop",
    }
}

/// Where network steps go: an HSS/HLR provisioning gateway, a webhook, or the log.
pub trait NetworkAdapter: Send + Sync {
    /// Applies `step` to the subscriber of `msisdn`; `Ok` once the network confirmed it.
    /// The same step may be asked again after a crash: adapters must treat it as done.
    fn apply(&self, request_id: i64, msisdn: &Msisdn, step: &str) -> std::result::Result<(), String>;
    fn kind(&self) -> &'static str;
}

/// Logs each step and confirms it: the default, for demos and deployments without a hook.
pub struct LogNetwork;

impl NetworkAdapter for LogNetwork {
    fn apply(&self, request_id: i64, msisdn: &Msisdn, step: &str) -> std::result::Result<(), String> {
        tracing::info!(request_id, %msisdn, step, "network step (log adapter)");
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "log"
    }
}

impl Service {
    /// Starts the deprovisioning of a request completed now (in the completion's transaction).
    pub(crate) fn start_deprovisioning(&self, tx: &mut dyn Tx, r: &RequestRow, now: Timestamp) -> Result<()> {
        let steps = DEPROVISION.iter().map(|s| (*s).to_owned()).collect();
        self.start_task(tx, r, "deprovision", steps, now)
    }

    /// On revocation: stops the deprovisioning and undoes the steps it had done.
    pub(crate) fn start_restoring(&self, tx: &mut dyn Tx, r: &RequestRow, now: Timestamp) -> Result<()> {
        let Some(mut d) = tx.network_tasks_of(r.id)?.into_iter().find(|t| t.direction == "deprovision") else {
            return Ok(());
        };
        let done = usize::try_from(d.done_steps).unwrap_or(0).min(d.steps.len());
        let undo: Vec<String> = d.steps[..done].iter().rev().map(|s| inverse(s).to_owned()).collect();
        if d.status != "done" {
            d.status = "cancelled".into();
            d.updated_at = now;
            tx.update_network_task(&d)?;
        }
        if undo.is_empty() {
            return Ok(());
        }
        self.start_task(tx, r, "restore", undo, now)
    }

    fn start_task(
        &self,
        tx: &mut dyn Tx,
        r: &RequestRow,
        direction: &str,
        steps: Vec<String>,
        now: Timestamp,
    ) -> Result<()> {
        let task = NetworkTaskRow {
            id: 0,
            request_id: r.id,
            msisdn: r.msisdn.clone(),
            direction: direction.into(),
            steps,
            done_steps: 0,
            status: "in_progress".into(),
            attempts: 0,
            last_error: None,
            updated_at: now,
        };
        let id = tx.insert_network_task(&task)?;
        schedule(tx, jobs::NETWORK_STEPS, id, now, now)
    }

    /// The job: runs the task's remaining steps in order, each outside any transaction (the
    /// network may be slow) and recorded as soon as it is confirmed.
    pub(crate) fn run_network_task(&self, task_id: i64) -> Result<()> {
        loop {
            let Some(task) = self.store.read(|tx| tx.network_task(task_id))? else { return Ok(()) };
            if !matches!(task.status.as_str(), "in_progress" | "alert") {
                return Ok(());
            }
            let index = usize::try_from(task.done_steps).unwrap_or(usize::MAX);
            let Some(step) = task.steps.get(index).cloned() else { return Ok(()) };
            let outcome = self.network.apply(task.request_id, &task.msisdn, &step);
            let now = self.now();
            let finished = self.store.write(|tx| {
                // Re-read under the write lock: a revocation may have cancelled the task.
                let mut t = tx.network_task(task_id)?.ok_or_else(|| ServiceError::Internal("task vanished".into()))?;
                if !matches!(t.status.as_str(), "in_progress" | "alert") {
                    return Ok(true);
                }
                t.updated_at = now;
                match &outcome {
                    Ok(()) => {
                        t.done_steps += 1;
                        t.attempts = 0;
                        t.last_error = None;
                        t.status = if t.done_steps as usize >= t.steps.len() { "done" } else { "in_progress" }.into();
                        let details = serde_json::json!({ "task": t.id, "direction": t.direction, "step": step });
                        audit(tx, now, "system", "network_step", "number", t.msisdn.as_str(), details)?;
                    }
                    Err(e) => {
                        t.attempts += 1;
                        t.last_error = Some(format!("{step}: {e}"));
                        if t.attempts >= ALERT_AFTER && t.status != "alert" {
                            t.status = "alert".into();
                            tracing::error!(task = t.id, msisdn = %t.msisdn, %step, error = %e, "network step keeps failing");
                        }
                        let wait = SignedDuration::from_secs(30 * (1i64 << t.attempts.clamp(0, 7)));
                        schedule(tx, jobs::NETWORK_STEPS, t.id, now.checked_add(wait).unwrap_or(now), now)?;
                    }
                }
                tx.update_network_task(&t)?;
                Ok::<_, ServiceError>(outcome.is_err() || t.status == "done")
            })?;
            if finished {
                return Ok(());
            }
        }
    }

    /// Whether the network has let go of the request's number (no deprovisioning pending).
    pub(crate) fn network_released(&self, tx: &mut dyn Tx, request_id: i64) -> Result<bool> {
        Ok(tx.network_tasks_of(request_id)?.iter().filter(|t| t.direction == "deprovision").all(|t| t.status == "done"))
    }

    /// The network tasks of a request (its subscriber and staff).
    pub fn network_tasks(&self, who: &Principal, request_id: i64) -> Result<Vec<NetworkTaskRow>> {
        self.store.read(|tx| {
            tx.request(request_id)?
                .filter(|r| who.sees_request(r))
                .ok_or_else(|| ServiceError::not_found("termination request", request_id))?;
            Ok(tx.network_tasks_of(request_id)?)
        })
    }

    /// The dashboard's counts (see `simexit_store::DASHBOARD`), of the caller's operator when
    /// the caller is scoped to one (admins and auditors).
    pub fn dashboard_counts(&self, who: &Principal) -> Result<Vec<(String, String, i64)>> {
        who.require(&[Role::Admin, Role::Auditor], "see the dashboard")?;
        let all: Vec<&str> = simexit_store::DASHBOARD.iter().map(|(m, _)| *m).collect();
        Ok(self.store.read(|tx| tx.dashboard_counts(&all, who.operator.as_ref()))?)
    }

    /// Tasks whose step keeps failing, of the caller's operator when scoped (admins and auditors).
    pub fn network_alerts(&self, who: &Principal) -> Result<Vec<NetworkTaskRow>> {
        who.require(&[Role::Admin, Role::Auditor], "see network alerts")?;
        Ok(self.store.read(|tx| tx.network_alerts(who.operator.as_ref(), 500))?)
    }
}
