//! Timers: the review deadline marks requests overdue; jobs survive a restart.

use simexit_store::StoreExt;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_request_still_undecided_at_its_deadline_is_marked_overdue() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let reviewer = app.login("reviewer@demo").await;
    let (resident, _, req) = app.submitted("resident@demo", "mts").await;
    app.advance_days(5).await; // Tuesday 2026-12-01 09:00 UTC: not yet past the end of the day
    assert_eq!(app.request(&resident, &req["id"]).await["overdue"], false);
    app.advance_days(1).await;
    let late = app.request(&resident, &req["id"]).await;
    assert_eq!(late["overdue"], true);
    assert_eq!(late["state"], "submitted");
    assert!(late["events"].as_array().unwrap().iter().any(|e| e["action"] == "overdue" && e["actor"] == "system"));
    let queue = app.get("/api/v1/review-queue", Some(&reviewer)).await.ok();
    assert_eq!(queue[0]["overdue"], true);
}

#[tokio::test]
async fn a_due_aging_job_survives_a_restart_and_runs_once() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let reviewer = app.login("reviewer@demo").await;
    let (_, line, req) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    // A new process, 31 days later, over the same database.
    let app = app.restart("2026-12-27T09:00:00Z").await;
    let service = app.service.clone();
    let report = tokio::task::spawn_blocking(move || service.drain_due_jobs()).await.unwrap().unwrap();
    assert!(report.done >= 1, "{report:?}");
    let service = app.service.clone();
    let again = tokio::task::spawn_blocking(move || service.drain_due_jobs()).await.unwrap().unwrap();
    assert_eq!(again.claimed, 0, "nothing runs twice");
    let reviewer2 = app.login("reviewer@demo").await;
    assert_ne!(reviewer, reviewer2);
    assert_eq!(app.number(&reviewer2, &line["msisdn"]).await["state"], "available");
}

#[tokio::test]
async fn without_the_dev_clock_flag_the_clock_path_does_not_exist() {
    let app = TestApp::build("2026-11-26T09:00:00Z", false).await;
    let r = app.post("/api/v1/dev/clock", None, serde_json::json!({ "advance_days": 31 })).await;
    assert_eq!(r.status, 404);
    let doc = app.get("/api/v1/openapi.json", None).await.ok();
    assert!(doc["paths"].get("/api/v1/dev/clock").is_none());
}

#[tokio::test]
async fn a_failing_job_neither_blocks_nor_undoes_the_jobs_claimed_with_it() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let reviewer = app.login("reviewer@demo").await;
    let (_, line, req) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    // A job the worker cannot run, due just before the aging end: claimed in the same batch.
    let service = app.service.clone();
    let due = service.now().checked_add(jiff::SignedDuration::from_hours(24 * 60)).unwrap();
    let writer = service.clone();
    let bad = tokio::task::spawn_blocking(move || {
        writer.store.write(|tx| {
            tx.insert_job(&simexit_store::NewJob {
                kind: "no_such_kind".into(),
                payload: r#"{"id": 1}"#.into(),
                run_at: due,
                max_attempts: 3,
                dedupe_key: None,
                created_at: due,
            })?;
            tx.jobs_by_status()
        })
    })
    .await
    .unwrap()
    .unwrap();
    assert!(bad.iter().any(|(s, n)| s == "pending" && *n >= 2), "{bad:?}");
    let ran = app.advance_days(61).await;
    assert!(ran["jobs_run"].as_u64().unwrap() >= 1, "{ran}");
    assert_eq!(app.number(&reviewer, &line["msisdn"]).await["state"], "available", "the release committed");
    let reader = app.service.clone();
    let later = due.checked_add(jiff::SignedDuration::from_hours(48)).unwrap();
    let failed = tokio::task::spawn_blocking(move || reader.store.dry_run(|tx| tx.claim_jobs(later, due, 10)))
        .await
        .unwrap()
        .unwrap();
    let bad: Vec<_> = failed.iter().filter(|j| j.kind == "no_such_kind").collect();
    assert_eq!(bad.len(), 1, "the bad job waits for its retry: {failed:?}");
    assert!(bad[0].last_error.as_deref().unwrap_or_default().contains("unknown job kind"), "{:?}", bad[0]);
}
