//! Sign-in with a password, bearer tokens, and account creation.
//!
//! Passwords are hashed with Argon2id. Tokens are 256 random bits shown once to the client;
//! only their SHA-256 is stored, so a leaked database does not leak live sessions.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, SaltString};
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

/// How many hashes may be running or waiting at once in this process: what callers may hold
/// threads for (the server answers `busy` past it without starting one).
pub fn hashing_capacity() -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    cpus * (1 + HASH_QUEUE_PER_CPU)
}

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

/// Runs Argon2 with this thread's own memory: allocated once per hashing thread and used
/// for every hash after, so hashing allocates nothing (19 MiB a hash, freed and allocated
/// again, is what the allocator would otherwise keep in arena after arena).
fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [argon2::Block]) -> T) -> T {
    thread_local! {
        static MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() < blocks {
            m.resize(blocks, argon2::Block::default());
        }
        work(&mut m[..blocks])
    })
}

fn hash_error(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("password hashing: {e}"))
}

/// Hashes a password with Argon2id (the crate's default cost) and a random salt, as a PHC
/// string.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    let password = password.to_owned();
    HASHES.run(move || {
        let params = argon2::Params::default();
        let argon = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params.clone());
        let mut out = [0u8; argon2::Params::DEFAULT_OUTPUT_LEN];
        with_memory(params.block_count(), |m| {
            argon.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, m)
        })
        .map_err(hash_error)?;
        let salt = SaltString::encode_b64(&salt).map_err(hash_error)?;
        let hash = PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(argon2::Version::V0x13.into()),
            params: argon2::password_hash::ParamsString::try_from(&params).map_err(hash_error)?,
            salt: Some(salt.as_salt()),
            hash: Some(argon2::password_hash::Output::new(&out).map_err(hash_error)?),
        };
        Ok(hash.to_string())
    })?
}

/// Checks a password against its hash (`None`: against a dummy hash, with the same work, so
/// an unknown account takes as long as a known one).
pub fn verify_password(password: &str, hash: Option<&str>) -> Result<bool> {
    let (password, stored) = (password.to_owned(), hash.unwrap_or(DUMMY_HASH).to_owned());
    let ok = HASHES.run(move || matches_hash(&password, &stored))?;
    Ok(ok && hash.is_some())
}

/// Whether `password` hashes to the PHC string `stored` (false for anything unreadable).
fn matches_hash(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let Ok(params) = argon2::Params::try_from(&parsed) else { return false };
    let Ok(algorithm) = argon2::Algorithm::try_from(parsed.algorithm) else { return false };
    let version = match parsed.version.map(argon2::Version::try_from) {
        None => argon2::Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params.clone());
    let computed = with_memory(params.block_count(), |m| {
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, m)
    });
    // `Output`'s comparison takes the same time whatever the bytes.
    computed.is_ok() && argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
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
        // exactly like real ones, so no answer or timing tells which logins exist. A login
        // with a control character names no account (none can be made with one), and a NUL
        // would not even reach PostgreSQL's text columns: refused before anything is written.
        if login.chars().any(char::is_control) {
            return Err(invalid_credentials());
        }
        self.reserve_sign_in(login)?;
        let account = self.store.read(|tx| tx.account_by_login(login.trim()))?.filter(|a| !a.disabled);
        if !verify_password(password, account.as_ref().map(|a| a.password_hash.as_str()))? {
            return Err(invalid_credentials());
        }
        let Some(account) = account else { return Err(invalid_credentials()) };
        self.clear_failed_sign_ins(login)?;
        self.open_session(account, csrf_hash, "login")
    }

    /// Opens a session for an account that has proven who it is; `action` names how in the
    /// audit log.
    pub(crate) fn open_session(
        &self,
        account: simexit_store::AccountRow,
        csrf_hash: Option<String>,
        action: &str,
    ) -> Result<Session> {
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
                action,
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
    fn hashes_are_standard_phc_strings_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        // Ours verifies with the crate's own verifier, and the crate's (stored before) with ours.
        let ours = hash_password("correct horse").unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &PasswordHash::new(&ours).unwrap()).is_ok());
        let salt = SaltString::encode_b64(&[7; 16]).unwrap();
        let theirs = Argon2::default().hash_password(b"battery staple", &salt).unwrap().to_string();
        assert!(verify_password("battery staple", Some(&theirs)).unwrap());
        assert!(!verify_password("battery", Some(&theirs)).unwrap());
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
        let call = |gate: std::sync::Arc<HashGate>| {
            let (running, rx) = (running.clone(), release_rx.clone());
            std::thread::spawn(move || {
                gate.run(move || {
                    {
                        let mut r = running.lock().unwrap();
                        r.0 += 1;
                        r.1 = r.1.max(r.0);
                    }
                    rx.lock().unwrap().recv().unwrap();
                    running.lock().unwrap().0 -= 1;
                })
            })
        };
        // Two run on the hashing threads…
        for _ in 0..2 {
            callers.push(call(gate.clone()));
        }
        while running.lock().unwrap().0 < 2 {
            std::thread::yield_now();
        }
        // …three wait in the queue, and a sixth is refused at once.
        for _ in 0..3 {
            callers.push(call(gate.clone()));
        }
        while gate.waiting() < 3 {
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
