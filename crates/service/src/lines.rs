//! Lines: opening one from the number pool, listing a subscriber's lines, and eligibility.

use simexit_domain::access::Role;
use simexit_domain::eligibility::{Eligibility, LineFacts, assess};
use simexit_domain::ledger::{MovementKind, OperatorAccount};
use simexit_domain::number::NumberEvent;
use simexit_domain::{CustomerCategory, Iccid, Money, Msisdn, OperatorId};
use simexit_store::{LineRow, NewAssignment, NewLine, StoreExt, Tx};

use crate::ledger;
use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

/// A staff request to open a line for a subscriber.
#[derive(Debug, Clone)]
pub struct OpenLine {
    pub operator: OperatorId,
    /// Subscriber by account login (`resident@demo`) or numeric id.
    pub subscriber: String,
    pub iccid: Option<Iccid>,
    pub balance: Money,
}

/// How eligibility is asked: by policy alone, or for a particular line.
#[derive(Debug, Clone)]
pub enum EligibilityQuery {
    Policy { operator: OperatorId, category: CustomerCategory },
    Line { line_id: i64 },
    Number { msisdn: Msisdn, category: Option<CustomerCategory> },
}

fn resolve_subscriber(tx: &mut dyn Tx, key: &str) -> Result<i64> {
    let key = key.trim();
    let id = match key.parse::<i64>() {
        Ok(id) => tx.subscriber(id)?.map(|s| s.id),
        Err(_) => tx.account_by_login(key)?.and_then(|a| a.subscriber_id),
    };
    id.ok_or_else(|| ServiceError::not_found("subscriber", key))
}

/// Puts a new number into the operator's pool, available from `now`, with its history
/// starting then.
pub fn add_to_pool(tx: &mut dyn Tx, msisdn: Msisdn, operator: &OperatorId, now: jiff::Timestamp) -> Result<()> {
    tx.insert_number(&simexit_store::NumberRow {
        msisdn,
        operator: operator.clone(),
        state: simexit_domain::NumberState::Available,
        aging_until: None,
        line_id: None,
        subscriber_id: None,
        history_since: now,
        updated_at: now,
    })?;
    Ok(())
}

/// A balance brought from elsewhere (an import, the demo) enters the books as an opening
/// movement: positive is the subscriber's money, negative unpaid charges. Nothing for zero.
pub fn post_opening_balance(
    tx: &mut dyn Tx,
    operator: &OperatorId,
    line_id: i64,
    balance: Money,
    now: jiff::Timestamp,
    actor: &str,
) -> Result<()> {
    if balance == Money::ZERO {
        return Ok(());
    }
    let opening = ledger::operator(operator, OperatorAccount::OpeningBalances);
    let (from, to, amount) = if balance.is_positive() {
        (opening, ledger::line(line_id), balance)
    } else {
        (ledger::line(line_id), opening, -balance)
    };
    let key = format!("opening:line:{line_id}");
    ledger::post(tx, MovementKind::Opening, from, to, amount, "opening balance", key, Some(line_id), now, actor)?;
    Ok(())
}

/// Takes an `available` number of the operator and opens a line on it for the subscriber.
pub fn assign_new_line(
    tx: &mut dyn Tx,
    operator: &OperatorId,
    subscriber_id: i64,
    iccid: Option<&Iccid>,
    balance: Money,
    now: jiff::Timestamp,
) -> Result<LineRow> {
    let mut number = tx
        .claim_available_number(operator)?
        .ok_or_else(|| ServiceError::conflict("number_pool_empty", format!("{operator} has no available numbers")))?;
    let line_id = tx.insert_line(&NewLine {
        msisdn: number.msisdn.clone(),
        iccid: iccid.map(|i| i.as_str().to_owned()),
        operator: operator.clone(),
        subscriber_id,
        opened_at: now,
    })?;
    post_opening_balance(tx, operator, line_id, balance, now, "system")?;
    number.state = number.state.next(NumberEvent::Assign)?;
    number.line_id = Some(line_id);
    number.subscriber_id = Some(subscriber_id);
    number.updated_at = now;
    tx.update_number(&number)?;
    tx.open_assignment(&NewAssignment { msisdn: number.msisdn.clone(), subscriber_id, line_id, from: now })?;
    tx.line(line_id)?.ok_or_else(|| ServiceError::Internal("the new line vanished".into()))
}

/// What eligibility needs of a line; charges accrued but not yet billed count as debt.
fn facts(tx: &mut dyn Tx, line: &LineRow, now: jiff::Timestamp) -> Result<LineFacts> {
    let accrued = ledger::accrued(&tx.services_of(line.id)?, now);
    Ok(LineFacts {
        state: line.state,
        balance: line.balance - accrued,
        open_request: tx.open_request_for_line(line.id)?.map(|r| r.id),
    })
}

impl Service {
    /// Opens a line: takes an `available` number of the operator from the pool (never one in
    /// aging) and assigns it to the subscriber.
    pub fn open_line(&self, who: &Principal, input: OpenLine) -> Result<LineRow> {
        who.require(&[Role::Clerk, Role::Admin], "open lines")?;
        self.policy(&input.operator)?;
        if !who.staff_of(&input.operator) {
            return Err(ServiceError::forbidden(format!("you do not work for {}", input.operator)));
        }
        // An opening balance may be debt brought over, so either sign; never beyond one movement.
        if !input.balance.within_movement_limit() {
            return Err(ServiceError::unprocessable(
                "invalid_amount",
                format!("balance: at most {} kopecks either way", Money::MAX_MOVEMENT.kopecks()),
            ));
        }
        let now = self.now();
        self.store.write(|tx| {
            let subscriber_id = resolve_subscriber(tx, &input.subscriber)?;
            let line = assign_new_line(tx, &input.operator, subscriber_id, input.iccid.as_ref(), input.balance, now)?;
            let (line_id, msisdn) = (line.id, line.msisdn.clone());
            audit(
                tx,
                now,
                &who.actor(),
                "open_line",
                "line",
                line_id,
                serde_json::json!({ "msisdn": msisdn, "subscriber_id": subscriber_id }),
            )?;
            Ok(line)
        })
    }

    /// The subscriber's lines with their paid services.
    pub fn my_lines_with_services(&self, who: &Principal) -> Result<Vec<(LineRow, Vec<simexit_store::ServiceRow>)>> {
        let lines = self.my_lines(who)?;
        self.store.read(|tx| {
            let mut out = Vec::with_capacity(lines.len());
            for line in lines {
                let services = tx.services_of(line.id)?;
                out.push((line, services));
            }
            Ok(out)
        })
    }

    pub fn my_lines(&self, who: &Principal) -> Result<Vec<LineRow>> {
        let sub =
            who.subscriber_id.ok_or_else(|| ServiceError::forbidden("only subscribers have lines of their own"))?;
        self.store.read(|tx| Ok(tx.lines_of(sub)?))
    }

    pub fn line(&self, who: &Principal, id: i64) -> Result<LineRow> {
        self.store.read(|tx| {
            tx.line(id)?
                .filter(|l| who.can_see(l.subscriber_id, &l.operator))
                .ok_or_else(|| ServiceError::not_found("line", id))
        })
    }

    /// Whether and how a termination can be filed. A line's own facts (debt, open request)
    /// are shown only to someone who may see the line.
    pub fn eligibility(&self, who: Option<&Principal>, query: EligibilityQuery) -> Result<Eligibility> {
        let now = self.now();
        self.store.read(|tx| {
            let visible = |l: &LineRow| who.is_some_and(|w| w.can_see(l.subscriber_id, &l.operator));
            let (operator, category, line) = match query {
                EligibilityQuery::Policy { operator, category } => (operator, category, None),
                EligibilityQuery::Line { line_id } => {
                    let line =
                        tx.line(line_id)?.filter(visible).ok_or_else(|| ServiceError::not_found("line", line_id))?;
                    let category = self.category_of(tx, line.subscriber_id)?;
                    (line.operator.clone(), category, Some(line))
                }
                EligibilityQuery::Number { msisdn, category } => match tx.line_by_msisdn(&msisdn)?.filter(visible) {
                    Some(line) => {
                        let own = self.category_of(tx, line.subscriber_id)?;
                        (line.operator.clone(), category.unwrap_or(own), Some(line))
                    }
                    None => {
                        let operator = match tx.number(&msisdn)? {
                            Some(n) => n.operator,
                            // Not one of ours: the range holder in the national plan decides.
                            None => {
                                let range = match simexit_domain::numbering::def_and_subscriber(&msisdn) {
                                    Some((def, sub)) => tx.numbering_range(def, sub)?,
                                    None => None,
                                };
                                let inn = range.and_then(|r| r.inn);
                                let by_inn = inn.and_then(|inn| self.policies.iter().find(|p| p.inn == inn));
                                by_inn
                                    .map(|p| p.operator.clone())
                                    .ok_or_else(|| ServiceError::not_found("number", &msisdn))?
                            }
                        };
                        let category = category.ok_or_else(|| {
                            ServiceError::unprocessable(
                                "customer_category_required",
                                "give `customer_category` for a number that is not yours",
                            )
                        })?;
                        (operator, category, None)
                    }
                },
            };
            let policy = self.policy(&operator)?;
            let facts = line.as_ref().map(|l| facts(tx, l, now)).transpose()?;
            Ok(assess(policy, category, facts.as_ref()))
        })
    }

    fn category_of(&self, tx: &mut dyn Tx, subscriber_id: i64) -> Result<CustomerCategory> {
        tx.subscriber(subscriber_id)?
            .map(|s| s.category)
            .ok_or_else(|| ServiceError::Internal(format!("subscriber {subscriber_id} vanished")))
    }
}
