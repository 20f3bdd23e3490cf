//! Conformance: what the reassigned-number lookups read: imported past events, a number's whole history, the national numbering plan.

use super::*;

pub fn past_events_are_recorded_once_and_extend_known_history(store: &dyn Store) {
    let n = msisdn("+79160000030");
    let event = |at: &str, kind: &str| PastEventRow {
        msisdn: n.clone(),
        at: t(at),
        kind: kind.into(),
        operator: op("mts"),
        history_since: t("2020-01-01T00:00:00Z"),
        source: "past.csv".into(),
    };
    let (first, again) = ok(store.write(|tx| {
        seed_subscriber(tx)?;
        tx.insert_number(&number_row("+79160000031", "mts"))?;
        tx.insert_number(&number_row("+79770000032", "t2"))?;
        let first = tx.insert_past_event(&event("2023-05-01T00:00:00Z", "ported_out"))?;
        tx.insert_past_event(&event("2021-02-01T00:00:00Z", "disconnected"))?;
        let again = tx.insert_past_event(&event("2023-05-01T00:00:00Z", "ported_out"))?;
        Ok::<_, StoreError>((first, again))
    }));
    assert!(first && !again, "the same event is recorded once");
    let events = ok(store.read(|tx| tx.past_events(&n)));
    assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["disconnected", "ported_out"]);
    assert_eq!(events[0], event("2021-02-01T00:00:00Z", "disconnected"));
    let alone = ok(store.read_single(|tx| tx.number_history(&n)));
    assert_eq!((alone.number, alone.past, alone.periods.len()), (None, events, 0), "known only by its past");

    let changed = ok(store.write(|tx| tx.extend_history(&op("mts"), t("2020-01-01T00:00:00Z"))));
    assert_eq!(changed, 1, "only the operator's numbers whose history started later");
    let again = ok(store.write(|tx| tx.extend_history(&op("mts"), t("2021-01-01T00:00:00Z"))));
    assert_eq!(again, 0, "history never moves forward");
    let mts = ok(store.read(|tx| tx.number(&msisdn("+79160000031")))).unwrap();
    let t2 = ok(store.read(|tx| tx.number(&msisdn("+79770000032")))).unwrap();
    assert_eq!(mts.history_since, t("2020-01-01T00:00:00Z"));
    assert_eq!(t2.history_since, t("2026-01-01T00:00:00Z"));

    // Where the backend keeps the lookup change log: every write left its number there, and
    // the histories page through every number, those known only by their past among them.
    let Some((_, last)) = ok(store.read(|tx| tx.lookup_change_bounds())) else { return };
    let changes = ok(store.read(|tx| tx.lookup_changes_after(0, 1_000))).unwrap_or_default();
    assert_eq!(changes.last().map(|c| c.0), Some(last));
    for m in ["+79160000030", "+79160000031", "+79770000032"] {
        assert!(changes.iter().any(|(_, c)| c.as_str() == m), "{m} is in the log");
    }
    let mut after = String::new();
    let mut paged = Vec::new();
    loop {
        let page = ok(store.read(|tx| tx.number_histories_after(&after, 1)));
        let Some((m, _)) = page.last() else { break };
        after = m.as_str().to_owned();
        paged.extend(page);
    }
    let numbers: Vec<&str> = paged.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(numbers, ["+79160000030", "+79160000031", "+79770000032"]);
    assert_eq!((paged[0].1.number.is_none(), paged[0].1.past.len()), (true, 2), "known only by its past");
    assert!(paged[1].1.number.is_some());
    let pruned = ok(store.write(|tx| tx.prune_lookup_changes(1)));
    assert_eq!(pruned as usize, changes.len() - 1, "all but the last");
    assert_eq!(ok(store.read(|tx| tx.lookup_change_bounds())), Some((last, last)));
}

pub fn the_numbering_plan_is_replaced_whole_and_looked_up_by_range(store: &dyn Store) {
    use simexit_domain::numbering::NumberRange;
    let range = |def, from, to, name: &str, inn: &str| NumberRange {
        def,
        from,
        to,
        operator_name: name.into(),
        region: "Краснодарский край".into(),
        territory: None,
        inn: Some(inn.into()),
    };
    let first =
        vec![range(900, 0, 61_999, "ООО \"Т2 МОБАЙЛ\"", "7743895280"), range(900, 62_000, 62_999, "T2", "7743895280")];
    ok(store.write(|tx| {
        tx.clear_numbering()?;
        tx.append_numbering(&first)?;
        tx.record_numbering_import("first.csv", first.len(), t("2026-03-01T00:00:00Z"))
    }));
    assert_eq!(ok(store.read(|tx| tx.numbering_range(900, 0))), Some(first[0].clone()));
    assert_eq!(ok(store.read(|tx| tx.numbering_range(900, 61_999))), Some(first[0].clone()));
    assert_eq!(ok(store.read(|tx| tx.numbering_range(900, 62_500))), Some(first[1].clone()));
    assert_eq!(ok(store.read(|tx| tx.numbering_range(900, 63_000))), None);
    assert_eq!(ok(store.read(|tx| tx.numbering_range(901, 0))), None);
    let second = vec![range(916, 0, 9_999_999, "ПАО \"МТС\"", "7740000076")];
    ok(store.write(|tx| {
        tx.clear_numbering()?;
        tx.append_numbering(&second)
    }));
    assert_eq!(ok(store.read(|tx| tx.numbering_range(900, 0))), None, "the old plan is gone");
    assert_eq!(ok(store.read(|tx| tx.numbering_range(916, 1_234_567))).map(|r| r.inn), Some(Some("7740000076".into())));
}
