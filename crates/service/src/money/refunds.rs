//! Refunds: the queue, the subscriber's bank details, and the steps requested → approved → paid or failed.

use simexit_domain::access::Role;
use simexit_domain::ledger::{MovementKind, OperatorAccount, PaymentStatus};
use simexit_domain::{Msisdn, RefundRoute};
use simexit_store::{RefundRow, SbpBankRow, StoreExt, Tx};

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

/// How a subscriber wants a refund paid, with that route's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundDetails {
    BankAccount {
        name: String,
        bik: String,
        account: String,
    },
    /// SBP: the recipient's name, a Russian phone number and the bank's NSPK member id.
    Sbp {
        name: String,
        phone: String,
        bank_id: String,
    },
    /// Back to the card of the line's card payment that covers it.
    Card,
    /// Cash at one of the operator's stores.
    Cash {
        store_id: String,
    },
}

impl RefundDetails {
    pub fn route(&self) -> RefundRoute {
        match self {
            RefundDetails::BankAccount { .. } => RefundRoute::BankAccount,
            RefundDetails::Sbp { .. } => RefundRoute::Sbp,
            RefundDetails::Card => RefundRoute::Card,
            RefundDetails::Cash { .. } => RefundRoute::Cash,
        }
    }
}

/// An SBP recipient: a name, and a Russian mobile number (SBP pays to +7 numbers only).
fn validate_sbp(name: &str, phone: &str, bank_id: &str) -> Result<Msisdn> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ServiceError::unprocessable("invalid_recipient_name", "recipient_name: the recipient's name"));
    }
    let id = bank_id.trim();
    if id.len() != 12 || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(ServiceError::unprocessable("invalid_sbp_bank", "bank_id: the bank's 12-digit NSPK member id"));
    }
    let phone = Msisdn::parse(phone)
        .ok()
        .filter(|p| p.as_str().starts_with("+7"))
        .ok_or_else(|| ServiceError::unprocessable("invalid_phone", "phone: a Russian number, +7 and ten digits"))?;
    Ok(phone)
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
        // A cash refund is also seen by the clerks of the store that pays it out.
        let visible = visible || cash_at_store_of(who, &refund);
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

    /// The refunds queue of staff; a store's clerk sees the cash refunds the desk pays out.
    pub fn refunds_queue(&self, who: &Principal, state: Option<&str>, limit: u32) -> Result<Vec<RefundRow>> {
        who.require(&[Role::Reviewer, Role::Admin, Role::Auditor, Role::Clerk], "see the refunds queue")?;
        if let Some(s) = state
            && ![rs::AWAITING_DETAILS, rs::REQUESTED, rs::APPROVED, rs::PAID, rs::FAILED, rs::CANCELLED].contains(&s)
        {
            return Err(ServiceError::bad_input("invalid_state", format!("`{s}` is not a refund state")));
        }
        // A clerk without a store sees none: the empty store id matches no refund.
        let desk = (who.role == Role::Clerk).then(|| who.store_id.as_deref().unwrap_or_default());
        let rows = self.store.read(|tx| tx.refunds(state, who.operator.as_ref(), desk, limit.clamp(1, 500)))?;
        rows.into_iter().map(|r| self.open_refund(r)).collect()
    }

    /// Gives (or corrects) the bank details of a refund awaiting them or one that failed.
    pub fn refund_details(&self, who: &Principal, id: i64, name: &str, bik: &str, account: &str) -> Result<RefundRow> {
        let details = RefundDetails::BankAccount { name: name.into(), bik: bik.into(), account: account.into() };
        self.refund_route(who, id, &details)
    }

    /// Chooses how a refund awaiting its details (or one that failed) is paid: a route the
    /// operator's policy offers the subscriber's category, with that route's details.
    pub fn refund_route(&self, who: &Principal, id: i64, details: &RefundDetails) -> Result<RefundRow> {
        let now = self.now();
        let bank = match details {
            RefundDetails::BankAccount { name, bik, account } => Some(validate_refund(name, bik, account)?),
            _ => None,
        };
        let sbp = match details {
            RefundDetails::Sbp { name, phone, bank_id } => Some(validate_sbp(name, phone, bank_id)?),
            _ => None,
        };
        self.store.write(|tx| {
            let mut r = self.visible_refund(tx, who, id)?;
            let line = tx.line(r.line_id)?.ok_or_else(|| ServiceError::Internal("refund without line".into()))?;
            let category =
                tx.subscriber(line.subscriber_id)?.map_or(simexit_domain::CustomerCategory::Resident, |s| s.category);
            let offered = self.policy(&r.operator)?.refund_routes_for(category);
            if !offered.contains(&details.route()) {
                let names: Vec<&str> = offered.iter().map(|o| o.as_str()).collect();
                return Err(ServiceError::unprocessable(
                    "route_not_offered",
                    format!("route: {} is not offered here; choose {}", details.route(), names.join(", ")),
                ));
            }
            (r.recipient_name, r.bik, r.account, r.sbp_phone, r.sbp_bank, r.card_payment_id, r.cash_store_id) =
                (None, None, None, None, None, None, None);
            r.route = details.route();
            match details {
                RefundDetails::BankAccount { name, .. } => {
                    let bank = bank.clone().ok_or_else(|| ServiceError::Internal("bank details".into()))?;
                    r.recipient_name = Some(name.trim().to_owned());
                    r.bik = Some(bank.bik);
                    r.account = Some(self.seal(crate::sealing::REFUND_ACCOUNT, &bank.account)?);
                }
                RefundDetails::Sbp { name, bank_id, .. } => {
                    let phone = sbp.clone().ok_or_else(|| ServiceError::Internal("sbp details".into()))?;
                    if tx.sbp_bank(bank_id.trim())?.is_none() {
                        return Err(ServiceError::unprocessable(
                            "invalid_sbp_bank",
                            format!("bank_id: `{}` is not a bank of the Faster Payments System", bank_id.trim()),
                        ));
                    }
                    r.recipient_name = Some(name.trim().to_owned());
                    r.sbp_bank = Some(bank_id.trim().to_owned());
                    r.sbp_phone = Some(self.seal(crate::sealing::REFUND_PHONE, phone.as_str())?);
                }
                RefundDetails::Card => {
                    // The newest card payment of this line that can carry the whole refund.
                    let paid = tx.payments_of_line(r.line_id)?.into_iter().find(|p| {
                        p.provider != super::CASH && p.status == PaymentStatus::Succeeded && p.amount >= r.amount
                    });
                    let paid = paid.ok_or_else(|| {
                        ServiceError::unprocessable(
                            "no_card_payment",
                            "route: no card payment of this line covers the refund; choose another route",
                        )
                    })?;
                    r.card_payment_id = Some(paid.id);
                }
                RefundDetails::Cash { store_id } => {
                    let store = tx.stores()?.into_iter().find(|s| s.id == store_id.trim() && s.operator == r.operator);
                    let store = store.ok_or_else(|| {
                        ServiceError::unprocessable("invalid_store", "store_id: one of the operator's stores")
                    })?;
                    r.cash_store_id = Some(store.id);
                }
            }
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
            r.state = rs::REQUESTED.to_owned();
            r.reason = None;
            r.updated_at = now;
            tx.update_refund(&r)?;
            let details = serde_json::json!({ "state": r.state, "route": r.route });
            audit(tx, now, &who.actor(), "refund_details", "refund", id, details)?;
            self.open_refund(r)
        })
    }

    /// Staff steps of a refund: approve, mark paid, mark failed (money back to the line). A
    /// card refund is paid by the provider once approved (and "mark paid" asks it again after
    /// a failure to reach it); a cash refund is paid out at its store's desk.
    pub fn refund_step(&self, who: &Principal, id: i64, step: RefundStep, reason: Option<&str>) -> Result<RefundRow> {
        who.require(&[Role::Reviewer, Role::Admin], "process refunds")?;
        if step == RefundStep::MarkPaid {
            let r = self.store.read(|tx| self.visible_refund(tx, who, id))?;
            if who.staff_of(&r.operator) && r.state == rs::APPROVED {
                match r.route {
                    RefundRoute::Card => return self.pay_card_refund(who, id),
                    RefundRoute::Cash => {
                        return Err(ServiceError::conflict(
                            "refund_route",
                            "a cash refund is paid out at its store's desk, against the subscriber's signature",
                        ));
                    }
                    RefundRoute::BankAccount | RefundRoute::Sbp => {}
                }
            }
        }
        let now = self.now();
        let row = self.store.write(|tx| {
            let mut r = self.visible_refund(tx, who, id)?;
            if !who.staff_of(&r.operator) {
                return Err(ServiceError::not_found("refund", id));
            }
            let from = r.state.clone();
            let to = match (step, r.state.as_str()) {
                (RefundStep::Approve, rs::REQUESTED) => rs::APPROVED,
                (RefundStep::MarkPaid, rs::APPROVED) => {
                    post_paid(tx, &r, now, &who.actor())?;
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
            let details = serde_json::json!({ "from": from, "to": to, "reason": reason });
            self.refund_moved(tx, r, to, now, &who.actor(), step.verb(), details)
        })?;
        if step == RefundStep::Approve && row.route == RefundRoute::Card {
            return self.pay_card_refund(who, id);
        }
        Ok(row)
    }

    /// Writes a refund's new state with its change, message (when paid) and audit entry.
    #[allow(clippy::too_many_arguments, reason = "one transition's facts, each needed once")]
    fn refund_moved(
        &self,
        tx: &mut dyn Tx,
        mut r: RefundRow,
        to: &str,
        now: jiff::Timestamp,
        actor: &str,
        verb: &str,
        details: serde_json::Value,
    ) -> Result<RefundRow> {
        let from = std::mem::replace(&mut r.state, to.to_owned());
        r.updated_at = now;
        tx.update_refund(&r)?;
        let data = serde_json::json!({
            "id": r.id, "state": r.state, "from": from, "line_id": r.line_id, "request_id": r.request_id,
            "amount_kopecks": r.amount.kopecks(), "route": r.route,
        });
        crate::record::change(tx, now, &format!("refund.{to}"), &format!("refund/{}", r.id), Some(&r.operator), data)?;
        if to == rs::PAID {
            self.notify_refund_paid(tx, &r, now)?;
        }
        audit(tx, now, actor, verb, "refund", r.id, details)?;
        self.open_refund(r)
    }

    /// Refunds an approved card refund through the provider that took the payment, then marks
    /// it paid with the provider's refund id. The provider deduplicates by the refund's key, so
    /// asking again after a lost answer refunds once.
    fn pay_card_refund(&self, who: &Principal, id: i64) -> Result<RefundRow> {
        let (r, payment) = self.store.read(|tx| {
            let r = self.visible_refund(tx, who, id)?;
            let pid = r.card_payment_id.ok_or_else(|| ServiceError::Internal("card refund without payment".into()))?;
            let p = tx.payment(pid)?.ok_or_else(|| ServiceError::Internal("card refund's payment vanished".into()))?;
            Ok::<_, ServiceError>((r, p))
        })?;
        let provider = self.payments.get(&payment.provider).ok_or_else(|| ServiceError::Unavailable {
            code: "provider_unavailable",
            message: format!("the payment provider `{}` is not configured now", payment.provider),
        })?;
        let reference = payment.provider_ref.clone().unwrap_or_default();
        let refunded = provider.refund(&reference, r.amount, &format!("simexit-refund-{id}")).map_err(|e| {
            tracing::warn!(provider = %payment.provider, refund = id, error = %e, "card refund not made");
            ServiceError::Unavailable {
                code: "provider_unavailable",
                message: format!("the provider did not refund the card ({e}); the refund stays approved: try again"),
            }
        })?;
        let now = self.now();
        self.store.write(|tx| {
            let mut r = self.visible_refund(tx, who, id)?;
            if r.state != rs::APPROVED {
                return self.open_refund(r);
            }
            post_paid(tx, &r, now, &who.actor())?;
            r.payout_ref = Some(refunded.clone());
            let details = serde_json::json!({ "from": rs::APPROVED, "to": rs::PAID, "provider_refund": refunded });
            self.refund_moved(tx, r, rs::PAID, now, &who.actor(), "card_refund", details)
        })
    }

    /// A clerk of the refund's store pays it out in cash: the cash voucher's number and the
    /// subscriber's signature on it are recorded.
    pub fn cash_payout(&self, who: &Principal, id: i64, voucher: &str, signed: bool) -> Result<RefundRow> {
        who.require(&[Role::Clerk], "pay out cash at a store's desk")?;
        let voucher = voucher.trim();
        if voucher.is_empty() || voucher.chars().count() > 64 {
            return Err(ServiceError::unprocessable("invalid_voucher", "voucher_number: the cash voucher's number"));
        }
        if !signed {
            return Err(ServiceError::unprocessable(
                "signature_required",
                "signed: the subscriber signs the cash voucher before the cash is handed over",
            ));
        }
        let now = self.now();
        self.store.write(|tx| {
            let mut r = self.visible_refund(tx, who, id)?;
            if !who.staff_of(&r.operator) {
                return Err(ServiceError::not_found("refund", id));
            }
            if r.route != RefundRoute::Cash || r.cash_store_id != who.store_id {
                return Err(ServiceError::conflict(
                    "refund_route",
                    "this refund is not paid out in cash at this store",
                ));
            }
            if r.state != rs::APPROVED {
                return Err(ServiceError::conflict(
                    "refund_state",
                    format!("a {} refund is not paid out: it must be approved first", r.state),
                ));
            }
            post_paid(tx, &r, now, &who.actor())?;
            r.payout_ref = Some(voucher.to_owned());
            let details = serde_json::json!({
                "from": rs::APPROVED, "to": rs::PAID, "voucher": voucher, "signed": true, "store": who.store_id,
            });
            self.refund_moved(tx, r, rs::PAID, now, &who.actor(), "cash_payout", details)
        })
    }
}

/// A cash refund to be paid out at this clerk's store.
fn cash_at_store_of(who: &Principal, r: &RefundRow) -> bool {
    who.role == Role::Clerk
        && who.staff_of(&r.operator)
        && r.route == RefundRoute::Cash
        && r.cash_store_id.is_some()
        && r.cash_store_id == who.store_id
}

/// The money of a refund leaves: from refunds payable to refunds paid, once.
fn post_paid(tx: &mut dyn Tx, r: &RefundRow, now: jiff::Timestamp, actor: &str) -> Result<()> {
    post(
        tx,
        MovementKind::RefundPaid,
        ledger::operator(&r.operator, OperatorAccount::RefundsPayable),
        ledger::operator(&r.operator, OperatorAccount::RefundsPaid),
        r.amount,
        &format!("refund {} paid", r.id),
        format!("refund:{}:paid", r.id),
        Some(r.line_id),
        now,
        actor,
    )?
    .ok_or_else(|| ServiceError::conflict("refund_state", "this refund was already paid"))?;
    Ok(())
}

/// The SBP banks the demo starts with: an excerpt of the NSPK's list of participants
/// (`data/sbp-banks.csv`). An operator imports the current list.
pub const DEMO_SBP_BANKS: &str = include_str!("../../../../data/sbp-banks.csv");

/// Reads a list of SBP banks: `id,name` (or `;`-separated) per line, a header line allowed,
/// ids of 12 digits, each once. Every problem is named with its line.
pub fn parse_sbp_banks(text: &str) -> Result<Vec<SbpBankRow>> {
    let mut banks: Vec<SbpBankRow> = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() {
            continue;
        }
        let Some((id, name)) = line.split_once([',', ';']) else {
            problems.push(format!("line {}: `id,name`", n + 1));
            continue;
        };
        let (id, name) = (id.trim().trim_matches('"'), name.trim().trim_matches('"'));
        if n == 0 && !id.chars().all(|c| c.is_ascii_digit()) {
            continue; // the header
        }
        if id.len() != 12 || !id.chars().all(|c| c.is_ascii_digit()) {
            problems.push(format!("line {}: id `{id}` is not a 12-digit NSPK member id", n + 1));
        } else if name.is_empty() || name.chars().count() > 200 {
            problems.push(format!("line {}: the bank's name, up to 200 characters", n + 1));
        } else if banks.iter().any(|b| b.id == id) {
            problems.push(format!("line {}: id {id} appears twice", n + 1));
        } else {
            banks.push(SbpBankRow { id: id.to_owned(), name: name.to_owned() });
        }
    }
    if banks.is_empty() && problems.is_empty() {
        problems.push("no banks: a list of `id,name` lines".to_owned());
    }
    if !problems.is_empty() {
        problems.truncate(20);
        return Err(ServiceError::unprocessable("invalid_sbp_banks", problems.join("; ")));
    }
    Ok(banks)
}

impl Service {
    /// The banks an SBP refund can go to, by name (public: the refund form lists them).
    pub fn sbp_banks(&self) -> Result<Vec<SbpBankRow>> {
        Ok(self.store.read(|tx| tx.sbp_banks())?)
    }

    /// Replaces the list of SBP banks with an import of the NSPK's list (admins).
    pub fn import_sbp_banks(&self, who: &Principal, text: &str) -> Result<usize> {
        who.require(&[Role::Admin], "import the SBP banks")?;
        if who.operator.is_some() {
            return Err(ServiceError::forbidden(
                "the SBP banks are shared by every operator: an admin of all imports them",
            ));
        }
        self.replace_sbp_banks(text, &who.actor(), false)
    }

    /// Replaces the SBP banks with the list in `text` as `actor` (the API's admin, or the
    /// command line's operator); with `dry_run`, only checks and counts.
    pub fn replace_sbp_banks(&self, text: &str, actor: &str, dry_run: bool) -> Result<usize> {
        let banks = parse_sbp_banks(text)?;
        if dry_run {
            return Ok(banks.len());
        }
        let now = self.now();
        self.store.write(|tx| {
            tx.replace_sbp_banks(&banks)?;
            let details = serde_json::json!({ "banks": banks.len() });
            audit(tx, now, actor, "import_sbp_banks", "sbp_banks", "all", details)
        })?;
        Ok(banks.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sbp_bank_list_is_read_with_its_problems_named_by_line() {
        let banks = parse_sbp_banks(DEMO_SBP_BANKS).unwrap_or_else(|e| panic!("{e}"));
        assert!(banks.iter().any(|b| b.id == "100000000111" && b.name == "Сбербанк"));
        let semicolons = parse_sbp_banks("100000000004;\"Т-Банк\"\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(semicolons, vec![SbpBankRow { id: "100000000004".into(), name: "Т-Банк".into() }]);
        let err = parse_sbp_banks("id,name\n12345,Short\n100000000004,\n100000000111,A\n100000000111,B\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("line 2: id `12345`"), "{err}");
        assert!(err.contains("line 3: the bank's name"), "{err}");
        assert!(err.contains("line 5: id 100000000111 appears twice"), "{err}");
        assert!(parse_sbp_banks("").is_err());
    }
}
