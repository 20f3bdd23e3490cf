//! Rows of numbers, their holders and their past events.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberRow {
    pub msisdn: Msisdn,
    pub operator: OperatorId,
    pub state: NumberState,
    pub aging_until: Option<Timestamp>,
    pub line_id: Option<i64>,
    pub subscriber_id: Option<i64>,
    /// Since when simexit knows this number's history (lookups before it have no data).
    pub history_since: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssignment {
    pub msisdn: Msisdn,
    pub subscriber_id: i64,
    pub line_id: i64,
    pub from: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    pub id: i64,
    pub msisdn: Msisdn,
    pub subscriber_id: i64,
    pub line_id: i64,
    pub from: Timestamp,
    pub to: Option<Timestamp>,
    pub end_reason: Option<String>,
}

/// A disconnection or port-out from before simexit held the number (history import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastEventRow {
    pub msisdn: Msisdn,
    pub at: Timestamp,
    /// `disconnected` (permanent) or `ported_out`.
    pub kind: String,
    pub operator: OperatorId,
    /// The date from which the import that brought this event is complete.
    pub history_since: Timestamp,
    pub source: String,
}

/// Everything simexit knows of a number's holders, for the reassigned-number lookups.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumberHistory {
    pub number: Option<NumberRow>,
    /// Oldest first.
    pub past: Vec<PastEventRow>,
    /// Oldest first.
    pub periods: Vec<AssignmentRow>,
}
