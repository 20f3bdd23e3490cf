//! Rows of the network steps after a termination or a revocation.

use super::*;

/// The network steps of one request in one direction (`deprovision` after completion,
/// `restore` after a revocation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkTaskRow {
    pub id: i64,
    pub request_id: i64,
    pub msisdn: Msisdn,
    pub direction: String,
    /// In order: `bar`, `detach`, `delete` (or their inverses).
    pub steps: Vec<String>,
    /// How many of `steps` the network confirmed.
    pub done_steps: i64,
    /// `in_progress`, `done`, `alert` (a step keeps failing) or `cancelled`.
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub updated_at: Timestamp,
}
