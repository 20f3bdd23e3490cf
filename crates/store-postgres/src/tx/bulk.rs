//! Bulk terminations and the selection reports that feed them.

use super::*;

pub(super) fn candidate(r: &Row) -> Result<CandidateLine> {
    Ok(CandidateLine {
        line_id: get(r, 0)?,
        msisdn: msisdn(r, 1)?,
        subscriber_id: get(r, 2)?,
        category: parsed(r, 3)?,
        opened_at: time(r, 4)?,
        operator: parsed(r, 5)?,
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
        self.all(sql::LINES_OF_HEAVY_HOLDERS, &[&more_than], candidate)
    }

    fn lines_unused_since(&mut self, since: Timestamp, n: u32) -> Result<Vec<CandidateLine>> {
        self.all(sql::LINES_UNUSED_SINCE, &[&ts(since), &limit(n)], candidate)
    }

    fn insert_bulk_run(&mut self, run: &BulkRunRow, lines: &[(i64, String)]) -> Result<bool> {
        let n = self.exec(
            sql::INSERT_BULK_RUN_1,
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
            self.exec(sql::INSERT_BULK_RUN_2, &[&run.id, line_no, msisdn])?;
        }
        Ok(true)
    }

    fn bulk_run(&mut self, id: &str) -> Result<Option<BulkRunRow>> {
        self.one(sql::BULK_RUN, &[&id], bulk_run)
    }

    fn pending_bulk_lines(&mut self, run_id: &str, n: u32) -> Result<Vec<BulkLineRow>> {
        self.all(sql::PENDING_BULK_LINES, &[&run_id, &limit(n)], bulk_line)
    }

    fn bulk_line(&mut self, run_id: &str, line_no: i64) -> Result<Option<BulkLineRow>> {
        let q = self.locked(sql::BULK_LINE);
        self.one(&q, &[&run_id, &line_no], bulk_line)
    }

    fn set_bulk_outcome(&mut self, l: &BulkLineRow) -> Result<()> {
        self.exec(sql::SET_BULK_OUTCOME, &[&l.run_id, &l.line_no, &l.outcome, &l.request_id, &l.detail]).map(drop)
    }

    fn bulk_counts(&mut self, run_id: &str) -> Result<Vec<(String, i64)>> {
        self.all(sql::BULK_COUNTS, &[&run_id], |r| Ok((get(r, 0)?, get(r, 1)?)))
    }

    fn finish_bulk_run(&mut self, id: &str, at: Timestamp) -> Result<()> {
        self.exec(sql::FINISH_BULK_RUN, &[&id, &ts(at)]).map(drop)
    }
}
