//! Rows of the job queue.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    /// JSON payload.
    pub payload: String,
    pub run_at: Timestamp,
    pub max_attempts: i64,
    /// At most one job with this key is ever scheduled.
    pub dedupe_key: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub run_at: Timestamp,
    pub attempts: i64,
    pub max_attempts: i64,
    /// `pending`, `running`, `done` or `failed`.
    pub status: String,
    pub locked_until: Option<Timestamp>,
    pub last_error: Option<String>,
    pub dedupe_key: Option<String>,
}
