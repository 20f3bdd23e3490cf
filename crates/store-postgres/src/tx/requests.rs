//! Termination requests and their events.

use super::*;

pub(super) fn request(r: &Row) -> Result<RequestRow> {
    Ok(RequestRow {
        id: get(r, 0)?,
        line_id: get(r, 1)?,
        subscriber_id: get(r, 2)?,
        operator: parsed(r, 3)?,
        msisdn: msisdn(r, 4)?,
        channel: parsed(r, 5)?,
        reason: parsed(r, 6)?,
        state: parsed(r, 7)?,
        line_state_before: parsed(r, 8)?,
        store_id: get(r, 9)?,
        created_by: get(r, 10)?,
        created_at: time(r, 11)?,
        submitted_at: time_opt(r, 12)?,
        review_deadline: time_opt(r, 13)?,
        review_deadline_date: parsed_opt(r, 14)?,
        deadline_fallback: get(r, 15)?,
        overdue: get(r, 16)?,
        decided_at: time_opt(r, 17)?,
        completed_at: time_opt(r, 18)?,
        aging_until: time_opt(r, 19)?,
        closed_at: time_opt(r, 20)?,
        note: get(r, 21)?,
        updated_at: time(r, 22)?,
        settlement: SettlementChoice {
            kind: parsed_opt(r, 23)?,
            transfer_to_line: get(r, 24)?,
            refund_name: get(r, 25)?,
            refund_bik: get(r, 26)?,
            refund_account: get(r, 27)?,
        },
        review_paused_days: get(r, 28)?,
    })
}

pub(super) fn event(r: &Row) -> Result<EventRow> {
    Ok(EventRow {
        id: get(r, 0)?,
        request_id: get(r, 1)?,
        at: time(r, 2)?,
        actor: get(r, 3)?,
        action: get(r, 4)?,
        from_state: parsed(r, 5)?,
        to_state: parsed(r, 6)?,
        reason: get(r, 7)?,
    })
}

impl RequestsTx for PgTx<'_> {
    fn insert_request(&mut self, r: &RequestRow) -> Result<i64> {
        self.id(
            sql::INSERT_REQUEST,
            &[
                &r.line_id,
                &r.subscriber_id,
                &r.operator.as_str(),
                &r.msisdn.as_str(),
                &r.channel.as_str(),
                &r.reason.as_str(),
                &r.state.as_str(),
                &r.line_state_before.as_str(),
                &r.store_id,
                &r.created_by,
                &ts(r.created_at),
                &ts_opt(r.submitted_at),
                &ts_opt(r.review_deadline),
                &r.review_deadline_date.map(|d| d.to_string()),
                &r.deadline_fallback,
                &r.overdue,
                &ts_opt(r.decided_at),
                &ts_opt(r.completed_at),
                &ts_opt(r.aging_until),
                &ts_opt(r.closed_at),
                &r.note,
                &ts(r.updated_at),
                &r.settlement.kind.map(|k| k.as_str()),
                &r.settlement.transfer_to_line,
                &r.settlement.refund_name,
                &r.settlement.refund_bik,
                &r.settlement.refund_account,
                &r.review_paused_days,
            ],
        )
    }

    fn request(&mut self, id: i64) -> Result<Option<RequestRow>> {
        // Locking the request serialises concurrent transitions of it across instances: the
        // second waits, then sees the first one's state (and is refused if it is now illegal).
        let q = self.locked(sql::REQUEST);
        self.one(&q, &[&id], request)
    }

    fn open_request_for_line(&mut self, line_id: i64) -> Result<Option<RequestRow>> {
        self.one(sql::OPEN_REQUEST_FOR_LINE, &[&line_id], request)
    }

    fn update_request(&mut self, r: &RequestRow) -> Result<()> {
        self.exec(
            sql::UPDATE_REQUEST,
            &[
                &r.id,
                &r.state.as_str(),
                &ts_opt(r.submitted_at),
                &ts_opt(r.review_deadline),
                &r.review_deadline_date.map(|d| d.to_string()),
                &r.deadline_fallback,
                &r.overdue,
                &ts_opt(r.decided_at),
                &ts_opt(r.completed_at),
                &ts_opt(r.aging_until),
                &ts_opt(r.closed_at),
                &r.note,
                &ts(r.updated_at),
                &r.store_id,
                &r.settlement.kind.map(|k| k.as_str()),
                &r.settlement.transfer_to_line,
                &r.settlement.refund_name,
                &r.settlement.refund_bik,
                &r.settlement.refund_account,
                &r.review_paused_days,
            ],
        )
        .map(drop)
    }

    fn review_queue(&mut self, operator: Option<&OperatorId>, n: u32) -> Result<Vec<RequestRow>> {
        self.all(sql::REVIEW_QUEUE, &[&operator.map(OperatorId::as_str), &limit(n)], request)
    }

    fn requests_of(&mut self, subscriber_id: i64) -> Result<Vec<RequestRow>> {
        self.all(sql::REQUESTS_OF, &[&subscriber_id], request)
    }

    fn requests_at_store(&mut self, store_id: &str, limit: u32) -> Result<Vec<RequestRow>> {
        self.all(sql::REQUESTS_AT_STORE, &[&store_id, &i64::from(limit)], request)
    }

    fn insert_event(&mut self, e: &NewEvent) -> Result<()> {
        self.exec(
            sql::INSERT_EVENT,
            &[&e.request_id, &ts(e.at), &e.actor, &e.action, &e.from_state.as_str(), &e.to_state.as_str(), &e.reason],
        )
        .map(drop)
    }

    fn events(&mut self, request_id: i64) -> Result<Vec<EventRow>> {
        self.all(sql::EVENTS, &[&request_id], event)
    }
}
