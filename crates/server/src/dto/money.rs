//! The JSON shapes of money: services, adjustments, the settlement choice, statements.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct ServiceView {
    pub id: i64,
    pub name: String,
    /// Kopecks per calendar month from the start day, billed in arrears.
    pub monthly_charge: Money,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub charged_until: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub stopped_at: Option<Timestamp>,
}

impl From<simexit_store::ServiceRow> for ServiceView {
    fn from(s: simexit_store::ServiceRow) -> Self {
        ServiceView {
            id: s.id,
            name: s.name,
            monthly_charge: s.monthly_charge,
            started_at: s.started_at,
            charged_until: s.charged_until,
            stopped_at: s.stopped_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentBody {
    /// `charge` (an extra charge) or `write_off` (forgive debt).
    pub kind: simexit_domain::ledger::MovementKind,
    /// Kopecks, positive.
    pub amount: i64,
    /// Why; shown on the statement.
    pub reason: String,
    pub idempotency_key: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewServiceBody {
    pub name: String,
    /// Kopecks per month.
    pub monthly_charge: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementBody {
    /// `transfer` or `refund`.
    pub option: simexit_domain::SettlementOption,
    /// For `transfer`: another active line of the same subscriber and operator.
    pub to_line_id: Option<i64>,
    /// For `refund`: the account holder, the bank's BIK (9 digits) and the 20-digit account.
    pub recipient_name: Option<String>,
    pub bik: Option<String>,
    pub account: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SettlementView {
    pub option: Option<simexit_domain::SettlementOption>,
    pub to_line_id: Option<i64>,
    pub recipient_name: Option<String>,
    /// Masked: first five and last four digits.
    pub account: Option<String>,
}

impl From<simexit_store::SettlementChoice> for SettlementView {
    fn from(c: simexit_store::SettlementChoice) -> Self {
        SettlementView {
            option: c.kind,
            to_line_id: c.transfer_to_line,
            recipient_name: c.refund_name,
            account: c.refund_account.as_deref().map(mask_account),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StatementEntryView {
    pub movement_id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub kind: simexit_domain::ledger::MovementKind,
    pub memo: String,
    /// Signed kopecks on the line's account: positive adds to the balance.
    pub amount: Money,
    /// The movement this one reverses.
    pub reverses: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct StatementView {
    pub line_id: i64,
    pub balance: Money,
    pub entries: Vec<StatementEntryView>,
}
