//! Accounts (people and API clients), sessions, sign-in and reset limits, password reset codes.

use super::*;

pub(super) fn account(r: &Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        login: r.get(1)?,
        password_hash: r.get(2)?,
        role: parsed(r, 3)?,
        operator: parsed_opt(r, 4)?,
        store_id: r.get(5)?,
        subscriber_id: r.get(6)?,
        disabled: r.get(7)?,
        scopes: r.get(8)?,
    })
}

pub(super) fn password_reset(r: &Row<'_>) -> rusqlite::Result<PasswordResetRow> {
    Ok(PasswordResetRow {
        id: r.get(0)?,
        account_id: r.get(1)?,
        code_hash: r.get(2)?,
        expires_at: time(r, 3)?,
        attempts: r.get(4)?,
        used_at: time_opt(r, 5)?,
        created_at: time(r, 6)?,
        purpose: simexit_store::code_purpose(&r.get::<_, String>(7)?),
    })
}

impl AccountsTx for SqliteTx<'_> {
    fn insert_account(&mut self, a: &NewAccount) -> Result<i64> {
        self.id(
            sql::INSERT_ACCOUNT,
            params![
                a.login,
                a.password_hash,
                a.role.as_str(),
                a.operator.as_ref().map(OperatorId::as_str),
                a.store_id,
                a.subscriber_id,
                ts(a.created_at),
                a.scopes
            ],
        )
    }

    fn account(&mut self, id: i64) -> Result<Option<AccountRow>> {
        self.one(sql::ACCOUNT, [id], account)
    }

    fn account_by_login(&mut self, login: &str) -> Result<Option<AccountRow>> {
        self.one(sql::ACCOUNT_BY_LOGIN, [login], account)
    }

    fn insert_session(&mut self, s: &SessionRow) -> Result<()> {
        self.exec(
            sql::INSERT_SESSION,
            params![s.token_hash, s.account_id, ts(s.created_at), ts(s.expires_at), s.csrf_hash],
        )
        .map(drop)
    }

    fn session_account(&mut self, token_hash: &str, now: Timestamp) -> Result<Option<AccountRow>> {
        self.one(sql::SESSION_ACCOUNT, params![token_hash, ts(now)], account)
    }

    fn session_csrf_hash(&mut self, token_hash: &str) -> Result<Option<String>> {
        let v: Option<Option<String>> = self.one(sql::SESSION_CSRF_HASH, [token_hash], |r| r.get(0))?;
        Ok(v.flatten())
    }

    fn revoke_session(&mut self, token_hash: &str, at: Timestamp) -> Result<bool> {
        self.exec(sql::REVOKE_SESSION, params![token_hash, ts(at)]).map(|n| n > 0)
    }

    fn hit_rate_limit_by(
        &mut self,
        key: &str,
        amount: i64,
        now: Timestamp,
        window: jiff::SignedDuration,
    ) -> Result<RateCount> {
        let w = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let row = self.one(sql::HIT_RATE_LIMIT_BY, params![key, ts(now), w, amount], |r| {
            Ok(RateCount { window_start: time(r, 0)?, count: r.get(1)? })
        })?;
        row.ok_or_else(|| StoreError::Other("rate limit upsert returned no row".into()))
    }

    fn rate_limit(&mut self, key: &str, now: Timestamp, window: jiff::SignedDuration) -> Result<Option<RateCount>> {
        let w = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        self.one(sql::RATE_LIMIT, params![key, ts(now), w], |r| {
            Ok(RateCount { window_start: time(r, 0)?, count: r.get(1)? })
        })
    }

    fn clear_rate_limit(&mut self, key: &str) -> Result<()> {
        self.exec(sql::CLEAR_RATE_LIMIT, [key]).map(drop)
    }

    fn account_by_phone(&mut self, phone: &Msisdn) -> Result<Option<AccountRow>> {
        self.one(sql::ACCOUNT_BY_PHONE, [phone.as_str()], account)
    }

    fn subscriber_account(&mut self, subscriber_id: i64) -> Result<Option<AccountRow>> {
        self.one(sql::SUBSCRIBER_ACCOUNT, [subscriber_id], account)
    }

    fn set_password(&mut self, account_id: i64, password_hash: &str) -> Result<()> {
        self.exec(sql::SET_PASSWORD, params![account_id, password_hash]).map(drop)
    }

    fn set_account_disabled(&mut self, account_id: i64, disabled: bool) -> Result<()> {
        self.exec(sql::SET_ACCOUNT_DISABLED, params![account_id, disabled]).map(drop)
    }

    fn staff_accounts(&mut self, operator: Option<&OperatorId>) -> Result<Vec<AccountRow>> {
        self.all(sql::STAFF_ACCOUNTS, [operator.map(OperatorId::as_str)], account)
    }

    fn revoke_sessions_of(&mut self, account_id: i64, at: Timestamp) -> Result<u64> {
        self.exec(sql::REVOKE_SESSIONS_OF, params![account_id, ts(at)]).map(|n| n as u64)
    }

    fn insert_password_reset(&mut self, p: &PasswordResetRow) -> Result<i64> {
        self.id(
            sql::INSERT_PASSWORD_RESET,
            params![
                p.account_id,
                p.code_hash,
                ts(p.expires_at),
                p.attempts,
                ts_opt(p.used_at),
                ts(p.created_at),
                p.purpose
            ],
        )
    }

    fn latest_password_reset(&mut self, account_id: i64, purpose: &str) -> Result<Option<PasswordResetRow>> {
        self.one(sql::LATEST_PASSWORD_RESET, params![account_id, purpose], password_reset)
    }

    fn update_password_reset(&mut self, p: &PasswordResetRow) -> Result<()> {
        self.exec(sql::UPDATE_PASSWORD_RESET, params![p.id, p.attempts, ts_opt(p.used_at)]).map(drop)
    }
}
