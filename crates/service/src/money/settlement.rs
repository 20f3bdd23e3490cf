//! The money part of completion: bill the services, refuse debt, settle the balance, build the final bill (also run as the preview); the subscriber's settlement choice; undoing it at revocation.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use simexit_domain::access::Role;
use simexit_domain::ledger::{BankAccount, MovementKind, OperatorAccount};
use simexit_domain::{LineState, Money, SettlementOption, TerminationPolicy};
use simexit_store::{RefundRow, RequestRow, SettlementChoice, StoreExt, Tx};

use crate::ledger::{self, bill_service, post, reverse};
use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

use super::*;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillItem {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub kind: MovementKind,
    pub memo: String,
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BillSettlement {
    /// `transfer`, `refund`, or `refund` awaiting details when nothing was chosen.
    pub option: SettlementOption,
    pub amount: Money,
    pub to_line_id: Option<i64>,
    pub refund_id: Option<i64>,
    pub refund_state: Option<String>,
}

/// The final bill of a termination: everything on the line's account in the billing period
/// up to the termination instant, and what happened to the money left.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FinalBill {
    pub request_id: i64,
    pub line_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub period_start: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub period_end: Timestamp,
    pub opening_balance: Money,
    pub items: Vec<BillItem>,
    pub charges: Money,
    pub payments: Money,
    pub settlement: Option<BillSettlement>,
    pub closing_balance: Money,
    /// What the subscriber must still pay before completion (0 when nothing).
    #[serde(default)]
    pub amount_due: Money,
    /// What keeps this bill from being final (`debt_outstanding`); empty on a frozen bill.
    #[serde(default)]
    pub blocking: Vec<String>,
    /// True for a preview (a dry run of completion); false once frozen at completion.
    pub preview: bool,
}

/// What a subscriber asks for the balance.
#[derive(Debug, Clone)]
pub enum SettlementInput {
    Transfer {
        to_line_id: i64,
    },
    /// A refund; with the three bank fields empty, its route is chosen after completion.
    Refund {
        recipient_name: String,
        bik: String,
        account: String,
    },
}

pub(super) fn validate_refund(recipient_name: &str, bik: &str, account: &str) -> Result<BankAccount> {
    let name = recipient_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::unprocessable(
            "invalid_recipient_name",
            "recipient_name: give the account holder's name",
        ));
    }
    BankAccount::parse(bik, account).map_err(|e| {
        let code = if e.field() == "bik" { "invalid_bik" } else { "invalid_account" };
        ServiceError::unprocessable(code, format!("{}: {e}", e.field()))
    })
}

pub(super) fn month_start(at: Timestamp, policy: &TerminationPolicy) -> Timestamp {
    let local = at.to_zoned(policy.zone());
    local.first_of_month().and_then(|d| d.start_of_day()).map(|z| z.timestamp()).unwrap_or(at)
}

/// The money part of completion, shared by the preview and by completion itself: bill the
/// services up to now and stop them, refuse on debt, settle the balance, and build the bill.
pub fn settle_and_bill(
    tx: &mut dyn Tx,
    policy: &TerminationPolicy,
    request: &RequestRow,
    now: Timestamp,
    actor: &str,
) -> Result<FinalBill> {
    bill(tx, policy, request, now, actor, false)
}

/// The bill completion would produce now: with debt, the bill as it stands, what is due and
/// that the debt blocks completion, instead of completion's refusal.
fn bill(
    tx: &mut dyn Tx,
    policy: &TerminationPolicy,
    request: &RequestRow,
    now: Timestamp,
    actor: &str,
    preview: bool,
) -> Result<FinalBill> {
    let line_id = request.line_id;
    for mut service in tx.services_of(line_id)? {
        if service.stopped_at.is_none() {
            bill_service(tx, &mut service, &request.operator, now, actor)?;
            service.stopped_at = Some(now);
            tx.update_service(&service)?;
        }
    }
    let balance = tx.balance(&ledger::line(line_id))?;
    let mut blocking = Vec::new();
    let amount_due = if balance.is_negative() {
        if !preview {
            return Err(debt_error(balance.debt()));
        }
        blocking.push("debt_outstanding".to_owned());
        balance.debt()
    } else {
        Money::ZERO
    };
    let settlement = if balance.is_positive() { Some(settle(tx, policy, request, balance, now, actor)?) } else { None };
    // The period's entries and the running balance: nothing before the period is read, so a
    // bill costs the same however long the line's history.
    let period_start = month_start(now, policy);
    let items: Vec<BillItem> = tx
        .statement_since(&ledger::line(line_id), period_start)?
        .into_iter()
        .map(|e| BillItem { at: e.at, kind: e.kind, memo: e.memo, amount: e.amount })
        .collect();
    let total = |kinds: &[MovementKind]| {
        items.iter().filter(|i| kinds.contains(&i.kind)).fold(Money::ZERO, |a, i| a + i.amount)
    };
    let closing_balance = tx.balance(&ledger::line(line_id))?;
    let opening_balance = items.iter().fold(closing_balance, |a, i| a - i.amount);
    Ok(FinalBill {
        request_id: request.id,
        line_id,
        period_start,
        period_end: now,
        opening_balance,
        charges: -total(&[MovementKind::Charge]),
        payments: total(&[MovementKind::Payment]),
        items,
        settlement,
        closing_balance,
        amount_due,
        blocking,
        preview,
    })
}

pub(super) fn settle(
    tx: &mut dyn Tx,
    policy: &TerminationPolicy,
    request: &RequestRow,
    balance: Money,
    now: Timestamp,
    actor: &str,
) -> Result<BillSettlement> {
    let line_id = request.line_id;
    let choice = &request.settlement;
    match choice.kind {
        Some(SettlementOption::Transfer) => {
            let to =
                choice.transfer_to_line.ok_or_else(|| ServiceError::Internal("transfer without a target".into()))?;
            // The target must still be a live line of the same subscriber at completion time.
            let target = tx.line(to)?;
            if !target.is_some_and(|t| {
                t.subscriber_id == request.subscriber_id
                    && t.operator == request.operator
                    && t.state == LineState::Active
            }) {
                return Err(ServiceError::unprocessable(
                    "invalid_transfer_target",
                    format!("line {to} can no longer receive the balance: choose another line or a refund"),
                ));
            }
            post(
                tx,
                MovementKind::Transfer,
                ledger::line(line_id),
                ledger::line(to),
                balance,
                &format!("balance of terminated line {line_id}"),
                format!("settle:{}:transfer", request.id),
                Some(line_id),
                now,
                actor,
            )?;
            Ok(BillSettlement {
                option: SettlementOption::Transfer,
                amount: balance,
                to_line_id: Some(to),
                refund_id: None,
                refund_state: None,
            })
        }
        Some(SettlementOption::Refund) | None => {
            // The balance is never silently kept: without a choice it still becomes a refund
            // claim, waiting for the subscriber's bank details.
            // Bank details given with the choice make it a request at once; otherwise the
            // subscriber chooses the route (bank, SBP, card, cash) on the refund afterwards.
            let state = if choice.refund_account.is_some() { rs::REQUESTED } else { rs::AWAITING_DETAILS };
            if choice.kind.is_none() && !policy.settlement_options.contains(&SettlementOption::Refund) {
                tracing::warn!(operator = %policy.operator, "policy offers no refunds; balance held as a refund claim anyway");
            }
            post(
                tx,
                MovementKind::Refund,
                ledger::line(line_id),
                ledger::operator(&request.operator, OperatorAccount::RefundsPayable),
                balance,
                "balance to be refunded",
                format!("settle:{}:refund", request.id),
                Some(line_id),
                now,
                actor,
            )?;
            let refund_id = tx.insert_refund(&RefundRow {
                id: 0,
                line_id,
                request_id: Some(request.id),
                operator: request.operator.clone(),
                amount: balance,
                state: state.to_owned(),
                recipient_name: choice.refund_name.clone(),
                bik: choice.refund_bik.clone(),
                account: choice.refund_account.clone(),
                reason: None,
                created_at: now,
                updated_at: now,
                route: simexit_domain::RefundRoute::BankAccount,
                sbp_phone: None,
                sbp_bank: None,
                card_payment_id: None,
                cash_store_id: None,
                payout_ref: None,
            })?;
            Ok(BillSettlement {
                option: SettlementOption::Refund,
                amount: balance,
                to_line_id: None,
                refund_id: Some(refund_id),
                refund_state: Some(state.to_owned()),
            })
        }
    }
}

/// Revocation during aging: the settlement is undone by reversing entries; a refund already
/// paid stays paid (the money has left) and is reported as such.
pub fn undo_settlement(tx: &mut dyn Tx, request: &RequestRow, now: Timestamp, actor: &str) -> Result<()> {
    for key in [format!("settle:{}:transfer", request.id), format!("settle:{}:refund", request.id)] {
        let Some(m) = tx.movement_by_key(&key)? else { continue };
        if key.ends_with(":refund") {
            let refunds = tx.refunds_of_line(request.line_id)?;
            if let Some(mut r) = refunds.into_iter().find(|r| r.request_id == Some(request.id)) {
                if r.state == rs::PAID {
                    // Paid out: the money is the subscriber's in the bank, not on the line.
                    continue;
                }
                if r.state == rs::APPROVED {
                    // On its way to the bank: undoing it now would pay the balance twice.
                    return Err(ServiceError::conflict(
                        "refund_in_payment",
                        format!(
                            "refund {} of {} is on its way to the bank: revoke once it is paid or has failed",
                            r.id, r.amount
                        ),
                    ));
                }
                if r.state == rs::FAILED {
                    // The money already came back to the line when the refund failed.
                    r.state = rs::CANCELLED.to_owned();
                    r.updated_at = now;
                    tx.update_refund(&r)?;
                    continue;
                }
                r.state = rs::CANCELLED.to_owned();
                r.reason = Some("termination revoked".into());
                r.updated_at = now;
                tx.update_refund(&r)?;
            }
        }
        reverse(tx, m.id, "termination revoked", now, actor)?;
    }
    Ok(())
}

impl Service {
    /// Sets what happens to the balance at completion.
    pub fn set_settlement(&self, who: &Principal, request_id: i64, input: SettlementInput) -> Result<RequestRow> {
        let now = self.now();
        self.store.write(|tx| {
            let mut r = tx
                .request(request_id)?
                .filter(|r| who.sees_request(r))
                .ok_or_else(|| ServiceError::not_found("termination request", request_id))?;
            if !(who.subscriber_id == Some(r.subscriber_id) || who.is(&[Role::Clerk, Role::Admin, Role::Reviewer])) {
                return Err(ServiceError::forbidden(format!("a {} cannot choose the settlement", who.role)));
            }
            if !r.state.is_open() {
                return Err(ServiceError::conflict("settlement_closed", format!("the request is {}", r.state)));
            }
            let policy = self.policy(&r.operator)?;
            let option = match input {
                SettlementInput::Transfer { .. } => SettlementOption::Transfer,
                SettlementInput::Refund { .. } => SettlementOption::Refund,
            };
            if !policy.settlement_options.contains(&option) {
                return Err(ServiceError::unprocessable(
                    "settlement_not_offered",
                    format!("{} does not offer `{option}`", policy.name),
                ));
            }
            r.settlement = match input {
                SettlementInput::Transfer { to_line_id } => {
                    let target = tx.line(to_line_id)?.filter(|t| t.subscriber_id == r.subscriber_id);
                    let target = target.ok_or_else(|| ServiceError::not_found("line", to_line_id))?;
                    if target.id == r.line_id || target.operator != r.operator || target.state != LineState::Active {
                        return Err(ServiceError::unprocessable(
                            "invalid_transfer_target",
                            "to_line_id: another active line of yours at the same operator",
                        ));
                    }
                    SettlementChoice {
                        kind: Some(option),
                        transfer_to_line: Some(target.id),
                        ..SettlementChoice::default()
                    }
                }
                SettlementInput::Refund { recipient_name, bik, account }
                    if [&recipient_name, &bik, &account].iter().all(|f| f.trim().is_empty()) =>
                {
                    // A refund whose route is chosen after completion (SBP, card, cash, a bank).
                    SettlementChoice { kind: Some(option), ..SettlementChoice::default() }
                }
                SettlementInput::Refund { recipient_name, bik, account } => {
                    let bank = validate_refund(&recipient_name, &bik, &account)?;
                    SettlementChoice {
                        kind: Some(option),
                        transfer_to_line: None,
                        refund_name: Some(recipient_name.trim().to_owned()),
                        refund_bik: Some(bank.bik),
                        // Kept sealed: only its own view opens it.
                        refund_account: Some(self.seal(crate::sealing::REFUND_ACCOUNT, &bank.account)?),
                    }
                }
            };
            r.updated_at = now;
            tx.update_request(&r)?;
            audit(
                tx,
                now,
                &who.actor(),
                "set_settlement",
                "termination_request",
                r.id,
                serde_json::json!({ "option": option }),
            )?;
            self.open_request(r)
        })
    }

    /// The final bill: frozen once the request is completed, otherwise a preview computed by
    /// running completion's money code in a transaction that is rolled back.
    pub fn final_bill(&self, who: &Principal, request_id: i64) -> Result<FinalBill> {
        let frozen = self.store.read(|tx| {
            let r = tx
                .request(request_id)?
                .filter(|r| who.sees_request(r))
                .ok_or_else(|| ServiceError::not_found("termination request", request_id))?;
            Ok::<_, ServiceError>((r.clone(), tx.final_bill(request_id)?))
        })?;
        match frozen {
            (_, Some(json)) => {
                serde_json::from_str(&json).map_err(|e| ServiceError::Internal(format!("stored bill: {e}")))
            }
            (r, None) if r.state.is_open() => {
                let policy = self.policy(&r.operator)?;
                let now = self.now();
                let mut bill = self.store.dry_run(|tx| bill(tx, policy, &r, now, &who.actor(), true))?;
                if let Some(s) = bill.settlement.as_mut() {
                    s.refund_id = None;
                }
                Ok(bill)
            }
            (r, None) => {
                Err(ServiceError::conflict("no_final_bill", format!("a {} request has no final bill", r.state)))
            }
        }
    }
}
