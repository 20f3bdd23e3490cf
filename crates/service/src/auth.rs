//! Sign-in with a password, bearer tokens, and account creation.
//!
//! Passwords are hashed with Argon2id. Tokens are 256 random bits shown once to the client;
//! only their SHA-256 is stored, so a leaked database does not leak live sessions.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};
use simexit_store::{SessionRow, StoreExt};

use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

/// Argon2 takes about 19 MiB and tens of milliseconds a hash. Every Argon2 hash and check of
/// the process runs on one of a few threads of its own, one per CPU, fed by a bounded queue
/// of [`HASH_QUEUE_PER_CPU`] per CPU; past that the caller is told to come back at once (429
/// `busy`). So a burst of sign-ins or resets costs neither an ever-growing queue nor memory:
/// the hashes' memory is only ever held by those threads (the allocator keeps per-thread
/// arenas, and hashing on whichever request thread happened to run would leave 19 MiB in
/// each of them).
pub struct HashGate {
    jobs: std::sync::Mutex<std::sync::mpsc::SyncSender<Job>>,
    /// Hashes queued and not yet taken by a thread.
    waiting: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

type Job = Box<dyn FnOnce() + Send>;

pub const HASH_QUEUE_PER_CPU: usize = 8;

impl HashGate {
    /// `threads` hashing threads (at least one), and room for `queue` waiting hashes.
    pub fn new(threads: usize, queue: usize) -> HashGate {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(queue);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let waiting = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for i in 0..threads.max(1) {
            let (rx, taken) = (rx.clone(), waiting.clone());
            let spawned = std::thread::Builder::new().name(format!("simexit-hash-{i}")).spawn(move || {
                loop {
                    let job = rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    match job {
                        Ok(job) => {
                            taken.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                            job();
                        }
                        Err(_) => return,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a hashing thread");
            }
        }
        HashGate { jobs: std::sync::Mutex::new(tx), waiting }
    }

    /// Hashes waiting for a thread now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Runs `work` on a hashing thread and waits for it; `busy` if the queue is full.
    pub fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel(1);
        let job: Job = Box::new(move || {
            let _ = done_tx.send(work());
        });
        let sent = {
            let jobs = self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // Counted before it can be taken, so the count never goes below zero.
            self.waiting.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let sent = jobs.try_send(job);
            if sent.is_err() {
                self.waiting.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
            sent
        };
        match sent {
            Ok(()) => done_rx.recv().map_err(|_| ServiceError::Internal("a hashing thread stopped".into())),
            Err(std::sync::mpsc::TrySendError::Full(_)) => Err(ServiceError::TooMany {
                code: "busy",
                message: "too many sign-ins at once: try again in a moment".into(),
                retry_after: 1,
            }),
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
                Err(ServiceError::Internal("no hashing thread is running".into()))
            }
        }
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
    let password = password.to_owned();
    HASHES
        .run(move || Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()))?
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Checks a password against its hash (`None`: against a dummy hash, with the same work, so
/// an unknown account takes as long as a known one).
pub fn verify_password(password: &str, hash: Option<&str>) -> Result<bool> {
    let (password, stored) = (password.to_owned(), hash.unwrap_or(DUMMY_HASH).to_owned());
    let ok = HASHES.run(move || {
        PasswordHash::new(&stored).is_ok_and(|p| Argon2::default().verify_password(password.as_bytes(), &p).is_ok())
    })?;
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
        use std::sync::Mutex;
        let gate = std::sync::Arc::new(HashGate::new(2, 3));
        let running = std::sync::Arc::new(Mutex::new((0usize, 0usize)));
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let release_rx = std::sync::Arc::new(Mutex::new(release_rx));
        let mut callers = Vec::new();
        for _ in 0..5 {
            let (gate, running, rx) = (gate.clone(), running.clone(), release_rx.clone());
            callers.push(std::thread::spawn(move || {
                gate.run(move || {
                    {
                        let mut r = running.lock().unwrap();
                        r.0 += 1;
                        r.1 = r.1.max(r.0);
                    }
                    rx.lock().unwrap().recv().unwrap();
                    running.lock().unwrap().0 -= 1;
                })
            }));
        }
        // Two run on the hashing threads and three wait in the queue: a sixth is refused at once.
        while running.lock().unwrap().0 < 2 || gate.waiting() < 3 {
            std::thread::yield_now();
        }
        let refused = gate.run(|| ()).unwrap_err();
        assert!(matches!(refused, ServiceError::TooMany { code: "busy", .. }), "{refused:?}");
        for _ in 0..5 {
            release_tx.send(()).unwrap();
        }
        for c in callers {
            c.join().unwrap().unwrap();
        }
        assert_eq!(running.lock().unwrap().1, 2, "never more than two at once");
    }
}
