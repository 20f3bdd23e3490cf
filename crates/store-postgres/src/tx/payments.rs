//! Payments from providers and cash desks.

use super::*;

fn payment(r: &Row) -> Result<PaymentRow> {
    Ok(PaymentRow {
        id: get(r, 0)?,
        provider: get(r, 1)?,
        provider_ref: get(r, 2)?,
        line_id: get(r, 3)?,
        operator: parsed(r, 4)?,
        amount: Money::from_kopecks(get(r, 5)?),
        status: parsed(r, 6)?,
        confirmation_url: get(r, 7)?,
        store_id: get(r, 8)?,
        started_by: get(r, 9)?,
        created_at: time(r, 10)?,
        settled_at: time_opt(r, 11)?,
        movement_id: get(r, 12)?,
    })
}

impl PaymentsTx for PgTx<'_> {
    fn insert_payment(&mut self, p: &PaymentRow) -> Result<i64> {
        self.id(
            sql::INSERT_PAYMENT,
            &[
                &p.provider,
                &p.provider_ref,
                &p.line_id,
                &p.operator.as_str(),
                &p.amount.kopecks(),
                &p.status.as_str(),
                &p.confirmation_url,
                &p.store_id,
                &p.started_by,
                &ts(p.created_at),
                &ts_opt(p.settled_at),
                &p.movement_id,
            ],
        )
    }

    fn payment(&mut self, id: i64) -> Result<Option<PaymentRow>> {
        let q = self.locked(sql::PAYMENT);
        self.one(&q, &[&id], payment)
    }

    fn payment_by_ref(&mut self, provider: &str, provider_ref: &str) -> Result<Option<PaymentRow>> {
        let q = self.locked(sql::PAYMENT_BY_REF);
        self.one(&q, &[&provider, &provider_ref], payment)
    }

    fn update_payment(&mut self, p: &PaymentRow) -> Result<()> {
        self.exec(
            sql::UPDATE_PAYMENT,
            &[&p.id, &p.provider_ref, &p.status.as_str(), &p.confirmation_url, &ts_opt(p.settled_at), &p.movement_id],
        )
        .map(drop)
    }

    fn payments_of_line(&mut self, line_id: i64) -> Result<Vec<PaymentRow>> {
        self.all(sql::PAYMENTS_OF_LINE, &[&line_id], payment)
    }
}
