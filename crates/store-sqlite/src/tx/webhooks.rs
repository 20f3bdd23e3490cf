//! Webhook subscriptions and their deliveries.

use super::bss::change;
use super::*;

fn webhook(r: &Row<'_>) -> rusqlite::Result<WebhookRow> {
    Ok(WebhookRow {
        id: r.get(0)?,
        url: r.get(1)?,
        events: r.get(2)?,
        secret: r.get(3)?,
        enabled: r.get(4)?,
        operator: parsed_opt(r, 5)?,
        last_change: r.get(6)?,
        created_at: time(r, 7)?,
        created_by: r.get(8)?,
    })
}

fn delivery(r: &Row<'_>) -> rusqlite::Result<DeliveryRow> {
    Ok(DeliveryRow {
        id: r.get(0)?,
        webhook_id: r.get(1)?,
        change_id: r.get(2)?,
        subject: r.get(3)?,
        status: r.get(4)?,
        attempts: r.get(5)?,
        next_attempt_at: time(r, 6)?,
        locked_until: time_opt(r, 7)?,
        last_error: r.get(8)?,
        response_status: r.get(9)?,
        delivered_at: time_opt(r, 10)?,
    })
}

impl WebhooksTx for SqliteTx<'_> {
    fn insert_webhook(&mut self, w: &WebhookRow) -> Result<i64> {
        self.id(
            sql::INSERT_WEBHOOK,
            params![
                w.url,
                w.events,
                w.secret,
                w.enabled,
                w.operator.as_ref().map(|o| o.as_str()),
                w.last_change,
                ts(w.created_at),
                w.created_by
            ],
        )
    }

    fn webhook(&mut self, id: i64) -> Result<Option<WebhookRow>> {
        self.one(sql::WEBHOOK, [id], webhook)
    }

    fn webhooks(&mut self) -> Result<Vec<WebhookRow>> {
        self.all(sql::WEBHOOKS, [], webhook)
    }

    fn update_webhook(&mut self, w: &WebhookRow) -> Result<()> {
        self.exec(sql::UPDATE_WEBHOOK, params![w.id, w.url, w.events, w.secret, w.enabled, w.last_change]).map(drop)
    }

    fn delete_webhook(&mut self, id: i64) -> Result<bool> {
        self.exec(sql::DELETE_WEBHOOK_DELIVERIES, [id])?;
        Ok(self.exec(sql::DELETE_WEBHOOK, [id])? > 0)
    }

    fn insert_delivery(&mut self, d: &DeliveryRow) -> Result<()> {
        self.exec(
            sql::INSERT_DELIVERY,
            params![d.webhook_id, d.change_id, d.subject, d.status, d.attempts, ts(d.next_attempt_at)],
        )
        .map(drop)
    }

    fn delivery(&mut self, id: i64) -> Result<Option<DeliveryRow>> {
        self.one(sql::DELIVERY, [id], delivery)
    }

    fn update_delivery(&mut self, d: &DeliveryRow) -> Result<()> {
        self.exec(
            sql::UPDATE_DELIVERY,
            params![
                d.id,
                d.status,
                d.attempts,
                ts(d.next_attempt_at),
                ts_opt(d.locked_until),
                d.last_error,
                d.response_status,
                ts_opt(d.delivered_at)
            ],
        )
        .map(drop)
    }

    fn due_deliveries(&mut self, now: Timestamp, limit: u32) -> Result<Vec<DeliveryRow>> {
        self.all(sql::DUE_DELIVERIES, params![ts(now), limit], delivery)
    }

    fn deliveries_of(&mut self, webhook_id: i64, limit: u32) -> Result<Vec<DeliveryRow>> {
        self.all(sql::DELIVERIES_OF, params![webhook_id, limit], delivery)
    }

    fn change(&mut self, id: i64) -> Result<Option<ChangeRow>> {
        self.one(sql::CHANGE, [id], change)
    }

    fn last_change_id(&mut self) -> Result<i64> {
        Ok(self.one(sql::LAST_CHANGE_ID, [], |r| r.get(0))?.unwrap_or_default())
    }
}
