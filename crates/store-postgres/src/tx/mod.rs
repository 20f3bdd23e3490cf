//! [`Tx`] over one PostgreSQL transaction. Statements are prepared once per connection.
//! In a write transaction, reads of rows a change depends on take row locks.

use std::collections::HashMap;

use const_format::formatcp;
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
    pub audit_key: &'c simexit_store::audit::AuditKey,
    /// The store's count of statements sent (see `Store::statements_sent`).
    pub sent: &'c std::sync::atomic::AtomicU64,
    /// The audit chain's head once this transaction holds its lock: later appends in the same
    /// transaction neither lock it again nor read it back.
    pub head: Option<Option<String>>,
}

type Map<T> = fn(&Row) -> Result<T>;

impl PgTx<'_> {
    /// The prepared statement of `sql`; each call is one execution, counted.
    fn prepared(&mut self, sql: &str) -> Result<Statement> {
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.txn.prepare(&dollar_placeholders(sql)).map_err(store_error)?;
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

    /// `sql` with [`Self::lock`] appended.
    fn locked(&self, sql: &str) -> String {
        format!("{sql}{}", self.lock())
    }

    fn with_entries(&mut self, mut m: MovementRow) -> Result<MovementRow> {
        m.entries = self.all(sql::MOVEMENT_ENTRIES, &[&m.id], |r| {
            Ok(Entry { account: parsed(r, 0)?, amount: Money::from_kopecks(get(r, 1)?) })
        })?;
        Ok(m)
    }
}

/// The shared statements' `?N` placeholders as PostgreSQL's `$N` (outside string literals).
/// Run once per statement and connection, when it is prepared.
fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => quoted = !quoted,
            '?' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push('$');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

fn limit(n: u32) -> i64 {
    i64::from(n)
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
impl Tx for PgTx<'_> {}

#[cfg(test)]
mod tests {
    #[test]
    fn question_mark_placeholders_become_dollars_outside_literals() {
        assert_eq!(
            super::dollar_placeholders("SELECT '?1', x FROM t WHERE a = ?1 AND b = ?12 AND c = $3 AND d ? 'k'"),
            "SELECT '?1', x FROM t WHERE a = $1 AND b = $12 AND c = $3 AND d ? 'k'"
        );
    }
}
