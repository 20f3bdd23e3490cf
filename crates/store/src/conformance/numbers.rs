//! Conformance: the number inventory and each number's holder periods.

use super::*;

pub fn numbers_are_claimed_once_and_only_from_the_pool(store: &dyn Store) {
    ok(store.write(|tx| {
        seed_subscriber(tx)?;
        tx.insert_number(&number_row("+79160000010", "mts"))?;
        tx.insert_number(&NumberRow { state: NumberState::Aging, ..number_row("+79160000011", "mts") })?;
        tx.insert_number(&number_row("+79770000012", "t2"))
    }));
    let first = ok(store.write(|tx| {
        let n = tx.claim_available_number(&op("mts"))?;
        if let Some(n) = &n {
            tx.update_number(&NumberRow { state: NumberState::Assigned, ..n.clone() })?;
        }
        Ok::<_, StoreError>(n)
    }));
    assert_eq!(first.map(|n| n.msisdn), Some(msisdn("+79160000010")));
    let second = ok(store.write(|tx| tx.claim_available_number(&op("mts"))));
    assert_eq!(second, None, "the aging number and the other operator's number are not in the pool");
    let stored = ok(store.read(|tx| tx.number(&msisdn("+79160000010")))).unwrap();
    assert_eq!(stored.state, NumberState::Assigned);
}

pub fn assignment_history_keeps_every_holder_period(store: &dyn Store) {
    let n = msisdn("+79160000020");
    ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, n.as_str())?;
        tx.open_assignment(&NewAssignment {
            msisdn: n.clone(),
            subscriber_id: sub,
            line_id: line,
            from: t("2026-01-02T00:00:00Z"),
        })?;
        assert!(tx.close_assignment(&n, t("2026-03-01T00:00:00Z"), "terminated")?);
        assert!(!tx.close_assignment(&n, t("2026-03-02T00:00:00Z"), "terminated")?, "nothing left open");
        tx.open_assignment(&NewAssignment {
            msisdn: n.clone(),
            subscriber_id: sub,
            line_id: line,
            from: t("2026-03-05T00:00:00Z"),
        })
    }));
    let history = ok(store.read(|tx| tx.assignments(&n)));
    assert_eq!(history.len(), 2);
    let together = ok(store.read_single(|tx| tx.number_history(&n)));
    assert_eq!(together.number, ok(store.read(|tx| tx.number(&n))));
    assert_eq!((together.past.len(), &together.periods), (0, &history), "read in one go, in the same order");
    assert_eq!(history[0].to, Some(t("2026-03-01T00:00:00Z")));
    assert_eq!(history[0].end_reason.as_deref(), Some("terminated"));
    assert_eq!(history[1].from, t("2026-03-05T00:00:00Z"));
    assert_eq!(history[1].to, None);
}
