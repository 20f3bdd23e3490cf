//! The notification outbox.

use super::*;

pub(super) fn outbox(r: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        channel: r.get(1)?,
        recipient: r.get(2)?,
        template: r.get(3)?,
        language: r.get(4)?,
        payload: r.get(5)?,
        status: r.get(6)?,
        attempts: r.get(7)?,
        last_error: r.get(8)?,
        created_at: time(r, 9)?,
        sent_at: time_opt(r, 10)?,
        next_attempt_at: time(r, 11)?,
        locked_until: time_opt(r, 12)?,
        provider_id: r.get(13)?,
        delivery: r.get(14)?,
        dedupe_key: r.get(15)?,
        request_id: r.get(16)?,
    })
}

impl OutboxTx for SqliteTx<'_> {
    fn insert_outbox(&mut self, m: &OutboxRow) -> Result<Option<i64>> {
        let cols = OUTBOX_COLS.trim_start_matches("id, ");
        let n = self.exec(
            &format!(
                "INSERT INTO outbox ({cols}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                 ON CONFLICT DO NOTHING"
            ),
            params![
                m.channel,
                m.recipient,
                m.template,
                m.language,
                m.payload,
                m.status,
                m.attempts,
                m.last_error,
                ts(m.created_at),
                ts_opt(m.sent_at),
                ts(m.next_attempt_at),
                ts_opt(m.locked_until),
                m.provider_id,
                m.delivery,
                m.dedupe_key,
                m.request_id
            ],
        )?;
        Ok((n == 1).then(|| self.conn.last_insert_rowid()))
    }

    fn outbox(&mut self, status: Option<&str>, limit: u32) -> Result<Vec<OutboxRow>> {
        self.all(
            &format!("SELECT {OUTBOX_COLS} FROM outbox WHERE (?1 IS NULL OR status = ?1) ORDER BY id DESC LIMIT ?2"),
            params![status, limit],
            outbox,
        )
    }

    fn outbox_message(&mut self, id: i64) -> Result<Option<OutboxRow>> {
        self.one(&format!("SELECT {OUTBOX_COLS} FROM outbox WHERE id = ?1"), [id], outbox)
    }

    fn outbox_by_provider_id(&mut self, channel: &str, provider_id: &str) -> Result<Option<OutboxRow>> {
        self.one(
            &format!(
                "SELECT {OUTBOX_COLS} FROM outbox WHERE provider_id = ?2 AND channel = ?1 ORDER BY id DESC LIMIT 1"
            ),
            params![channel, provider_id],
            outbox,
        )
    }

    fn claim_outbox(&mut self, now: Timestamp, lease_until: Timestamp, limit: u32) -> Result<Vec<OutboxRow>> {
        // The write transaction is BEGIN IMMEDIATE: no other dispatcher claims meanwhile.
        let mut claimed = self.all(&queues::claim_outbox(), params![ts(now), ts(lease_until), limit], outbox)?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    fn update_outbox(&mut self, m: &OutboxRow) -> Result<()> {
        self.exec(
            "UPDATE outbox SET status = ?2, attempts = ?3, last_error = ?4, sent_at = ?5, next_attempt_at = ?6,
             locked_until = ?7, provider_id = ?8, delivery = ?9 WHERE id = ?1",
            params![
                m.id,
                m.status,
                m.attempts,
                m.last_error,
                ts_opt(m.sent_at),
                ts(m.next_attempt_at),
                ts_opt(m.locked_until),
                m.provider_id,
                m.delivery
            ],
        )
        .map(drop)
    }

    fn outbox_counts(&mut self) -> Result<Vec<(String, i64)>> {
        self.all("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }
}
