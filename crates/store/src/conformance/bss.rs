//! Conformance: the BSS's ids, the use it reports, the imports' history, the changes feed.

use super::*;

pub fn the_bss_ids_find_subscribers_and_lines_and_the_changes_feed_pages_in_order(store: &dyn Store) {
    let (sub, line) = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        tx.link_subscriber(sub, "CRM-1")?;
        let line = seed_line(tx, sub, "+79160000301")?;
        tx.upsert_line_link(&LineLink {
            line_id: line,
            external_id: "BSS-1".into(),
            imsi: "250010000000001".into(),
            last_activity_at: None,
            last_activity_kind: None,
        })?;
        Ok::<_, StoreError>((sub, line))
    }));
    let found = ok(store.read(|tx| tx.subscriber_by_external("CRM-1"))).unwrap();
    assert_eq!(found.id, sub);
    assert_eq!(ok(store.read(|tx| tx.subscriber_external(sub))), Some("CRM-1".to_owned()));
    assert!(ok(store.read(|tx| tx.subscriber_by_external("CRM-2"))).is_none());
    assert_eq!(ok(store.read(|tx| tx.line_by_external("BSS-1"))).map(|l| l.id), Some(line));

    // A subscriber's own fields are rewritten; the use of a line recorded with its kind.
    let mut renamed = found.clone();
    renamed.full_name = "Анна Петрова".into();
    renamed.language = Language::En;
    ok(store.write(|tx| tx.update_subscriber(&renamed)));
    assert_eq!(ok(store.read(|tx| tx.subscriber(sub))), Some(renamed));
    let used = t("2026-03-01T12:00:00Z");
    ok(store.write(|tx| {
        let mut link = tx.line_link(line)?.unwrap();
        link.last_activity_at = Some(used);
        link.last_activity_kind = Some("call".into());
        tx.upsert_line_link(&link)
    }));
    let link = ok(store.read(|tx| tx.line_link(line))).unwrap();
    assert_eq!(
        (link.imsi.as_str(), link.last_activity_at, link.last_activity_kind.as_deref()),
        ("250010000000001", Some(used), Some("call"))
    );

    // The BSS's id is unique: a second line cannot take it.
    let taken = store.write(|tx| {
        let other = seed_line(tx, sub, "+79160000302")?;
        tx.upsert_line_link(&LineLink { line_id: other, ..link.clone() })
    });
    assert!(taken.is_err(), "one BSS id names one line");

    // Imports newest first; changes oldest first, after a cursor, per operator.
    for file in ["a.csv", "b.csv"] {
        ok(store.write(|tx| {
            tx.insert_import(&ImportRow {
                id: 0,
                at: used,
                actor: "cli".into(),
                kind: "lines".into(),
                file: file.into(),
                rows: 2,
                created: 1,
                updated: 1,
                unchanged: 0,
            })
        }));
    }
    let imports = ok(store.read(|tx| tx.imports(10)));
    assert_eq!(imports.iter().map(|i| i.file.as_str()).collect::<Vec<_>>(), ["b.csv", "a.csv"]);
    assert_eq!((imports[0].rows, imports[0].created, imports[0].updated), (2, 1, 1));
    let ids: Vec<i64> = ok(store.write(|tx| {
        let mut ids = Vec::new();
        for (kind, operator) in [("termination.completed", "mts"), ("line.terminated", "mts"), ("refund.paid", "t2")] {
            ids.push(tx.insert_change(&ChangeRow {
                id: 0,
                at: used,
                kind: kind.into(),
                subject: format!("{kind}/1"),
                operator: Some(op(operator)),
                data: "{\"id\":1}".into(),
            })?);
        }
        Ok::<_, StoreError>(ids)
    }));
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "cursors grow: {ids:?}");
    let all = ok(store.read(|tx| tx.changes(0, None, 10)));
    assert_eq!(
        all.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(),
        ["termination.completed", "line.terminated", "refund.paid"]
    );
    assert_eq!(all[0].data, "{\"id\":1}");
    let page = ok(store.read(|tx| tx.changes(ids[0], None, 1)));
    assert_eq!(page.iter().map(|c| c.id).collect::<Vec<_>>(), vec![ids[1]]);
    let t2 = ok(store.read(|tx| tx.changes(0, Some(&op("t2")), 10)));
    assert_eq!(t2.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), ["refund.paid"]);
}

pub fn payments_are_found_by_their_providers_id_once_and_move_on(store: &dyn Store) {
    use simexit_domain::ledger::PaymentStatus;
    let line = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        seed_line(tx, sub, "+79160000311")
    }));
    let at = t("2026-03-01T12:00:00Z");
    let started = PaymentRow {
        id: 0,
        provider: "demo".into(),
        provider_ref: None,
        line_id: line,
        operator: op("mts"),
        amount: Money::from_kopecks(29050),
        status: PaymentStatus::Pending,
        confirmation_url: None,
        store_id: None,
        started_by: "subscriber:1".into(),
        created_at: at,
        settled_at: None,
        movement_id: None,
    };
    let id = ok(store.write(|tx| tx.insert_payment(&started)));
    assert!(ok(store.read(|tx| tx.payment_by_ref("demo", "pay-1"))).is_none());
    let mut paid = PaymentRow {
        id,
        provider_ref: Some("pay-1".into()),
        confirmation_url: Some("http://127.0.0.1/pay/1".into()),
        status: PaymentStatus::Succeeded,
        settled_at: Some(at),
        movement_id: Some(7),
        ..started.clone()
    };
    ok(store.write(|tx| tx.update_payment(&paid)));
    assert_eq!(ok(store.read(|tx| tx.payment_by_ref("demo", "pay-1"))), Some(paid.clone()));
    assert_eq!(ok(store.read(|tx| tx.payment(id))), Some(paid.clone()));
    // One provider's id names one payment; another provider may use the same id.
    paid.id = 0;
    assert!(store.write(|tx| tx.insert_payment(&paid)).is_err(), "a provider's id is unique");
    ok(store.write(|tx| tx.insert_payment(&PaymentRow { provider: "cash".into(), ..paid.clone() })));
    let of_line = ok(store.read(|tx| tx.payments_of_line(line)));
    assert_eq!(of_line.iter().map(|p| p.provider.as_str()).collect::<Vec<_>>(), ["cash", "demo"], "newest first");
}

pub fn webhook_deliveries_go_out_in_order_per_resource_and_once_per_event(store: &dyn Store) {
    let at = t("2026-03-01T12:00:00Z");
    let change = |kind: &str, subject: &str| ChangeRow {
        id: 0,
        at,
        kind: kind.into(),
        subject: subject.into(),
        operator: Some(op("mts")),
        data: "{}".into(),
    };
    let w = WebhookRow {
        id: 0,
        url: "https://hooks.example/".into(),
        events: "*".into(),
        secret: "sealed".into(),
        enabled: true,
        operator: None,
        last_change: ok(store.read(|tx| tx.last_change_id())),
        created_at: at,
        created_by: "cli".into(),
    };
    let hook = ok(store.write(|tx| tx.insert_webhook(&w)));
    let ids = ok(store.write(|tx| {
        let mut ids = Vec::new();
        for (kind, subject) in
            [("termination.submitted", "r/1"), ("termination.submitted", "r/2"), ("termination.approved", "r/1")]
        {
            ids.push(tx.insert_change(&change(kind, subject))?);
        }
        Ok::<_, StoreError>(ids)
    }));
    assert_eq!(ok(store.read(|tx| tx.last_change_id())), ids[2]);
    let delivery = |change_id: i64, subject: &str| DeliveryRow {
        id: 0,
        webhook_id: hook,
        change_id,
        subject: subject.into(),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: at,
        locked_until: None,
        last_error: None,
        response_status: None,
        delivered_at: None,
    };
    ok(store.write(|tx| {
        for (id, subject) in ids.iter().zip(["r/1", "r/2", "r/1"]) {
            tx.insert_delivery(&delivery(*id, subject))?;
            tx.insert_delivery(&delivery(*id, subject))?; // the same event again: once
        }
        Ok::<_, StoreError>(())
    }));
    assert_eq!(ok(store.read(|tx| tx.deliveries_of(hook, 10))).len(), 3);
    // r/1's second event waits for its first; r/2's goes beside it.
    let due = ok(store.write(|tx| tx.due_deliveries(at, 10)));
    assert_eq!(due.iter().map(|d| d.change_id).collect::<Vec<_>>(), [ids[0], ids[1]]);
    let mut first = due[0].clone();
    first.status = "delivered".into();
    first.delivered_at = Some(at);
    ok(store.write(|tx| tx.update_delivery(&first)));
    let due = ok(store.write(|tx| tx.due_deliveries(at, 10)));
    assert_eq!(due.iter().map(|d| d.change_id).collect::<Vec<_>>(), [ids[1], ids[2]]);
    assert_eq!(ok(store.read(|tx| tx.change(ids[2]))).map(|c| c.kind), Some("termination.approved".to_owned()));
    assert!(ok(store.write(|tx| tx.delete_webhook(hook))));
    assert!(ok(store.read(|tx| tx.webhook(hook))).is_none());
    assert!(ok(store.read(|tx| tx.deliveries_of(hook, 10))).is_empty());
}
