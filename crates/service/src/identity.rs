//! Sign-in lockout and password reset by a one-time SMS code.
//!
//! Both rely on counters in the database (`rate_limits`), so limits hold however many
//! instances serve the traffic. Answers never reveal whether an account exists: a reset for
//! an unknown number is accepted like any other, and every request does the same hashing work.

use jiff::{SignedDuration, Timestamp};
use simexit_domain::Msisdn;
use simexit_store::{OutboxRow, PasswordResetRow, StoreExt};

use crate::auth::{hash_password, verify_password};
use crate::record::audit;
use crate::{Result, Service, ServiceError};

/// Failed sign-ins allowed per login in a window before it is locked until the window ends.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
pub const SIGN_IN_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Reset requests allowed per number, and per client address, per hour.
pub const RESETS_PER_NUMBER: i64 = 5;
pub const RESETS_PER_ADDRESS: i64 = 20;
pub const RESET_WINDOW: SignedDuration = SignedDuration::from_hours(1);
pub const CODE_TTL: SignedDuration = SignedDuration::from_mins(10);
pub const CODE_ATTEMPTS: i64 = 5;

fn retry_after(window_start: Timestamp, window: SignedDuration, now: Timestamp) -> u64 {
    let end = window_start.checked_add(window).unwrap_or(now);
    u64::try_from(end.as_second() - now.as_second()).unwrap_or(0).max(1)
}

pub fn login_key(login: &str) -> String {
    format!("sign-in:{}", login.trim().to_lowercase())
}

fn random_code() -> Result<String> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    // Rejection-free modulo bias here is 1 in ~4000 for 10^6 over 2^32: negligible.
    Ok(format!("{:06}", u32::from_le_bytes(b) % 1_000_000))
}

fn invalid_code() -> ServiceError {
    ServiceError::bad_input("invalid_code", "the code is wrong or has expired: request a new one")
}

impl Service {
    /// Refuses a sign-in while its login is locked after repeated failures.
    pub(crate) fn check_sign_in_lock(&self, login: &str) -> Result<()> {
        let now = self.now();
        let key = login_key(login);
        if let Some(c) = self.store.read(|tx| tx.rate_limit(&key, now, SIGN_IN_WINDOW))?
            && c.count >= MAX_FAILED_SIGN_INS
        {
            let secs = retry_after(c.window_start, SIGN_IN_WINDOW, now);
            return Err(ServiceError::TooMany {
                code: "sign_in_locked",
                message: format!(
                    "too many failed sign-ins: try again in {} minutes, or reset your password",
                    secs.div_ceil(60)
                ),
                retry_after: secs,
            });
        }
        Ok(())
    }

    pub(crate) fn record_failed_sign_in(&self, login: &str) -> Result<()> {
        let now = self.now();
        let key = login_key(login);
        let c = self.store.write(|tx| tx.hit_rate_limit(&key, now, SIGN_IN_WINDOW))?;
        if c.count == MAX_FAILED_SIGN_INS {
            tracing::warn!(login = %login.trim(), "sign-in locked after repeated failures");
            self.store
                .write(|tx| audit(tx, now, "system", "sign_in_locked", "login", login.trim(), serde_json::json!({})))?;
        }
        Ok(())
    }

    pub(crate) fn clear_failed_sign_ins(&self, login: &str) -> Result<()> {
        let key = login_key(login);
        Ok(self.store.write(|tx| tx.clear_rate_limit(&key))?)
    }

    /// Sends a one-time code by SMS to the subscriber whose contact number this is, if any.
    pub fn request_password_reset(&self, msisdn: &Msisdn, client: &str) -> Result<()> {
        let now = self.now();
        // The same work whether or not the number belongs to someone.
        let code = random_code()?;
        let code_hash = hash_password(&code)?;
        self.store.write(|tx| {
            for (key, limit) in [
                (format!("reset-number:{msisdn}"), RESETS_PER_NUMBER),
                (format!("reset-address:{client}"), RESETS_PER_ADDRESS),
            ] {
                let c = tx.hit_rate_limit(&key, now, RESET_WINDOW)?;
                if c.count > limit {
                    return Err(ServiceError::TooMany {
                        code: "too_many_requests",
                        message: "too many reset requests: wait before asking again".into(),
                        retry_after: retry_after(c.window_start, RESET_WINDOW, now),
                    });
                }
            }
            let Some(account) = tx.account_by_phone(msisdn)?.filter(|a| !a.disabled) else {
                return Ok(());
            };
            let language = match account.subscriber_id {
                Some(id) => tx.subscriber(id)?.map_or("ru".to_owned(), |s| s.language.as_str().to_owned()),
                None => "ru".to_owned(),
            };
            let expires_at = now.checked_add(CODE_TTL).map_err(|e| ServiceError::Internal(e.to_string()))?;
            tx.insert_password_reset(&PasswordResetRow {
                id: 0,
                account_id: account.id,
                code_hash: code_hash.clone(),
                expires_at,
                attempts: 0,
                used_at: None,
                created_at: now,
            })?;
            let payload = serde_json::json!({ "code": code, "minutes": CODE_TTL.as_mins() }).to_string();
            tx.insert_outbox(&OutboxRow::new("sms", msisdn.as_str(), "password_reset_code", &language, payload, now))?;
            audit(
                tx,
                now,
                "system",
                "password_reset_requested",
                "account",
                account.id,
                serde_json::json!({ "client": client }),
            )
        })
    }

    /// Sets a new password with a valid code. Each check consumes one of the code's attempts
    /// before the code is compared, so parallel guesses cannot exceed the limit.
    pub fn confirm_password_reset(&self, msisdn: &Msisdn, code: &str, new_password: &str) -> Result<()> {
        let len = new_password.chars().count();
        if !(8..=256).contains(&len) {
            return Err(ServiceError::unprocessable("weak_password", "new_password: 8 to 256 characters"));
        }
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid_code());
        }
        let now = self.now();
        let reserved = self.store.write(|tx| {
            let Some(account) = tx.account_by_phone(msisdn)? else { return Ok::<_, ServiceError>(None) };
            let Some(mut reset) = tx.latest_password_reset(account.id)? else { return Ok(None) };
            if reset.expires_at <= now {
                return Ok(None);
            }
            if reset.attempts >= CODE_ATTEMPTS {
                return Err(ServiceError::TooMany {
                    code: "code_locked",
                    message: "too many wrong codes: request a new one".into(),
                    retry_after: 60,
                });
            }
            reset.attempts += 1;
            tx.update_password_reset(&reset)?;
            Ok(Some((account, reset)))
        })?;
        let Some((account, reset)) = reserved else {
            // Unknown number, no code, or expired: the same answer and the same work.
            let _ = verify_password(code, &hash_password("000000")?);
            return Err(invalid_code());
        };
        if !verify_password(code, &reset.code_hash) {
            return Err(invalid_code());
        }
        let password_hash = hash_password(new_password)?;
        self.store.write(|tx| {
            let Some(mut current) = tx.latest_password_reset(account.id)?.filter(|r| r.id == reset.id) else {
                return Err(invalid_code());
            };
            current.used_at = Some(now);
            tx.update_password_reset(&current)?;
            tx.set_password(account.id, &password_hash)?;
            let ended = tx.revoke_sessions_of(account.id, now)?;
            self.tokens.clear();
            tx.clear_rate_limit(&login_key(&account.login))?;
            audit(
                tx,
                now,
                &format!("account:{}", account.id),
                "password_reset",
                "account",
                account.id,
                serde_json::json!({ "sessions_ended": ended }),
            )
        })
    }
}
