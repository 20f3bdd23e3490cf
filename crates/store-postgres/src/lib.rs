//! The PostgreSQL backend: a small connection pool, migrations guarded by an advisory lock
//! (several instances may start at once), and row locks where the SQLite backend relies on
//! its single writer: rows a change depends on are read `FOR UPDATE`, pool numbers and due
//! jobs are claimed `FOR UPDATE SKIP LOCKED`, appends to the audit chain lock its head.

mod convert;
mod migrate;
mod tx;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use postgres::{Client, IsolationLevel, NoTls, Statement};
use simexit_store::{Store, StoreError, Tx};

pub use migrate::MIGRATIONS;

/// A connection with its prepared statements.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

pub struct PgStore {
    config: postgres::Config,
    audit_key: simexit_store::audit::AuditKey,
    idle: Mutex<Vec<Conn>>,
    max_idle: usize,
}

impl PgStore {
    /// Connects to `url` (a `postgres://` URL) and applies pending migrations.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        PgStore::open_in_schema(url, None)
    }

    /// Like [`PgStore::open`], with every connection's `search_path` set to `schema` (tests
    /// give each case a fresh schema this way).
    pub fn open_in_schema(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let mut config: postgres::Config =
            url.parse().map_err(|e| StoreError::Other(format!("invalid PostgreSQL URL: {e}")))?;
        config.connect_timeout(Duration::from_secs(5));
        if let Some(schema) = schema {
            config.options(&format!("-c search_path={schema}"));
        }
        let store = PgStore {
            config,
            audit_key: simexit_store::ephemeral_audit_key(),
            idle: Mutex::new(Vec::new()),
            max_idle: 16,
        };
        let mut conn = store.connect()?;
        migrate::apply(&mut conn.client)?;
        store.give_back(conn);
        Ok(store)
    }

    /// Chains audit entries with the deployment's key (every instance must share it; a
    /// store opened without one uses a random key: see [`simexit_store::ephemeral_audit_key`]).
    pub fn with_audit_key(mut self, key: simexit_store::audit::AuditKey) -> Self {
        self.audit_key = key;
        self
    }

    fn connect(&self) -> Result<Conn, StoreError> {
        let client = self.config.connect(NoTls).map_err(convert::store_error)?;
        Ok(Conn { client, statements: HashMap::new() })
    }

    fn take(&self) -> Result<Conn, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(conn) if !conn.client.is_closed() => Ok(conn),
            _ => self.connect(),
        }
    }

    fn give_back(&self, conn: Conn) {
        if conn.client.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.max_idle {
            idle.push(conn);
        }
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
            let mut tx = tx::PgTx { txn, statements, write, audit_key: &self.audit_key };
            let commit = body(&mut tx)?;
            if commit && write { tx.txn.commit() } else { tx.txn.rollback() }.map_err(convert::store_error)
        })();
        // A connection that failed mid-transaction may be broken: only healthy ones go back.
        if result.is_ok() || !matches!(result, Err(StoreError::Unavailable(_))) {
            self.give_back(conn);
        }
        result
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Closing a synchronous client blocks on its own small runtime, which panics on a
        // thread that drives async tasks (a server shutting down drops the store there), so
        // the connections are closed on a thread of their own.
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|p| p.into_inner()));
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
        if ok.is_ok() {
            self.give_back(conn);
        }
        ok
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}
