//! Network deprovisioning and restoration tasks.

use super::*;

pub(super) fn network_task(r: &Row) -> Result<NetworkTaskRow> {
    let steps: String = get(r, 4)?;
    Ok(NetworkTaskRow {
        id: get(r, 0)?,
        request_id: get(r, 1)?,
        msisdn: msisdn(r, 2)?,
        direction: get(r, 3)?,
        steps: steps.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        done_steps: get(r, 5)?,
        status: get(r, 6)?,
        attempts: get(r, 7)?,
        last_error: get(r, 8)?,
        updated_at: time(r, 9)?,
    })
}

impl NetworkTx for PgTx<'_> {
    fn insert_network_task(&mut self, t: &NetworkTaskRow) -> Result<i64> {
        self.id(
            sql::INSERT_NETWORK_TASK,
            &[
                &t.request_id,
                &t.msisdn.as_str(),
                &t.direction,
                &t.steps.join(","),
                &t.done_steps,
                &t.status,
                &t.attempts,
                &t.last_error,
                &ts(t.updated_at),
            ],
        )
    }

    fn network_task(&mut self, id: i64) -> Result<Option<NetworkTaskRow>> {
        let q = self.locked(sql::NETWORK_TASK);
        self.one(&q, &[&id], network_task)
    }

    fn network_tasks_of(&mut self, request_id: i64) -> Result<Vec<NetworkTaskRow>> {
        self.all(sql::NETWORK_TASKS_OF, &[&request_id], network_task)
    }

    fn update_network_task(&mut self, t: &NetworkTaskRow) -> Result<()> {
        self.exec(
            sql::UPDATE_NETWORK_TASK,
            &[&t.id, &t.done_steps, &t.status, &t.attempts, &t.last_error, &ts(t.updated_at)],
        )
        .map(drop)
    }

    fn network_alerts(&mut self, operator: Option<&OperatorId>, n: u32) -> Result<Vec<NetworkTaskRow>> {
        self.all(sql::NETWORK_ALERTS, &[&limit(n), &operator.map(OperatorId::as_str)], network_task)
    }
}
