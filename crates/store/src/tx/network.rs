//! Network deprovisioning and restoration tasks.

use super::*;

pub trait NetworkTx {
    fn insert_network_task(&mut self, task: &NetworkTaskRow) -> Result<i64>;
    fn network_task(&mut self, id: i64) -> Result<Option<NetworkTaskRow>>;
    fn network_tasks_of(&mut self, request_id: i64) -> Result<Vec<NetworkTaskRow>>;
    fn update_network_task(&mut self, task: &NetworkTaskRow) -> Result<()>;
    /// Tasks whose step keeps failing, oldest first; of one operator's requests when given.
    fn network_alerts(&mut self, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<NetworkTaskRow>>;
}

/// The statements both backends run (placeholders `?N`).
pub mod sql {
    use const_format::formatcp;

    use crate::columns::*;

    pub const INSERT_NETWORK_TASK: &str = formatcp!(
        "INSERT INTO network_tasks ({NETWORK_FIELDS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id"
    );
    pub const NETWORK_TASKS_OF: &str =
        formatcp!("SELECT {NETWORK_COLS} FROM network_tasks WHERE request_id = ?1 ORDER BY id");
    pub const UPDATE_NETWORK_TASK: &str = "UPDATE network_tasks SET done_steps = ?2, status = ?3, attempts = ?4, last_error = ?5, updated_at = ?6 WHERE id = ?1";
    pub const NETWORK_TASK: &str = formatcp!("SELECT {NETWORK_COLS} FROM network_tasks WHERE id = ?1");
    pub const NETWORK_ALERTS: &str =
        formatcp!("SELECT {NETWORK_COLS} FROM network_tasks WHERE status = 'alert'
         AND (CAST(?2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM termination_requests r WHERE r.id = network_tasks.request_id AND r.operator_id = ?2)) ORDER BY updated_at, id LIMIT ?1");
}
