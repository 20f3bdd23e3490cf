//! Money use cases: payments, the settlement choice, the final bill (preview and frozen),
//! refunds, statements and add-on services.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use simexit_domain::access::Role;
use simexit_domain::ledger::{BankAccount, MovementKind, OperatorAccount};
use simexit_domain::{LineState, Money, SettlementOption, TerminationPolicy};
use simexit_store::{LineRow, RefundRow, RequestRow, ServiceRow, SettlementChoice, StatementRow, StoreExt, Tx};

use crate::ledger::{self, bill_service, post, reverse};
use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

/// The payment provider. simexit records payments it is told about; a real acquirer plugs in
/// here. The call is made before the ledger transaction and must itself be idempotent by key.
pub trait PaymentGateway: Send + Sync {
    /// Captures `amount` for `line_id`; returns the provider's reference.
    fn capture(&self, line_id: i64, amount: Money, idempotency_key: &str) -> Result<String>;
}

/// The default gateway: accepts every payment and records it (cash desks, demos, imports).
#[derive(Debug, Default)]
pub struct RecordingGateway;

impl PaymentGateway for RecordingGateway {
    fn capture(&self, line_id: i64, amount: Money, idempotency_key: &str) -> Result<String> {
        tracing::info!(line_id, amount = amount.kopecks(), idempotency_key, "payment recorded");
        Ok(format!("recorded:{idempotency_key}"))
    }
}

/// A refund's states.
pub mod refund_state {
    pub const AWAITING_DETAILS: &str = "awaiting_details";
    pub const REQUESTED: &str = "requested";
    pub const APPROVED: &str = "approved";
    pub const PAID: &str = "paid";
    pub const FAILED: &str = "failed";
    pub const CANCELLED: &str = "cancelled";
}
use refund_state as rs;

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
    /// True for a preview (a dry run of completion); false once frozen at completion.
    pub preview: bool,
}

/// What a subscriber asks for the balance.
#[derive(Debug, Clone)]
pub enum SettlementInput {
    Transfer { to_line_id: i64 },
    Refund { recipient_name: String, bik: String, account: String },
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub line: LineRow,
    pub entries: Vec<StatementRow>,
}

/// Starts a service on a line from `since` and schedules its first billing.
pub fn start_service(
    tx: &mut dyn Tx,
    line_id: i64,
    name: &str,
    monthly: Money,
    since: Timestamp,
    actor: &str,
) -> Result<ServiceRow> {
    let mut row = ServiceRow {
        id: 0,
        line_id,
        name: name.to_owned(),
        monthly_charge: monthly,
        started_at: since,
        charged_until: since,
        stopped_at: None,
    };
    row.id = tx.insert_service(&row)?;
    let first = since.checked_add(ledger::BILLING_PERIOD).map_err(|e| ServiceError::Internal(e.to_string()))?;
    crate::record::schedule(tx, crate::jobs::BILL_SERVICE, row.id, first, since)?;
    audit(
        tx,
        since,
        actor,
        "start_service",
        "line",
        line_id,
        serde_json::json!({ "service": name, "monthly_charge": monthly }),
    )?;
    Ok(row)
}

fn debt_error(debt: Money) -> ServiceError {
    ServiceError::Unprocessable {
        code: "debt_outstanding",
        message: format!("outstanding debt of {debt} must be paid first"),
        amount: Some(debt),
    }
}

/// The debt of a line including charges accrued but not yet billed.
pub fn debt_of(tx: &mut dyn Tx, line: &LineRow, now: Timestamp) -> Result<Money> {
    let services = tx.services_of(line.id)?;
    Ok((line.balance - ledger::accrued(&services, now)).debt())
}

fn validate_refund(recipient_name: &str, bik: &str, account: &str) -> Result<BankAccount> {
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

fn month_start(at: Timestamp, policy: &TerminationPolicy) -> Timestamp {
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
    let line_id = request.line_id;
    for mut service in tx.services_of(line_id)? {
        if service.stopped_at.is_none() {
            bill_service(tx, &mut service, &request.operator, now, actor)?;
            service.stopped_at = Some(now);
            tx.update_service(&service)?;
        }
    }
    let balance = tx.balance(&ledger::line(line_id))?;
    if balance.is_negative() {
        return Err(debt_error(balance.debt()));
    }
    let settlement = if balance.is_positive() { Some(settle(tx, policy, request, balance, now, actor)?) } else { None };
    let period_start = month_start(now, policy);
    let statement = tx.statement(&ledger::line(line_id))?;
    let opening_balance = statement.iter().filter(|e| e.at < period_start).fold(Money::ZERO, |a, e| a + e.amount);
    let items: Vec<BillItem> = statement
        .into_iter()
        .filter(|e| e.at >= period_start)
        .map(|e| BillItem { at: e.at, kind: e.kind, memo: e.memo, amount: e.amount })
        .collect();
    let total = |kinds: &[MovementKind]| {
        items.iter().filter(|i| kinds.contains(&i.kind)).fold(Money::ZERO, |a, i| a + i.amount)
    };
    let closing_balance = tx.balance(&ledger::line(line_id))?;
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
        preview: false,
    })
}

fn settle(
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
            let state = if choice.kind.is_some() { rs::REQUESTED } else { rs::AWAITING_DETAILS };
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
                    continue;
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
    /// Records a payment on a line. The same idempotency key records it once; the same key
    /// with another amount is a conflict.
    pub fn pay(&self, who: &Principal, line_id: i64, amount: Money, key: &str) -> Result<(LineRow, bool)> {
        if !amount.is_positive() || amount.kopecks() > 10_000_000_000 {
            return Err(ServiceError::unprocessable(
                "invalid_amount",
                "amount: a positive number of kopecks up to 100 000 000 ₽",
            ));
        }
        let key = key.trim();
        if key.is_empty() || key.len() > 128 {
            return Err(ServiceError::bad_input("invalid_idempotency_key", "idempotency_key: 1 to 128 characters"));
        }
        // The holder pays online; a clerk takes cash at the desk; an admin records imports.
        who.require(&[Role::Subscriber, Role::Clerk, Role::Admin], "record payments")?;
        let line = self.line(who, line_id)?;
        let full_key = format!("payment:{line_id}:{key}");
        if let Some(existing) = self.store.read(|tx| tx.movement_by_key(&full_key))? {
            return self.replayed_payment(who, line_id, amount, &existing);
        }
        let reference = self.payments.capture(line_id, amount, &full_key)?;
        let now = self.now();
        let recorded = self.store.write(|tx| {
            post(
                tx,
                MovementKind::Payment,
                ledger::operator(&line.operator, OperatorAccount::Cash),
                ledger::line(line_id),
                amount,
                &format!("payment {reference}"),
                full_key.clone(),
                Some(line_id),
                now,
                &who.actor(),
            )
        })?;
        match recorded {
            Some(_) => Ok((self.line(who, line_id)?, true)),
            None => {
                let existing = self.store.read(|tx| tx.movement_by_key(&full_key))?;
                let existing = existing.ok_or_else(|| ServiceError::Internal("payment vanished".into()))?;
                self.replayed_payment(who, line_id, amount, &existing)
            }
        }
    }

    fn replayed_payment(
        &self,
        who: &Principal,
        line_id: i64,
        amount: Money,
        existing: &simexit_store::MovementRow,
    ) -> Result<(LineRow, bool)> {
        if existing.entries.iter().any(|e| e.account == ledger::line(line_id) && e.amount != amount) {
            return Err(ServiceError::conflict(
                "idempotency_key_reused",
                "this idempotency key was used for a different payment",
            ));
        }
        Ok((self.line(who, line_id)?, false))
    }

    /// Sets what happens to the balance at completion.
    pub fn set_settlement(&self, who: &Principal, request_id: i64, input: SettlementInput) -> Result<RequestRow> {
        let now = self.now();
        self.store.write(|tx| {
            let mut r = tx
                .request(request_id)?
                .filter(|r| who.can_see(r.subscriber_id, &r.operator))
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
                SettlementInput::Refund { recipient_name, bik, account } => {
                    let bank = validate_refund(&recipient_name, &bik, &account)?;
                    SettlementChoice {
                        kind: Some(option),
                        transfer_to_line: None,
                        refund_name: Some(recipient_name.trim().to_owned()),
                        refund_bik: Some(bank.bik),
                        refund_account: Some(bank.account),
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
            Ok(r)
        })
    }

    /// The final bill: frozen once the request is completed, otherwise a preview computed by
    /// running completion's money code in a transaction that is rolled back.
    pub fn final_bill(&self, who: &Principal, request_id: i64) -> Result<FinalBill> {
        let frozen = self.store.read(|tx| {
            let r = tx
                .request(request_id)?
                .filter(|r| who.can_see(r.subscriber_id, &r.operator))
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
                let mut bill = self.store.dry_run(|tx| settle_and_bill(tx, policy, &r, now, &who.actor()))?;
                bill.preview = true;
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

    /// A staff adjustment: an extra charge, or a write-off of debt. Recorded once per key.
    pub fn adjust(
        &self,
        who: &Principal,
        line_id: i64,
        kind: MovementKind,
        amount: Money,
        memo: &str,
        key: &str,
    ) -> Result<LineRow> {
        who.require(&[Role::Reviewer, Role::Admin], "adjust balances")?;
        let line = self.line(who, line_id)?;
        if !who.staff_of(&line.operator) {
            return Err(ServiceError::not_found("line", line_id));
        }
        let memo = memo.trim();
        if memo.is_empty() || memo.chars().count() > 500 {
            return Err(ServiceError::unprocessable("reason_required", "reason: say why, in up to 500 characters"));
        }
        if !amount.is_positive() || amount.kopecks() > 10_000_000_000 {
            return Err(ServiceError::unprocessable("invalid_amount", "amount: a positive number of kopecks"));
        }
        let (from, to) = match kind {
            MovementKind::Charge => (ledger::line(line_id), ledger::operator(&line.operator, OperatorAccount::Revenue)),
            MovementKind::WriteOff => {
                (ledger::operator(&line.operator, OperatorAccount::WriteOffs), ledger::line(line_id))
            }
            other => {
                return Err(ServiceError::unprocessable(
                    "invalid_kind",
                    format!("`{other}` is not an adjustment: use charge or write_off"),
                ));
            }
        };
        let now = self.now();
        let key = format!("adjust:{line_id}:{}", key.trim());
        self.store.write(|tx| post(tx, kind, from, to, amount, memo, key, Some(line_id), now, &who.actor()))?;
        self.line(who, line_id)
    }

    /// Undoes a movement on a line by a reversing movement: the way mistakes are fixed.
    pub fn reverse_movement(&self, who: &Principal, movement_id: i64, reason: &str) -> Result<LineRow> {
        who.require(&[Role::Reviewer, Role::Admin], "reverse movements")?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::unprocessable("reason_required", "a reversal needs a `reason`"));
        }
        let now = self.now();
        let line_id = self.store.write(|tx| {
            let m = tx.movement(movement_id)?.ok_or_else(|| ServiceError::not_found("movement", movement_id))?;
            let line_id = m.line_id.ok_or_else(|| ServiceError::not_found("movement", movement_id))?;
            let line = tx.line(line_id)?.filter(|l| who.staff_of(&l.operator));
            line.ok_or_else(|| ServiceError::not_found("movement", movement_id))?;
            if m.kind == MovementKind::Reversal || m.reverses.is_some() {
                return Err(ServiceError::conflict(
                    "not_reversible",
                    "a reversal is not reversed: record a new movement",
                ));
            }
            if m.idempotency_key.starts_with("settle:") || m.idempotency_key.starts_with("refund:") {
                return Err(ServiceError::conflict(
                    "not_reversible",
                    "settlements and refunds are undone through their own steps",
                ));
            }
            reverse(tx, movement_id, reason, now, &who.actor())?
                .ok_or_else(|| ServiceError::conflict("already_reversed", "this movement was already reversed"))?;
            Ok::<_, ServiceError>(line_id)
        })?;
        self.line(who, line_id)
    }

    pub fn statement(&self, who: &Principal, line_id: i64) -> Result<Statement> {
        let line = self.line(who, line_id)?;
        let entries = self.store.read(|tx| tx.statement(&ledger::line(line_id)))?;
        Ok(Statement { line, entries })
    }

    /// Adds a paid service to a line (staff); it is billed every 30 days in arrears.
    pub fn add_service(&self, who: &Principal, line_id: i64, name: &str, monthly: Money) -> Result<ServiceRow> {
        who.require(&[Role::Clerk, Role::Admin], "add services")?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ServiceError::unprocessable("invalid_name", "name: 1 to 100 characters"));
        }
        if monthly.is_negative() || monthly.kopecks() > 10_000_000 {
            return Err(ServiceError::unprocessable("invalid_amount", "monthly_charge: 0 to 100 000 ₽ in kopecks"));
        }
        let line = self.line(who, line_id)?;
        if !who.staff_of(&line.operator) {
            return Err(ServiceError::not_found("line", line_id));
        }
        if line.state != LineState::Active {
            return Err(ServiceError::conflict("line_not_active", format!("the line is {}", line.state)));
        }
        let now = self.now();
        self.store.write(|tx| start_service(tx, line_id, name, monthly, now, &who.actor()))
    }

    pub fn services(&self, who: &Principal, line_id: i64) -> Result<Vec<ServiceRow>> {
        self.line(who, line_id)?;
        Ok(self.store.read(|tx| tx.services_of(line_id))?)
    }

    fn visible_refund(&self, tx: &mut dyn Tx, who: &Principal, id: i64) -> Result<RefundRow> {
        let refund = tx.refund(id)?.ok_or_else(|| ServiceError::not_found("refund", id))?;
        let line = tx.line(refund.line_id)?.ok_or_else(|| ServiceError::Internal("refund without line".into()))?;
        if who.can_see(line.subscriber_id, &line.operator) {
            Ok(refund)
        } else {
            Err(ServiceError::not_found("refund", id))
        }
    }

    pub fn refund(&self, who: &Principal, id: i64) -> Result<RefundRow> {
        self.store.read(|tx| self.visible_refund(tx, who, id))
    }

    pub fn my_refunds(&self, who: &Principal) -> Result<Vec<RefundRow>> {
        let sub =
            who.subscriber_id.ok_or_else(|| ServiceError::forbidden("only subscribers have refunds of their own"))?;
        self.store.read(|tx| {
            let mut out = Vec::new();
            for line in tx.lines_of(sub)? {
                out.extend(tx.refunds_of_line(line.id)?);
            }
            Ok(out)
        })
    }

    pub fn refunds_queue(&self, who: &Principal, state: Option<&str>, limit: u32) -> Result<Vec<RefundRow>> {
        who.require(&[Role::Reviewer, Role::Admin, Role::Auditor], "see the refunds queue")?;
        if let Some(s) = state
            && ![rs::AWAITING_DETAILS, rs::REQUESTED, rs::APPROVED, rs::PAID, rs::FAILED, rs::CANCELLED].contains(&s)
        {
            return Err(ServiceError::bad_input("invalid_state", format!("`{s}` is not a refund state")));
        }
        Ok(self.store.read(|tx| tx.refunds(state, who.operator.as_ref(), limit.clamp(1, 500)))?)
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
            r.account = Some(bank.account);
            r.state = rs::REQUESTED.to_owned();
            r.reason = None;
            r.updated_at = now;
            tx.update_refund(&r)?;
            audit(tx, now, &who.actor(), "refund_details", "refund", id, serde_json::json!({ "state": r.state }))?;
            Ok(r)
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
            Ok(r)
        })
    }
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
