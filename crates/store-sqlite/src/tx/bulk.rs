//! Bulk terminations and the selection reports that feed them.

use super::*;

pub(super) fn candidate(r: &Row<'_>) -> rusqlite::Result<CandidateLine> {
    Ok(CandidateLine {
        line_id: r.get(0)?,
        msisdn: msisdn(r, 1)?,
        subscriber_id: r.get(2)?,
        category: parsed(r, 3)?,
        opened_at: time(r, 4)?,
        operator: parsed(r, 5)?,
    })
}

pub(super) fn bulk_run(r: &Row<'_>) -> rusqlite::Result<BulkRunRow> {
    Ok(BulkRunRow {
        id: r.get(0)?,
        reason: r.get(1)?,
        source: r.get(2)?,
        total: r.get(3)?,
        created_by: r.get(4)?,
        created_at: time(r, 5)?,
        finished_at: time_opt(r, 6)?,
    })
}

pub(super) fn bulk_line(r: &Row<'_>) -> rusqlite::Result<BulkLineRow> {
    Ok(BulkLineRow {
        run_id: r.get(0)?,
        line_no: r.get(1)?,
        msisdn: r.get(2)?,
        outcome: r.get(3)?,
        request_id: r.get(4)?,
        detail: r.get(5)?,
    })
}

impl BulkTx for SqliteTx<'_> {
    fn lines_of_heavy_holders(&mut self, more_than: i64) -> Result<Vec<CandidateLine>> {
        self.all(sql::LINES_OF_HEAVY_HOLDERS, [more_than], candidate)
    }

    fn lines_unused_since(&mut self, since: Timestamp, limit: u32) -> Result<Vec<CandidateLine>> {
        self.all(sql::LINES_UNUSED_SINCE, params![ts(since), limit], candidate)
    }

    fn insert_bulk_run(&mut self, run: &BulkRunRow, lines: &[(i64, String)]) -> Result<bool> {
        let n = self.exec(
            sql::INSERT_BULK_RUN_1,
            params![
                run.id,
                run.reason,
                run.source,
                run.total,
                run.created_by,
                ts(run.created_at),
                ts_opt(run.finished_at)
            ],
        )?;
        if n == 0 {
            return Ok(false);
        }
        for (line_no, msisdn) in lines {
            self.exec(sql::INSERT_BULK_RUN_2, params![run.id, line_no, msisdn])?;
        }
        Ok(true)
    }

    fn bulk_run(&mut self, id: &str) -> Result<Option<BulkRunRow>> {
        self.one(sql::BULK_RUN, [id], bulk_run)
    }

    fn pending_bulk_lines(&mut self, run_id: &str, limit: u32) -> Result<Vec<BulkLineRow>> {
        self.all(sql::PENDING_BULK_LINES, params![run_id, limit], bulk_line)
    }

    fn bulk_line(&mut self, run_id: &str, line_no: i64) -> Result<Option<BulkLineRow>> {
        self.one(sql::BULK_LINE, params![run_id, line_no], bulk_line)
    }

    fn set_bulk_outcome(&mut self, l: &BulkLineRow) -> Result<()> {
        self.exec(sql::SET_BULK_OUTCOME, params![l.run_id, l.line_no, l.outcome, l.request_id, l.detail]).map(drop)
    }

    fn bulk_counts(&mut self, run_id: &str) -> Result<Vec<(String, i64)>> {
        self.all(sql::BULK_COUNTS, [run_id], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    fn finish_bulk_run(&mut self, id: &str, at: Timestamp) -> Result<()> {
        self.exec(sql::FINISH_BULK_RUN, params![id, ts(at)]).map(drop)
    }
}
