//! The JSON shapes of numbers and their holders.

use super::*;

#[derive(Serialize, ToSchema)]
pub struct HolderPeriod {
    pub subscriber_id: i64,
    pub line_id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    /// Absent while the period is open.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub to: Option<Timestamp>,
    /// `terminated` or `ported_out`.
    pub end_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NumberView {
    pub msisdn: Msisdn,
    pub operator: OperatorId,
    pub state: NumberState,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub aging_until: Option<Timestamp>,
    pub line_id: Option<i64>,
    /// Since when simexit knows this number's history.
    #[schema(value_type = String, format = DateTime)]
    pub history_since: Timestamp,
    pub history: Vec<HolderPeriod>,
}

impl From<NumberInfo> for NumberView {
    fn from(n: NumberInfo) -> Self {
        NumberView {
            msisdn: n.number.msisdn,
            operator: n.number.operator,
            state: n.number.state,
            aging_until: n.number.aging_until,
            line_id: n.number.line_id,
            history_since: n.number.history_since,
            history: n
                .history
                .into_iter()
                .map(|a| HolderPeriod {
                    subscriber_id: a.subscriber_id,
                    line_id: a.line_id,
                    from: a.from,
                    to: a.to,
                    end_reason: a.end_reason,
                })
                .collect(),
        }
    }
}
