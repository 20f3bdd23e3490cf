//! Conformance: uploaded documents and the acts of their destruction.

use super::*;

pub fn documents_get_a_deadline_and_their_destruction_leaves_an_act(store: &dyn Store) {
    let now = t("2026-03-01T10:00:00Z");
    let (request, sub) = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, "+79160000040")?;
        let id = tx.insert_request(&request_row(line, sub, "mts", "+79160000040", None))?;
        Ok::<_, StoreError>((id, sub))
    }));
    let doc = |key: &str| DocumentRow {
        id: 0,
        request_id: request,
        kind: simexit_domain::DocumentKind::Passport,
        file_name: "скан паспорта.jpg".into(),
        content_type: "image/jpeg".into(),
        size: 1234,
        sha256: "ab".repeat(32),
        storage_key: key.into(),
        key_id: "k1".into(),
        status: "uploaded".into(),
        review_reason: None,
        reviewed_by: None,
        uploaded_by: "account:1".into(),
        uploaded_at: now,
        retention_until: None,
        destroyed_at: None,
    };
    let (a, b) =
        ok(store
            .write(|tx| Ok::<_, StoreError>((tx.insert_document(&doc("doc/a"))?, tx.insert_document(&doc("doc/b"))?))));
    let dup = store.write(|tx| tx.insert_document(&doc("doc/a")));
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "a storage key is used once: {dup:?}");
    assert!(ok(store.read(|tx| tx.documents_due(now + (2400).hours(), 10))).is_empty(), "no deadline yet");
    assert_eq!(ok(store.write(|tx| tx.set_documents_retention(request, now + (720).hours()))), 2);
    let due = ok(store.write(|tx| tx.documents_due(now + (720).hours(), 10)));
    assert_eq!(due.iter().map(|d| d.id).collect::<Vec<_>>(), vec![a, b]);
    assert!(ok(store.write(|tx| tx.documents_due(now + (696).hours(), 10))).is_empty());
    let mut gone = due[0].clone();
    gone.status = "destroyed".into();
    gone.destroyed_at = Some(now + (720).hours());
    let act = DestructionActRow {
        id: 0,
        document_id: a,
        request_id: request,
        subscriber_id: sub,
        kind: "passport".into(),
        sha256: gone.sha256.clone(),
        size: gone.size,
        reason: "retention ended".into(),
        actor: "job:destroy_documents".into(),
        at: now + (720).hours(),
    };
    let act_id = ok(store.write(|tx| {
        tx.update_document(&gone)?;
        tx.insert_destruction_act(&act)
    }));
    assert_eq!(ok(store.read(|tx| tx.document(a))), Some(gone));
    let acts = vec![DestructionActRow { id: act_id, ..act }];
    assert_eq!(ok(store.read(|tx| tx.destruction_acts(0, None, 10))), acts);
    assert_eq!(ok(store.read(|tx| tx.destruction_acts(0, Some(&op("mts")), 10))), acts, "the request's operator");
    assert!(ok(store.read(|tx| tx.destruction_acts(0, Some(&op("t2")), 10))).is_empty(), "another operator's");
    let left = ok(store.write(|tx| tx.documents_due(now + (744).hours(), 10)));
    assert_eq!(left.iter().map(|d| d.id).collect::<Vec<_>>(), vec![b], "a destroyed document is not due again");
    assert_eq!(ok(store.read(|tx| tx.documents_of(request))).len(), 2);
}
