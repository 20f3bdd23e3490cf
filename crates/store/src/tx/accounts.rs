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
    /// Like [`Tx::hit_rate_limit`], counting `amount` hits at once (a batch of numbers).
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
    fn set_password(&mut self, account_id: i64, password_hash: &str) -> Result<()>;
    fn set_account_disabled(&mut self, account_id: i64, disabled: bool) -> Result<()>;
    /// Staff accounts (every role but `subscriber`), of one operator when given, by login.
    fn staff_accounts(&mut self, operator: Option<&OperatorId>) -> Result<Vec<AccountRow>>;
    /// Ends every live session of an account; returns how many.
    fn revoke_sessions_of(&mut self, account_id: i64, at: Timestamp) -> Result<u64>;
    fn insert_password_reset(&mut self, reset: &PasswordResetRow) -> Result<i64>;
    /// The newest unused reset code of an account, locked for the update.
    fn latest_password_reset(&mut self, account_id: i64) -> Result<Option<PasswordResetRow>>;
    fn update_password_reset(&mut self, reset: &PasswordResetRow) -> Result<()>;
}
