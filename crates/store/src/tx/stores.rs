//! Operators and their stores.

use super::*;

pub trait StoresTx {
    fn upsert_operator(&mut self, id: &OperatorId, name: &str, inn: &str) -> Result<()>;
    fn upsert_store(&mut self, store: &StoreRow) -> Result<()>;
    fn stores(&mut self) -> Result<Vec<StoreRow>>;
}
