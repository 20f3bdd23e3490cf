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
    })
}

impl AccountsTx for SqliteTx<'_> {
    fn insert_account(&mut self, a: &NewAccount) -> Result<i64> {
        self.insert(
            "INSERT INTO accounts (login, password_hash, role, operator_id, store_id, subscriber_id, created_at, scopes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
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
        self.one(&format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE id = ?1"), [id], account)
    }

    fn account_by_login(&mut self, login: &str) -> Result<Option<AccountRow>> {
        self.one(&format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE login = ?1"), [login], account)
    }

    fn insert_session(&mut self, s: &SessionRow) -> Result<()> {
        self.exec(
            "INSERT INTO sessions (token_hash, account_id, created_at, expires_at, csrf_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![s.token_hash, s.account_id, ts(s.created_at), ts(s.expires_at), s.csrf_hash],
        )
        .map(drop)
    }

    fn session_account(&mut self, token_hash: &str, now: Timestamp) -> Result<Option<AccountRow>> {
        let cols = ACCOUNT_COLS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        self.one(
            &format!(
                "SELECT {cols} FROM sessions s JOIN accounts a ON a.id = s.account_id
                 WHERE s.token_hash = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2 AND a.disabled = 0"
            ),
            params![token_hash, ts(now)],
            account,
        )
    }

    fn session_csrf_hash(&mut self, token_hash: &str) -> Result<Option<String>> {
        let v: Option<Option<String>> =
            self.one("SELECT csrf_hash FROM sessions WHERE token_hash = ?1", [token_hash], |r| r.get(0))?;
        Ok(v.flatten())
    }

    fn revoke_session(&mut self, token_hash: &str, at: Timestamp) -> Result<bool> {
        self.exec(
            "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
            params![token_hash, ts(at)],
        )
        .map(|n| n > 0)
    }

    fn hit_rate_limit_by(
        &mut self,
        key: &str,
        amount: i64,
        now: Timestamp,
        window: jiff::SignedDuration,
    ) -> Result<RateCount> {
        let w = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let row = self.one(
            "INSERT INTO rate_limits (key, window_start, count) VALUES (?1, ?2, ?4)
             ON CONFLICT (key) DO UPDATE SET
               count = CASE WHEN rate_limits.window_start + ?3 <= ?2 THEN ?4 ELSE rate_limits.count + ?4 END,
               window_start = CASE WHEN rate_limits.window_start + ?3 <= ?2 THEN ?2 ELSE rate_limits.window_start END
             RETURNING window_start, count",
            params![key, ts(now), w, amount],
            |r| Ok(RateCount { window_start: time(r, 0)?, count: r.get(1)? }),
        )?;
        row.ok_or_else(|| StoreError::Other("rate limit upsert returned no row".into()))
    }

    fn rate_limit(&mut self, key: &str, now: Timestamp, window: jiff::SignedDuration) -> Result<Option<RateCount>> {
        let w = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        self.one(
            "SELECT window_start, count FROM rate_limits WHERE key = ?1 AND window_start + ?3 > ?2",
            params![key, ts(now), w],
            |r| Ok(RateCount { window_start: time(r, 0)?, count: r.get(1)? }),
        )
    }

    fn clear_rate_limit(&mut self, key: &str) -> Result<()> {
        self.exec("DELETE FROM rate_limits WHERE key = ?1", [key]).map(drop)
    }

    fn account_by_phone(&mut self, phone: &Msisdn) -> Result<Option<AccountRow>> {
        let cols = ACCOUNT_COLS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        self.one(
            &format!(
                "SELECT {cols} FROM accounts a JOIN subscribers s ON s.id = a.subscriber_id
                 WHERE s.phone = ?1 AND a.role = 'subscriber' ORDER BY a.id LIMIT 1"
            ),
            [phone.as_str()],
            account,
        )
    }

    fn set_password(&mut self, account_id: i64, password_hash: &str) -> Result<()> {
        self.exec("UPDATE accounts SET password_hash = ?2 WHERE id = ?1", params![account_id, password_hash]).map(drop)
    }

    fn set_account_disabled(&mut self, account_id: i64, disabled: bool) -> Result<()> {
        self.exec("UPDATE accounts SET disabled = ?2 WHERE id = ?1", params![account_id, disabled]).map(drop)
    }

    fn staff_accounts(&mut self, operator: Option<&OperatorId>) -> Result<Vec<AccountRow>> {
        self.all(
            &format!(
                "SELECT {ACCOUNT_COLS} FROM accounts WHERE role <> 'subscriber' AND (?1 IS NULL OR operator_id = ?1) ORDER BY login"
            ),
            [operator.map(OperatorId::as_str)],
            account,
        )
    }

    fn revoke_sessions_of(&mut self, account_id: i64, at: Timestamp) -> Result<u64> {
        self.exec(
            "UPDATE sessions SET revoked_at = ?2 WHERE account_id = ?1 AND revoked_at IS NULL",
            params![account_id, ts(at)],
        )
        .map(|n| n as u64)
    }

    fn insert_password_reset(&mut self, p: &PasswordResetRow) -> Result<i64> {
        self.insert(
            "INSERT INTO password_resets (account_id, code_hash, expires_at, attempts, used_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![p.account_id, p.code_hash, ts(p.expires_at), p.attempts, ts_opt(p.used_at), ts(p.created_at)],
        )
    }

    fn latest_password_reset(&mut self, account_id: i64) -> Result<Option<PasswordResetRow>> {
        self.one(
            &format!(
                "SELECT {RESET_COLS} FROM password_resets WHERE account_id = ?1 AND used_at IS NULL
                 ORDER BY created_at DESC, id DESC LIMIT 1"
            ),
            [account_id],
            password_reset,
        )
    }

    fn update_password_reset(&mut self, p: &PasswordResetRow) -> Result<()> {
        self.exec(
            "UPDATE password_resets SET attempts = ?2, used_at = ?3 WHERE id = ?1",
            params![p.id, p.attempts, ts_opt(p.used_at)],
        )
        .map(drop)
    }
}
