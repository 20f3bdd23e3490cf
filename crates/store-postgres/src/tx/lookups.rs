//! What the reassigned-number lookups read: imported past events, a number's whole history, the national numbering plan.

use super::numbers::{assignment_at, number_at};
use super::*;

fn past_event_at(r: &Row, o: usize) -> Result<PastEventRow> {
    Ok(PastEventRow {
        msisdn: msisdn(r, o)?,
        at: time(r, o + 1)?,
        kind: get(r, o + 2)?,
        operator: parsed(r, o + 3)?,
        history_since: time(r, o + 4)?,
        source: get(r, o + 5)?,
    })
}

/// A number's row, its imported past and its holder periods in one statement (one round trip
/// instead of three): each branch fills its own columns — the number's 8, the past event's
/// 6, the period's 7 — and names itself in the last.
const NUMBER_HISTORY: &str = formatcp!(
    "SELECT {NUMBER_COLS}, {PAST_NULLS}, {PERIOD_NULLS}, 'n' FROM numbers WHERE msisdn = $1
     UNION ALL SELECT {NUMBER_NULLS}, {PAST_EVENT_COLS}, {PERIOD_NULLS}, 'p' FROM past_events WHERE msisdn = $1
     UNION ALL SELECT {NUMBER_NULLS}, {PAST_NULLS}, {ASSIGNMENT_COLS}, 'a' FROM number_assignments WHERE msisdn = $1"
);
const NUMBER_NULLS: &str =
    "NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint";
const PAST_NULLS: &str = "NULL::text, NULL::bigint, NULL::text, NULL::text, NULL::bigint, NULL::text";
const PERIOD_NULLS: &str =
    "NULL::bigint, NULL::text, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::text";

impl LookupsTx for PgTx<'_> {
    fn number_history(&mut self, m: &Msisdn) -> Result<NumberHistory> {
        let rows = self.all(NUMBER_HISTORY, &[&m.as_str()], |r| {
            let tag: String = get(r, 21)?;
            Ok(match tag.as_str() {
                "n" => (Some(number_at(r, 0)?), None, None),
                "p" => (None, Some(past_event_at(r, 8)?), None),
                _ => (None, None, Some(assignment_at(r, 14)?)),
            })
        })?;
        let mut h = NumberHistory::default();
        for (number, past, period) in rows {
            h.number = h.number.or(number);
            h.past.extend(past);
            h.periods.extend(period);
        }
        h.past.sort_by(|a, b| (a.at, &a.kind).cmp(&(b.at, &b.kind)));
        h.periods.sort_by_key(|p| (p.from, p.id));
        Ok(h)
    }

    fn insert_past_event(&mut self, e: &PastEventRow) -> Result<bool> {
        let n = self.exec(
            sql::INSERT_PAST_EVENT,
            &[&e.msisdn.as_str(), &ts(e.at), &e.kind, &e.operator.as_str(), &ts(e.history_since), &e.source],
        )?;
        Ok(n == 1)
    }

    fn past_events(&mut self, m: &Msisdn) -> Result<Vec<PastEventRow>> {
        self.all(sql::PAST_EVENTS, &[&m.as_str()], |r| past_event_at(r, 0))
    }

    fn extend_history(&mut self, operator: &OperatorId, since: Timestamp) -> Result<u64> {
        self.exec(sql::EXTEND_HISTORY, &[&operator.as_str(), &ts(since)])
    }

    fn clear_numbering(&mut self) -> Result<()> {
        self.exec(sql::CLEAR_NUMBERING, &[]).map(drop)
    }

    fn record_numbering_import(&mut self, source: &str, ranges: usize, at: Timestamp) -> Result<()> {
        let n = ranges as i64;
        self.exec(sql::RECORD_NUMBERING_IMPORT, &[&source, &n, &ts(at)]).map(drop)
    }

    fn append_numbering(&mut self, ranges: &[NumberRange]) -> Result<()> {
        let insert = self.prepared(sql::APPEND_NUMBERING)?;
        for r in ranges {
            let (def, from, to) = (i64::from(r.def), i64::from(r.from), i64::from(r.to));
            self.txn
                .execute(&insert, &[&def, &from, &to, &r.operator_name, &r.region, &r.territory, &r.inn])
                .map_err(store_error)?;
        }
        Ok(())
    }

    fn numbering_range(&mut self, def: u16, subscriber: u32) -> Result<Option<NumberRange>> {
        let (def, sub) = (i64::from(def), i64::from(subscriber));
        self.one(sql::NUMBERING_RANGE, &[&def, &sub], |r| {
            let num = |i: usize| -> Result<i64> { get(r, i) };
            Ok(NumberRange {
                def: u16::try_from(num(0)?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                from: u32::try_from(num(1)?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                to: u32::try_from(num(2)?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                operator_name: get(r, 3)?,
                region: get(r, 4)?,
                territory: get(r, 5)?,
                inn: get(r, 6)?,
            })
        })
    }
}
