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
    })
}

impl StoresTx for SqliteTx<'_> {
    fn upsert_operator(&mut self, id: &OperatorId, name: &str, inn: &str) -> Result<()> {
        self.exec(
            "INSERT INTO operators (id, name, inn) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, inn = excluded.inn",
            params![id.as_str(), name, inn],
        )
        .map(drop)
    }

    fn upsert_store(&mut self, s: &StoreRow) -> Result<()> {
        self.exec(
            &format!(
                "INSERT INTO stores ({STORE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (id) DO UPDATE SET operator_id = excluded.operator_id, name = excluded.name,
                 address = excluded.address, region = excluded.region, time_zone = excluded.time_zone,
                 hours = excluded.hours, accepts_terminations = excluded.accepts_terminations,
                 recycles_sims = excluded.recycles_sims, wait_minutes = excluded.wait_minutes"
            ),
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
                s.wait_minutes
            ],
        )
        .map(drop)
    }

    fn stores(&mut self) -> Result<Vec<StoreRow>> {
        self.all(&format!("SELECT {STORE_COLS} FROM stores ORDER BY region, id"), [], store_row)
    }
}
