//! Operators and their stores.

use super::*;

pub(super) fn store_row(r: &Row<'_>) -> rusqlite::Result<StoreRow> {
    Ok(StoreRow {
        id: r.get(0)?,
        operator: parsed(r, 1)?,
        name: r.get(2)?,
        address: r.get(3)?,
        region: r.get(4)?,
        time_zone: r.get(5)?,
        hours: r.get(6)?,
        accepts_terminations: r.get(7)?,
        recycles_sims: r.get(8)?,
        wait_minutes: r.get(9)?,
        kind: r.get(10)?,
        phone: r.get(11)?,
    })
}

impl StoresTx for SqliteTx<'_> {
    fn upsert_operator(&mut self, id: &OperatorId, name: &str, inn: &str) -> Result<()> {
        self.exec(sql::UPSERT_OPERATOR, params![id.as_str(), name, inn]).map(drop)
    }

    fn upsert_store(&mut self, s: &StoreRow) -> Result<()> {
        self.exec(
            sql::UPSERT_STORE,
            params![
                s.id,
                s.operator.as_str(),
                s.name,
                s.address,
                s.region,
                s.time_zone,
                s.hours,
                s.accepts_terminations,
                s.recycles_sims,
                s.wait_minutes,
                s.kind,
                s.phone
            ],
        )
        .map(drop)
    }

    fn stores(&mut self) -> Result<Vec<StoreRow>> {
        self.all(sql::STORES, [], store_row)
    }

    fn delete_store(&mut self, id: &str) -> Result<bool> {
        Ok(self.exec(sql::DELETE_STORE, [id])? > 0)
    }

    fn store_references(&mut self, id: &str) -> Result<i64> {
        Ok(self.one(sql::STORE_REFERENCES, [id], |r| r.get(0))?.unwrap_or_default())
    }
}
