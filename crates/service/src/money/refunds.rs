//! Refunds: the queue, the subscriber's bank details, and the steps requested → approved → paid or failed.

use simexit_domain::access::Role;
use simexit_domain::ledger::{MovementKind, OperatorAccount};
use simexit_store::{RefundRow, StoreExt, Tx};

use crate::ledger::{self, post};
use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

use super::*;

/// A refund's states.
pub mod refund_state {
    pub const AWAITING_DETAILS: &str = "awaiting_details";
    pub const REQUESTED: &str = "requested";
    pub const APPROVED: &str = "approved";
    pub const PAID: &str = "paid";
    pub const FAILED: &str = "failed";
    pub const CANCELLED: &str = "cancelled";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStep {
    Approve,
    MarkPaid,
    MarkFailed,
}

impl RefundStep {
    pub fn verb(self) -> &'static str {
        match self {
            RefundStep::Approve => "approve",
            RefundStep::MarkPaid => "mark_paid",
            RefundStep::MarkFailed => "mark_failed",
        }
    }
}

impl Service {
    fn visible_refund(&self, tx: &mut dyn Tx, who: &Principal, id: i64) -> Result<RefundRow> {
        let refund = tx.refund(id)?.ok_or_else(|| ServiceError::not_found("refund", id))?;
        // A refund is seen by whoever sees its request; one without a request, by its line.
        let visible = match refund.request_id {
            Some(request_id) => tx.request(request_id)?.is_some_and(|r| who.sees_request(&r)),
            None => {
                let line =
                    tx.line(refund.line_id)?.ok_or_else(|| ServiceError::Internal("refund without line".into()))?;
                who.can_see(line.subscriber_id, &line.operator)
            }
        };
        if visible { Ok(refund) } else { Err(ServiceError::not_found("refund", id)) }
    }

    pub fn refund(&self, who: &Principal, id: i64) -> Result<RefundRow> {
        let r = self.store.read(|tx| self.visible_refund(tx, who, id))?;
        self.open_refund(r)
    }

    pub fn my_refunds(&self, who: &Principal) -> Result<Vec<RefundRow>> {
        let sub =
            who.subscriber_id.ok_or_else(|| ServiceError::forbidden("only subscribers have refunds of their own"))?;
        let rows = self.store.read(|tx| {
            let mut out = Vec::new();
            for line in tx.lines_of(sub)? {
                out.extend(tx.refunds_of_line(line.id)?);
            }
            Ok::<_, ServiceError>(out)
        })?;
        rows.into_iter().map(|r| self.open_refund(r)).collect()
    }

    pub fn refunds_queue(&self, who: &Principal, state: Option<&str>, limit: u32) -> Result<Vec<RefundRow>> {
        who.require(&[Role::Reviewer, Role::Admin, Role::Auditor], "see the refunds queue")?;
        if let Some(s) = state
            && ![rs::AWAITING_DETAILS, rs::REQUESTED, rs::APPROVED, rs::PAID, rs::FAILED, rs::CANCELLED].contains(&s)
        {
            return Err(ServiceError::bad_input("invalid_state", format!("`{s}` is not a refund state")));
        }
        let rows = self.store.read(|tx| tx.refunds(state, who.operator.as_ref(), limit.clamp(1, 500)))?;
        rows.into_iter().map(|r| self.open_refund(r)).collect()
    }

    /// Gives (or corrects) the bank details of a refund awaiting them or one that failed.
    pub fn refund_details(&self, who: &Principal, id: i64, name: &str, bik: &str, account: &str) -> Result<RefundRow> {
        let bank = validate_refund(name, bik, account)?;
        let now = self.now();
        self.store.write(|tx| {
            let mut r = self.visible_refund(tx, who, id)?;
            if who.subscriber_id.is_none() && !who.is(&[Role::Clerk, Role::Admin]) {
                return Err(ServiceError::forbidden(format!("a {} cannot give bank details", who.role)));
            }
            if !matches!(r.state.as_str(), rs::AWAITING_DETAILS | rs::FAILED) {
                return Err(ServiceError::conflict(
                    "refund_state",
                    format!("a {} refund takes no new details", r.state),
                ));
            }
            if r.state == rs::FAILED {
                // The failed attempt returned the money to the line; claim it again.
                let balance = tx.balance(&ledger::line(r.line_id))?;
                if balance < r.amount {
                    return Err(ServiceError::conflict(
                        "refund_state",
                        "the money of this refund is no longer on the line",
                    ));
                }
                post(
                    tx,
                    MovementKind::Refund,
                    ledger::line(r.line_id),
                    ledger::operator(&r.operator, OperatorAccount::RefundsPayable),
                    r.amount,
                    "balance to be refunded (new details)",
                    format!("refund:{id}:reclaim:{}", now.as_millisecond()),
                    Some(r.line_id),
                    now,
                    &who.actor(),
                )?;
            }
            r.recipient_name = Some(name.trim().to_owned());
            r.bik = Some(bank.bik);
            r.account = Some(self.seal(crate::sealing::REFUND_ACCOUNT, &bank.account)?);
            r.state = rs::REQUESTED.to_owned();
            r.reason = None;
            r.updated_at = now;
            tx.update_refund(&r)?;
            audit(tx, now, &who.actor(), "refund_details", "refund", id, serde_json::json!({ "state": r.state }))?;
            self.open_refund(r)
        })
    }

    /// Staff steps of a refund: approve, mark paid, mark failed (money back to the line).
    pub fn refund_step(&self, who: &Principal, id: i64, step: RefundStep, reason: Option<&str>) -> Result<RefundRow> {
        who.require(&[Role::Reviewer, Role::Admin], "process refunds")?;
        let now = self.now();
        self.store.write(|tx| {
            let mut r = self.visible_refund(tx, who, id)?;
            if !who.staff_of(&r.operator) {
                return Err(ServiceError::not_found("refund", id));
            }
            let from = r.state.clone();
            let to = match (step, r.state.as_str()) {
                (RefundStep::Approve, rs::REQUESTED) => rs::APPROVED,
                (RefundStep::MarkPaid, rs::APPROVED) => {
                    post(
                        tx,
                        MovementKind::RefundPaid,
                        ledger::operator(&r.operator, OperatorAccount::RefundsPayable),
                        ledger::operator(&r.operator, OperatorAccount::RefundsPaid),
                        r.amount,
                        &format!("refund {id} paid"),
                        format!("refund:{id}:paid"),
                        Some(r.line_id),
                        now,
                        &who.actor(),
                    )?
                    .ok_or_else(|| ServiceError::conflict("refund_state", "this refund was already paid"))?;
                    rs::PAID
                }
                (RefundStep::MarkFailed, rs::REQUESTED | rs::APPROVED) => {
                    let why = reason.map(str::trim).filter(|s| !s.is_empty());
                    let why = why.ok_or_else(|| {
                        ServiceError::unprocessable("reason_required", "a failed refund needs a `reason`")
                    })?;
                    post(
                        tx,
                        MovementKind::RefundFailed,
                        ledger::operator(&r.operator, OperatorAccount::RefundsPayable),
                        ledger::line(r.line_id),
                        r.amount,
                        &format!("refund {id} failed: {why}"),
                        format!("refund:{id}:failed:{}", now.as_millisecond()),
                        Some(r.line_id),
                        now,
                        &who.actor(),
                    )?;
                    r.reason = Some(why.to_owned());
                    rs::FAILED
                }
                (step, state) => {
                    return Err(ServiceError::conflict(
                        "refund_state",
                        format!("cannot {} a refund that is {state}", step.verb()),
                    ));
                }
            };
            r.state = to.to_owned();
            r.updated_at = now;
            tx.update_refund(&r)?;
            let data = serde_json::json!({
                "id": r.id, "state": r.state, "from": from, "line_id": r.line_id, "request_id": r.request_id,
                "amount_kopecks": r.amount.kopecks(),
            });
            crate::record::change(tx, now, &format!("refund.{to}"), &format!("refund/{id}"), Some(&r.operator), data)?;
            if to == rs::PAID {
                self.notify_refund_paid(tx, &r, now)?;
            }
            audit(
                tx,
                now,
                &who.actor(),
                step.verb(),
                "refund",
                id,
                serde_json::json!({ "from": from, "to": to, "reason": reason }),
            )?;
            self.open_refund(r)
        })
    }
}
