//! [`Tx`] over one PostgreSQL transaction. Statements are prepared once per connection.
//! In a write transaction, reads of rows a change depends on take row locks.

use std::collections::HashMap;

use jiff::Timestamp;
use postgres::types::ToSql;
use postgres::{Row, Statement, Transaction};
use simexit_domain::ledger::{Account, Entry};
use simexit_domain::numbering::NumberRange;
use simexit_domain::{Money, Msisdn, OperatorId};
use simexit_store::columns::*;
use simexit_store::*;

use crate::convert::{get, msisdn, parsed, parsed_opt, store_error, time, time_opt, ts, ts_opt};

pub struct PgTx<'c> {
    pub txn: Transaction<'c>,
    pub statements: &'c mut HashMap<String, Statement>,
    pub write: bool,
}

type Map<T> = fn(&Row) -> Result<T>;

impl PgTx<'_> {
    fn prepared(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.txn.prepare(sql).map_err(store_error)?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    fn exec(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let s = self.prepared(sql)?;
        self.txn.execute(&s, p).map_err(store_error)
    }

    fn id(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)]) -> Result<i64> {
        let s = self.prepared(sql)?;
        let row = self.txn.query_one(&s, p).map_err(store_error)?;
        get(&row, 0)
    }

    fn one<T>(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)], map: Map<T>) -> Result<Option<T>> {
        let s = self.prepared(sql)?;
        self.txn.query_opt(&s, p).map_err(store_error)?.as_ref().map(map).transpose()
    }

    fn all<T>(&mut self, sql: &str, p: &[&(dyn ToSql + Sync)], map: Map<T>) -> Result<Vec<T>> {
        let s = self.prepared(sql)?;
        self.txn.query(&s, p).map_err(store_error)?.iter().map(map).collect()
    }

    /// `FOR UPDATE` in a write transaction (read-only ones may not lock).
    fn lock(&self) -> &'static str {
        if self.write { " FOR UPDATE" } else { "" }
    }

    fn with_entries(&mut self, mut m: MovementRow) -> Result<MovementRow> {
        m.entries =
            self.all("SELECT account, amount FROM ledger_entries WHERE movement_id = $1 ORDER BY id", &[&m.id], |r| {
                Ok(Entry { account: parsed(r, 0)?, amount: Money::from_kopecks(get(r, 1)?) })
            })?;
        Ok(m)
    }
}

fn limit(n: u32) -> i64 {
    i64::from(n)
}

mod accounts;
mod audit;
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
mod requests;
mod stores;
mod subscribers_lines;
