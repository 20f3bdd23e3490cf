//! Writing what happened: request events and hash-chained audit entries, always inside the
//! transaction of the change they describe.

use jiff::Timestamp;
use simexit_domain::RequestState;
use simexit_store::{AuditRow, NewEvent, NewJob, RequestRow, Tx};

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
    let entity_id = entity_id.to_string();
    let operator = operator_of(tx, entity, &entity_id)?;
    audit_as(tx, at, actor, action, entity, entity_id, details, operator)
}

/// [`audit`] by a caller that knows the operator the entry is about: nothing is read back.
#[expect(clippy::too_many_arguments, reason = "audit's arguments and the operator it would look up")]
pub fn audit_as(
    tx: &mut dyn Tx,
    at: Timestamp,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    details: serde_json::Value,
    operator: Option<simexit_domain::OperatorId>,
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
        operator,
    })?;
    Ok(())
}

/// The operator an entry is about, read from the record it names (the same transaction has
/// it at hand); `None` for what spans operators (sign-ins, lookup clients, bulk runs…).
fn operator_of(tx: &mut dyn Tx, entity: &str, id: &str) -> Result<Option<simexit_domain::OperatorId>> {
    let num = || id.parse::<i64>().ok();
    Ok(match entity {
        "termination_request" => match num() {
            Some(id) => tx.request(id)?.map(|r| r.operator),
            None => None,
        },
        "line" => match num() {
            Some(id) => tx.line(id)?.map(|l| l.operator),
            None => None,
        },
        "refund" => match num() {
            Some(id) => tx.refund(id)?.map(|r| r.operator),
            None => None,
        },
        "account" => match num() {
            Some(id) => tx.account(id)?.and_then(|a| a.operator),
            None => None,
        },
        "movement" => match num() {
            Some(id) => match tx.movement(id)?.and_then(|m| m.line_id) {
                Some(line) => tx.line(line)?.map(|l| l.operator),
                None => None,
            },
            None => None,
        },
        "document" => match num() {
            Some(id) => match tx.document(id)? {
                Some(d) => tx.request(d.request_id)?.map(|r| r.operator),
                None => None,
            },
            None => None,
        },
        "certificate" => tx.certificate(id)?.map(|c| c.operator),
        "store" => tx.stores()?.into_iter().find(|s| s.id == id).map(|s| s.operator),
        "number" => match simexit_domain::Msisdn::from_e164(id) {
            Ok(m) => tx.number(&m)?.map(|n| n.operator),
            Err(_) => None,
        },
        _ => None,
    })
}

/// Records a request's step as an event and an audit entry.
#[expect(clippy::too_many_arguments, reason = "one flat record of a step reads better than a builder")]
pub fn step(
    tx: &mut dyn Tx,
    r: &RequestRow,
    at: Timestamp,
    actor: &str,
    action: &str,
    from: RequestState,
    to: RequestState,
    reason: Option<&str>,
) -> Result<()> {
    let request_id = r.id;
    tx.insert_event(&NewEvent {
        request_id,
        at,
        actor: actor.to_owned(),
        action: action.to_owned(),
        from_state: from,
        to_state: to,
        reason: reason.map(str::to_owned),
    })?;
    audit_as(
        tx,
        at,
        actor,
        action,
        "termination_request",
        request_id,
        serde_json::json!({ "from": from, "to": to, "reason": reason }),
        Some(r.operator.clone()),
    )?;
    if from != to {
        let line = tx.line_link(r.line_id)?.map(|l| l.external_id);
        let data = serde_json::json!({
            "id": r.id, "state": to, "from": from, "action": action, "reason": r.reason,
            "line_id": r.line_id, "line_external_id": line, "msisdn": r.msisdn.as_str(),
            "operator": r.operator, "channel": r.channel, "store_id": r.store_id, "created_at": r.created_at,
            "submitted_at": r.submitted_at, "review_deadline": r.review_deadline, "decided_at": r.decided_at,
            "completed_at": r.completed_at, "aging_until": r.aging_until, "closed_at": r.closed_at, "note": r.note,
        });
        change(
            tx,
            at,
            &format!("termination.{to}"),
            &format!("termination_request/{request_id}"),
            Some(&r.operator),
            data,
        )?;
    }
    Ok(())
}

/// Records a change the operator's other systems learn of (the BSS's feed of changes), in the
/// transaction of the change.
pub fn change(
    tx: &mut dyn Tx,
    at: Timestamp,
    kind: &str,
    subject: &str,
    operator: Option<&simexit_domain::OperatorId>,
    data: serde_json::Value,
) -> Result<()> {
    tx.insert_change(&simexit_store::ChangeRow {
        id: 0,
        at,
        kind: kind.to_owned(),
        subject: subject.to_owned(),
        operator: operator.cloned(),
        data: data.to_string(),
    })?;
    Ok(())
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
