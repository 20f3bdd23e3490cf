//! The notification outbox.

use super::*;

pub(super) fn outbox(r: &Row) -> Result<OutboxRow> {
    Ok(OutboxRow {
        id: get(r, 0)?,
        channel: get(r, 1)?,
        recipient: get(r, 2)?,
        template: get(r, 3)?,
        language: get(r, 4)?,
        payload: get(r, 5)?,
        status: get(r, 6)?,
        attempts: get(r, 7)?,
        last_error: get(r, 8)?,
        created_at: time(r, 9)?,
        sent_at: time_opt(r, 10)?,
        next_attempt_at: time(r, 11)?,
        locked_until: time_opt(r, 12)?,
        provider_id: get(r, 13)?,
        delivery: get(r, 14)?,
        dedupe_key: get(r, 15)?,
        request_id: get(r, 16)?,
    })
}

impl OutboxTx for PgTx<'_> {
    fn insert_outbox(&mut self, m: &OutboxRow) -> Result<Option<i64>> {
        self.one(
            sql::INSERT_OUTBOX,
            &[
                &m.channel,
                &m.recipient,
                &m.template,
                &m.language,
                &m.payload,
                &m.status,
                &m.attempts,
                &m.last_error,
                &ts(m.created_at),
                &ts_opt(m.sent_at),
                &ts(m.next_attempt_at),
                &ts_opt(m.locked_until),
                &m.provider_id,
                &m.delivery,
                &m.dedupe_key,
                &m.request_id,
            ],
            |r| get(r, 0),
        )
    }

    fn outbox(&mut self, status: Option<&str>, operator: Option<&OperatorId>, n: u32) -> Result<Vec<OutboxRow>> {
        self.all(sql::OUTBOX, &[&status, &operator.map(OperatorId::as_str), &limit(n)], outbox)
    }

    fn outbox_message(&mut self, id: i64) -> Result<Option<OutboxRow>> {
        self.one(sql::OUTBOX_MESSAGE, &[&id], outbox)
    }

    fn outbox_by_provider_id(&mut self, channel: &str, provider_id: &str) -> Result<Option<OutboxRow>> {
        self.one(sql::OUTBOX_BY_PROVIDER_ID, &[&channel, &provider_id], outbox)
    }

    fn claim_outbox(&mut self, now: Timestamp, lease_until: Timestamp, n: u32) -> Result<Vec<OutboxRow>> {
        // SKIP LOCKED: two dispatchers claiming at once get disjoint messages.
        let mut claimed = self.all(
            &format!(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $2, locked_until = $2
                 WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1
                              ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
                 RETURNING {OUTBOX_COLS}"
            ),
            &[&ts(now), &ts(lease_until), &limit(n)],
            outbox,
        )?;
        claimed.sort_by_key(|m| m.id);
        Ok(claimed)
    }

    fn update_outbox(&mut self, m: &OutboxRow) -> Result<()> {
        self.exec(
            sql::UPDATE_OUTBOX,
            &[
                &m.id,
                &m.status,
                &m.attempts,
                &m.last_error,
                &ts_opt(m.sent_at),
                &ts(m.next_attempt_at),
                &ts_opt(m.locked_until),
                &m.provider_id,
                &m.delivery,
            ],
        )
        .map(drop)
    }

    fn outbox_counts(&mut self) -> Result<Vec<(String, i64)>> {
        self.all(sql::OUTBOX_COUNTS, &[], |r| Ok((get(r, 0)?, get(r, 1)?)))
    }
}
