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

/// Claims due messages: SQLite has one writer at a time, so no row is claimed twice.
pub(super) const CLAIM_OUTBOX: &str = formatcp!(
    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?2, locked_until = ?2
             WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?1
                          ORDER BY next_attempt_at, id LIMIT ?3)
             RETURNING {OUTBOX_COLS}"
);

impl OutboxTx for SqliteTx<'_> {
    fn insert_outbox(&mut self, m: &OutboxRow) -> Result<Option<i64>> {
        self.one(
            sql::INSERT_OUTBOX,
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
            |r| r.get(0),
        )
    }

    fn outbox(&mut self, status: Option<&str>, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<OutboxRow>> {
        self.all(sql::OUTBOX, params![status, operator.map(OperatorId::as_str), limit], outbox)
    }

    fn outbox_message(&mut self, id: i64) -> Result<Option<OutboxRow>> {
        self.one(sql::OUTBOX_MESSAGE, [id], outbox)
    }

    fn outbox_by_provider_id(&mut self, channel: &str, provider_id: &str) -> Result<Option<OutboxRow>> {
        self.one(sql::OUTBOX_BY_PROVIDER_ID, params![channel, provider_id], outbox)
    }

    fn claim_outbox(&mut self, now: Timestamp, lease_until: Timestamp, limit: u32) -> Result<Vec<OutboxRow>> {
        // The write transaction is BEGIN IMMEDIATE: no other dispatcher claims meanwhile.
        let mut claimed = self.all(CLAIM_OUTBOX, params![ts(now), ts(lease_until), limit], outbox)?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    fn update_outbox(&mut self, m: &OutboxRow) -> Result<()> {
        self.exec(
            sql::UPDATE_OUTBOX,
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
        self.all(sql::OUTBOX_COUNTS, [], |r| Ok((r.get(0)?, r.get(1)?)))
    }
}
