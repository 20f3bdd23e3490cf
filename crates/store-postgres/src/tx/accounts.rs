//! Accounts (people and API clients), sessions, sign-in and reset limits, password reset codes.

use super::*;

pub(super) fn account(r: &Row) -> Result<AccountRow> {
    Ok(AccountRow {
        id: get(r, 0)?,
        login: get(r, 1)?,
        password_hash: get(r, 2)?,
        role: parsed(r, 3)?,
        operator: parsed_opt(r, 4)?,
        store_id: get(r, 5)?,
        subscriber_id: get(r, 6)?,
        disabled: get(r, 7)?,
        scopes: get(r, 8)?,
    })
}

pub(super) fn password_reset(r: &Row) -> Result<PasswordResetRow> {
    Ok(PasswordResetRow {
        id: get(r, 0)?,
        account_id: get(r, 1)?,
        code_hash: get(r, 2)?,
        expires_at: time(r, 3)?,
        attempts: get(r, 4)?,
        used_at: time_opt(r, 5)?,
        created_at: time(r, 6)?,
        purpose: simexit_store::code_purpose(&get::<String>(r, 7)?),
    })
}

impl AccountsTx for PgTx<'_> {
    fn insert_account(&mut self, a: &NewAccount) -> Result<i64> {
        self.id(
            sql::INSERT_ACCOUNT,
            &[
                &a.login,
                &a.password_hash,
                &a.role.as_str(),
                &a.operator.as_ref().map(OperatorId::as_str),
                &a.store_id,
                &a.subscriber_id,
                &ts(a.created_at),
                &a.scopes,
            ],
        )
    }

    fn account(&mut self, id: i64) -> Result<Option<AccountRow>> {
        self.one(sql::ACCOUNT, &[&id], account)
    }

    fn account_by_login(&mut self, login: &str) -> Result<Option<AccountRow>> {
        self.one(sql::ACCOUNT_BY_LOGIN, &[&login], account)
    }

    fn insert_session(&mut self, s: &SessionRow) -> Result<()> {
        self.exec(
            sql::INSERT_SESSION,
            &[&s.token_hash, &s.account_id, &ts(s.created_at), &ts(s.expires_at), &s.csrf_hash],
        )
        .map(drop)
    }

    fn session_account(&mut self, token_hash: &str, now: Timestamp) -> Result<Option<AccountRow>> {
        self.one(sql::SESSION_ACCOUNT, &[&token_hash, &ts(now)], account)
    }

    fn session_csrf_hash(&mut self, token_hash: &str) -> Result<Option<String>> {
        let v: Option<Option<String>> = self.one(sql::SESSION_CSRF_HASH, &[&token_hash], |r| get(r, 0))?;
        Ok(v.flatten())
    }

    fn revoke_session(&mut self, token_hash: &str, at: Timestamp) -> Result<bool> {
        self.exec(sql::REVOKE_SESSION, &[&token_hash, &ts(at)]).map(|n| n > 0)
    }

    fn hit_rate_limit_by(
        &mut self,
        key: &str,
        amount: i64,
        now: Timestamp,
        window: jiff::SignedDuration,
    ) -> Result<RateCount> {
        let w = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let row = self.one(sql::HIT_RATE_LIMIT_BY, &[&key, &ts(now), &w, &amount], |r| {
            Ok(RateCount { window_start: time(r, 0)?, count: get(r, 1)? })
        })?;
        row.ok_or_else(|| StoreError::Other("rate limit upsert returned no row".into()))
    }

    fn rate_limit(&mut self, key: &str, now: Timestamp, window: jiff::SignedDuration) -> Result<Option<RateCount>> {
        let w = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        self.one(sql::RATE_LIMIT, &[&key, &ts(now), &w], |r| {
            Ok(RateCount { window_start: time(r, 0)?, count: get(r, 1)? })
        })
    }

    fn clear_rate_limit(&mut self, key: &str) -> Result<()> {
        self.exec(sql::CLEAR_RATE_LIMIT, &[&key]).map(drop)
    }

    fn account_by_phone(&mut self, phone: &Msisdn) -> Result<Option<AccountRow>> {
        self.one(sql::ACCOUNT_BY_PHONE, &[&phone.as_str()], account)
    }

    fn subscriber_account(&mut self, subscriber_id: i64) -> Result<Option<AccountRow>> {
        self.one(sql::SUBSCRIBER_ACCOUNT, &[&subscriber_id], account)
    }

    fn set_password(&mut self, account_id: i64, password_hash: &str) -> Result<()> {
        self.exec(sql::SET_PASSWORD, &[&account_id, &password_hash]).map(drop)
    }

    fn set_account_disabled(&mut self, account_id: i64, disabled: bool) -> Result<()> {
        self.exec(sql::SET_ACCOUNT_DISABLED, &[&account_id, &disabled]).map(drop)
    }

    fn staff_accounts(&mut self, operator: Option<&OperatorId>) -> Result<Vec<AccountRow>> {
        self.all(sql::STAFF_ACCOUNTS, &[&operator.map(OperatorId::as_str)], account)
    }

    fn revoke_sessions_of(&mut self, account_id: i64, at: Timestamp) -> Result<u64> {
        self.exec(sql::REVOKE_SESSIONS_OF, &[&account_id, &ts(at)])
    }

    fn insert_password_reset(&mut self, p: &PasswordResetRow) -> Result<i64> {
        self.id(
            sql::INSERT_PASSWORD_RESET,
            &[
                &p.account_id,
                &p.code_hash,
                &ts(p.expires_at),
                &p.attempts,
                &ts_opt(p.used_at),
                &ts(p.created_at),
                &p.purpose,
            ],
        )
    }

    fn latest_password_reset(&mut self, account_id: i64, purpose: &str) -> Result<Option<PasswordResetRow>> {
        self.one(&format!("{}{}", sql::LATEST_PASSWORD_RESET, self.lock()), &[&account_id, &purpose], password_reset)
    }

    fn update_password_reset(&mut self, p: &PasswordResetRow) -> Result<()> {
        self.exec(sql::UPDATE_PASSWORD_RESET, &[&p.id, &p.attempts, &ts_opt(p.used_at)]).map(drop)
    }
}
