//! Bulk terminations and the selection reports that feed them.

use super::*;

pub(super) fn candidate(r: &Row) -> Result<CandidateLine> {
    Ok(CandidateLine {
        line_id: get(r, 0)?,
        msisdn: msisdn(r, 1)?,
        subscriber_id: get(r, 2)?,
        category: parsed(r, 3)?,
        opened_at: time(r, 4)?,
    })
}

pub(super) fn bulk_run(r: &Row) -> Result<BulkRunRow> {
    Ok(BulkRunRow {
        id: get(r, 0)?,
        reason: get(r, 1)?,
        source: get(r, 2)?,
        total: get(r, 3)?,
        created_by: get(r, 4)?,
        created_at: time(r, 5)?,
        finished_at: time_opt(r, 6)?,
    })
}

pub(super) fn bulk_line(r: &Row) -> Result<BulkLineRow> {
    Ok(BulkLineRow {
        run_id: get(r, 0)?,
        line_no: get(r, 1)?,
        msisdn: get(r, 2)?,
        outcome: get(r, 3)?,
        request_id: get(r, 4)?,
        detail: get(r, 5)?,
    })
}

impl BulkTx for PgTx<'_> {
    fn lines_of_heavy_holders(&mut self, more_than: i64) -> Result<Vec<CandidateLine>> {
        self.all(
            "SELECT l.id, l.msisdn, l.subscriber_id, s.category, l.opened_at FROM lines l
             JOIN subscribers s ON s.id = l.subscriber_id
             WHERE l.state IN ('active', 'suspended') AND l.subscriber_id IN (
                 SELECT subscriber_id FROM lines WHERE state IN ('active', 'suspended')
                 GROUP BY subscriber_id HAVING COUNT(*) > $1)
             ORDER BY l.subscriber_id, l.opened_at DESC, l.id DESC",
            &[&more_than],
            candidate,
        )
    }

    fn lines_unused_since(&mut self, since: Timestamp, n: u32) -> Result<Vec<CandidateLine>> {
        self.all(
            "SELECT l.id, l.msisdn, l.subscriber_id, s.category, l.opened_at FROM lines l
             JOIN subscribers s ON s.id = l.subscriber_id
             WHERE l.state IN ('active', 'suspended') AND l.opened_at <= $1 AND NOT EXISTS (
                 SELECT 1 FROM ledger_movements m
                 WHERE m.line_id = l.id AND m.at >= $1 AND m.kind IN ('charge', 'payment'))
             ORDER BY l.id LIMIT $2",
            &[&ts(since), &limit(n)],
            candidate,
        )
    }

    fn insert_bulk_run(&mut self, run: &BulkRunRow, lines: &[(i64, String)]) -> Result<bool> {
        let n = self.exec(
            &format!(
                "INSERT INTO bulk_runs ({BULK_RUN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
            ),
            &[
                &run.id,
                &run.reason,
                &run.source,
                &run.total,
                &run.created_by,
                &ts(run.created_at),
                &ts_opt(run.finished_at),
            ],
        )?;
        if n == 0 {
            return Ok(false);
        }
        for (line_no, msisdn) in lines {
            self.exec(
                "INSERT INTO bulk_lines (run_id, line_no, msisdn) VALUES ($1, $2, $3)",
                &[&run.id, line_no, msisdn],
            )?;
        }
        Ok(true)
    }

    fn bulk_run(&mut self, id: &str) -> Result<Option<BulkRunRow>> {
        self.one(&format!("SELECT {BULK_RUN_COLS} FROM bulk_runs WHERE id = $1"), &[&id], bulk_run)
    }

    fn pending_bulk_lines(&mut self, run_id: &str, n: u32) -> Result<Vec<BulkLineRow>> {
        self.all(
            &format!("SELECT {BULK_LINE_COLS} FROM bulk_lines WHERE run_id = $1 AND outcome IS NULL ORDER BY line_no LIMIT $2"),
            &[&run_id, &limit(n)],
            bulk_line,
        )
    }

    fn bulk_line(&mut self, run_id: &str, line_no: i64) -> Result<Option<BulkLineRow>> {
        let sql = format!("SELECT {BULK_LINE_COLS} FROM bulk_lines WHERE run_id = $1 AND line_no = $2{}", self.lock());
        self.one(&sql, &[&run_id, &line_no], bulk_line)
    }

    fn set_bulk_outcome(&mut self, l: &BulkLineRow) -> Result<()> {
        self.exec(
            "UPDATE bulk_lines SET outcome = $3, request_id = $4, detail = $5 WHERE run_id = $1 AND line_no = $2",
            &[&l.run_id, &l.line_no, &l.outcome, &l.request_id, &l.detail],
        )
        .map(drop)
    }

    fn bulk_counts(&mut self, run_id: &str) -> Result<Vec<(String, i64)>> {
        self.all(
            "SELECT COALESCE(outcome, 'pending'), COUNT(*) FROM bulk_lines WHERE run_id = $1 GROUP BY 1 ORDER BY 1",
            &[&run_id],
            |r| Ok((get(r, 0)?, get(r, 1)?)),
        )
    }

    fn finish_bulk_run(&mut self, id: &str, at: Timestamp) -> Result<()> {
        self.exec("UPDATE bulk_runs SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL", &[&id, &ts(at)])
            .map(drop)
    }
}
