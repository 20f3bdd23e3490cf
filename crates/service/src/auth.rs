//! Sign-in with a password, bearer tokens, and account creation.
//!
//! Passwords are hashed with Argon2id. Tokens are 256 random bits shown once to the client;
//! only their SHA-256 is stored, so a leaked database does not leak live sessions.

use std::sync::{Condvar, LazyLock, Mutex, MutexGuard};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};
use simexit_store::{SessionRow, StoreExt};

use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

/// Argon2 takes about 19 MiB and tens of milliseconds a hash. At most one hash per CPU runs
/// at once and at most [`HASH_QUEUE_PER_CPU`] per CPU wait for a turn; past that the caller
/// is told to come back at once (429 `busy`), so a burst of sign-ins or resets costs neither
/// memory nor an ever-growing queue. Every Argon2 hash and check of the process goes through it.
pub struct HashGate {
    state: Mutex<GateState>,
    freed: Condvar,
    slots: usize,
    queue: usize,
}

#[derive(Default)]
struct GateState {
    running: usize,
    waiting: usize,
}

pub const HASH_QUEUE_PER_CPU: usize = 8;

impl HashGate {
    pub fn new(slots: usize, queue: usize) -> HashGate {
        HashGate { state: Mutex::default(), freed: Condvar::new(), slots: slots.max(1), queue }
    }

    fn state(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `work` when a slot is free, waiting in the bounded queue; `busy` if it is full.
    pub fn run<T>(&self, work: impl FnOnce() -> T) -> Result<T> {
        let mut state = self.state();
        if state.running >= self.slots {
            if state.waiting >= self.queue {
                return Err(ServiceError::TooMany {
                    code: "busy",
                    message: "too many sign-ins at once: try again in a moment".into(),
                    retry_after: 1,
                });
            }
            state.waiting += 1;
            while state.running >= self.slots {
                state = self.freed.wait(state).unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            state.waiting -= 1;
        }
        state.running += 1;
        drop(state);
        // Released on the way out, even if `work` panics.
        struct Slot<'a>(&'a HashGate);
        impl Drop for Slot<'_> {
            fn drop(&mut self) {
                self.0.state().running -= 1;
                self.0.freed.notify_one();
            }
        }
        let _slot = Slot(self);
        Ok(work())
    }
}

static HASHES: LazyLock<HashGate> = LazyLock::new(|| {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    HashGate::new(cpus, cpus * HASH_QUEUE_PER_CPU)
});

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ServiceError::Internal(e.to_string()))?;
    HASHES
        .run(|| Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()))?
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Checks a password against its hash (`None`: against a dummy hash, with the same work, so
/// an unknown account takes as long as a known one).
pub fn verify_password(password: &str, hash: Option<&str>) -> Result<bool> {
    let parsed = PasswordHash::new(hash.unwrap_or(DUMMY_HASH));
    let ok = HASHES
        .run(|| parsed.as_ref().is_ok_and(|p| Argon2::default().verify_password(password.as_bytes(), p).is_ok()))?;
    Ok(ok && hash.is_some())
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
        // The try is counted before any hashing, so a parallel burst gets no more guesses than
        // the limit; unknown logins are counted, checked (against a dummy hash) and locked
        // exactly like real ones, so no answer or timing tells which logins exist.
        self.reserve_sign_in(login)?;
        let account = self.store.read(|tx| tx.account_by_login(login.trim()))?.filter(|a| !a.disabled);
        if !verify_password(password, account.as_ref().map(|a| a.password_hash.as_str()))? {
            return Err(invalid_credentials());
        }
        let Some(account) = account else { return Err(invalid_credentials()) };
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
        assert!(verify_password("correct horse", Some(&h)).unwrap());
        assert!(!verify_password("wrong horse", Some(&h)).unwrap());
        assert!(!verify_password("anything", Some("not a hash")).unwrap());
        assert!(!verify_password("anything", None).unwrap());
    }

    #[test]
    fn the_dummy_hash_is_a_real_argon2_hash_so_unknown_accounts_cost_the_same() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let real = hash_password("x").unwrap();
        assert_eq!(PasswordHash::new(&real).unwrap().params, parsed.params, "the same cost parameters");
    }

    #[test]
    fn the_hash_gate_runs_a_few_at_once_queues_a_few_and_refuses_the_rest() {
        let gate = std::sync::Arc::new(HashGate::new(2, 3));
        let (running, peak) = (std::sync::Arc::new(Mutex::new(0usize)), std::sync::Arc::new(Mutex::new(0usize)));
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let release_rx = std::sync::Arc::new(Mutex::new(release_rx));
        let mut threads = Vec::new();
        for _ in 0..5 {
            let (gate, running, peak, rx) = (gate.clone(), running.clone(), peak.clone(), release_rx.clone());
            threads.push(std::thread::spawn(move || {
                gate.run(|| {
                    let now = {
                        let mut r = running.lock().unwrap();
                        *r += 1;
                        *r
                    };
                    let mut p = peak.lock().unwrap();
                    *p = (*p).max(now);
                    drop(p);
                    rx.lock().unwrap().recv().unwrap();
                    *running.lock().unwrap() -= 1;
                })
            }));
        }
        // Two run and three wait: a sixth is refused at once, without waiting.
        while gate.state().waiting < 3 {
            std::thread::yield_now();
        }
        let refused = gate.run(|| ());
        assert!(matches!(refused, Err(ServiceError::TooMany { code: "busy", .. })));
        for _ in 0..5 {
            release_tx.send(()).unwrap();
        }
        for t in threads {
            t.join().unwrap().unwrap();
        }
        assert_eq!(*peak.lock().unwrap(), 2, "never more than two at once");
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
