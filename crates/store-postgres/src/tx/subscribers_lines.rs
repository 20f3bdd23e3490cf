//! Subscribers, their lines and the paid add-on services on each line.

use super::*;

pub(super) fn subscriber(r: &Row) -> Result<SubscriberRow> {
    Ok(SubscriberRow {
        id: get(r, 0)?,
        category: parsed(r, 1)?,
        full_name: get(r, 2)?,
        id_document_type: get(r, 3)?,
        id_document_number: get(r, 4)?,
        email: get(r, 5)?,
        phone: get(r, 6)?,
        language: parsed(r, 7)?,
    })
}

pub(super) fn line(r: &Row) -> Result<LineRow> {
    Ok(LineRow {
        id: get(r, 0)?,
        msisdn: msisdn(r, 1)?,
        iccid: get(r, 2)?,
        operator: parsed(r, 3)?,
        subscriber_id: get(r, 4)?,
        state: parsed(r, 5)?,
        balance: Money::from_kopecks(get(r, 6)?),
        opened_at: time(r, 7)?,
        terminated_at: time_opt(r, 8)?,
    })
}

pub(super) fn service(r: &Row) -> Result<ServiceRow> {
    Ok(ServiceRow {
        id: get(r, 0)?,
        line_id: get(r, 1)?,
        name: get(r, 2)?,
        monthly_charge: Money::from_kopecks(get(r, 3)?),
        started_at: time(r, 4)?,
        charged_until: time(r, 5)?,
        stopped_at: time_opt(r, 6)?,
    })
}

impl SubscribersLinesTx for PgTx<'_> {
    fn insert_subscriber(&mut self, s: &NewSubscriber) -> Result<i64> {
        self.id(
            sql::INSERT_SUBSCRIBER,
            &[
                &s.category.as_str(),
                &s.full_name,
                &s.id_document_type,
                &s.id_document_number,
                &s.email,
                &s.phone,
                &s.language.as_str(),
                &ts(s.created_at),
            ],
        )
    }

    fn subscriber(&mut self, id: i64) -> Result<Option<SubscriberRow>> {
        self.one(sql::SUBSCRIBER, &[&id], subscriber)
    }

    fn insert_line(&mut self, l: &NewLine) -> Result<i64> {
        self.id(
            sql::INSERT_LINE,
            &[&l.msisdn.as_str(), &l.iccid, &l.operator.as_str(), &l.subscriber_id, &ts(l.opened_at)],
        )
    }

    fn line(&mut self, id: i64) -> Result<Option<LineRow>> {
        let q = self.locked(sql::LINE);
        self.one(&q, &[&id], line)
    }

    fn line_by_msisdn(&mut self, m: &Msisdn) -> Result<Option<LineRow>> {
        self.one(sql::LINE_BY_MSISDN, &[&m.as_str()], line)
    }

    fn lines_of(&mut self, subscriber_id: i64) -> Result<Vec<LineRow>> {
        self.all(sql::LINES_OF, &[&subscriber_id], line)
    }

    fn update_line(&mut self, l: &LineRow) -> Result<()> {
        self.exec(sql::UPDATE_LINE, &[&l.id, &l.state.as_str(), &ts_opt(l.terminated_at), &l.iccid]).map(drop)
    }

    fn insert_service(&mut self, s: &ServiceRow) -> Result<i64> {
        self.id(
            sql::INSERT_SERVICE,
            &[
                &s.line_id,
                &s.name,
                &s.monthly_charge.kopecks(),
                &ts(s.started_at),
                &ts(s.charged_until),
                &ts_opt(s.stopped_at),
            ],
        )
    }

    fn service(&mut self, id: i64) -> Result<Option<ServiceRow>> {
        let q = self.locked(sql::SERVICE);
        self.one(&q, &[&id], service)
    }

    fn services_of(&mut self, line_id: i64) -> Result<Vec<ServiceRow>> {
        self.all(sql::SERVICES_OF, &[&line_id], service)
    }

    fn update_service(&mut self, s: &ServiceRow) -> Result<()> {
        self.exec(
            sql::UPDATE_SERVICE,
            &[&s.id, &ts(s.charged_until), &ts_opt(s.stopped_at), &s.monthly_charge.kopecks()],
        )
        .map(drop)
    }
}
