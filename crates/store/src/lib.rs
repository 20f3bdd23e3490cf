//! Persistence for simexit, as traits that each backend implements.
//!
//! The unit of work is a transaction: [`Store::write`] runs a closure against a [`Tx`] and
//! commits only if it returns `Ok`, so a state change, its event, its audit record and the
//! jobs it schedules are stored together or not at all. The traits are synchronous: the
//! server calls them from blocking threads, which keeps backends simple and lets the same
//! service code run in the CLI, the worker and benchmarks.
//!
//! [`conformance`] holds the tests every backend runs through [`conformance_tests!`].

pub mod audit;
pub mod columns;
pub mod conformance;
mod rows;
mod tx;

pub use rows::*;
pub use tx::*;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is busy past its timeout: retry later (HTTP 503).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored value could not be read back into its type.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A key for a store opened without the deployment's (tools, benchmarks, tests): random, so
/// what it chains verifies only while it lives.
pub fn ephemeral_audit_key() -> audit::AuditKey {
    let mut bytes = [0u8; 32];
    // Without randomness the chain still links; it is only as secret as the zero key.
    let _ = getrandom::fill(&mut bytes);
    audit::AuditKey::new(bytes)
}

/// A database holding simexit's data.
pub trait Store: Send + Sync {
    /// Runs `body` in a write transaction; commits if it returns `Ok(true)`, rolls back
    /// otherwise. Prefer [`StoreExt::write`].
    fn write_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool>) -> Result<()>;
    /// Runs `body` in a read-only snapshot.
    fn read_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool>) -> Result<()>;
    /// Runs a `body` that issues a single statement (consistent by itself) without opening
    /// a transaction around it where the backend can; a snapshot otherwise.
    fn read_single_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool>) -> Result<()> {
        self.read_dyn(body)
    }
    /// Cheap liveness check of the database connection.
    fn ping(&self) -> Result<()>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// How many statements this store has sent to its database since it was opened, counting
    /// each transaction's start and end: what the benchmarks print per lifecycle.
    fn statements_sent(&self) -> u64 {
        0
    }
    /// How many write transactions this store has committed since it was opened, counted
    /// after each commit: what tells the lookup index that this process wrote.
    fn commits(&self) -> u64 {
        0
    }
}

/// Typed wrappers over [`Store`]'s object-safe methods.
pub trait StoreExt: Store {
    /// Runs `body` in one transaction, committed only if it returns `Ok`.
    fn write<T, E: From<StoreError>>(&self, body: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        run(body, |f| self.write_dyn(f))
    }

    /// Runs `body` in a write transaction that is always rolled back: a dry run of exactly
    /// the code a real change runs, returning what it computed.
    fn dry_run<T, E: From<StoreError>>(&self, body: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        run(body, |f| self.write_dyn(&mut |tx| f(tx).map(|_| false)))
    }

    /// Runs `body` against a consistent read snapshot.
    fn read<T, E: From<StoreError>>(&self, body: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        run(body, |f| self.read_dyn(f))
    }

    /// Runs a `body` of a single statement: see [`Store::read_single_dyn`].
    fn read_single<T, E: From<StoreError>>(&self, body: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        run(body, |f| self.read_single_dyn(f))
    }
}

impl<S: Store + ?Sized> StoreExt for S {}

fn run<T, E: From<StoreError>>(
    body: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    exec: impl FnOnce(&mut dyn FnMut(&mut dyn Tx) -> Result<bool>) -> Result<()>,
) -> Result<T, E> {
    let mut body = Some(body);
    let mut out: Option<Result<T, E>> = None;
    let ran = exec(&mut |tx| {
        let Some(body) = body.take() else {
            return Ok(false);
        };
        let res = body(tx);
        let commit = res.is_ok();
        out = Some(res);
        Ok(commit)
    });
    match (ran, out) {
        (_, Some(Err(e))) => Err(e),
        (Ok(()), Some(Ok(v))) => Ok(v),
        (Err(e), _) => Err(e.into()),
        (Ok(()), None) => Err(StoreError::Other("the transaction body did not run".into()).into()),
    }
}
