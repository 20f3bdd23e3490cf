//! Conformance: termination requests and their events.

use super::*;

pub fn lines_and_requests_round_trip(store: &dyn Store) {
    let n = "+79160000030";
    let (sub, line, req) = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, n)?;
        let req = tx.insert_request(&request_row(line, sub, "mts", n, Some(t("2026-03-04T21:00:00Z"))))?;
        Ok::<_, StoreError>((sub, line, req))
    }));
    let mut l = ok(store.read(|tx| tx.line(line))).unwrap();
    assert_eq!((l.balance, l.state, l.msisdn.as_str()), (Money::from_kopecks(1_050), LineState::Active, n));
    l.state = LineState::Terminated;
    l.terminated_at = Some(t("2026-03-05T00:00:00Z"));
    ok(store.write(|tx| tx.update_line(&l)));
    assert_eq!(ok(store.read(|tx| tx.line(line))), Some(l.clone()));
    assert_eq!(ok(store.read(|tx| tx.lines_of(sub))), vec![l.clone()]);
    assert_eq!(ok(store.read(|tx| tx.line_by_msisdn(&msisdn(n)))).map(|l| l.id), Some(line));

    let mut r = ok(store.read(|tx| tx.request(req))).unwrap();
    assert_eq!(r.id, req);
    assert_eq!(r.review_deadline_date.map(|d| d.to_string()), Some("2026-03-04".into()));
    assert_eq!(ok(store.read(|tx| tx.open_request_for_line(line))).map(|r| r.id), Some(req));
    r.state = RequestState::Completed;
    r.aging_until = Some(t("2026-04-04T00:00:00Z"));
    r.note = Some("ok".into());
    r.overdue = true;
    r.store_id = Some("mts-moscow-arbat".into());
    ok(store.write(|tx| tx.update_request(&r)));
    assert_eq!(ok(store.read(|tx| tx.request(req))), Some(r.clone()));
    assert_eq!(ok(store.read(|tx| tx.requests_at_store("mts-moscow-arbat", 10))), vec![r.clone()]);
    assert_eq!(ok(store.read(|tx| tx.requests_at_store("elsewhere", 10))), vec![]);
    let counts = ok(store.read(|tx| tx.dashboard_counts(&["state", "channel", "sla"], None)));
    for expected in [("state", "completed", 1), ("channel", "online", 1), ("sla", "open_overdue", 1)] {
        let (m, k, n) = expected;
        assert!(counts.contains(&(m.into(), k.into(), n)), "{expected:?} in {counts:?}");
    }
    let mts =
        ok(store.read(|tx| tx.dashboard_counts(&["state", "channel", "sla", "aging_day", "refund"], Some(&op("mts")))));
    assert!(mts.contains(&("state".into(), "completed".into(), 1)), "{mts:?}");
    let t2 =
        ok(store.read(|tx| tx.dashboard_counts(&["state", "channel", "sla", "aging_day", "refund"], Some(&op("t2")))));
    assert!(t2.is_empty(), "another operator counts nothing of mts: {t2:?}");
    assert_eq!(ok(store.read(|tx| tx.open_request_for_line(line))), None);
    assert_eq!(ok(store.read(|tx| tx.requests_of(sub))), vec![r]);
    assert_eq!(ok(store.read(|tx| tx.request(req + 1000))), None);
    assert_eq!(ok(store.read(|tx| tx.subscriber(sub))).map(|s| s.full_name), Some("Анна Иванова".into()));
}

pub fn the_review_queue_is_ordered_by_deadline_and_filtered_by_operator(store: &dyn Store) {
    let ids = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let mut ids = Vec::new();
        for (i, (deadline, operator, state)) in [
            ("2026-03-06T21:00:00Z", "mts", RequestState::Submitted),
            ("2026-03-04T21:00:00Z", "mts", RequestState::InfoProvided),
            ("2026-03-05T21:00:00Z", "t2", RequestState::Submitted),
            ("2026-03-03T21:00:00Z", "mts", RequestState::InfoRequested),
        ]
        .into_iter()
        .enumerate()
        {
            let n = format!("+7916000004{i}");
            let line = seed_line(tx, sub, &n)?;
            let row = RequestRow { state, ..request_row(line, sub, operator, &n, Some(t(deadline))) };
            ids.push(tx.insert_request(&row)?);
        }
        Ok::<_, StoreError>(ids)
    }));
    let all: Vec<i64> = ok(store.read(|tx| tx.review_queue(None, 10))).iter().map(|r| r.id).collect();
    assert_eq!(all, vec![ids[1], ids[2], ids[0]]);
    let mts: Vec<i64> = ok(store.read(|tx| tx.review_queue(Some(&op("mts")), 10))).iter().map(|r| r.id).collect();
    assert_eq!(mts, vec![ids[1], ids[0]]);
    assert_eq!(ok(store.read(|tx| tx.review_queue(None, 1))).len(), 1);
}

pub fn events_are_kept_in_order(store: &dyn Store) {
    let n = "+79160000050";
    let req = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, n)?;
        let req = tx.insert_request(&request_row(line, sub, "mts", n, None))?;
        for (i, (from, to)) in
            [(RequestState::Draft, RequestState::Submitted), (RequestState::Submitted, RequestState::Approved)]
                .into_iter()
                .enumerate()
        {
            tx.insert_event(&NewEvent {
                request_id: req,
                at: t("2026-03-01T10:00:00Z") + (i as i64).minutes(),
                actor: "account:1".into(),
                action: "step".into(),
                from_state: from,
                to_state: to,
                reason: (i == 1).then(|| "looks fine".into()),
            })?;
        }
        Ok::<_, StoreError>(req)
    }));
    let events = ok(store.read(|tx| tx.events(req)));
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].to_state, RequestState::Submitted);
    assert_eq!(events[1].reason.as_deref(), Some("looks fine"));
    assert!(events[0].id < events[1].id);
}
