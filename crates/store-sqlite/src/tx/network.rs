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
        let cols = NETWORK_COLS.trim_start_matches("id, ");
        self.insert(
            &format!("INSERT INTO network_tasks ({cols}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
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
        self.one(&format!("SELECT {NETWORK_COLS} FROM network_tasks WHERE id = ?1"), [id], network_task)
    }

    fn network_tasks_of(&mut self, request_id: i64) -> Result<Vec<NetworkTaskRow>> {
        self.all(
            &format!("SELECT {NETWORK_COLS} FROM network_tasks WHERE request_id = ?1 ORDER BY id"),
            [request_id],
            network_task,
        )
    }

    fn update_network_task(&mut self, t: &NetworkTaskRow) -> Result<()> {
        self.exec(
            "UPDATE network_tasks SET done_steps = ?2, status = ?3, attempts = ?4, last_error = ?5, updated_at = ?6 WHERE id = ?1",
            params![t.id, t.done_steps, t.status, t.attempts, t.last_error, ts(t.updated_at)],
        )
        .map(drop)
    }

    fn network_alerts(&mut self, limit: u32) -> Result<Vec<NetworkTaskRow>> {
        self.all(&queues::network_alerts(), [limit], network_task)
    }
}
