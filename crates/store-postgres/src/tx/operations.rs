//! What operators watch: the dashboard's counts, queue depths, invariant checks.

use super::*;

impl OperationsTx for PgTx<'_> {
    fn dashboard_counts(
        &mut self,
        metrics: &[&str],
        operator: Option<&OperatorId>,
    ) -> Result<Vec<(String, String, i64)>> {
        let mut out = Vec::new();
        for (metric, sql) in simexit_store::DASHBOARD.iter().filter(|(m, _)| metrics.contains(m)) {
            let rows: Vec<(String, i64)> =
                self.all(sql, &[&operator.map(OperatorId::as_str)], |r| Ok((get(r, 0)?, get(r, 1)?)))?;
            out.extend(rows.into_iter().map(|(k, n)| ((*metric).to_owned(), k, n)));
        }
        Ok(out)
    }

    fn invariant_counts(&mut self) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for (name, sql) in simexit_store::INVARIANTS.iter().chain(simexit_store::TALLIES) {
            let n: i64 = self.one(sql, &[], |r| get(r, 0))?.unwrap_or(0);
            out.push(((*name).to_owned(), n));
        }
        Ok(out)
    }

    fn queue_depths(&mut self, now: Timestamp) -> Result<Vec<(String, String, i64)>> {
        self.all(QUEUE_DEPTHS, &[&ts(now)], |r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?)))
    }
}
