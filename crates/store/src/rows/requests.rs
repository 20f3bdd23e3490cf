//! Rows of termination requests, their events and the settlement choice.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: i64,
    pub line_id: i64,
    pub subscriber_id: i64,
    pub operator: OperatorId,
    pub msisdn: Msisdn,
    pub channel: Channel,
    pub reason: Reason,
    pub state: RequestState,
    /// The line's state before submission, restored on withdrawal or rejection.
    pub line_state_before: LineState,
    pub store_id: Option<String>,
    pub created_by: i64,
    pub created_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
    pub review_deadline: Option<Timestamp>,
    pub review_deadline_date: Option<Date>,
    pub deadline_fallback: bool,
    pub overdue: bool,
    pub decided_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub aging_until: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// The latest reviewer note: rejection reason or what information is requested.
    pub note: Option<String>,
    pub settlement: SettlementChoice,
    pub updated_at: Timestamp,
    /// Working days the review clock stood still while the subscriber was asked for more.
    pub review_paused_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub request_id: i64,
    pub at: Timestamp,
    /// `account:<id>` or `system`.
    pub actor: String,
    pub action: String,
    pub from_state: RequestState,
    pub to_state: RequestState,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: i64,
    pub request_id: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub from_state: RequestState,
    pub to_state: RequestState,
    pub reason: Option<String>,
}

/// What a subscriber chose for the balance left on a line at termination.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SettlementChoice {
    /// `transfer` or `refund`, or `None` when not chosen yet.
    pub kind: Option<simexit_domain::SettlementOption>,
    pub transfer_to_line: Option<i64>,
    pub refund_name: Option<String>,
    pub refund_bik: Option<String>,
    pub refund_account: Option<String>,
}
