//! Uploaded documents and the acts of their destruction.

use super::*;

pub(super) fn document(r: &Row) -> Result<DocumentRow> {
    Ok(DocumentRow {
        id: get(r, 0)?,
        request_id: get(r, 1)?,
        kind: parsed(r, 2)?,
        file_name: get(r, 3)?,
        content_type: get(r, 4)?,
        size: get(r, 5)?,
        sha256: get(r, 6)?,
        storage_key: get(r, 7)?,
        key_id: get(r, 8)?,
        status: get(r, 9)?,
        review_reason: get(r, 10)?,
        reviewed_by: get(r, 11)?,
        uploaded_by: get(r, 12)?,
        uploaded_at: time(r, 13)?,
        retention_until: time_opt(r, 14)?,
        destroyed_at: time_opt(r, 15)?,
    })
}

pub(super) fn act(r: &Row) -> Result<DestructionActRow> {
    Ok(DestructionActRow {
        id: get(r, 0)?,
        document_id: get(r, 1)?,
        request_id: get(r, 2)?,
        subscriber_id: get(r, 3)?,
        kind: get(r, 4)?,
        sha256: get(r, 5)?,
        size: get(r, 6)?,
        reason: get(r, 7)?,
        actor: get(r, 8)?,
        at: time(r, 9)?,
    })
}

impl DocumentsTx for PgTx<'_> {
    fn insert_document(&mut self, d: &DocumentRow) -> Result<i64> {
        self.id(
            sql::INSERT_DOCUMENT,
            &[
                &d.request_id,
                &d.kind.as_str(),
                &d.file_name,
                &d.content_type,
                &d.size,
                &d.sha256,
                &d.storage_key,
                &d.key_id,
                &d.status,
                &d.review_reason,
                &d.reviewed_by,
                &d.uploaded_by,
                &ts(d.uploaded_at),
                &ts_opt(d.retention_until),
                &ts_opt(d.destroyed_at),
            ],
        )
    }

    fn document(&mut self, id: i64) -> Result<Option<DocumentRow>> {
        let q = self.locked(sql::DOCUMENT);
        self.one(&q, &[&id], document)
    }

    fn documents_of(&mut self, request_id: i64) -> Result<Vec<DocumentRow>> {
        self.all(sql::DOCUMENTS_OF, &[&request_id], document)
    }

    fn update_document(&mut self, d: &DocumentRow) -> Result<()> {
        self.exec(
            sql::UPDATE_DOCUMENT,
            &[
                &d.id,
                &d.status,
                &d.review_reason,
                &d.reviewed_by,
                &ts_opt(d.retention_until),
                &ts_opt(d.destroyed_at),
                &d.file_name,
            ],
        )
        .map(drop)
    }

    fn set_documents_retention(&mut self, request_id: i64, until: Timestamp) -> Result<u64> {
        self.exec(sql::SET_DOCUMENTS_RETENTION, &[&request_id, &ts(until)])
    }

    fn documents_due(&mut self, now: Timestamp, n: u32) -> Result<Vec<DocumentRow>> {
        self.all(sql::DOCUMENTS_DUE, &[&ts(now), &limit(n)], document)
    }

    fn insert_destruction_act(&mut self, a: &DestructionActRow) -> Result<i64> {
        self.id(
            sql::INSERT_DESTRUCTION_ACT,
            &[
                &a.document_id,
                &a.request_id,
                &a.subscriber_id,
                &a.kind,
                &a.sha256,
                &a.size,
                &a.reason,
                &a.actor,
                &ts(a.at),
            ],
        )
    }

    fn destruction_acts(
        &mut self,
        after_id: i64,
        operator: Option<&OperatorId>,
        n: u32,
    ) -> Result<Vec<DestructionActRow>> {
        self.all(sql::DESTRUCTION_ACTS, &[&after_id, &limit(n), &operator.map(OperatorId::as_str)], act)
    }
}
