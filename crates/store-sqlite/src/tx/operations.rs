//! What operators watch: the dashboard's counts, queue depths, invariant checks.

use super::*;

impl OperationsTx for SqliteTx<'_> {
    fn dashboard_counts(
        &mut self,
        metrics: &[&str],
        operator: Option<&OperatorId>,
    ) -> Result<Vec<(String, String, i64)>> {
        let mut out = Vec::new();
        for (metric, sql) in simexit_store::DASHBOARD.iter().filter(|(m, _)| metrics.contains(m)) {
            let rows: Vec<(String, i64)> =
                self.all(sql, [operator.map(OperatorId::as_str)], |r| Ok((r.get(0)?, r.get(1)?)))?;
            out.extend(rows.into_iter().map(|(k, n)| ((*metric).to_owned(), k, n)));
        }
        Ok(out)
    }

    fn invariant_counts(&mut self) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for (name, sql) in simexit_store::INVARIANTS.iter().chain(simexit_store::TALLIES) {
            let n = self.one(sql, [], |r| r.get(0))?.unwrap_or(0);
            out.push(((*name).to_owned(), n));
        }
        Ok(out)
    }

    fn queue_depths(&mut self, now: Timestamp) -> Result<Vec<(String, String, i64)>> {
        self.all(QUEUE_DEPTHS, [ts(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    }
}

#[cfg(test)]
mod tests {
    //! The queries that find what is due must each cost in proportion to what they return, not
    //! to the size of their table: a partial index holds only the rows still waiting, so the
    //! finished millions are never read. This holds every one of them to that.

    use super::*;
    use crate::tx::jobs::CLAIM_JOBS;
    use crate::tx::outbox::CLAIM_OUTBOX;

    /// SQLite's plan for `sql`, one line per step.
    fn plan(conn: &Connection, sql: &str) -> Vec<String> {
        let params = sql.matches('?').count();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let args: Vec<rusqlite::types::Value> = (0..params).map(|_| rusqlite::types::Value::Integer(1)).collect();
        stmt.query_map(rusqlite::params_from_iter(args.iter().take(stmt.parameter_count())), |r| r.get::<_, String>(3))
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
            ("number pool", sql::CLAIM_AVAILABLE_NUMBER, "numbers_pool"),
            ("review queue", sql::REVIEW_QUEUE, "termination_requests_review"),
            ("network alerts", sql::NETWORK_ALERTS, "network_tasks_alerts"),
            ("bulk run", sql::PENDING_BULK_LINES, "bulk_lines_pending"),
            ("documents due", sql::DOCUMENTS_DUE, "documents_due"),
            ("outbox", CLAIM_OUTBOX, "outbox_due"),
            ("jobs", CLAIM_JOBS, "jobs_due"),
        ] {
            check(&conn, name, sql, index);
        }
        // The depths /metrics reads on every scrape: one index per count.
        let depths = QUEUE_DEPTHS;
        for (index, uses) in [
            ("jobs_due", 3),
            ("jobs_failed", 1),
            ("outbox_due", 1),
            ("outbox_parked", 1),
            ("termination_requests_review", 2),
        ] {
            let steps = plan(&conn, depths);
            let n = steps.iter().filter(|s| s.contains(&format!("INDEX {index}"))).count();
            assert_eq!(n, uses, "queue depths use {index} {uses} times: {steps:?}");
        }
        let steps = plan(&conn, depths);
        let full = steps.iter().filter(|s| s.starts_with("SCAN") && !s.contains("INDEX")).collect::<Vec<_>>();
        assert!(full.is_empty(), "queue depths scan a table: {steps:?}");
    }

    fn check(conn: &Connection, name: &str, sql: &str, index: &str) {
        let steps = plan(conn, sql);
        assert!(steps.iter().any(|s| s.contains(&format!("INDEX {index}"))), "{name} does not use {index}: {steps:?}");
        // A step reading a whole table (not an index or a rowid range) would cost in
        // proportion to the inventory.
        let full = steps.iter().filter(|s| s.starts_with("SCAN") && !s.contains("INDEX")).collect::<Vec<_>>();
        assert!(full.is_empty(), "{name} scans a table: {steps:?}");
    }
}
