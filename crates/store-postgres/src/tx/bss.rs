//! The BSS's ids, the use it reports, file imports and the changes feed.

use super::subscribers_lines::{line, subscriber};
use super::*;

fn line_link(r: &Row) -> Result<LineLink> {
    Ok(LineLink {
        line_id: get(r, 0)?,
        external_id: get(r, 1)?,
        imsi: get(r, 2)?,
        last_activity_at: time_opt(r, 3)?,
        last_activity_kind: get(r, 4)?,
    })
}

fn import(r: &Row) -> Result<ImportRow> {
    Ok(ImportRow {
        id: get(r, 0)?,
        at: time(r, 1)?,
        actor: get(r, 2)?,
        kind: get(r, 3)?,
        file: get(r, 4)?,
        rows: get(r, 5)?,
        created: get(r, 6)?,
        updated: get(r, 7)?,
        unchanged: get(r, 8)?,
    })
}

pub(super) fn change(r: &Row) -> Result<ChangeRow> {
    Ok(ChangeRow {
        id: get(r, 0)?,
        at: time(r, 1)?,
        kind: get(r, 2)?,
        subject: get(r, 3)?,
        operator: parsed_opt(r, 4)?,
        data: get(r, 5)?,
    })
}

impl BssTx for PgTx<'_> {
    fn subscriber_by_external(&mut self, external_id: &str) -> Result<Option<SubscriberRow>> {
        self.one(sql::SUBSCRIBER_BY_EXTERNAL, &[&external_id], subscriber)
    }

    fn subscriber_external(&mut self, subscriber_id: i64) -> Result<Option<String>> {
        self.one(sql::SUBSCRIBER_EXTERNAL, &[&subscriber_id], |r| get(r, 0))
    }

    fn link_subscriber(&mut self, subscriber_id: i64, external_id: &str) -> Result<()> {
        self.exec(sql::LINK_SUBSCRIBER, &[&subscriber_id, &external_id]).map(drop)
    }

    fn update_subscriber(&mut self, s: &SubscriberRow) -> Result<()> {
        self.exec(
            sql::UPDATE_SUBSCRIBER,
            &[
                &s.id,
                &s.category.as_str(),
                &s.full_name,
                &s.id_document_type,
                &s.id_document_number,
                &s.email,
                &s.phone,
                &s.language.as_str(),
            ],
        )
        .map(drop)
    }

    fn line_by_external(&mut self, external_id: &str) -> Result<Option<LineRow>> {
        self.one(sql::LINE_BY_EXTERNAL, &[&external_id], line)
    }

    fn line_link(&mut self, line_id: i64) -> Result<Option<LineLink>> {
        self.one(sql::LINE_LINK, &[&line_id], line_link)
    }

    fn upsert_line_link(&mut self, l: &LineLink) -> Result<()> {
        self.exec(
            sql::UPSERT_LINE_LINK,
            &[&l.line_id, &l.external_id, &l.imsi, &ts_opt(l.last_activity_at), &l.last_activity_kind],
        )
        .map(drop)
    }

    fn insert_import(&mut self, i: &ImportRow) -> Result<i64> {
        self.id(
            sql::INSERT_IMPORT,
            &[&ts(i.at), &i.actor, &i.kind, &i.file, &i.rows, &i.created, &i.updated, &i.unchanged],
        )
    }

    fn imports(&mut self, n: u32) -> Result<Vec<ImportRow>> {
        self.all(sql::IMPORTS, &[&limit(n)], import)
    }

    fn insert_change(&mut self, c: &ChangeRow) -> Result<i64> {
        // Ids in commit order, so a reader of the feed (the BSS, the webhook fan-out) that
        // moves its cursor past an id never skips a smaller one committed later: a transaction
        // writing a change holds the audit chain's head lock (which every audit append takes
        // too) from here to its commit, and takes its id under it.
        self.audit_head()?;
        self.id(
            sql::INSERT_CHANGE,
            &[&ts(c.at), &c.kind, &c.subject, &c.operator.as_ref().map(OperatorId::as_str), &c.data],
        )
    }

    fn changes(&mut self, after: i64, operator: Option<&OperatorId>, n: u32) -> Result<Vec<ChangeRow>> {
        self.all(sql::CHANGES, &[&after, &limit(n), &operator.map(OperatorId::as_str)], change)
    }
}
