//! Webhook subscriptions and their deliveries.

use super::bss::change;
use super::*;

fn webhook(r: &Row) -> Result<WebhookRow> {
    Ok(WebhookRow {
        id: get(r, 0)?,
        url: get(r, 1)?,
        events: get(r, 2)?,
        secret: get(r, 3)?,
        enabled: get(r, 4)?,
        operator: parsed_opt(r, 5)?,
        last_change: get(r, 6)?,
        created_at: time(r, 7)?,
        created_by: get(r, 8)?,
    })
}

fn delivery(r: &Row) -> Result<DeliveryRow> {
    Ok(DeliveryRow {
        id: get(r, 0)?,
        webhook_id: get(r, 1)?,
        change_id: get(r, 2)?,
        subject: get(r, 3)?,
        status: get(r, 4)?,
        attempts: get(r, 5)?,
        next_attempt_at: time(r, 6)?,
        locked_until: time_opt(r, 7)?,
        last_error: get(r, 8)?,
        response_status: get(r, 9)?,
        delivered_at: time_opt(r, 10)?,
    })
}

impl WebhooksTx for PgTx<'_> {
    fn insert_webhook(&mut self, w: &WebhookRow) -> Result<i64> {
        self.id(
            sql::INSERT_WEBHOOK,
            &[
                &w.url,
                &w.events,
                &w.secret,
                &w.enabled,
                &w.operator.as_ref().map(OperatorId::as_str),
                &w.last_change,
                &ts(w.created_at),
                &w.created_by,
            ],
        )
    }

    fn webhook(&mut self, id: i64) -> Result<Option<WebhookRow>> {
        let q = self.locked(sql::WEBHOOK);
        self.one(&q, &[&id], webhook)
    }

    fn webhooks(&mut self) -> Result<Vec<WebhookRow>> {
        self.all(sql::WEBHOOKS, &[], webhook)
    }

    fn update_webhook(&mut self, w: &WebhookRow) -> Result<()> {
        self.exec(sql::UPDATE_WEBHOOK, &[&w.id, &w.url, &w.events, &w.secret, &w.enabled, &w.last_change]).map(drop)
    }

    fn delete_webhook(&mut self, id: i64) -> Result<bool> {
        self.exec(sql::DELETE_WEBHOOK_DELIVERIES, &[&id])?;
        Ok(self.exec(sql::DELETE_WEBHOOK, &[&id])? > 0)
    }

    fn insert_delivery(&mut self, d: &DeliveryRow) -> Result<()> {
        self.exec(
            sql::INSERT_DELIVERY,
            &[&d.webhook_id, &d.change_id, &d.subject, &d.status, &d.attempts, &ts(d.next_attempt_at)],
        )
        .map(drop)
    }

    fn delivery(&mut self, id: i64) -> Result<Option<DeliveryRow>> {
        let q = self.locked(sql::DELIVERY);
        self.one(&q, &[&id], delivery)
    }

    fn update_delivery(&mut self, d: &DeliveryRow) -> Result<()> {
        self.exec(
            sql::UPDATE_DELIVERY,
            &[
                &d.id,
                &d.status,
                &d.attempts,
                &ts(d.next_attempt_at),
                &ts_opt(d.locked_until),
                &d.last_error,
                &d.response_status,
                &ts_opt(d.delivered_at),
            ],
        )
        .map(drop)
    }

    fn due_deliveries(&mut self, now: Timestamp, n: u32) -> Result<Vec<DeliveryRow>> {
        // Claimed by one instance at a time: the others skip what one has locked.
        let q = if self.write {
            format!("{} FOR UPDATE OF d SKIP LOCKED", sql::DUE_DELIVERIES)
        } else {
            sql::DUE_DELIVERIES.to_owned()
        };
        self.all(&q, &[&ts(now), &limit(n)], delivery)
    }

    fn deliveries_of(&mut self, webhook_id: i64, n: u32) -> Result<Vec<DeliveryRow>> {
        self.all(sql::DELIVERIES_OF, &[&webhook_id, &limit(n)], delivery)
    }

    fn change(&mut self, id: i64) -> Result<Option<ChangeRow>> {
        self.one(sql::CHANGE, &[&id], change)
    }

    fn last_change_id(&mut self) -> Result<i64> {
        Ok(self.one(sql::LAST_CHANGE_ID, &[], |r| get(r, 0))?.unwrap_or_default())
    }
}
