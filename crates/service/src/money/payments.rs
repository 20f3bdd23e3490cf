//! Payments onto a line, adjustments and their reversal, and a line's statement.

use simexit_domain::Money;
use simexit_domain::access::Role;
use simexit_domain::ledger::{MovementKind, OperatorAccount};
use simexit_store::{LineRow, StatementRow, StoreExt};

use super::outside_amount;
use crate::ledger::{self, post, reverse};
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

#[derive(Debug, Clone)]
pub struct Statement {
    pub line: LineRow,
    pub entries: Vec<StatementRow>,
}

impl Service {
    /// Records a payment on a line. The same idempotency key records it once; the same key
    /// with another amount is a conflict.
    pub fn pay(&self, who: &Principal, line_id: i64, amount: Money, key: &str) -> Result<(LineRow, bool)> {
        outside_amount(amount, "amount", false)?;
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
