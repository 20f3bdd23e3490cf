//! Conformance: the hash-chained audit log (see [`crate::audit`]).

use super::*;

pub fn the_audit_chain_detects_tampering_of_any_entry(store: &dyn Store) {
    for i in 0..3 {
        ok(store.write(|tx| {
            let prev = tx.audit_head()?.unwrap_or_default();
            let mut e = AuditRow {
                id: 0,
                at: t("2026-03-01T10:00:00Z") + i.seconds(),
                actor: "account:1".into(),
                action: "approve".into(),
                entity: "termination".into(),
                entity_id: i.to_string(),
                details: "{}".into(),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = chain_hash(&prev, &e);
            tx.insert_audit(&e)
        }));
    }
    let mut entries = ok(store.read(|tx| tx.audit_entries(0, 100)));
    assert_eq!(entries.len(), 3);
    let head = ok(store.read(|tx| tx.audit_head())).unwrap();
    assert_eq!(first_broken_link(&entries, String::new()), Ok(head));
    entries[1].details = "{\"forged\":true}".into();
    assert_eq!(first_broken_link(&entries, String::new()), Err(entries[1].id));
    assert_eq!(ok(store.read(|tx| tx.audit_entries(entries[0].id, 100))).len(), 2);
}
