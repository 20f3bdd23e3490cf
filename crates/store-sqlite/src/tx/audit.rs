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
    })
}

impl AuditTx for SqliteTx<'_> {
    fn audit_head(&mut self) -> Result<Option<String>> {
        self.one("SELECT hash FROM audit_head WHERE id = 1", [], |r| r.get(0))
    }

    fn insert_audit(&mut self, e: &AuditRow) -> Result<()> {
        self.exec(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, details, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![ts(e.at), e.actor, e.action, e.entity, e.entity_id, e.details, e.prev_hash, e.hash],
        )?;
        self.exec(
            "INSERT INTO audit_head (id, hash) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET hash = excluded.hash",
            [&e.hash],
        )
        .map(drop)
    }

    fn audit_entries(&mut self, after_id: i64, limit: u32) -> Result<Vec<AuditRow>> {
        self.all(
            &format!("SELECT {AUDIT_COLS} FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2"),
            params![after_id, limit],
            audit,
        )
    }
}
