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
        let cols = NETWORK_COLS.trim_start_matches("id, ");
        self.id(
            &format!("INSERT INTO network_tasks ({cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"),
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
        let sql = format!("SELECT {NETWORK_COLS} FROM network_tasks WHERE id = $1{}", self.lock());
        self.one(&sql, &[&id], network_task)
    }

    fn network_tasks_of(&mut self, request_id: i64) -> Result<Vec<NetworkTaskRow>> {
        self.all(
            &format!("SELECT {NETWORK_COLS} FROM network_tasks WHERE request_id = $1 ORDER BY id"),
            &[&request_id],
            network_task,
        )
    }

    fn update_network_task(&mut self, t: &NetworkTaskRow) -> Result<()> {
        self.exec(
            "UPDATE network_tasks SET done_steps = $2, status = $3, attempts = $4, last_error = $5, updated_at = $6 WHERE id = $1",
            &[&t.id, &t.done_steps, &t.status, &t.attempts, &t.last_error, &ts(t.updated_at)],
        )
        .map(drop)
    }

    fn network_alerts(&mut self, n: u32) -> Result<Vec<NetworkTaskRow>> {
        self.all(
            &format!(
                "SELECT {NETWORK_COLS} FROM network_tasks WHERE status = 'alert' ORDER BY updated_at, id LIMIT $1"
            ),
            &[&limit(n)],
            network_task,
        )
    }
}
