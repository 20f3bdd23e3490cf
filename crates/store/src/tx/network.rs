//! Network deprovisioning and restoration tasks.

use super::*;

pub trait NetworkTx {
    fn insert_network_task(&mut self, task: &NetworkTaskRow) -> Result<i64>;
    fn network_task(&mut self, id: i64) -> Result<Option<NetworkTaskRow>>;
    fn network_tasks_of(&mut self, request_id: i64) -> Result<Vec<NetworkTaskRow>>;
    fn update_network_task(&mut self, task: &NetworkTaskRow) -> Result<()>;
    /// Tasks whose step keeps failing, oldest first.
    fn network_alerts(&mut self, limit: u32) -> Result<Vec<NetworkTaskRow>>;
}
