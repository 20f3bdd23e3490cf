//! Conformance: the notification outbox.

use super::*;

pub fn the_outbox_is_claimed_once_with_a_lease_and_deduplicated(store: &dyn Store) {
    let now = t("2026-03-01T10:00:00Z");
    let message = |key: Option<&str>, due: Timestamp| OutboxRow {
        dedupe_key: key.map(str::to_owned),
        next_attempt_at: due,
        ..OutboxRow::new("email", "anna@example.org", "aging_reminder", "ru", "{}".into(), now)
    };
    let (a, again, later) = ok(store.write(|tx| {
        let a = tx.insert_outbox(&message(Some("reminder:1"), now))?;
        let again = tx.insert_outbox(&message(Some("reminder:1"), now))?;
        let later = tx.insert_outbox(&message(None, now + 1.hour()))?;
        Ok::<_, StoreError>((a, again, later))
    }));
    assert!(a.is_some() && later.is_some());
    assert_eq!(again, None, "the same key is queued once");
    let lease = now + 5.minutes();
    let first = ok(store.write(|tx| tx.claim_outbox(now, lease, 10)));
    assert_eq!(first.iter().map(|m| m.id).collect::<Vec<_>>(), vec![a.unwrap()], "only what is due");
    assert_eq!((first[0].status.as_str(), first[0].attempts, first[0].locked_until), ("sending", 1, Some(lease)));
    assert!(ok(store.write(|tx| tx.claim_outbox(now + 1.minute(), lease, 10))).is_empty(), "leased");
    let retaken = ok(store.write(|tx| tx.claim_outbox(lease, lease + 5.minutes(), 10)));
    assert_eq!(retaken.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), vec![(a.unwrap(), 2)], "lease expired");
    let mut sent = retaken[0].clone();
    sent.status = "sent".into();
    ok(store.write(|tx| tx.update_outbox(&sent)));
    let last = ok(store.write(|tx| tx.claim_outbox(now + 2.hours(), now + 3.hours(), 10)));
    assert_eq!(last.iter().map(|m| m.id).collect::<Vec<_>>(), vec![later.unwrap()], "a sent message is not claimed");
    let counts = ok(store.read(|tx| tx.outbox_counts()));
    assert_eq!(counts, vec![("sending".to_owned(), 1), ("sent".to_owned(), 1)]);
    assert_eq!(ok(store.read(|tx| tx.outbox_message(a.unwrap()))).map(|m| m.status), Some("sent".to_owned()));

    // Staff of an operator see the messages about its requests and nothing else.
    let n = msisdn("+79160000070");
    let about = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, n.as_str())?;
        let request = tx.insert_request(&request_row(line, sub, "mts", n.as_str(), None))?;
        tx.insert_outbox(&OutboxRow { request_id: Some(request), ..message(Some("step:1"), now) })
    }))
    .unwrap();
    let ids = |op: Option<&str>| {
        let op = op.map(super::op);
        ok(store.read(|tx| tx.outbox(None, op.as_ref(), 10))).into_iter().map(|m| m.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(Some("mts")), vec![about]);
    assert!(ids(Some("t2")).is_empty());
    assert_eq!(ids(None).len(), 3, "deployment-wide staff see every message");
}
