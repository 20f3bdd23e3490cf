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

    fn lookup_changes_after(&mut self, after: i64, limit: usize) -> Result<Option<Vec<(i64, Msisdn)>>> {
        let sql = "SELECT id, msisdn FROM lookup_changes WHERE id > ?1 ORDER BY id LIMIT ?2";
        let rows = self.all(sql, params![after, limit as i64], |r| Ok((r.get(0)?, msisdn(r, 1)?)))?;
        Ok(Some(rows))
    }

    fn lookup_change_bounds(&mut self) -> Result<Option<(i64, i64)>> {
        // The sequence keeps the last id handed out when pruning has emptied the log.
        let sql = "SELECT COALESCE((SELECT MIN(id) FROM lookup_changes), 0),
                          COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'lookup_changes'), 0)";
        self.one(sql, [], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    fn prune_lookup_changes(&mut self, keep: i64) -> Result<u64> {
        let sql = "DELETE FROM lookup_changes WHERE id <= (SELECT MAX(id) FROM lookup_changes) - ?1";
        Ok(self.exec(sql, [keep])? as u64)
    }

    fn number_histories_after(&mut self, after: &str, limit: usize) -> Result<Vec<(Msisdn, NumberHistory)>> {
        let numbers = self.all(
            formatcp!("SELECT {NUMBER_COLS} FROM numbers WHERE msisdn > ?1 ORDER BY msisdn LIMIT ?2"),
            params![after, limit as i64],
            number,
        )?;
        // The page ends at its last number; the last page takes every past event after it.
        let until = match numbers.last() {
            Some(n) if numbers.len() == limit => n.msisdn.as_str().to_owned(),
            _ => "~".to_owned(),
        };
        let past = self.all(
            formatcp!(
                "SELECT {PAST_EVENT_COLS} FROM past_events WHERE msisdn > ?1 AND msisdn <= ?2 ORDER BY msisdn, at, kind"
            ),
            params![after, until],
            past_event,
        )?;
        let periods = self.all(
            formatcp!(
                "SELECT {ASSIGNMENT_COLS} FROM number_assignments WHERE msisdn > ?1 AND msisdn <= ?2
                 ORDER BY msisdn, from_at, id"
            ),
            params![after, until],
            assignment,
        )?;
        let mut out: std::collections::BTreeMap<String, (Msisdn, NumberHistory)> = numbers
            .into_iter()
            .map(|n| {
                (
                    n.msisdn.as_str().to_owned(),
                    (n.msisdn.clone(), NumberHistory { number: Some(n), ..Default::default() }),
                )
            })
            .collect();
        for e in past {
            let key = e.msisdn.as_str().to_owned();
            let m = e.msisdn.clone();
            out.entry(key).or_insert_with(|| (m, NumberHistory::default())).1.past.push(e);
        }
        for a in periods {
            if let Some((_, h)) = out.get_mut(a.msisdn.as_str()) {
                h.periods.push(a);
            }
        }
        Ok(out.into_values().collect())
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
