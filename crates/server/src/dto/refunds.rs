//! The JSON shapes of refunds and their routes.

use super::*;

pub fn mask_account(account: &str) -> String {
    if account.len() == 20 { format!("{}…{}", &account[..5], &account[16..]) } else { "…".into() }
}

#[derive(Serialize, ToSchema)]
pub struct RefundView {
    pub id: i64,
    pub line_id: i64,
    pub request_id: Option<i64>,
    pub operator: OperatorId,
    pub amount: Money,
    /// `awaiting_details`, `requested`, `approved`, `paid`, `failed` or `cancelled`.
    pub state: String,
    pub recipient_name: Option<String>,
    pub bik: Option<String>,
    /// Masked account number.
    pub account: Option<String>,
    /// Why it failed or was cancelled.
    pub reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Seconds since the refund was created (for the staff queue).
    pub age_seconds: i64,
    /// How it is paid: `bank_account`, `sbp`, `card` or `cash`.
    pub route: simexit_domain::RefundRoute,
    /// sbp: the phone number, masked, and the bank's NSPK id.
    pub sbp_phone: Option<String>,
    pub sbp_bank: Option<String>,
    /// card: the payment whose card is refunded.
    pub card_payment_id: Option<i64>,
    /// cash: the store where it is collected.
    pub cash_store_id: Option<String>,
    /// The provider's refund id, or the cash voucher's number, once paid.
    pub payout_ref: Option<String>,
}

impl RefundView {
    pub fn new(r: simexit_store::RefundRow, now: Timestamp) -> Self {
        RefundView {
            age_seconds: (now.as_second() - r.created_at.as_second()).max(0),
            id: r.id,
            line_id: r.line_id,
            request_id: r.request_id,
            operator: r.operator,
            amount: r.amount,
            state: r.state,
            recipient_name: r.recipient_name,
            bik: r.bik,
            account: r.account.as_deref().map(mask_account),
            reason: r.reason,
            created_at: r.created_at,
            updated_at: r.updated_at,
            route: r.route,
            sbp_phone: r.sbp_phone.as_deref().map(mask_phone),
            sbp_bank: r.sbp_bank,
            card_payment_id: r.card_payment_id,
            cash_store_id: r.cash_store_id,
            payout_ref: r.payout_ref,
        }
    }
}

/// `+7 *** ***-45-67`: enough for the holder to recognise, not to reuse.
fn mask_phone(p: &str) -> String {
    let tail: String = p.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("+7 *** ***-{}-{}", &tail[..2.min(tail.len())], &tail[2.min(tail.len())..])
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundDetailsBody {
    /// `bank_account` (the default), `sbp`, `card` or `cash`: one the operator's policy offers
    /// the subscriber's category.
    #[serde(default)]
    pub route: Option<simexit_domain::RefundRoute>,
    /// The account holder (bank_account) or the SBP recipient.
    #[serde(default)]
    pub recipient_name: Option<String>,
    /// bank_account: the bank's BIK (9 digits).
    #[serde(default)]
    pub bik: Option<String>,
    /// bank_account: the 20-digit account.
    #[serde(default)]
    pub account: Option<String>,
    /// sbp: the recipient's Russian phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// sbp: the bank's NSPK member id (`GET /api/v1/sbp-banks`).
    #[serde(default)]
    pub bank_id: Option<String>,
    /// cash: the operator's store where the cash is collected.
    #[serde(default)]
    pub store_id: Option<String>,
}

impl RefundDetailsBody {
    pub fn details(self) -> simexit_service::RefundDetails {
        use simexit_service::RefundDetails as D;
        let text = |v: Option<String>| v.unwrap_or_default();
        match self.route.unwrap_or(simexit_domain::RefundRoute::BankAccount) {
            simexit_domain::RefundRoute::BankAccount => {
                D::BankAccount { name: text(self.recipient_name), bik: text(self.bik), account: text(self.account) }
            }
            simexit_domain::RefundRoute::Sbp => {
                D::Sbp { name: text(self.recipient_name), phone: text(self.phone), bank_id: text(self.bank_id) }
            }
            simexit_domain::RefundRoute::Card => D::Card,
            simexit_domain::RefundRoute::Cash => D::Cash { store_id: text(self.store_id) },
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashPayoutBody {
    /// The number of the cash voucher (расходный кассовый ордер) the subscriber signed.
    pub voucher_number: String,
    /// The subscriber signed the voucher: cash is not handed over without it.
    pub signed: bool,
}
