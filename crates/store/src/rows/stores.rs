//! Rows of stores.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreRow {
    pub id: String,
    pub operator: OperatorId,
    pub name: String,
    pub address: String,
    pub region: String,
    pub time_zone: String,
    /// [`simexit_domain::store_hours::OpeningHours`] as JSON.
    pub hours: String,
    pub accepts_terminations: bool,
    pub recycles_sims: bool,
    pub wait_minutes: i64,
    /// `store` (a sales and service point) or `recycling_point` (takes SIM cards back only).
    pub kind: String,
    /// The store's phone, as the operator writes it ("" when none).
    pub phone: String,
}
