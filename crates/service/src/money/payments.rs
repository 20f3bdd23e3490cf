//! Payments onto a line (a provider's verified notification, a store's cash desk),
//! adjustments and their reversal, and a line's statement.

use jiff::Timestamp;
use serde_json::json;
use simexit_domain::access::Role;
use simexit_domain::ledger::{MovementKind, OperatorAccount, PaymentStatus};
use simexit_domain::{LineState, Money};
use simexit_store::{LineRow, PaymentRow, StatementRow, StoreExt, Tx};

use super::outside_amount;
use super::providers::PaymentStart;
use crate::ledger::{self, post, reverse};
use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

/// Posts a payment's money from the operator's cash onto its line, once per payment.
fn credit(tx: &mut dyn Tx, p: &PaymentRow, memo: &str, now: Timestamp) -> Result<Option<i64>> {
    let key = format!("payment:{}:{}", p.provider, p.provider_ref.as_deref().unwrap_or_default());
    let from = ledger::operator(&p.operator, OperatorAccount::Cash);
    post(
        tx,
        MovementKind::Payment,
        from,
        ledger::line(p.line_id),
        p.amount,
        memo,
        key,
        Some(p.line_id),
        now,
        &p.started_by,
    )
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub line: LineRow,
    pub entries: Vec<StatementRow>,
}

/// The provider name of cash taken at a store's desk.
pub const CASH: &str = "cash";

fn provider_unavailable(name: &str, e: &str) -> ServiceError {
    tracing::warn!(provider = name, error = e, "payment provider did not answer");
    ServiceError::Unavailable {
        code: "provider_unavailable",
        message: format!("the payment provider `{name}` did not answer; try again in a minute"),
    }
}

fn not_confirmed(name: &str, provider_ref: &str, why: &str) -> ServiceError {
    tracing::warn!(provider = name, provider_ref, why, "payment notification not confirmed by the provider");
    ServiceError::conflict(
        "payment_not_confirmed",
        format!("the provider's own record of payment `{provider_ref}` does not confirm this notification: {why}"),
    )
}

/// A receipt number as printed by the store's till: 1 to 64 letters, digits, `-`, `/`, `_`.
fn receipt_number(receipt: &str) -> Result<&str> {
    let r = receipt.trim();
    let ok = !r.is_empty()
        && r.chars().count() <= 64
        && r.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '_'));
    if ok {
        Ok(r)
    } else {
        Err(ServiceError::unprocessable(
            "invalid_receipt",
            "receipt_number: 1 to 64 letters, digits, `-`, `/` or `_`, as printed on the receipt",
        ))
    }
}

impl Service {
    /// The holder starts paying a line by card: the payment is recorded as pending and the
    /// provider's page returned. Nothing is credited until the provider's verified
    /// notification, confirmed by its own API, says the money moved.
    pub fn start_payment(&self, who: &Principal, line_id: i64, amount: Money) -> Result<PaymentRow> {
        who.require(&[Role::Subscriber], "pay by card (staff take cash at the desk)")?;
        outside_amount(amount, "amount", false)?;
        let line = self.line(who, line_id)?;
        if line.state == LineState::Terminated {
            return Err(ServiceError::conflict(
                "line_terminated",
                "this line is terminated: its final bill settled it",
            ));
        }
        let name = self.payments.default_name().ok_or_else(|| ServiceError::Conflict {
            code: "no_payment_provider",
            message: "this operator takes no card payments here: pay at a store's cash desk".into(),
        })?;
        let provider = self.payments.get(name).ok_or_else(|| ServiceError::Internal("provider vanished".into()))?;
        let now = self.now();
        let mut row = PaymentRow {
            id: 0,
            provider: name.to_owned(),
            provider_ref: None,
            line_id,
            operator: line.operator.clone(),
            amount,
            status: PaymentStatus::Pending,
            confirmation_url: None,
            store_id: None,
            started_by: who.actor(),
            created_at: now,
            settled_at: None,
            movement_id: None,
        };
        row.id = self.store.write(|tx| tx.insert_payment(&row))?;
        let start = PaymentStart {
            payment_id: row.id,
            amount,
            description: format!("{} {}", line.msisdn, line.operator),
            return_url: format!("{}/my/lines/{line_id}/cancel?done=paying", self.payments.return_base()),
        };
        match provider.start(&start) {
            Ok(started) => {
                row.provider_ref = Some(started.provider_ref);
                row.confirmation_url = Some(started.confirmation_url);
            }
            Err(e) => {
                row.status = PaymentStatus::Canceled;
                row.settled_at = Some(now);
                self.store.write(|tx| tx.update_payment(&row))?;
                return Err(provider_unavailable(name, &e));
            }
        }
        self.store.write(|tx| {
            tx.update_payment(&row)?;
            let details = json!({ "payment": row.id, "amount": amount });
            audit(tx, now, &who.actor(), "payment_started", "line", line_id, details)
        })?;
        Ok(row)
    }

    /// A provider's notification: believed only when its signature and age are right and the
    /// provider's own API confirms the payment and its amount; credited exactly once whatever
    /// arrives again. Returns the payment and whether this call changed it.
    pub fn payment_notification(
        &self,
        name: &str,
        header: &dyn Fn(&str) -> Option<String>,
        body: &[u8],
    ) -> Result<(PaymentRow, bool)> {
        let provider = self.payments.get(name).ok_or_else(|| ServiceError::not_found("payment provider", name))?;
        let now = self.now();
        let notice = provider.verify(header, body, now)?;
        let found = self.store.read(|tx| tx.payment_by_ref(name, &notice.provider_ref))?;
        let row = found.ok_or_else(|| ServiceError::not_found("payment", &notice.provider_ref))?;
        if row.status == PaymentStatus::Succeeded {
            return Ok((row, false));
        }
        if notice.reference != row.id || notice.amount != row.amount {
            return Err(not_confirmed(name, &notice.provider_ref, "another payment or amount than was started"));
        }
        let confirmed = provider.status(&notice.provider_ref).map_err(|e| provider_unavailable(name, &e))?;
        if confirmed.status != notice.status {
            return Err(not_confirmed(name, &notice.provider_ref, &format!("its status is {}", confirmed.status)));
        }
        if confirmed.amount != row.amount {
            return Err(not_confirmed(name, &notice.provider_ref, &format!("it holds {}", confirmed.amount)));
        }
        self.store.write(|tx| {
            let mut row = tx.payment(row.id)?.ok_or_else(|| ServiceError::Internal("payment vanished".into()))?;
            if row.status == PaymentStatus::Succeeded || row.status == notice.status {
                return Ok((row, false));
            }
            row.status = notice.status;
            row.settled_at = Some(now);
            if notice.status == PaymentStatus::Succeeded {
                row.movement_id = credit(tx, &row, &format!("card payment {} ({name})", notice.provider_ref), now)?;
            }
            tx.update_payment(&row)?;
            let action = if row.movement_id.is_some() { "payment_credited" } else { "payment_canceled" };
            let details = json!({ "payment": row.id, "provider": name, "amount": row.amount });
            audit(tx, now, &format!("provider:{name}"), action, "line", row.line_id, details)?;
            Ok((row, true))
        })
    }

    /// Cash taken at the clerk's own store's desk for a line of the clerk's operator, with the
    /// receipt's number: the same receipt recorded again records nothing more.
    pub fn cash_payment(
        &self,
        who: &Principal,
        line_id: i64,
        amount: Money,
        receipt: &str,
    ) -> Result<(PaymentRow, bool)> {
        who.require(&[Role::Clerk], "take cash at a store's desk")?;
        let store = who.store_id.clone().ok_or_else(|| {
            ServiceError::forbidden("a cash desk belongs to a store, and this account is not a store's")
        })?;
        outside_amount(amount, "amount", false)?;
        let receipt = receipt_number(receipt)?;
        let provider_ref = format!("{store}/{receipt}");
        let now = self.now();
        self.store.write(|tx| {
            let line = tx.line(line_id)?.filter(|l| who.staff_of(&l.operator));
            let line = line.ok_or_else(|| ServiceError::not_found("line", line_id))?;
            if let Some(existing) = tx.payment_by_ref(CASH, &provider_ref)? {
                if existing.line_id != line_id || existing.amount != amount {
                    return Err(ServiceError::conflict(
                        "receipt_reused",
                        format!("receipt {receipt} of this store was recorded for another line or amount"),
                    ));
                }
                return Ok((existing, false));
            }
            if line.state == LineState::Terminated {
                return Err(ServiceError::conflict(
                    "line_terminated",
                    "this line is terminated and its final bill settled: the cash is not taken",
                ));
            }
            let mut row = PaymentRow {
                id: 0,
                provider: CASH.to_owned(),
                provider_ref: Some(provider_ref.clone()),
                line_id,
                operator: line.operator.clone(),
                amount,
                status: PaymentStatus::Succeeded,
                confirmation_url: None,
                store_id: Some(store.clone()),
                started_by: who.actor(),
                created_at: now,
                settled_at: Some(now),
                movement_id: None,
            };
            row.movement_id = credit(tx, &row, &format!("cash at {store}, receipt {receipt}"), now)?;
            row.id = tx.insert_payment(&row)?;
            let details = json!({ "payment": row.id, "amount": amount, "store": store, "receipt": receipt });
            audit(tx, now, &who.actor(), "cash_payment", "line", line_id, details)?;
            Ok((row, true))
        })
    }

    /// One payment, for its line's holder and the line's operator's staff.
    pub fn payment(&self, who: &Principal, id: i64) -> Result<PaymentRow> {
        let row = self.store.read(|tx| tx.payment(id))?.ok_or_else(|| ServiceError::not_found("payment", id))?;
        self.line(who, row.line_id).map_err(|_| ServiceError::not_found("payment", id))?;
        Ok(row)
    }

    /// A line's payments, newest first.
    pub fn payments_of_line(&self, who: &Principal, line_id: i64) -> Result<Vec<PaymentRow>> {
        self.line(who, line_id)?;
        Ok(self.store.read(|tx| tx.payments_of_line(line_id))?)
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
        outside_amount(amount, "amount", false)?;
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
}
