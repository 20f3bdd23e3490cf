//! Writing what happened: request events and hash-chained audit entries, always inside the
//! transaction of the change they describe.

use jiff::Timestamp;
use simexit_domain::RequestState;
use simexit_store::{AuditRow, NewEvent, NewJob, Tx};

use crate::Result;

pub fn audit(
    tx: &mut dyn Tx,
    at: Timestamp,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    details: serde_json::Value,
) -> Result<()> {
    tx.append_audit(AuditRow {
        id: 0,
        at,
        actor: actor.to_owned(),
        action: action.to_owned(),
        entity: entity.to_owned(),
        entity_id: entity_id.to_string(),
        details: details.to_string(),
        prev_hash: String::new(),
        hash: String::new(),
    })?;
    Ok(())
}

/// Records a request's step as an event and an audit entry.
#[expect(clippy::too_many_arguments, reason = "one flat record of a step reads better than a builder")]
pub fn step(
    tx: &mut dyn Tx,
    request_id: i64,
    at: Timestamp,
    actor: &str,
    action: &str,
    from: RequestState,
    to: RequestState,
    reason: Option<&str>,
) -> Result<()> {
    tx.insert_event(&NewEvent {
        request_id,
        at,
        actor: actor.to_owned(),
        action: action.to_owned(),
        from_state: from,
        to_state: to,
        reason: reason.map(str::to_owned),
    })?;
    audit(
        tx,
        at,
        actor,
        action,
        "termination_request",
        request_id,
        serde_json::json!({ "from": from, "to": to, "reason": reason }),
    )
}

/// Schedules a job about one record (a request, a service) once: the key (kind, record, due
/// instant) makes a second scheduling of the same effect a no-op.
pub fn schedule(tx: &mut dyn Tx, kind: &str, id: i64, run_at: Timestamp, now: Timestamp) -> Result<()> {
    tx.insert_job(&NewJob {
        kind: kind.to_owned(),
        payload: serde_json::json!({ "id": id }).to_string(),
        run_at,
        max_attempts: 10,
        dedupe_key: Some(format!("{kind}:{id}:{}", run_at.as_millisecond())),
        created_at: now,
    })?;
    Ok(())
}

/// The inventory row of a number that a request or line refers to; its absence is a
/// broken invariant, not a client error.
pub fn inventory_number(tx: &mut dyn Tx, msisdn: &simexit_domain::Msisdn) -> Result<simexit_store::NumberRow> {
    tx.number(msisdn)?.ok_or_else(|| crate::ServiceError::Internal(format!("number {msisdn} is not in the inventory")))
}
