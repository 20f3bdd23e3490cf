//! The embedded SQLite backend: one database file in WAL mode, one writer connection (SQLite
//! serialises writers anyway; `BEGIN IMMEDIATE` makes the wait explicit instead of failing
//! mid-transaction) and a few reader connections for concurrent reads.

mod convert;
mod migrate;
mod private;
mod tx;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;
use simexit_store::{Store, StoreError, Tx};

pub use migrate::MIGRATIONS;
pub use private::{create_private_dir, private_database_file};

/// How durable a commit is. `Full` fsyncs the WAL on every commit and survives power loss;
/// `Normal` survives a crash of the process but may lose the last commits on power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    Normal,
}

impl Durability {
    pub fn pragma(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        }
    }
}

pub struct SqliteStore {
    path: PathBuf,
    audit_key: simexit_store::audit::AuditKey,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    sent: std::sync::atomic::AtomicU64,
    commits: std::sync::atomic::AtomicU64,
}

/// Opens a connection with the settings every simexit connection uses.
pub fn connect(path: &Path, durability: Durability) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = {};
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;
         PRAGMA mmap_size = 2147418112;",
        durability.pragma()
    ))
    .map_err(convert::store_error)?;
    // Reads map the file (up to 2 GiB, the most SQLite maps by default) instead of copying pages through `pread`: the lookups
    // of relying parties touch a dozen random pages of a large inventory each.
    // Every query goes through `prepare_cached`; the default cache (16) is smaller than the
    // set of statements one lifecycle uses, and re-parsing SQL would dominate the cost.
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

/// Opens the connection that writes: as [`connect`], with a page cache of 32 MiB, so that a
/// large transaction (an import, a bulk batch) keeps its changed pages in memory instead of
/// spilling them into the WAL halfway and looking them up there again.
pub fn connect_writer(path: &Path, durability: Durability) -> Result<Connection, StoreError> {
    let conn = connect(path, durability)?;
    conn.execute_batch("PRAGMA cache_size = -32768;").map_err(convert::store_error)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path, durability: Durability) -> Result<Self, StoreError> {
        private_database_file(path).map_err(|e| StoreError::Unavailable(format!("{}: {e}", path.display())))?;
        let mut writer = connect_writer(path, durability)?;
        migrate::apply(&mut writer)?;
        let readers = (0..4).map(|_| connect(path, durability).map(Mutex::new)).collect::<Result<Vec<_>, _>>()?;
        Ok(SqliteStore {
            path: path.to_owned(),
            audit_key: simexit_store::ephemeral_audit_key(),
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
            sent: std::sync::atomic::AtomicU64::new(0),
            commits: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Chains audit entries with the deployment's key (a store opened without one uses a
    /// random key: see [`simexit_store::ephemeral_audit_key`]).
    pub fn with_audit_key(mut self, key: simexit_store::audit::AuditKey) -> Self {
        self.audit_key = key;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        for r in &self.readers {
            if let Ok(guard) = r.try_lock() {
                return guard;
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        lock(&self.readers[i])
    }
}

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock leaves the connection usable (rusqlite rolls back an
    // unfinished transaction when its guard drops), so poisoning is not fatal.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn run(
    conn: &Connection,
    audit_key: &simexit_store::audit::AuditKey,
    sent: &std::sync::atomic::AtomicU64,
    begin: &str,
    body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
    // Cached like every other statement: a lookup is three indexed reads, and parsing
    // `BEGIN` and `ROLLBACK` each time would cost as much as one of them.
    let exec = |sql: &str| {
        sent.fetch_add(1, Ordering::Relaxed);
        conn.prepare_cached(sql).and_then(|mut s| s.execute([])).map(drop)
    };
    exec(begin).map_err(convert::store_error)?;
    let mut tx = tx::SqliteTx { conn, audit_key, sent };
    match body(&mut tx) {
        Ok(true) => exec("COMMIT").map_err(|e| {
            let _ = exec("ROLLBACK");
            convert::store_error(e)
        }),
        Ok(false) => exec("ROLLBACK").map_err(convert::store_error),
        Err(e) => {
            let _ = exec("ROLLBACK");
            Err(e)
        }
    }
}

impl Store for SqliteStore {
    fn write_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool, StoreError>) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        let mut commit = false;
        run(&conn, &self.audit_key, &self.sent, "BEGIN IMMEDIATE", &mut |tx| {
            let r = body(tx);
            commit = matches!(r, Ok(true));
            r
        })?;
        if commit {
            self.commits.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }

    fn read_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool, StoreError>) -> Result<(), StoreError> {
        let conn = self.reader();
        run(&conn, &self.audit_key, &self.sent, "BEGIN", &mut |tx| body(tx).map(|_| false))
    }

    fn read_single_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool, StoreError>) -> Result<(), StoreError> {
        // One statement reads one snapshot: no BEGIN and ROLLBACK around it.
        let conn = self.reader();
        body(&mut tx::SqliteTx { conn: &conn, audit_key: &self.audit_key, sent: &self.sent }).map(drop)
    }

    fn ping(&self) -> Result<(), StoreError> {
        let conn = self.reader();
        conn.query_row("SELECT 1", [], |_| Ok(())).map_err(convert::store_error)
    }

    fn statements_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}
