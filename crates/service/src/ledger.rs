//! Posting to the ledger from use cases: every movement is recorded once per idempotency
//! key, with an audit entry, in the caller's transaction.

use jiff::{SignedDuration, Timestamp};
use simexit_domain::ledger::{Account, Movement, MovementKind, OperatorAccount};
use simexit_domain::{Money, OperatorId};
use simexit_store::{NewMovement, ServiceRow, Tx};

use crate::record::audit;
use crate::{Result, ServiceError};

/// Add-on services are billed in arrears per 30-day period, prorated to the millisecond.
pub const BILLING_PERIOD: SignedDuration = SignedDuration::from_hours(24 * 30);

pub fn line(id: i64) -> Account {
    Account::Line(id)
}

pub fn operator(op: &OperatorId, account: OperatorAccount) -> Account {
    Account::Operator(op.clone(), account)
}

fn bad(e: simexit_domain::ledger::LedgerError) -> ServiceError {
    ServiceError::Internal(format!("unbalanced movement: {e}"))
}

/// Records `amount` moving `from` → `to`. Returns the movement id, or `None` when the key
/// was already used (the movement happened before).
#[expect(clippy::too_many_arguments, reason = "the fields of one ledger movement")]
pub fn post(
    tx: &mut dyn Tx,
    kind: MovementKind,
    from: Account,
    to: Account,
    amount: Money,
    memo: &str,
    key: String,
    line_id: Option<i64>,
    at: Timestamp,
    actor: &str,
) -> Result<Option<i64>> {
    let movement = Movement::between(kind, from, to, amount, memo).map_err(bad)?;
    record(tx, movement, key, None, line_id, at, actor)
}

fn record(
    tx: &mut dyn Tx,
    movement: Movement,
    key: String,
    reverses: Option<i64>,
    line_id: Option<i64>,
    at: Timestamp,
    actor: &str,
) -> Result<Option<i64>> {
    let details = serde_json::json!({
        "kind": movement.kind,
        "key": key,
        "reverses": reverses,
        "entries": movement.entries.iter().map(|e| (e.account.to_string(), e.amount)).collect::<Vec<_>>(),
    });
    let id = tx.record_movement(&NewMovement {
        movement,
        idempotency_key: key,
        reverses,
        line_id,
        at,
        actor: actor.to_owned(),
    })?;
    if let Some(id) = id {
        audit(tx, at, actor, "ledger_movement", "movement", id, details)?;
    }
    Ok(id)
}

/// Undoes movement `id` with a reversing movement (at most once).
pub fn reverse(tx: &mut dyn Tx, id: i64, memo: &str, at: Timestamp, actor: &str) -> Result<Option<i64>> {
    if tx.reversal_of(id)?.is_some() {
        return Ok(None);
    }
    let original = tx.movement(id)?.ok_or_else(|| ServiceError::Internal(format!("movement {id} vanished")))?;
    let movement = Movement { kind: original.kind, entries: original.entries, memo: String::new() }.reversal(memo);
    record(tx, movement, format!("reverse:{id}"), Some(id), original.line_id, at, actor)
}

/// What a service costs from `from` to `to`: the monthly charge prorated over the period.
pub fn prorated(monthly: Money, from: Timestamp, to: Timestamp) -> Money {
    let elapsed = i128::from(to.as_millisecond().saturating_sub(from.as_millisecond()).max(0));
    let period = BILLING_PERIOD.as_millis();
    let kopecks = (i128::from(monthly.kopecks()) * elapsed + period / 2) / period;
    Money::from_kopecks(i64::try_from(kopecks).unwrap_or(i64::MAX))
}

/// Charges not yet billed: active services from their last charge up to `now`.
pub fn accrued(services: &[ServiceRow], now: Timestamp) -> Money {
    services
        .iter()
        .filter(|s| s.stopped_at.is_none())
        .fold(Money::ZERO, |acc, s| acc + prorated(s.monthly_charge, s.charged_until, now))
}

/// Bills a service up to `until` (never past its stop), moving `charged_until` forward.
pub fn bill_service(
    tx: &mut dyn Tx,
    service: &mut ServiceRow,
    operator_id: &OperatorId,
    until: Timestamp,
    actor: &str,
) -> Result<Money> {
    let until = service.stopped_at.map_or(until, |stop| until.min(stop));
    if until <= service.charged_until {
        return Ok(Money::ZERO);
    }
    let amount = prorated(service.monthly_charge, service.charged_until, until);
    if amount.is_positive() {
        post(
            tx,
            MovementKind::Charge,
            line(service.line_id),
            operator(operator_id, OperatorAccount::Revenue),
            amount,
            &service.name,
            format!("service:{}:{}", service.id, until.as_millisecond()),
            Some(service.line_id),
            until,
            actor,
        )?;
    }
    service.charged_until = until;
    tx.update_service(service)?;
    Ok(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proration_is_exact_to_the_kopeck() {
        let from: Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
        let m = Money::from_kopecks(30_000);
        assert_eq!(prorated(m, from, from + BILLING_PERIOD), m);
        assert_eq!(prorated(m, from, from + SignedDuration::from_hours(24 * 12)), Money::from_kopecks(12_000));
        assert_eq!(prorated(m, from, from), Money::ZERO);
        assert_eq!(prorated(m, from + SignedDuration::from_hours(1), from), Money::ZERO);
    }
}
