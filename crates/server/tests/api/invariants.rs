//! The invariants `simexit check` verifies hold after the journeys, and a broken row is found.

use simexit_store::StoreExt;

use crate::helpers::TestApp;

async fn violations(app: &TestApp) -> Vec<(String, i64)> {
    let service = app.service.clone();
    let counts =
        tokio::task::spawn_blocking(move || service.store.read(|tx| tx.invariant_counts())).await.unwrap().unwrap();
    let checks: Vec<&str> = simexit_store::INVARIANTS.iter().map(|(name, _)| *name).collect();
    counts.into_iter().filter(|(name, n)| checks.contains(&name.as_str()) && *n != 0).collect()
}

#[tokio::test]
async fn every_invariant_holds_after_completions_revocations_payments_and_releases() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let reviewer = app.login("reviewer@demo").await;
    let (resident, _, first) = app.submitted("resident@demo", "mts").await;
    for action in ["approve", "complete"] {
        app.act(&reviewer, &first["id"], action, None).await.ok();
    }
    let beeline = app.login("reviewer.beeline@demo").await;
    let (_, line, debt) = app.submitted("resident@demo", "beeline").await;
    app.pay_by_card(&resident, &line["id"], 29050).await;
    for action in ["approve", "complete", "revoke"] {
        let token = if action == "revoke" { &resident } else { &beeline };
        app.act(token, &debt["id"], action, None).await.ok();
    }
    assert_eq!(violations(&app).await, vec![], "after completions, a payment and a revocation");
    app.advance_days(40).await; // the MTS number's aging ends
    assert_eq!(violations(&app).await, vec![], "after the release");

    if app.pg.is_none() {
        // A ledger entry changed behind simexit's back is found.
        let path = app.dir.path().join("simexit.db");
        tokio::task::spawn_blocking(move || {
            let db = rusqlite::Connection::open(path).unwrap();
            db.execute(
                "UPDATE ledger_entries SET amount = amount + 1 WHERE id = (SELECT MIN(id) FROM ledger_entries)",
                [],
            )
            .unwrap();
        })
        .await
        .unwrap();
        let found = violations(&app).await;
        assert!(found.iter().any(|(name, n)| name.starts_with("ledger movements") && *n == 1), "{found:?}");
    }
}
