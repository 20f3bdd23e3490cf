//! Conformance: network deprovisioning and restoration tasks.

use super::*;

pub fn network_tasks_record_their_steps_and_alerts(store: &dyn Store) {
    let n = msisdn("+79160000060");
    let request = ok(store.write(|tx| {
        let sub = seed_subscriber(tx)?;
        let line = seed_line(tx, sub, n.as_str())?;
        tx.insert_request(&request_row(line, sub, "mts", n.as_str(), None))
    }));
    let task = NetworkTaskRow {
        id: 0,
        request_id: request,
        msisdn: n.clone(),
        direction: "deprovision".into(),
        steps: vec!["bar".into(), "detach".into(), "delete".into()],
        done_steps: 0,
        status: "in_progress".into(),
        attempts: 0,
        last_error: None,
        updated_at: t("2026-03-02T09:00:00Z"),
    };
    let id = ok(store.write(|tx| tx.insert_network_task(&task)));
    let again = store.write(|tx| tx.insert_network_task(&task));
    assert!(matches!(again, Err(StoreError::Conflict(_))), "one task per request and direction: {again:?}");
    let mut failing = NetworkTaskRow {
        id,
        done_steps: 1,
        status: "alert".into(),
        attempts: 3,
        last_error: Some("detach: busy".into()),
        ..task.clone()
    };
    ok(store.write(|tx| tx.update_network_task(&failing)));
    assert_eq!(ok(store.read(|tx| tx.network_task(id))), Some(failing.clone()));
    assert_eq!(ok(store.read(|tx| tx.network_alerts(None, 10))), vec![failing.clone()]);
    assert_eq!(ok(store.read(|tx| tx.network_alerts(Some(&op("mts")), 10))), vec![failing.clone()]);
    assert!(ok(store.read(|tx| tx.network_alerts(Some(&op("t2")), 10))).is_empty(), "another operator's");
    failing.status = "done".into();
    failing.done_steps = 3;
    ok(store.write(|tx| tx.update_network_task(&failing)));
    assert!(ok(store.read(|tx| tx.network_alerts(None, 10))).is_empty());
    assert_eq!(ok(store.read(|tx| tx.network_tasks_of(request))).len(), 1);
}
