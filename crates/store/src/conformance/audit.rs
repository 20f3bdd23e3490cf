//! Conformance: the hash-chained audit log (see [`crate::audit`]).

use super::*;

pub fn the_audit_chain_detects_tampering_of_any_entry(store: &dyn Store) {
    for i in 0..3 {
        ok(store.write(|tx| {
            tx.append_audit(AuditRow {
                id: 0,
                at: t("2026-03-01T10:00:00Z") + i.seconds(),
                actor: "account:1".into(),
                action: "approve".into(),
                entity: "termination".into(),
                entity_id: i.to_string(),
                details: "{}".into(),
                prev_hash: String::new(),
                hash: String::new(),
                operator: (i == 1).then(|| op("mts")),
            })
        }));
    }
    let mut entries = ok(store.read(|tx| tx.audit_entries(0, None, 100)));
    assert_eq!(entries.len(), 3);
    let head = ok(store.read(|tx| tx.audit_head())).unwrap();
    let key = ok(store.read(|tx| Ok::<_, StoreError>(tx.audit_key().clone())));
    assert_eq!(first_broken_link(&key, &entries, String::new()), Ok(head));
    // Recomputed with another key, the chain does not hold: only the deployment's key links it.
    let other = crate::audit::AuditKey::new([9; 32]);
    assert_eq!(first_broken_link(&other, &entries, String::new()), Err(entries[0].id));
    entries[1].details = "{\"forged\":true}".into();
    assert_eq!(first_broken_link(&key, &entries, String::new()), Err(entries[1].id));
    assert_eq!(ok(store.read(|tx| tx.audit_entries(entries[0].id, None, 100))).len(), 2);
    let mts = ok(store.read(|tx| tx.audit_entries(0, Some(&op("mts")), 100)));
    assert_eq!(mts.iter().map(|e| e.id).collect::<Vec<_>>(), vec![entries[1].id], "the entries about one operator");
    entries[1].details = "{}".into();
    entries[1].operator = Some(op("t2"));
    assert_eq!(first_broken_link(&key, &entries, String::new()), Err(entries[1].id), "the operator is hashed too");
}
