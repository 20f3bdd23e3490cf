//! Rows of bulk termination runs and their candidates.

use super::*;

/// A bulk termination run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRunRow {
    /// Derived from the reason and the list, so the same file resumes the same run.
    pub id: String,
    pub reason: String,
    pub source: String,
    pub total: i64,
    pub created_by: String,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// A candidate for a forced termination, found by a selection report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateLine {
    pub line_id: i64,
    pub msisdn: Msisdn,
    pub subscriber_id: i64,
    pub category: CustomerCategory,
    pub opened_at: Timestamp,
    pub operator: OperatorId,
}

/// One line of a bulk run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkLineRow {
    pub run_id: String,
    pub line_no: i64,
    pub msisdn: String,
    /// `None` until processed; then `terminated`, `debt`, `already_terminated`…
    pub outcome: Option<String>,
    pub request_id: Option<i64>,
    pub detail: Option<String>,
}
