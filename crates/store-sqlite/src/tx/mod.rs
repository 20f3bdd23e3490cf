//! [`Tx`] over one SQLite connection inside an open transaction. Column lists come from
//! `simexit_store::columns`, shared with the PostgreSQL backend.

use const_format::formatcp;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Params, Row, params};
use simexit_domain::ledger::{Account, Entry};
use simexit_domain::numbering::NumberRange;
use simexit_domain::{Money, Msisdn, OperatorId};
use simexit_store::columns::*;
use simexit_store::*;

use crate::convert::{msisdn, parsed, parsed_opt, store_error, time, time_opt, ts, ts_opt};

pub struct SqliteTx<'c> {
    pub conn: &'c Connection,
    pub audit_key: &'c simexit_store::audit::AuditKey,
    /// The store's count of statements run (see `Store::statements_sent`).
    pub sent: &'c std::sync::atomic::AtomicU64,
}

type MapRow<T> = fn(&Row<'_>) -> rusqlite::Result<T>;

impl SqliteTx<'_> {
    fn with_entries(&self, mut m: MovementRow) -> Result<MovementRow> {
        m.entries = self.all(sql::MOVEMENT_ENTRIES, [m.id], |r| {
            Ok(Entry { account: parsed(r, 0)?, amount: Money::from_kopecks(r.get(1)?) })
        })?;
        Ok(m)
    }

    /// The cached statement of `sql`; each call is one execution, counted.
    fn stmt(&self, sql: &str) -> rusqlite::Result<rusqlite::CachedStatement<'_>> {
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.conn.prepare_cached(sql)
    }

    fn exec(&self, sql: &str, p: impl Params) -> Result<usize> {
        self.stmt(sql).and_then(|mut s| s.execute(p)).map_err(store_error)
    }

    /// Runs an `INSERT … RETURNING id` and returns the id.
    fn id(&self, sql: &str, p: impl Params) -> Result<i64> {
        self.stmt(sql).and_then(|mut s| s.query_row(p, |r| r.get(0))).map_err(store_error)
    }

    fn one<T>(&self, sql: &str, p: impl Params, map: MapRow<T>) -> Result<Option<T>> {
        self.stmt(sql).and_then(|mut s| s.query_row(p, map).optional()).map_err(store_error)
    }

    fn all<T>(&self, sql: &str, p: impl Params, map: MapRow<T>) -> Result<Vec<T>> {
        self.stmt(sql).and_then(|mut s| s.query_map(p, map)?.collect::<rusqlite::Result<Vec<T>>>()).map_err(store_error)
    }
}

mod accounts;
mod audit;
mod bss;
mod bulk;
mod certificates;
mod documents;
mod jobs;
mod ledger;
mod lookups;
mod network;
mod numbers;
mod operations;
mod outbox;
mod payments;
mod requests;
mod stores;
mod subscribers_lines;
mod webhooks;

/// Every room's trait is implemented in the module of its name.
impl Tx for SqliteTx<'_> {}
