//! Operators and their stores.

use super::*;

pub(super) fn store_row(r: &Row) -> Result<StoreRow> {
    Ok(StoreRow {
        id: get(r, 0)?,
        operator: parsed(r, 1)?,
        name: get(r, 2)?,
        address: get(r, 3)?,
        region: get(r, 4)?,
        time_zone: get(r, 5)?,
        hours: get(r, 6)?,
        accepts_terminations: get(r, 7)?,
        recycles_sims: get(r, 8)?,
        wait_minutes: get(r, 9)?,
        kind: get(r, 10)?,
        phone: get(r, 11)?,
    })
}

impl StoresTx for PgTx<'_> {
    fn upsert_operator(&mut self, id: &OperatorId, name: &str, inn: &str) -> Result<()> {
        self.exec(sql::UPSERT_OPERATOR, &[&id.as_str(), &name, &inn]).map(drop)
    }

    fn upsert_store(&mut self, s: &StoreRow) -> Result<()> {
        self.exec(
            sql::UPSERT_STORE,
            &[
                &s.id,
                &s.operator.as_str(),
                &s.name,
                &s.address,
                &s.region,
                &s.time_zone,
                &s.hours,
                &s.accepts_terminations,
                &s.recycles_sims,
                &s.wait_minutes,
                &s.kind,
                &s.phone,
            ],
        )
        .map(drop)
    }

    fn stores(&mut self) -> Result<Vec<StoreRow>> {
        self.all(sql::STORES, &[], store_row)
    }

    fn delete_store(&mut self, id: &str) -> Result<bool> {
        Ok(self.exec(sql::DELETE_STORE, &[&id])? > 0)
    }

    fn store_references(&mut self, id: &str) -> Result<i64> {
        Ok(self.one(sql::STORE_REFERENCES, &[&id], |r| get(r, 0))?.unwrap_or_default())
    }
}
