//! Network deprovisioning and restoration tasks.

use super::*;

pub(super) fn network_task(r: &Row<'_>) -> rusqlite::Result<NetworkTaskRow> {
    let steps: String = r.get(4)?;
    Ok(NetworkTaskRow {
        id: r.get(0)?,
        request_id: r.get(1)?,
        msisdn: msisdn(r, 2)?,
        direction: r.get(3)?,
        steps: steps.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        done_steps: r.get(5)?,
        status: r.get(6)?,
        attempts: r.get(7)?,
        last_error: r.get(8)?,
        updated_at: time(r, 9)?,
    })
}

impl NetworkTx for SqliteTx<'_> {
    fn insert_network_task(&mut self, t: &NetworkTaskRow) -> Result<i64> {
        self.id(
            sql::INSERT_NETWORK_TASK,
            params![
                t.request_id,
                t.msisdn.as_str(),
                t.direction,
                t.steps.join(","),
                t.done_steps,
                t.status,
                t.attempts,
                t.last_error,
                ts(t.updated_at)
            ],
        )
    }

    fn network_task(&mut self, id: i64) -> Result<Option<NetworkTaskRow>> {
        self.one(sql::NETWORK_TASK, [id], network_task)
    }

    fn network_tasks_of(&mut self, request_id: i64) -> Result<Vec<NetworkTaskRow>> {
        self.all(sql::NETWORK_TASKS_OF, [request_id], network_task)
    }

    fn update_network_task(&mut self, t: &NetworkTaskRow) -> Result<()> {
        self.exec(
            sql::UPDATE_NETWORK_TASK,
            params![t.id, t.done_steps, t.status, t.attempts, t.last_error, ts(t.updated_at)],
        )
        .map(drop)
    }

    fn network_alerts(&mut self, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<NetworkTaskRow>> {
        self.all(sql::NETWORK_ALERTS, params![limit, operator.map(OperatorId::as_str)], network_task)
    }
}
