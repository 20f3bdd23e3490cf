//! Posting to the ledger from use cases: every movement is recorded once per idempotency
//! key, with an audit entry, in the caller's transaction.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use simexit_domain::ledger::{Account, Movement, MovementKind, OperatorAccount};
use simexit_domain::{Money, OperatorId};
use simexit_store::{NewMovement, ServiceRow, Tx};

use crate::record::audit;
use crate::{Result, ServiceError};

/// Add-on services are billed in arrears per calendar month from their start: a service
/// started on the 31st at 10:00 (UTC) is billed on the 28th (or 29th) of February, the 31st
/// of March, the 30th of April, and so on; a part of a month (a stop, an import mid-month) is
/// prorated by the days it covers, a started day counting whole.
const MS_PER_DAY: i64 = 86_400_000;
/// A service's months are counted this far at most (a century).
const MAX_MONTHS: i32 = 1_200;

/// The `k`-th monthly boundary after `start`: the same day of the month and time, or the last
/// day of a month too short for it.
fn boundary(start: Timestamp, k: i32) -> Option<Timestamp> {
    let months = jiff::Span::new().try_months(k).ok()?;
    start.to_zoned(TimeZone::UTC).checked_add(months).ok().map(|z| z.timestamp())
}

/// The billing month of a service started at `start` that holds `t`: its first instant and
/// the instant after its end. `None` beyond [`MAX_MONTHS`].
pub fn billing_month(start: Timestamp, t: Timestamp) -> Option<(Timestamp, Timestamp)> {
    let (s, n) = (start.to_zoned(TimeZone::UTC), t.to_zoned(TimeZone::UTC));
    let guess = (i32::from(n.year()) - i32::from(s.year())) * 12 + i32::from(n.month()) - i32::from(s.month());
    let mut k = guess.clamp(1, MAX_MONTHS);
    while k > 1 && boundary(start, k - 1)? > t {
        k -= 1;
    }
    while boundary(start, k)? <= t {
        k += 1;
        if k > MAX_MONTHS {
            return None;
        }
    }
    Some((if k == 1 { start } else { boundary(start, k - 1)? }, boundary(start, k)?))
}

/// When the billing month holding `t` ends (a service started at `start`).
pub fn period_end(start: Timestamp, t: Timestamp) -> Result<Timestamp> {
    billing_month(start, t)
        .map(|(_, end)| end)
        .ok_or_else(|| ServiceError::Internal(format!("a service started {start} has no billing month at {t}")))
}

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
    // The operator whose account the movement touches is the one its line belongs to.
    let operator = movement.entries.iter().find_map(|e| match &e.account {
        Account::Operator(op, _) => Some(op.clone()),
        _ => None,
    });
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
        match operator {
            Some(op) => crate::record::audit_as(tx, at, actor, "ledger_movement", "movement", id, details, Some(op))?,
            None => audit(tx, at, actor, "ledger_movement", "movement", id, details)?,
        }
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

/// What a service started at `start` costs from `from` to `to`: each whole billing month
/// its monthly charge, each part of one the days it covers over the month's days.
pub fn prorated(monthly: Money, start: Timestamp, from: Timestamp, to: Timestamp) -> Money {
    let mut total = Money::ZERO;
    let mut at = from.max(start);
    while at < to {
        let Some((first, end)) = billing_month(start, at) else { break };
        let until = to.min(end);
        total = total
            + if at == first && until == end {
                monthly
            } else {
                let days = |a: Timestamp, b: Timestamp| {
                    i128::from((b.as_millisecond() - a.as_millisecond() + MS_PER_DAY - 1) / MS_PER_DAY)
                };
                let (used, month) = (days(at, until), days(first, end).max(1));
                let kopecks = (2 * i128::from(monthly.kopecks()) * used.min(month) + month) / (2 * month);
                Money::from_kopecks(i64::try_from(kopecks).unwrap_or(i64::MAX))
            };
        at = until;
    }
    total
}

/// Charges not yet billed: active services from their last charge up to `now`.
pub fn accrued(services: &[ServiceRow], now: Timestamp) -> Money {
    services
        .iter()
        .filter(|s| s.stopped_at.is_none())
        .fold(Money::ZERO, |acc, s| acc + prorated(s.monthly_charge, s.started_at, s.charged_until, now))
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
    let amount = prorated(service.monthly_charge, service.started_at, service.charged_until, until);
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

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_service_started_on_the_31st_is_billed_on_the_last_day_of_short_months() {
        let start = t("2026-01-31T10:00:00Z");
        let ends: Vec<String> = std::iter::successors(Some(start), |at| period_end(start, *at).ok())
            .skip(1)
            .take(4)
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            ends,
            ["2026-02-28T10:00:00Z", "2026-03-31T10:00:00Z", "2026-04-30T10:00:00Z", "2026-05-31T10:00:00Z"]
        );
        let leap = t("2028-01-30T00:00:00Z");
        assert_eq!(period_end(leap, leap).unwrap(), t("2028-02-29T00:00:00Z"));
        assert_eq!(
            billing_month(start, t("2026-03-15T00:00:00Z")),
            Some((t("2026-02-28T10:00:00Z"), t("2026-03-31T10:00:00Z")))
        );
    }

    #[test]
    fn whole_months_cost_the_monthly_charge_and_parts_are_prorated_by_day() {
        let start = t("2026-01-31T10:00:00Z");
        let m = Money::from_kopecks(31_000);
        // February's month (28 days) and March's (31) cost the same.
        assert_eq!(prorated(m, start, start, t("2026-02-28T10:00:00Z")), m);
        assert_eq!(prorated(m, start, t("2026-02-28T10:00:00Z"), t("2026-03-31T10:00:00Z")), m);
        // Stopped 10 days into March's month (31 days): 10/31.
        assert_eq!(
            prorated(m, start, t("2026-02-28T10:00:00Z"), t("2026-03-10T10:00:00Z")),
            Money::from_kopecks(10_000)
        );
        // A started day counts whole: 10 days and an hour are 11 days.
        assert_eq!(
            prorated(m, start, t("2026-02-28T10:00:00Z"), t("2026-03-10T11:00:00Z")),
            Money::from_kopecks(11_000)
        );
        // Across months: all of February's month and 10 days of March's.
        assert_eq!(prorated(m, start, start, t("2026-03-10T10:00:00Z")), Money::from_kopecks(41_000));
        assert_eq!(prorated(m, start, start, start), Money::ZERO);
        assert_eq!(prorated(m, start, t("2026-03-10T10:00:00Z"), start), Money::ZERO);
    }
}
