//! Sign-in by SMS code, as operators' self-care portals let subscribers in. The code goes to
//! the number of an active line, so reading it proves the subscriber holds the SIM; that is
//! why subscribers brought in from the BSS, who have no simexit password, can sign in too (an
//! account without a password is opened for them at the first code).
//!
//! The limits are those of the reset code: requests per number and per client address,
//! attempts per code. A request for a number that is no active line is accepted like any other
//! and sends nothing; codes are kept hashed, and the SMS carrying one is sealed in the outbox
//! and never logged.

use jiff::Timestamp;
use simexit_domain::access::Role;
use simexit_domain::{LineState, Msisdn};
use simexit_store::{AccountRow, CODE_FOR_SIGN_IN, NewAccount, StoreExt, Tx};

use crate::auth::{Session, hash_password, new_token, verify_password};
use crate::identity::{Code, confirm_key, invalid_code, random_code};
use crate::record::audit;
use crate::{Result, Service, ServiceError};

/// The rate-limit keys' prefix of sign-in codes (reset codes have their own).
const KIND: &str = "sign-in-code";

/// The account of the subscriber whose active line is `msisdn`: their own, or with `open` a
/// new one without a password (its login the number). `None` for any other number.
fn holder_account(tx: &mut dyn Tx, msisdn: &Msisdn, now: Timestamp, open: bool) -> Result<Option<AccountRow>> {
    let Some(line) = tx.line_by_msisdn(msisdn)?.filter(|l| l.state == LineState::Active) else {
        return Ok(None);
    };
    if let Some(account) = tx.subscriber_account(line.subscriber_id)? {
        return Ok((!account.disabled).then_some(account));
    }
    if !open || tx.account_by_login(msisdn.as_str())?.is_some() {
        return Ok(None);
    }
    let id = tx.insert_account(&NewAccount {
        login: msisdn.as_str().to_owned(),
        password_hash: String::new(),
        role: Role::Subscriber,
        operator: None,
        store_id: None,
        subscriber_id: Some(line.subscriber_id),
        scopes: String::new(),
        created_at: now,
    })?;
    audit(tx, now, "system", "account_opened_by_code", "account", id, serde_json::json!({}))?;
    Ok(tx.account(id)?)
}

impl Service {
    /// Sends a sign-in code to `msisdn` if it is an active line of a subscriber. The answer is
    /// the same either way.
    pub fn request_sign_in_code(&self, msisdn: &Msisdn, client: &str) -> Result<()> {
        let now = self.now();
        self.limit_code_requests(KIND, msisdn, client)?;
        let code = random_code()?;
        let code_hash = hash_password(&code)?;
        self.store.write(|tx| {
            let Some(account) = holder_account(tx, msisdn, now, true)? else {
                return Ok(());
            };
            let code = Code { plain: &code, hash: &code_hash, purpose: CODE_FOR_SIGN_IN, template: "sign_in_code" };
            self.queue_code(tx, &account, msisdn, code, now)?;
            audit(
                tx,
                now,
                "system",
                "sign_in_code_requested",
                "account",
                account.id,
                serde_json::json!({ "client": client }),
            )
        })
    }

    /// Opens a bearer session with the code sent to `msisdn`.
    pub fn sign_in_with_code(&self, msisdn: &Msisdn, code: &str) -> Result<Session> {
        self.check_sign_in_code(msisdn, code, None)
    }

    /// Opens a page session (a cookie and its CSRF token) with the code sent to `msisdn`; a
    /// session cookie presented at sign-in is ended, so the identifier rotates.
    pub fn sign_in_with_code_cookie(
        &self,
        msisdn: &Msisdn,
        code: &str,
        previous: Option<&str>,
    ) -> Result<(Session, String)> {
        let (csrf, csrf_hash) = new_token()?;
        let session = self.check_sign_in_code(msisdn, code, Some(csrf_hash))?;
        if let Some(old) = previous {
            self.logout(old)?;
        }
        Ok((session, csrf))
    }

    /// Each check consumes one of the number's attempts before the code is compared, so
    /// parallel guesses cannot exceed the limit; numbers without a line or a code count and
    /// lock like the others, and are checked against a dummy hash.
    fn check_sign_in_code(&self, msisdn: &Msisdn, code: &str, csrf_hash: Option<String>) -> Result<Session> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid_code());
        }
        let now = self.now();
        let reserved = self.store.write(|tx| {
            Service::hit_code_attempt(tx, KIND, msisdn, now)?;
            let Some(account) = holder_account(tx, msisdn, now, false)? else { return Ok::<_, ServiceError>(None) };
            let Some(mut sent) = tx.latest_password_reset(account.id, CODE_FOR_SIGN_IN)?.filter(|r| r.expires_at > now)
            else {
                return Ok(None);
            };
            sent.attempts += 1;
            tx.update_password_reset(&sent)?;
            Ok(Some((account, sent)))
        })?;
        let stored = reserved.as_ref().map(|(_, r)| r.code_hash.as_str());
        if !verify_password(code, stored)? {
            return Err(invalid_code());
        }
        let Some((account, sent)) = reserved else { return Err(invalid_code()) };
        self.store.write(|tx| {
            // Used once: a second sign-in with the same code finds it gone.
            let Some(mut current) = tx.latest_password_reset(account.id, CODE_FOR_SIGN_IN)?.filter(|r| r.id == sent.id)
            else {
                return Err(invalid_code());
            };
            current.used_at = Some(now);
            tx.update_password_reset(&current)?;
            Ok(tx.clear_rate_limit(&confirm_key(KIND, msisdn))?)
        })?;
        self.open_session(account, csrf_hash, "login_by_code")
    }
}
