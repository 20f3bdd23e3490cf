//! The BSS's ids, the use it reports, file imports and the changes feed.

use super::subscribers_lines::{line, subscriber};
use super::*;

fn line_link(r: &Row<'_>) -> rusqlite::Result<LineLink> {
    Ok(LineLink {
        line_id: r.get(0)?,
        external_id: r.get(1)?,
        imsi: r.get(2)?,
        last_activity_at: time_opt(r, 3)?,
        last_activity_kind: r.get(4)?,
    })
}

fn import(r: &Row<'_>) -> rusqlite::Result<ImportRow> {
    Ok(ImportRow {
        id: r.get(0)?,
        at: time(r, 1)?,
        actor: r.get(2)?,
        kind: r.get(3)?,
        file: r.get(4)?,
        rows: r.get(5)?,
        created: r.get(6)?,
        updated: r.get(7)?,
        unchanged: r.get(8)?,
    })
}

pub(super) fn change(r: &Row<'_>) -> rusqlite::Result<ChangeRow> {
    Ok(ChangeRow {
        id: r.get(0)?,
        at: time(r, 1)?,
        kind: r.get(2)?,
        subject: r.get(3)?,
        operator: parsed_opt(r, 4)?,
        data: r.get(5)?,
    })
}

impl BssTx for SqliteTx<'_> {
    fn subscriber_by_external(&mut self, external_id: &str) -> Result<Option<SubscriberRow>> {
        self.one(sql::SUBSCRIBER_BY_EXTERNAL, [external_id], subscriber)
    }

    fn subscriber_external(&mut self, subscriber_id: i64) -> Result<Option<String>> {
        self.one(sql::SUBSCRIBER_EXTERNAL, [subscriber_id], |r| r.get(0))
    }

    fn link_subscriber(&mut self, subscriber_id: i64, external_id: &str) -> Result<()> {
        self.exec(sql::LINK_SUBSCRIBER, params![subscriber_id, external_id]).map(drop)
    }

    fn update_subscriber(&mut self, s: &SubscriberRow) -> Result<()> {
        self.exec(
            sql::UPDATE_SUBSCRIBER,
            params![
                s.id,
                s.category.as_str(),
                s.full_name,
                s.id_document_type,
                s.id_document_number,
                s.email,
                s.phone,
                s.language.as_str()
            ],
        )
        .map(drop)
    }

    fn line_by_external(&mut self, external_id: &str) -> Result<Option<LineRow>> {
        self.one(sql::LINE_BY_EXTERNAL, [external_id], line)
    }

    fn line_link(&mut self, line_id: i64) -> Result<Option<LineLink>> {
        self.one(sql::LINE_LINK, [line_id], line_link)
    }

    fn upsert_line_link(&mut self, l: &LineLink) -> Result<()> {
        self.exec(
            sql::UPSERT_LINE_LINK,
            params![l.line_id, l.external_id, l.imsi, ts_opt(l.last_activity_at), l.last_activity_kind],
        )
        .map(drop)
    }

    fn insert_import(&mut self, i: &ImportRow) -> Result<i64> {
        self.id(
            sql::INSERT_IMPORT,
            params![ts(i.at), i.actor, i.kind, i.file, i.rows, i.created, i.updated, i.unchanged],
        )
    }

    fn imports(&mut self, limit: u32) -> Result<Vec<ImportRow>> {
        self.all(sql::IMPORTS, [limit], import)
    }

    fn insert_change(&mut self, c: &ChangeRow) -> Result<i64> {
        self.id(
            sql::INSERT_CHANGE,
            params![ts(c.at), c.kind, c.subject, c.operator.as_ref().map(|o| o.as_str()), c.data],
        )
    }

    fn changes(&mut self, after: i64, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<ChangeRow>> {
        self.all(sql::CHANGES, params![after, limit, operator.map(|o| o.as_str())], change)
    }
}
