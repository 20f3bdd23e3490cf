//! The PostgreSQL backend: a bounded connection pool (TLS through rustls, see [`tls`]), migrations guarded by an advisory lock
//! (several instances may start at once), and row locks where the SQLite backend relies on
//! its single writer: rows a change depends on are read `FOR UPDATE`, pool numbers and due
//! jobs are claimed `FOR UPDATE SKIP LOCKED`, appends to the audit chain lock its head.

mod convert;
mod migrate;
mod tls;
mod tx;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use postgres::{Client, IsolationLevel, NoTls, Statement};
use simexit_store::{Store, StoreError, Tx};

pub use migrate::MIGRATIONS;
pub use tls::SslMode;

/// A connection with its prepared statements.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// How the store reaches the database.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// At most this many connections are open at once (idle and in use).
    pub max_connections: usize,
    /// How long a call waits for a free connection before it fails as unavailable.
    pub acquire_timeout: Duration,
    /// `sslmode` when the URL has none (libpq's default, `prefer`, when neither has one).
    pub ssl_mode: Option<SslMode>,
    /// CA file for `verify-ca` and `verify-full` when the URL has no `sslrootcert`.
    pub ssl_root_cert: Option<PathBuf>,
    /// Every connection's `search_path` (tests give each case a fresh schema this way).
    pub schema: Option<String>,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
            ssl_mode: None,
            ssl_root_cert: None,
            schema: None,
        }
    }
}

/// The connections: idle ones, and how many exist in all.
struct Pool {
    idle: Vec<Conn>,
    open: usize,
}

pub struct PgStore {
    config: postgres::Config,
    connector: tls::Connector,
    audit_key: simexit_store::audit::AuditKey,
    pool: Mutex<Pool>,
    freed: Condvar,
    max_connections: usize,
    acquire_timeout: Duration,
    sent: std::sync::atomic::AtomicU64,
}

impl PgStore {
    /// Connects to `url` (a `postgres://` URL) and applies pending migrations.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        PgStore::open_with(url, PgOptions::default())
    }

    /// Like [`PgStore::open`], with every connection's `search_path` set to `schema`.
    pub fn open_in_schema(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        PgStore::open_with(url, PgOptions { schema: schema.map(str::to_owned), ..PgOptions::default() })
    }

    /// Connects with `options` and applies pending migrations.
    pub fn open_with(url: &str, options: PgOptions) -> Result<Self, StoreError> {
        let (url, mode, root) = tls::split_url(url);
        let mut config: postgres::Config =
            url.parse().map_err(|e| StoreError::Other(format!("invalid PostgreSQL URL: {e}")))?;
        config.connect_timeout(Duration::from_secs(5));
        if config.get_application_name().is_none() {
            config.application_name(&match &options.schema {
                Some(schema) => format!("simexit/{schema}"),
                None => "simexit".to_owned(),
            });
        }
        if let Some(schema) = &options.schema {
            config.options(&format!("-c search_path={schema}"));
        }
        let mode = match mode {
            Some(m) => SslMode::parse(&m)?,
            None => options.ssl_mode.unwrap_or(SslMode::Prefer),
        };
        let connector = tls::connector(&mut config, mode, root.or(options.ssl_root_cert).as_deref())?;
        let store = PgStore {
            config,
            connector,
            audit_key: simexit_store::ephemeral_audit_key(),
            pool: Mutex::new(Pool { idle: Vec::new(), open: 0 }),
            freed: Condvar::new(),
            max_connections: options.max_connections.max(1),
            acquire_timeout: options.acquire_timeout,
            sent: std::sync::atomic::AtomicU64::new(0),
        };
        let mut conn = store.take()?;
        let migrated = migrate::apply(&mut conn.client);
        store.give_back(conn, migrated.is_ok());
        migrated?;
        Ok(store)
    }

    /// Chains audit entries with the deployment's key (every instance must share it; a
    /// store opened without one uses a random key: see [`simexit_store::ephemeral_audit_key`]).
    pub fn with_audit_key(mut self, key: simexit_store::audit::AuditKey) -> Self {
        self.audit_key = key;
        self
    }

    /// At most this many connections are open at once.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }

    fn connect(&self) -> Result<Conn, StoreError> {
        let client = match &self.connector {
            tls::Connector::Plain => self.config.connect(NoTls),
            tls::Connector::Tls(tls) => self.config.connect(tls.clone()),
        }
        .map_err(convert::store_error)?;
        Ok(Conn { client, statements: HashMap::new() })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pool> {
        self.pool.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An idle connection, a new one while fewer than `max_connections` exist, or the next
    /// one given back within `acquire_timeout`; past it the database is unavailable (503).
    fn take(&self) -> Result<Conn, StoreError> {
        let deadline = Instant::now() + self.acquire_timeout;
        let mut pool = self.lock();
        loop {
            while let Some(conn) = pool.idle.pop() {
                if !conn.client.is_closed() {
                    return Ok(conn);
                }
                pool.open = pool.open.saturating_sub(1);
            }
            if pool.open < self.max_connections {
                pool.open += 1;
                drop(pool);
                return self.connect().inspect_err(|_| {
                    self.lock().open -= 1;
                    self.freed.notify_one();
                });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StoreError::Unavailable(format!(
                    "no database connection came free within {} ms (database.max_connections = {})",
                    self.acquire_timeout.as_millis(),
                    self.max_connections
                )));
            }
            pool = self.freed.wait_timeout(pool, deadline - now).map(|(p, _)| p).unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// Returns a connection to the pool, or closes it when it may be broken.
    fn give_back(&self, conn: Conn, healthy: bool) {
        let broken = {
            let mut pool = self.lock();
            if healthy && !conn.client.is_closed() {
                pool.idle.push(conn);
                None
            } else {
                pool.open = pool.open.saturating_sub(1);
                Some(conn)
            }
        };
        self.freed.notify_one();
        drop(broken);
    }

    fn run(
        &self,
        write: bool,
        body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        let mut conn = self.take()?;
        let result = (|| {
            let Conn { client, statements } = &mut conn;
            let builder = client.build_transaction();
            let builder = if write {
                builder.isolation_level(IsolationLevel::ReadCommitted)
            } else {
                builder.isolation_level(IsolationLevel::RepeatableRead).read_only(true)
            };
            let txn = builder.start().map_err(convert::store_error)?;
            // The transaction's start and its end are statements too.
            self.sent.fetch_add(2, std::sync::atomic::Ordering::Relaxed);
            let mut tx = tx::PgTx { txn, statements, write, audit_key: &self.audit_key, sent: &self.sent, head: None };
            let commit = body(&mut tx)?;
            if commit && write { tx.txn.commit() } else { tx.txn.rollback() }.map_err(convert::store_error)
        })();
        // A connection that failed mid-transaction may be broken: only healthy ones go back.
        self.give_back(conn, !matches!(result, Err(StoreError::Unavailable(_))));
        result
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Closing a synchronous client blocks on its own small runtime, which panics on a
        // thread that drives async tasks (a server shutting down drops the store there), so
        // the connections are closed on a thread of their own.
        let idle = std::mem::take(&mut self.lock().idle);
        if !idle.is_empty() {
            let _ = std::thread::spawn(move || drop(idle)).join();
        }
    }
}

impl Store for PgStore {
    fn write_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool, StoreError>) -> Result<(), StoreError> {
        self.run(true, body)
    }

    fn read_dyn(&self, body: &mut dyn FnMut(&mut dyn Tx) -> Result<bool, StoreError>) -> Result<(), StoreError> {
        self.run(false, body)
    }

    fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.take()?;
        let ok = conn.client.simple_query("SELECT 1").map(drop).map_err(convert::store_error);
        self.give_back(conn, ok.is_ok());
        ok
    }

    fn statements_sent(&self) -> u64 {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}
