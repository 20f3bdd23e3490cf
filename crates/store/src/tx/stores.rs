//! Operators and their stores.

use super::*;

pub trait StoresTx {
    fn upsert_operator(&mut self, id: &OperatorId, name: &str, inn: &str) -> Result<()>;
    fn upsert_store(&mut self, store: &StoreRow) -> Result<()>;
    fn stores(&mut self) -> Result<Vec<StoreRow>>;
    /// Removes a store; false when there was none.
    fn delete_store(&mut self, id: &str) -> Result<bool>;
    /// How many staff accounts and termination requests name the store.
    fn store_references(&mut self, id: &str) -> Result<i64>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const UPSERT_OPERATOR: &str = "INSERT INTO operators (id, name, inn) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, inn = excluded.inn";
    pub const UPSERT_STORE: &str = formatcp!(
        "INSERT INTO stores ({STORE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET operator_id = excluded.operator_id, name = excluded.name,
         address = excluded.address, region = excluded.region, time_zone = excluded.time_zone,
         hours = excluded.hours, accepts_terminations = excluded.accepts_terminations,
         recycles_sims = excluded.recycles_sims, wait_minutes = excluded.wait_minutes,
         kind = excluded.kind, phone = excluded.phone"
    );
    pub const DELETE_STORE: &str = "DELETE FROM stores WHERE id = ?1";
    pub const STORE_REFERENCES: &str = "SELECT (SELECT COUNT(*) FROM accounts WHERE store_id = ?1)
         + (SELECT COUNT(*) FROM termination_requests WHERE store_id = ?1)";
    pub const STORES: &str = formatcp!("SELECT {STORE_COLS} FROM stores ORDER BY region, id");
}
