//! The hash-chained audit log (see [`crate::audit`]).

use super::*;

pub(super) fn audit(r: &Row) -> Result<AuditRow> {
    Ok(AuditRow {
        id: get(r, 0)?,
        at: time(r, 1)?,
        actor: get(r, 2)?,
        action: get(r, 3)?,
        entity: get(r, 4)?,
        entity_id: get(r, 5)?,
        details: get(r, 6)?,
        prev_hash: get(r, 7)?,
        hash: get(r, 8)?,
    })
}

impl AuditTx for PgTx<'_> {
    fn audit_head(&mut self) -> Result<Option<String>> {
        let sql = format!("SELECT hash FROM audit_head WHERE id = 1{}", self.lock());
        self.one(&sql, &[], |r| get(r, 0))
    }

    fn insert_audit(&mut self, e: &AuditRow) -> Result<()> {
        self.exec(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, details, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&ts(e.at), &e.actor, &e.action, &e.entity, &e.entity_id, &e.details, &e.prev_hash, &e.hash],
        )?;
        self.exec(
            "INSERT INTO audit_head (id, hash) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET hash = excluded.hash",
            &[&e.hash],
        )
        .map(drop)
    }

    fn audit_entries(&mut self, after_id: i64, n: u32) -> Result<Vec<AuditRow>> {
        self.all(
            &format!("SELECT {AUDIT_COLS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2"),
            &[&after_id, &limit(n)],
            audit,
        )
    }
}
