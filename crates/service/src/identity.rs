//! Sign-in lockout and password reset by a one-time SMS code.
//!
//! Both rely on counters in the database (`rate_limits`), so limits hold however many
//! instances serve the traffic. Answers never reveal whether an account exists: a reset for
//! an unknown number is accepted like any other, and every request does the same hashing work.

use jiff::{SignedDuration, Timestamp};
use simexit_domain::Msisdn;
use simexit_store::{AccountRow, CODE_FOR_RESET, OutboxRow, PasswordResetRow, StoreExt};

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

/// The attempts at the codes of `kind` (`reset`, `sign-in-code`) sent to a number, counted
/// whether or not it has an account.
pub(crate) fn confirm_key(kind: &str, msisdn: &Msisdn) -> String {
    format!("{kind}-confirm:{msisdn}")
}

/// A one-time code on its way out: the code, its hash, what it opens, the SMS template.
pub(crate) struct Code<'a> {
    pub plain: &'a str,
    pub hash: &'a str,
    pub purpose: &'static str,
    pub template: &'static str,
}

pub(crate) fn random_code() -> Result<String> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    // Rejection-free modulo bias here is 1 in ~4000 for 10^6 over 2^32: negligible.
    Ok(format!("{:06}", u32::from_le_bytes(b) % 1_000_000))
}

pub(crate) fn invalid_code() -> ServiceError {
    ServiceError::bad_input("invalid_code", "the code is wrong or has expired: request a new one")
}

impl Service {
    /// Reserves one try of a login's secret (a password, a client secret) before anything is
    /// hashed: the try is counted in the same atomic step that checks the limit, so however
    /// many arrive at once, at most [`MAX_FAILED_SIGN_INS`] are checked per window. A
    /// successful sign-in clears the count; a failed one leaves its try counted.
    pub(crate) fn reserve_sign_in(&self, login: &str) -> Result<()> {
        let now = self.now();
        let key = login_key(login);
        let c = self.store.write(|tx| tx.hit_rate_limit(&key, now, SIGN_IN_WINDOW))?;
        if c.count <= MAX_FAILED_SIGN_INS {
            return Ok(());
        }
        if c.count == MAX_FAILED_SIGN_INS + 1 {
            tracing::warn!(login = %login.trim(), "sign-in locked after repeated failures");
            self.store
                .write(|tx| audit(tx, now, "system", "sign_in_locked", "login", login.trim(), serde_json::json!({})))?;
        }
        let secs = retry_after(c.window_start, SIGN_IN_WINDOW, now);
        Err(ServiceError::TooMany {
            code: "sign_in_locked",
            message: format!(
                "too many failed sign-ins: try again in {} minutes, or reset your password",
                secs.div_ceil(60)
            ),
            retry_after: secs,
        })
    }

    pub(crate) fn clear_failed_sign_ins(&self, login: &str) -> Result<()> {
        let key = login_key(login);
        Ok(self.store.write(|tx| tx.clear_rate_limit(&key))?)
    }

    /// Sends a one-time code by SMS to the subscriber whose contact number this is, if any.
    /// The limits are counted first, so a refused request costs no hashing; then every
    /// number, known or not, costs one hash and gets a fresh set of code attempts.
    pub fn request_password_reset(&self, msisdn: &Msisdn, client: &str) -> Result<()> {
        let now = self.now();
        self.limit_code_requests("reset", msisdn, client)?;
        let code = random_code()?;
        let code_hash = hash_password(&code)?;
        self.store.write(|tx| {
            let Some(account) = tx.account_by_phone(msisdn)?.filter(|a| !a.disabled) else {
                return Ok(());
            };
            let code =
                Code { plain: &code, hash: &code_hash, purpose: CODE_FOR_RESET, template: "password_reset_code" };
            self.queue_code(tx, &account, msisdn, code, now)?;
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

    /// Counts a request for a code of `kind` against the number's and the client address's
    /// limits, and starts the number's attempts afresh.
    pub(crate) fn limit_code_requests(&self, kind: &str, msisdn: &Msisdn, client: &str) -> Result<()> {
        let now = self.now();
        self.store.write(|tx| {
            for (key, limit) in [
                (format!("{kind}-number:{msisdn}"), RESETS_PER_NUMBER),
                (format!("{kind}-address:{client}"), RESETS_PER_ADDRESS),
            ] {
                let c = tx.hit_rate_limit(&key, now, RESET_WINDOW)?;
                if c.count > limit {
                    return Err(ServiceError::TooMany {
                        code: "too_many_requests",
                        message: "too many code requests: wait before asking again".into(),
                        retry_after: retry_after(c.window_start, RESET_WINDOW, now),
                    });
                }
            }
            Ok(tx.clear_rate_limit(&confirm_key(kind, msisdn))?)
        })
    }

    /// Keeps a code's hash with the account and queues the code itself, sealed, as an SMS to
    /// `msisdn` in the subscriber's language.
    pub(crate) fn queue_code(
        &self,
        tx: &mut dyn simexit_store::Tx,
        account: &AccountRow,
        msisdn: &Msisdn,
        code: Code<'_>,
        now: Timestamp,
    ) -> Result<()> {
        let language = match account.subscriber_id {
            Some(id) => tx.subscriber(id)?.map_or("ru".to_owned(), |s| s.language.as_str().to_owned()),
            None => "ru".to_owned(),
        };
        let expires_at = now.checked_add(CODE_TTL).map_err(|e| ServiceError::Internal(e.to_string()))?;
        tx.insert_password_reset(&PasswordResetRow {
            id: 0,
            account_id: account.id,
            code_hash: code.hash.to_owned(),
            expires_at,
            attempts: 0,
            used_at: None,
            created_at: now,
            purpose: code.purpose,
        })?;
        // The code itself waits in the outbox sealed; only its hash is kept with the account.
        let sealed = self.seal(crate::sealing::OUTBOX_CODE, code.plain)?;
        let payload = serde_json::json!({ "code": sealed, "minutes": CODE_TTL.as_mins() }).to_string();
        tx.insert_outbox(&OutboxRow::new("sms", msisdn.as_str(), code.template, &language, payload, now))?;
        Ok(())
    }

    /// Counts one attempt at the number's `kind` code, refusing past [`CODE_ATTEMPTS`].
    pub(crate) fn hit_code_attempt(
        tx: &mut dyn simexit_store::Tx,
        kind: &str,
        msisdn: &Msisdn,
        now: Timestamp,
    ) -> Result<()> {
        let c = tx.hit_rate_limit(&confirm_key(kind, msisdn), now, CODE_TTL)?;
        if c.count > CODE_ATTEMPTS {
            return Err(ServiceError::TooMany {
                code: "code_locked",
                message: "too many wrong codes: request a new one".into(),
                retry_after: retry_after(c.window_start, CODE_TTL, now),
            });
        }
        Ok(())
    }

    /// Sets a new password with a valid code. Each check consumes one of the number's attempts
    /// before the code is compared, so parallel guesses cannot exceed the limit, and numbers
    /// without an account or a code count and lock exactly like those with one.
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
            Service::hit_code_attempt(tx, "reset", msisdn, now)?;
            let Some(account) = tx.account_by_phone(msisdn)? else { return Ok::<_, ServiceError>(None) };
            let Some(mut reset) = tx.latest_password_reset(account.id, CODE_FOR_RESET)?.filter(|r| r.expires_at > now)
            else {
                return Ok(None);
            };
            reset.attempts += 1;
            tx.update_password_reset(&reset)?;
            Ok(Some((account, reset)))
        })?;
        // Unknown number, no code, or expired: checked against a dummy hash, the same answer.
        let stored = reserved.as_ref().map(|(_, r)| r.code_hash.as_str());
        if !verify_password(code, stored)? {
            return Err(invalid_code());
        }
        let Some((account, reset)) = reserved else { return Err(invalid_code()) };
        let password_hash = hash_password(new_password)?;
        self.store.write(|tx| {
            let Some(mut current) = tx.latest_password_reset(account.id, CODE_FOR_RESET)?.filter(|r| r.id == reset.id)
            else {
                return Err(invalid_code());
            };
            current.used_at = Some(now);
            tx.update_password_reset(&current)?;
            tx.set_password(account.id, &password_hash)?;
            let ended = tx.revoke_sessions_of(account.id, now)?;
            self.tokens.clear();
            tx.clear_rate_limit(&login_key(&account.login))?;
            tx.clear_rate_limit(&confirm_key("reset", msisdn))?;
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
