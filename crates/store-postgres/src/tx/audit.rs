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
        operator: parsed_opt(r, 9)?,
    })
}

impl AuditTx for PgTx<'_> {
    fn audit_head(&mut self) -> Result<Option<String>> {
        if let Some(head) = &self.head {
            return Ok(head.clone());
        }
        let q = self.locked(sql::AUDIT_HEAD);
        let head: Option<String> = self.one(&q, &[], |r| get(r, 0))?;
        if self.write {
            // Locked `FOR UPDATE` until this transaction ends: nobody else moves it meanwhile.
            self.head = Some(head.clone());
        }
        Ok(head)
    }

    fn audit_key(&self) -> &simexit_store::audit::AuditKey {
        self.audit_key
    }

    fn insert_audit(&mut self, e: &AuditRow) -> Result<()> {
        self.exec(
            sql::INSERT_AUDIT_1,
            &[
                &ts(e.at),
                &e.actor,
                &e.action,
                &e.entity,
                &e.entity_id,
                &e.details,
                &e.prev_hash,
                &e.hash,
                &e.operator.as_ref().map(OperatorId::as_str),
            ],
        )?;
        self.exec(sql::INSERT_AUDIT_2, &[&e.hash])?;
        if self.head.is_some() {
            self.head = Some(Some(e.hash.clone()));
        }
        Ok(())
    }

    fn audit_entries(&mut self, after_id: i64, operator: Option<&OperatorId>, n: u32) -> Result<Vec<AuditRow>> {
        self.all(sql::AUDIT_ENTRIES, &[&after_id, &limit(n), &operator.map(OperatorId::as_str)], audit)
    }
}
