//! What the reassigned-number lookups read: imported past events, a number's whole history, the national numbering plan.

use super::*;

impl LookupsTx for PgTx<'_> {
    fn insert_past_event(&mut self, e: &PastEventRow) -> Result<bool> {
        let n = self.exec(
            sql::INSERT_PAST_EVENT,
            &[&e.msisdn.as_str(), &ts(e.at), &e.kind, &e.operator.as_str(), &ts(e.history_since), &e.source],
        )?;
        Ok(n == 1)
    }

    fn past_events(&mut self, m: &Msisdn) -> Result<Vec<PastEventRow>> {
        self.all(sql::PAST_EVENTS, &[&m.as_str()], |r| {
            Ok(PastEventRow {
                msisdn: msisdn(r, 0)?,
                at: time(r, 1)?,
                kind: get(r, 2)?,
                operator: parsed(r, 3)?,
                history_since: time(r, 4)?,
                source: get(r, 5)?,
            })
        })
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
