//! Sign-in with a password, bearer tokens, and account creation.
//!
//! Passwords are hashed with Argon2id. Tokens are 256 random bits shown once to the client;
//! only their SHA-256 is stored, so a leaked database does not leak live sessions.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};
use simexit_store::{SessionRow, StoreExt};

use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A fresh random token and the hash under which it is stored.
pub fn new_token() -> Result<(String, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    let token = format!("sx_{}", hex::encode(bytes));
    let hash = token_hash(&token);
    Ok((token, hash))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn invalid_credentials() -> ServiceError {
    ServiceError::Unauthenticated { code: "invalid_credentials", message: "login or password is wrong".into() }
}

/// A session token handed to a client.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub expires_at: jiff::Timestamp,
    pub principal: Principal,
}

impl Service {
    /// Checks a login and password and opens a session. Unknown logins and wrong passwords
    /// get the same answer, after the same amount of hashing work.
    pub fn login(&self, login: &str, password: &str) -> Result<Session> {
        self.sign_in(login, password, None)
    }

    /// Sign-in for pages: a cookie session with a CSRF token (returned once, stored hashed).
    /// A session cookie presented at sign-in is ended, so the identifier rotates.
    pub fn login_cookie(&self, login: &str, password: &str, previous: Option<&str>) -> Result<(Session, String)> {
        let (csrf, csrf_hash) = new_token()?;
        let session = self.sign_in(login, password, Some(csrf_hash))?;
        if let Some(old) = previous {
            self.logout(old)?;
        }
        Ok((session, csrf))
    }

    fn sign_in(&self, login: &str, password: &str, csrf_hash: Option<String>) -> Result<Session> {
        self.check_sign_in_lock(login)?;
        let account = self.store.read(|tx| tx.account_by_login(login.trim()))?;
        let Some(account) = account.filter(|a| !a.disabled) else {
            // Burn the same time as a real check so timing does not reveal which logins exist;
            // unknown logins lock out like real ones, for the same reason.
            let _ = verify_password(password, DUMMY_HASH);
            self.record_failed_sign_in(login)?;
            return Err(invalid_credentials());
        };
        if !verify_password(password, &account.password_hash) {
            self.record_failed_sign_in(login)?;
            return Err(invalid_credentials());
        }
        self.clear_failed_sign_ins(login)?;
        let (token, hash) = new_token()?;
        let now = self.now();
        let expires_at = now.checked_add(self.config.session_ttl).map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.store.write(|tx| {
            let cookie = csrf_hash.is_some();
            tx.insert_session(&SessionRow {
                token_hash: hash,
                account_id: account.id,
                created_at: now,
                expires_at,
                csrf_hash,
            })?;
            audit(
                tx,
                now,
                &format!("account:{}", account.id),
                "login",
                "account",
                account.id,
                serde_json::json!({ "cookie": cookie }),
            )
        })?;
        Ok(Session { token, expires_at, principal: account.into() })
    }

    /// The principal behind a session cookie. A request that changes state must carry the
    /// session's CSRF token; reads need not.
    pub fn authenticate_cookie(&self, token: &str, csrf: Option<&str>, changes_state: bool) -> Result<Principal> {
        let principal = self.authenticate(token)?;
        if changes_state {
            let expected = self.store.read(|tx| tx.session_csrf_hash(&token_hash(token)))?;
            let given = csrf.map(token_hash);
            if expected.is_none() || given != expected {
                return Err(ServiceError::Forbidden {
                    code: "csrf_failed",
                    message: "missing or wrong X-CSRF-Token for this session".into(),
                });
            }
        }
        Ok(principal)
    }

    /// The principal behind a bearer token, if the session is live.
    pub fn authenticate(&self, token: &str) -> Result<Principal> {
        let now = self.now();
        let hash = token_hash(token);
        self.store.read(|tx| tx.session_account(&hash, now))?.map(Principal::from).ok_or_else(|| {
            ServiceError::Unauthenticated {
                code: "invalid_token",
                message: "the token is unknown, expired or signed out".into(),
            }
        })
    }

    /// [`Service::authenticate`] for the lookup routes relying parties call on every
    /// sign-in of their own users: the principal of a token seen in the last
    /// [`TOKEN_CACHE_TTL`] is reused (by this instance; a token revoked on another instance
    /// stops working here within that time).
    pub fn authenticate_cached(&self, token: &str) -> Result<Principal> {
        let hash = token_hash(token);
        let now = self.now();
        if let Some(p) = self.tokens.get(&hash, now) {
            return Ok(p);
        }
        let principal = self.authenticate(token)?;
        self.tokens.put(hash, principal.clone(), now);
        Ok(principal)
    }

    pub fn logout(&self, token: &str) -> Result<()> {
        let now = self.now();
        let hash = token_hash(token);
        self.store.write(|tx| tx.revoke_session(&hash, now).map(drop))?;
        self.tokens.forget(&hash);
        Ok(())
    }
}

/// How long a token's principal is reused by [`Service::authenticate_cached`].
pub const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);
const TOKEN_CACHE_SIZE: usize = 10_000;

/// Recently authenticated tokens (by hash): both wall time and service time must be within
/// [`TOKEN_CACHE_TTL`] of the check, so moving the service clock expires them too.
#[derive(Debug, Default)]
pub struct TokenCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Principal, std::time::Instant, jiff::Timestamp)>>,
}

impl TokenCache {
    fn entries(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, (Principal, std::time::Instant, jiff::Timestamp)>>
    {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, hash: &str, now: jiff::Timestamp) -> Option<Principal> {
        let entries = self.entries();
        let (p, seen, seen_at) = entries.get(hash)?;
        let ttl = jiff::SignedDuration::try_from(TOKEN_CACHE_TTL).unwrap_or_default();
        let fresh = seen.elapsed() < TOKEN_CACHE_TTL && now >= *seen_at && now.duration_since(*seen_at) < ttl;
        fresh.then(|| p.clone())
    }

    fn put(&self, hash: String, principal: Principal, now: jiff::Timestamp) {
        let mut entries = self.entries();
        if entries.len() >= TOKEN_CACHE_SIZE {
            entries.clear();
        }
        entries.insert(hash, (principal, std::time::Instant::now(), now));
    }

    fn forget(&self, hash: &str) {
        self.entries().remove(hash);
    }

    /// Forgets every token (an account was disabled or its sessions ended).
    pub fn clear(&self) {
        self.entries().clear();
    }
}

/// A valid Argon2id hash of a random password, used to equalise timing for unknown logins.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2ltZXhpdGR1bW15c2FsdA$h9n0YcI+O1oVZt7z8K5S1M3Lr0i2kS4pT7xW1yZ3a6c";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (t1, h1) = new_token().unwrap();
        let (t2, _) = new_token().unwrap();
        assert_ne!(t1, t2);
        assert_eq!(token_hash(&t1), h1);
        assert!(!h1.contains(&t1));
    }
}
