//! The hash-chained audit log (see [`crate::audit`]).

use super::*;

pub(super) fn audit(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        id: r.get(0)?,
        at: time(r, 1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        entity: r.get(4)?,
        entity_id: r.get(5)?,
        details: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
        operator: parsed_opt(r, 9)?,
    })
}

impl AuditTx for SqliteTx<'_> {
    fn audit_head(&mut self) -> Result<Option<String>> {
        self.one(sql::AUDIT_HEAD, [], |r| r.get(0))
    }

    fn insert_audit(&mut self, e: &AuditRow) -> Result<()> {
        self.exec(
            sql::INSERT_AUDIT_1,
            params![
                ts(e.at),
                e.actor,
                e.action,
                e.entity,
                e.entity_id,
                e.details,
                e.prev_hash,
                e.hash,
                e.operator.as_ref().map(OperatorId::as_str)
            ],
        )?;
        self.exec(sql::INSERT_AUDIT_2, [&e.hash]).map(drop)
    }

    fn audit_key(&self) -> &simexit_store::audit::AuditKey {
        self.audit_key
    }

    fn audit_entries(&mut self, after_id: i64, operator: Option<&OperatorId>, limit: u32) -> Result<Vec<AuditRow>> {
        self.all(sql::AUDIT_ENTRIES, params![after_id, limit, operator.map(OperatorId::as_str)], audit)
    }
}
