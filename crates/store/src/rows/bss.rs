//! Rows of the billing system's ids, file imports and the changes feed.

use super::*;

/// A line as the BSS knows it: its id there, the SIM's IMSI, and the last use the subscriber
/// made of it (a call, an SMS, data), as the BSS reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineLink {
    pub line_id: i64,
    pub external_id: String,
    pub imsi: String,
    pub last_activity_at: Option<Timestamp>,
    pub last_activity_kind: Option<String>,
}

/// One file import: who brought which file in, when, and what it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub id: i64,
    pub at: Timestamp,
    pub actor: String,
    /// `stores`, `subscribers`, `lines`, `services` or `numbers`.
    pub kind: String,
    pub file: String,
    pub rows: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
}

/// Something simexit changed that the operator's other systems learn of: a request completed,
/// a line terminated, a number released, a refund paid. Ids grow in commit order per writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    pub id: i64,
    pub at: Timestamp,
    /// `termination.completed`, `line.terminated`, `number.released`, `refund.paid`, …
    pub kind: String,
    /// The resource: `termination_request/12`, `line/3`, `number/+79…`, `refund/5`.
    pub subject: String,
    pub operator: Option<OperatorId>,
    /// The resource's facts as JSON.
    pub data: String,
}
