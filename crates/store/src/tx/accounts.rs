//! Accounts (people and API clients), sessions, sign-in and reset limits, password reset codes.

use super::*;

pub trait AccountsTx {
    fn insert_account(&mut self, account: &NewAccount) -> Result<i64>;
    fn account(&mut self, id: i64) -> Result<Option<AccountRow>>;
    fn account_by_login(&mut self, login: &str) -> Result<Option<AccountRow>>;
    fn insert_session(&mut self, session: &SessionRow) -> Result<()>;
    /// The account behind a live (unexpired, unrevoked) session token hash.
    fn session_account(&mut self, token_hash: &str, now: Timestamp) -> Result<Option<AccountRow>>;
    fn revoke_session(&mut self, token_hash: &str, at: Timestamp) -> Result<bool>;
    /// The CSRF token hash of a cookie session (`None` for bearer sessions or none at all).
    fn session_csrf_hash(&mut self, token_hash: &str) -> Result<Option<String>>;
    /// Counts one hit on `key` in a fixed window of `window` starting at the first hit;
    /// returns the count in the current window (atomic, so limits hold across instances).
    fn hit_rate_limit(&mut self, key: &str, now: Timestamp, window: jiff::SignedDuration) -> Result<RateCount> {
        self.hit_rate_limit_by(key, 1, now, window)
    }
    /// Like [`AccountsTx::hit_rate_limit`], counting `amount` hits at once (a batch of numbers).
    fn hit_rate_limit_by(
        &mut self,
        key: &str,
        amount: i64,
        now: Timestamp,
        window: jiff::SignedDuration,
    ) -> Result<RateCount>;
    /// The current count on `key` without counting a hit (`None` if no hit in the window).
    fn rate_limit(&mut self, key: &str, now: Timestamp, window: jiff::SignedDuration) -> Result<Option<RateCount>>;
    fn clear_rate_limit(&mut self, key: &str) -> Result<()>;
    /// The subscriber account whose contact phone is this number.
    fn account_by_phone(&mut self, phone: &Msisdn) -> Result<Option<AccountRow>>;
    /// The subscriber's own account, if it has one.
    fn subscriber_account(&mut self, subscriber_id: i64) -> Result<Option<AccountRow>>;
    fn set_password(&mut self, account_id: i64, password_hash: &str) -> Result<()>;
    fn set_account_disabled(&mut self, account_id: i64, disabled: bool) -> Result<()>;
    /// Staff accounts (every role but `subscriber`), of one operator when given, by login.
    fn staff_accounts(&mut self, operator: Option<&OperatorId>) -> Result<Vec<AccountRow>>;
    /// Ends every live session of an account; returns how many.
    fn revoke_sessions_of(&mut self, account_id: i64, at: Timestamp) -> Result<u64>;
    fn insert_password_reset(&mut self, reset: &PasswordResetRow) -> Result<i64>;
    /// The newest unused code of an account for `purpose`, locked for the update.
    fn latest_password_reset(&mut self, account_id: i64, purpose: &str) -> Result<Option<PasswordResetRow>>;
    fn update_password_reset(&mut self, reset: &PasswordResetRow) -> Result<()>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const INSERT_ACCOUNT: &str =
        "INSERT INTO accounts (login, password_hash, role, operator_id, store_id, subscriber_id, created_at, scopes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
    pub const ACCOUNT: &str = formatcp!("SELECT {ACCOUNT_COLS} FROM accounts WHERE id = ?1");
    pub const ACCOUNT_BY_LOGIN: &str = formatcp!("SELECT {ACCOUNT_COLS} FROM accounts WHERE login = ?1");
    pub const INSERT_SESSION: &str =
        "INSERT INTO sessions (token_hash, account_id, created_at, expires_at, csrf_hash) VALUES (?1, ?2, ?3, ?4, ?5)";
    pub const SESSION_CSRF_HASH: &str = "SELECT csrf_hash FROM sessions WHERE token_hash = ?1";
    pub const REVOKE_SESSION: &str = "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL";
    pub const HIT_RATE_LIMIT_BY: &str = "INSERT INTO rate_limits (key, window_start, count) VALUES (?1, ?2, ?4)
         ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN rate_limits.window_start + ?3 <= ?2 THEN ?4 ELSE rate_limits.count + ?4 END,
         window_start = CASE WHEN rate_limits.window_start + ?3 <= ?2 THEN ?2 ELSE rate_limits.window_start END
         RETURNING window_start, count";
    pub const RATE_LIMIT: &str =
        "SELECT window_start, count FROM rate_limits WHERE key = ?1 AND window_start + ?3 > ?2";
    pub const CLEAR_RATE_LIMIT: &str = "DELETE FROM rate_limits WHERE key = ?1";
    pub const ACCOUNT_BY_PHONE: &str = formatcp!(
        "SELECT {ACCOUNT_COLS_OF_A} FROM accounts a JOIN subscribers s ON s.id = a.subscriber_id
         WHERE s.phone = ?1 AND a.role = 'subscriber' ORDER BY a.id LIMIT 1"
    );
    pub const SUBSCRIBER_ACCOUNT: &str = formatcp!(
        "SELECT {ACCOUNT_COLS} FROM accounts WHERE subscriber_id = ?1 AND role = 'subscriber' ORDER BY id LIMIT 1"
    );
    pub const SET_PASSWORD: &str = "UPDATE accounts SET password_hash = ?2 WHERE id = ?1";
    pub const SET_ACCOUNT_DISABLED: &str = "UPDATE accounts SET disabled = ?2 WHERE id = ?1";
    pub const REVOKE_SESSIONS_OF: &str =
        "UPDATE sessions SET revoked_at = ?2 WHERE account_id = ?1 AND revoked_at IS NULL";
    pub const INSERT_PASSWORD_RESET: &str =
        "INSERT INTO password_resets (account_id, code_hash, expires_at, attempts, used_at, created_at, purpose)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";
    pub const LATEST_PASSWORD_RESET: &str = formatcp!(
        "SELECT {RESET_COLS} FROM password_resets WHERE account_id = ?1 AND purpose = ?2 AND used_at IS NULL
         ORDER BY created_at DESC, id DESC LIMIT 1"
    );
    pub const UPDATE_PASSWORD_RESET: &str = "UPDATE password_resets SET attempts = ?2, used_at = ?3 WHERE id = ?1";
    pub const SESSION_ACCOUNT: &str = formatcp!(
        "SELECT {ACCOUNT_COLS_OF_A} FROM sessions s JOIN accounts a ON a.id = s.account_id
         WHERE s.token_hash = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2 AND NOT a.disabled"
    );
    pub const STAFF_ACCOUNTS: &str = formatcp!(
        "SELECT {ACCOUNT_COLS} FROM accounts WHERE role <> 'subscriber' AND (CAST(?1 AS TEXT) IS NULL OR operator_id = ?1) ORDER BY login"
    );
}
