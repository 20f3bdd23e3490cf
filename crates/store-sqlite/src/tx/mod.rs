//! [`Tx`] over one SQLite connection inside an open transaction. Column lists come from
//! `simexit_store::columns`, shared with the PostgreSQL backend.

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
}

type MapRow<T> = fn(&Row<'_>) -> rusqlite::Result<T>;

impl SqliteTx<'_> {
    fn with_entries(&self, mut m: MovementRow) -> Result<MovementRow> {
        m.entries =
            self.all("SELECT account, amount FROM ledger_entries WHERE movement_id = ?1 ORDER BY id", [m.id], |r| {
                Ok(Entry { account: parsed(r, 0)?, amount: Money::from_kopecks(r.get(1)?) })
            })?;
        Ok(m)
    }

    fn exec(&self, sql: &str, p: impl Params) -> Result<usize> {
        self.conn.prepare_cached(sql).and_then(|mut s| s.execute(p)).map_err(store_error)
    }

    fn insert(&self, sql: &str, p: impl Params) -> Result<i64> {
        self.exec(sql, p)?;
        Ok(self.conn.last_insert_rowid())
    }

    fn one<T>(&self, sql: &str, p: impl Params, map: MapRow<T>) -> Result<Option<T>> {
        self.conn.prepare_cached(sql).and_then(|mut s| s.query_row(p, map).optional()).map_err(store_error)
    }

    fn all<T>(&self, sql: &str, p: impl Params, map: MapRow<T>) -> Result<Vec<T>> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_map(p, map)?.collect::<rusqlite::Result<Vec<T>>>())
            .map_err(store_error)
    }
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

/// The queries that find what is due. Each must cost in proportion to what it returns, not to
/// the size of the table: a partial index holds only the rows still waiting, so the finished
/// millions are never read. The test below holds every one of them to that.
pub(crate) mod queues {
    use super::*;

    pub fn pool() -> String {
        format!(
            "SELECT {NUMBER_COLS} FROM numbers WHERE operator_id = ?1 AND state = 'available'
             ORDER BY updated_at, msisdn LIMIT 1"
        )
    }

    pub fn review() -> String {
        format!(
            "SELECT {REQUEST_COLS} FROM termination_requests
             WHERE state IN ('submitted', 'info_provided') AND (?1 IS NULL OR operator_id = ?1)
             ORDER BY review_deadline, id LIMIT ?2"
        )
    }

    pub fn network_alerts() -> String {
        format!("SELECT {NETWORK_COLS} FROM network_tasks WHERE status = 'alert' ORDER BY updated_at, id LIMIT ?1")
    }

    pub fn bulk_pending() -> String {
        format!(
            "SELECT {BULK_LINE_COLS} FROM bulk_lines WHERE run_id = ?1 AND outcome IS NULL ORDER BY line_no LIMIT ?2"
        )
    }

    pub fn documents_due() -> String {
        format!(
            "SELECT {DOCUMENT_COLS} FROM documents WHERE status <> 'destroyed' AND retention_until <= ?1
             ORDER BY retention_until, id LIMIT ?2"
        )
    }

    pub fn claim_outbox() -> String {
        format!(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?2, locked_until = ?2
             WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?1
                          ORDER BY next_attempt_at, id LIMIT ?3)
             RETURNING {OUTBOX_COLS}"
        )
    }

    pub fn claim_jobs() -> String {
        format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, run_at = ?2, locked_until = ?2, updated_at = ?1
             WHERE id IN (SELECT id FROM jobs WHERE status IN ('pending', 'running') AND run_at <= ?1
                          ORDER BY run_at, id LIMIT ?3)
             RETURNING {JOB_COLS}"
        )
    }

    pub fn depths() -> String {
        simexit_store::QUEUE_DEPTHS.replace("{p}", "?1")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// SQLite's plan for `sql`, one line per step.
        fn plan(conn: &Connection, sql: &str) -> Vec<String> {
            let params = sql.matches('?').count();
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let args: Vec<rusqlite::types::Value> = (0..params).map(|_| rusqlite::types::Value::Integer(1)).collect();
            stmt.query_map(rusqlite::params_from_iter(args.iter().take(stmt.parameter_count())), |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .collect::<std::result::Result<_, _>>()
            .unwrap()
        }

        #[test]
        fn every_queue_reads_only_its_waiting_rows() {
            let dir = tempfile::tempdir().unwrap();
            let store = crate::SqliteStore::open(&dir.path().join("q.db"), crate::Durability::Normal).unwrap();
            let conn = store.writer.lock().unwrap();
            for (name, sql, index) in [
                ("number pool", pool(), "numbers_pool"),
                ("review queue", review(), "termination_requests_review"),
                ("network alerts", network_alerts(), "network_tasks_alerts"),
                ("bulk run", bulk_pending(), "bulk_lines_pending"),
                ("documents due", documents_due(), "documents_due"),
                ("outbox", claim_outbox(), "outbox_due"),
                ("jobs", claim_jobs(), "jobs_due"),
            ] {
                check(&conn, name, &sql, index);
            }
            // The depths /metrics reads on every scrape: one index per count.
            let depths = depths();
            for (index, uses) in [
                ("jobs_due", 3),
                ("jobs_failed", 1),
                ("outbox_due", 1),
                ("outbox_parked", 1),
                ("termination_requests_review", 2),
            ] {
                let steps = plan(&conn, &depths);
                let n = steps.iter().filter(|s| s.contains(&format!("INDEX {index}"))).count();
                assert_eq!(n, uses, "queue depths use {index} {uses} times: {steps:?}");
            }
            let steps = plan(&conn, &depths);
            let full = steps.iter().filter(|s| s.starts_with("SCAN") && !s.contains("INDEX")).collect::<Vec<_>>();
            assert!(full.is_empty(), "queue depths scan a table: {steps:?}");
        }

        fn check(conn: &Connection, name: &str, sql: &str, index: &str) {
            let steps = plan(conn, sql);
            assert!(
                steps.iter().any(|s| s.contains(&format!("INDEX {index}"))),
                "{name} does not use {index}: {steps:?}"
            );
            // A step reading a whole table (not an index or a rowid range) would cost in
            // proportion to the inventory.
            let full = steps.iter().filter(|s| s.starts_with("SCAN") && !s.contains("INDEX")).collect::<Vec<_>>();
            assert!(full.is_empty(), "{name} scans a table: {steps:?}");
        }
    }
}
