//! The JSON shapes of lines.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct LineView {
    pub id: i64,
    pub msisdn: Msisdn,
    pub operator: OperatorId,
    pub state: LineState,
    /// Current balance in kopecks; negative is debt.
    pub balance: Money,
    pub iccid: Option<String>,
    pub subscriber_id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub terminated_at: Option<Timestamp>,
}

impl From<LineRow> for LineView {
    fn from(l: LineRow) -> Self {
        LineView {
            id: l.id,
            msisdn: l.msisdn,
            operator: l.operator,
            state: l.state,
            balance: l.balance,
            iccid: l.iccid,
            subscriber_id: l.subscriber_id,
            opened_at: l.opened_at,
            terminated_at: l.terminated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenLineBody {
    pub operator: OperatorId,
    /// Subscriber by account login or numeric id.
    #[schema(value_type = String)]
    pub subscriber: serde_json::Value,
    pub iccid: Option<String>,
    /// Opening balance in kopecks.
    pub balance: Option<i64>,
}

/// A line with its paid add-on services ("small deductions").
#[derive(Serialize, ToSchema)]
pub struct MyLineView {
    #[serde(flatten)]
    pub line: LineView,
    pub services: Vec<ServiceView>,
    /// What the active services cost per month, in kopecks.
    pub monthly_charges: Money,
}
