//! Subscribers, their lines and the paid add-on services on each line.

use super::*;

pub(super) fn subscriber(r: &Row<'_>) -> rusqlite::Result<SubscriberRow> {
    Ok(SubscriberRow {
        id: r.get(0)?,
        category: parsed(r, 1)?,
        full_name: r.get(2)?,
        id_document_type: r.get(3)?,
        id_document_number: r.get(4)?,
        email: r.get(5)?,
        phone: r.get(6)?,
        language: parsed(r, 7)?,
    })
}

pub(super) fn line(r: &Row<'_>) -> rusqlite::Result<LineRow> {
    Ok(LineRow {
        id: r.get(0)?,
        msisdn: msisdn(r, 1)?,
        iccid: r.get(2)?,
        operator: parsed(r, 3)?,
        subscriber_id: r.get(4)?,
        state: parsed(r, 5)?,
        balance: Money::from_kopecks(r.get(6)?),
        opened_at: time(r, 7)?,
        terminated_at: time_opt(r, 8)?,
    })
}

pub(super) fn service(r: &Row<'_>) -> rusqlite::Result<ServiceRow> {
    Ok(ServiceRow {
        id: r.get(0)?,
        line_id: r.get(1)?,
        name: r.get(2)?,
        monthly_charge: Money::from_kopecks(r.get(3)?),
        started_at: time(r, 4)?,
        charged_until: time(r, 5)?,
        stopped_at: time_opt(r, 6)?,
    })
}

impl SubscribersLinesTx for SqliteTx<'_> {
    fn insert_subscriber(&mut self, s: &NewSubscriber) -> Result<i64> {
        self.id(
            sql::INSERT_SUBSCRIBER,
            params![
                s.category.as_str(),
                s.full_name,
                s.id_document_type,
                s.id_document_number,
                s.email,
                s.phone,
                s.language.as_str(),
                ts(s.created_at)
            ],
        )
    }

    fn subscriber(&mut self, id: i64) -> Result<Option<SubscriberRow>> {
        self.one(sql::SUBSCRIBER, [id], subscriber)
    }

    fn insert_line(&mut self, l: &NewLine) -> Result<i64> {
        self.id(
            sql::INSERT_LINE,
            params![l.msisdn.as_str(), l.iccid, l.operator.as_str(), l.subscriber_id, ts(l.opened_at)],
        )
    }

    fn line(&mut self, id: i64) -> Result<Option<LineRow>> {
        self.one(sql::LINE, [id], line)
    }

    fn line_by_msisdn(&mut self, msisdn: &Msisdn) -> Result<Option<LineRow>> {
        self.one(sql::LINE_BY_MSISDN, [msisdn.as_str()], line)
    }

    fn lines_of(&mut self, subscriber_id: i64) -> Result<Vec<LineRow>> {
        self.all(sql::LINES_OF, [subscriber_id], line)
    }

    fn update_line(&mut self, l: &LineRow) -> Result<()> {
        self.exec(sql::UPDATE_LINE, params![l.id, l.state.as_str(), ts_opt(l.terminated_at), l.iccid]).map(drop)
    }

    fn insert_service(&mut self, s: &ServiceRow) -> Result<i64> {
        self.id(
            sql::INSERT_SERVICE,
            params![
                s.line_id,
                s.name,
                s.monthly_charge.kopecks(),
                ts(s.started_at),
                ts(s.charged_until),
                ts_opt(s.stopped_at)
            ],
        )
    }

    fn service(&mut self, id: i64) -> Result<Option<ServiceRow>> {
        self.one(sql::SERVICE, [id], service)
    }

    fn services_of(&mut self, line_id: i64) -> Result<Vec<ServiceRow>> {
        self.all(sql::SERVICES_OF, [line_id], service)
    }

    fn update_service(&mut self, s: &ServiceRow) -> Result<()> {
        self.exec(
            sql::UPDATE_SERVICE,
            params![s.id, ts(s.charged_until), ts_opt(s.stopped_at), s.monthly_charge.kopecks()],
        )
        .map(drop)
    }
}
