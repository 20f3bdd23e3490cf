//! Rows of staff and subscriber accounts, sessions, rate limits and one-time codes.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub login: String,
    pub password_hash: String,
    pub role: Role,
    pub operator: Option<OperatorId>,
    pub store_id: Option<String>,
    pub subscriber_id: Option<i64>,
    /// Space-separated scopes (API clients).
    pub scopes: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub login: String,
    pub password_hash: String,
    pub role: Role,
    pub operator: Option<OperatorId>,
    pub store_id: Option<String>,
    pub subscriber_id: Option<i64>,
    pub disabled: bool,
    /// Space-separated scopes (API clients).
    pub scopes: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub token_hash: String,
    pub account_id: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Cookie sessions only: the hash of the CSRF token their forms must carry.
    pub csrf_hash: Option<String>,
}

/// A rate-limit counter after one more hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCount {
    pub window_start: Timestamp,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordResetRow {
    pub id: i64,
    pub account_id: i64,
    pub code_hash: String,
    pub expires_at: Timestamp,
    pub attempts: i64,
    pub used_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// What the code opens: [`CODE_FOR_RESET`] a new password, [`CODE_FOR_SIGN_IN`] a session.
    pub purpose: &'static str,
}

/// A code sent to set a new password.
pub const CODE_FOR_RESET: &str = "reset";
/// A code sent to sign in (the SMS reached the SIM: the proof of holding the number).
pub const CODE_FOR_SIGN_IN: &str = "sign_in";

/// The purpose word as stored, mapped back to its constant.
pub fn code_purpose(stored: &str) -> &'static str {
    if stored == CODE_FOR_SIGN_IN { CODE_FOR_SIGN_IN } else { CODE_FOR_RESET }
}
