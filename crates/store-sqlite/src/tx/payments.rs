//! Payments from providers and cash desks.

use super::*;

fn payment(r: &Row<'_>) -> rusqlite::Result<PaymentRow> {
    Ok(PaymentRow {
        id: r.get(0)?,
        provider: r.get(1)?,
        provider_ref: r.get(2)?,
        line_id: r.get(3)?,
        operator: parsed(r, 4)?,
        amount: Money::from_kopecks(r.get(5)?),
        status: parsed(r, 6)?,
        confirmation_url: r.get(7)?,
        store_id: r.get(8)?,
        started_by: r.get(9)?,
        created_at: time(r, 10)?,
        settled_at: time_opt(r, 11)?,
        movement_id: r.get(12)?,
    })
}

impl PaymentsTx for SqliteTx<'_> {
    fn insert_payment(&mut self, p: &PaymentRow) -> Result<i64> {
        self.id(
            sql::INSERT_PAYMENT,
            params![
                p.provider,
                p.provider_ref,
                p.line_id,
                p.operator.as_str(),
                p.amount.kopecks(),
                p.status.as_str(),
                p.confirmation_url,
                p.store_id,
                p.started_by,
                ts(p.created_at),
                ts_opt(p.settled_at),
                p.movement_id
            ],
        )
    }

    fn payment(&mut self, id: i64) -> Result<Option<PaymentRow>> {
        self.one(sql::PAYMENT, [id], payment)
    }

    fn payment_by_ref(&mut self, provider: &str, provider_ref: &str) -> Result<Option<PaymentRow>> {
        self.one(sql::PAYMENT_BY_REF, [provider, provider_ref], payment)
    }

    fn update_payment(&mut self, p: &PaymentRow) -> Result<()> {
        self.exec(
            sql::UPDATE_PAYMENT,
            params![p.id, p.provider_ref, p.status.as_str(), p.confirmation_url, ts_opt(p.settled_at), p.movement_id],
        )
        .map(drop)
    }

    fn payments_of_line(&mut self, line_id: i64) -> Result<Vec<PaymentRow>> {
        self.all(sql::PAYMENTS_OF_LINE, [line_id], payment)
    }
}
