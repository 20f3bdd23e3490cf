//! Uploaded documents and the acts of their destruction.

use super::*;

pub(super) fn document(r: &Row<'_>) -> rusqlite::Result<DocumentRow> {
    Ok(DocumentRow {
        id: r.get(0)?,
        request_id: r.get(1)?,
        kind: parsed(r, 2)?,
        file_name: r.get(3)?,
        content_type: r.get(4)?,
        size: r.get(5)?,
        sha256: r.get(6)?,
        storage_key: r.get(7)?,
        key_id: r.get(8)?,
        status: r.get(9)?,
        review_reason: r.get(10)?,
        reviewed_by: r.get(11)?,
        uploaded_by: r.get(12)?,
        uploaded_at: time(r, 13)?,
        retention_until: time_opt(r, 14)?,
        destroyed_at: time_opt(r, 15)?,
    })
}

pub(super) fn act(r: &Row<'_>) -> rusqlite::Result<DestructionActRow> {
    Ok(DestructionActRow {
        id: r.get(0)?,
        document_id: r.get(1)?,
        request_id: r.get(2)?,
        subscriber_id: r.get(3)?,
        kind: r.get(4)?,
        sha256: r.get(5)?,
        size: r.get(6)?,
        reason: r.get(7)?,
        actor: r.get(8)?,
        at: time(r, 9)?,
    })
}

impl DocumentsTx for SqliteTx<'_> {
    fn insert_document(&mut self, d: &DocumentRow) -> Result<i64> {
        self.id(
            sql::INSERT_DOCUMENT,
            params![
                d.request_id,
                d.kind.as_str(),
                d.file_name,
                d.content_type,
                d.size,
                d.sha256,
                d.storage_key,
                d.key_id,
                d.status,
                d.review_reason,
                d.reviewed_by,
                d.uploaded_by,
                ts(d.uploaded_at),
                ts_opt(d.retention_until),
                ts_opt(d.destroyed_at)
            ],
        )
    }

    fn document(&mut self, id: i64) -> Result<Option<DocumentRow>> {
        self.one(sql::DOCUMENT, [id], document)
    }

    fn documents_of(&mut self, request_id: i64) -> Result<Vec<DocumentRow>> {
        self.all(sql::DOCUMENTS_OF, [request_id], document)
    }

    fn update_document(&mut self, d: &DocumentRow) -> Result<()> {
        self.exec(
            sql::UPDATE_DOCUMENT,
            params![
                d.id,
                d.status,
                d.review_reason,
                d.reviewed_by,
                ts_opt(d.retention_until),
                ts_opt(d.destroyed_at),
                d.file_name
            ],
        )
        .map(drop)
    }

    fn set_documents_retention(&mut self, request_id: i64, until: Timestamp) -> Result<u64> {
        let n = self.exec(sql::SET_DOCUMENTS_RETENTION, params![request_id, ts(until)])?;
        Ok(n as u64)
    }

    fn documents_due(&mut self, now: Timestamp, limit: u32) -> Result<Vec<DocumentRow>> {
        self.all(sql::DOCUMENTS_DUE, params![ts(now), limit], document)
    }

    fn insert_destruction_act(&mut self, a: &DestructionActRow) -> Result<i64> {
        self.id(
            sql::INSERT_DESTRUCTION_ACT,
            params![
                a.document_id,
                a.request_id,
                a.subscriber_id,
                a.kind,
                a.sha256,
                a.size,
                a.reason,
                a.actor,
                ts(a.at)
            ],
        )
    }

    fn destruction_acts(
        &mut self,
        after_id: i64,
        operator: Option<&OperatorId>,
        limit: u32,
    ) -> Result<Vec<DestructionActRow>> {
        self.all(sql::DESTRUCTION_ACTS, params![after_id, limit, operator.map(OperatorId::as_str)], act)
    }
}
