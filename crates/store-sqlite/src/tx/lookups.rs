//! What the reassigned-number lookups read: imported past events, a number's whole history, the national numbering plan.

use super::numbers::{assignment, number};
use super::*;

pub(super) fn past_event(r: &Row<'_>) -> rusqlite::Result<PastEventRow> {
    Ok(PastEventRow {
        msisdn: msisdn(r, 0)?,
        at: time(r, 1)?,
        kind: r.get(2)?,
        operator: parsed(r, 3)?,
        history_since: time(r, 4)?,
        source: r.get(5)?,
    })
}

impl LookupsTx for SqliteTx<'_> {
    fn insert_past_event(&mut self, e: &PastEventRow) -> Result<bool> {
        let n = self.exec(
            sql::INSERT_PAST_EVENT,
            params![e.msisdn.as_str(), ts(e.at), e.kind, e.operator.as_str(), ts(e.history_since), e.source],
        )?;
        Ok(n == 1)
    }

    fn past_events(&mut self, m: &Msisdn) -> Result<Vec<PastEventRow>> {
        self.all(sql::PAST_EVENTS, [m.as_str()], past_event)
    }

    fn number_history(&mut self, m: &Msisdn) -> Result<NumberHistory> {
        // One statement, so one snapshot without a transaction: the number's row, its past
        // events and its periods, padded to one width and tagged in the last column.
        let sql = format!(
            "SELECT {NUMBER_COLS}, 'n' FROM numbers WHERE msisdn = ?1
             UNION ALL SELECT {PAST_EVENT_COLS}, NULL, NULL, 'p' FROM past_events WHERE msisdn = ?1
             UNION ALL SELECT {ASSIGNMENT_COLS}, NULL, 'a' FROM number_assignments WHERE msisdn = ?1"
        );
        let mut h = NumberHistory::default();
        let mut stmt = self.stmt(&sql).map_err(store_error)?;
        let mut rows = stmt.query([m.as_str()]).map_err(store_error)?;
        while let Some(r) = rows.next().map_err(store_error)? {
            let tag: String = r.get(8).map_err(store_error)?;
            match tag.as_str() {
                "n" => h.number = Some(number(r).map_err(store_error)?),
                "p" => h.past.push(past_event(r).map_err(store_error)?),
                _ => h.periods.push(assignment(r).map_err(store_error)?),
            }
        }
        h.past.sort_by(|a, b| (a.at, &a.kind).cmp(&(b.at, &b.kind)));
        h.periods.sort_by_key(|p| (p.from, p.id));
        Ok(h)
    }

    fn extend_history(&mut self, operator: &OperatorId, since: Timestamp) -> Result<u64> {
        let n = self.exec(sql::EXTEND_HISTORY, params![operator.as_str(), ts(since)])?;
        Ok(n as u64)
    }

    fn append_numbering(&mut self, ranges: &[NumberRange]) -> Result<()> {
        for r in ranges {
            self.exec(
                sql::APPEND_NUMBERING,
                params![r.def, r.from, r.to, r.operator_name, r.region, r.territory, r.inn],
            )?;
        }
        Ok(())
    }

    fn clear_numbering(&mut self) -> Result<()> {
        self.exec(sql::CLEAR_NUMBERING, []).map(drop)
    }

    fn record_numbering_import(&mut self, source: &str, ranges: usize, at: Timestamp) -> Result<()> {
        self.exec(sql::RECORD_NUMBERING_IMPORT, params![source, ranges as i64, ts(at)]).map(drop)
    }

    fn numbering_range(&mut self, def: u16, subscriber: u32) -> Result<Option<NumberRange>> {
        self.one(sql::NUMBERING_RANGE, params![def, subscriber], |r| {
            Ok(NumberRange {
                def: r.get(0)?,
                from: r.get(1)?,
                to: r.get(2)?,
                operator_name: r.get(3)?,
                region: r.get(4)?,
                territory: r.get(5)?,
                inn: r.get(6)?,
            })
        })
    }
}
