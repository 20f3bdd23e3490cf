//! The subscriber's journey of the core issue, end to end through the API.

use crate::helpers::TestApp;

// Friday 2026-05-08 17:00 in Moscow; the weekend and Monday 05-11 are days off.
const FRIDAY_BEFORE_MAY_HOLIDAYS: &str = "2026-05-08T14:00:00Z";

#[tokio::test]
async fn a_resident_cancels_online_and_revokes_during_aging_to_get_the_same_number_back() {
    let app = TestApp::at(FRIDAY_BEFORE_MAY_HOLIDAYS).await;
    let (resident, line, req) = app.submitted("resident@demo", "mts").await;
    assert_eq!(req["state"], "submitted");
    assert_eq!(req["review_deadline"], "2026-05-14T21:00:00Z", "end of Thursday 05-14, Moscow time");
    assert_eq!(req["review_deadline_date"], "2026-05-14");
    assert_eq!(req["line"]["state"], "pending_termination");

    let reviewer = app.login("reviewer@demo").await;
    let queue = app.get("/api/v1/review-queue", Some(&reviewer)).await.ok();
    assert!(queue.as_array().unwrap().iter().any(|r| r["id"] == req["id"]), "{queue}");
    assert_eq!(app.act(&reviewer, &req["id"], "approve", None).await.ok()["state"], "approved");

    let done = app.act(&reviewer, &req["id"], "complete", None).await.ok();
    assert_eq!(done["state"], "completed");
    assert_eq!(done["line"]["state"], "terminated");
    assert_eq!(done["completed_at"], FRIDAY_BEFORE_MAY_HOLIDAYS);
    assert_eq!(done["aging_until"], "2026-06-07T14:00:00Z", "30 days after completion");
    let number = app.number(&reviewer, &line["msisdn"]).await;
    assert_eq!(number["state"], "aging");
    assert_eq!(number["aging_until"], "2026-06-07T14:00:00Z");

    app.advance_days(10).await;
    let revoked = app.act(&resident, &req["id"], "revoke", None).await.ok();
    assert_eq!(revoked["state"], "revoked");
    assert_eq!(revoked["line"]["state"], "active");
    assert_eq!(revoked["line"]["msisdn"], line["msisdn"]);
    let number = app.number(&reviewer, &line["msisdn"]).await;
    assert_eq!(number["state"], "assigned");
    assert_eq!(number["line_id"], line["id"]);
    let again = app.line_of(&resident, "mts").await;
    assert_eq!((again["id"].clone(), again["state"].clone()), (line["id"].clone(), "active".into()));

    // The aging job that was scheduled at completion must not recycle a revoked number.
    app.advance_days(40).await;
    assert_eq!(app.number(&reviewer, &line["msisdn"]).await["state"], "assigned");
    assert_eq!(app.request(&resident, &req["id"]).await["state"], "revoked");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn after_aging_the_number_returns_to_the_pool_and_its_history_shows_both_holder_periods() {
    let app = TestApp::at(FRIDAY_BEFORE_MAY_HOLIDAYS).await;
    let reviewer = app.login("reviewer@demo").await;
    let (resident, line, first) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &first["id"], "approve", None).await.ok();
    app.act(&reviewer, &first["id"], "complete", None).await.ok();
    app.advance_days(1).await;
    app.act(&resident, &first["id"], "revoke", None).await.ok();

    let second = app.create(&resident, &line["id"], "online").await.ok();
    app.upload_required(&resident, &second).await;
    app.act(&resident, &second["id"], "submit", None).await.ok();
    app.act(&reviewer, &second["id"], "approve", None).await.ok();
    let completed = app.act(&reviewer, &second["id"], "complete", None).await.ok();

    app.advance_days(29).await;
    assert_eq!(app.number(&reviewer, &line["msisdn"]).await["state"], "aging", "still frozen on day 29");
    let clock = app.advance_days(2).await;
    assert!(clock["jobs_run"].as_u64().unwrap() >= 1);

    let number = app.number(&reviewer, &line["msisdn"]).await;
    assert_eq!(number["state"], "available");
    assert_eq!(number["aging_until"], serde_json::Value::Null);
    let history = number["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{number}");
    assert!(history.iter().all(|p| p["line_id"] == line["id"] && p["end_reason"] == "terminated"));
    assert_eq!(history[0]["to"], FRIDAY_BEFORE_MAY_HOLIDAYS);
    assert_eq!(history[1]["to"], completed["completed_at"]);

    let closed = app.request(&resident, &second["id"]).await;
    assert_eq!(closed["state"], "closed");
    let last = closed["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["actor"].as_str(), last["action"].as_str()), (Some("system"), Some("end_aging")));

    // Revoking after the freeze ended is refused and changes nothing.
    app.act(&resident, &second["id"], "revoke", None).await.problem(409, "illegal_transition");
    assert_eq!(app.number(&reviewer, &line["msisdn"]).await["state"], "available");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_recycled_number_goes_to_a_new_subscriber_only_after_aging() {
    let app = TestApp::at(FRIDAY_BEFORE_MAY_HOLIDAYS).await;
    let admin = app.login("admin@demo").await;
    let t2_reviewer = app.login("reviewer.t2@demo").await;
    let (_, line, req) = app.submitted("tourist@demo", "t2").await;
    app.act(&t2_reviewer, &req["id"], "approve", None).await.ok();
    app.act(&t2_reviewer, &req["id"], "complete", None).await.ok();

    // Drain the T2 pool: the aging number must never be handed out.
    let mut handed = Vec::new();
    loop {
        let r = app
            .post("/api/v1/lines", Some(&admin), serde_json::json!({ "operator": "t2", "subscriber": "resident@demo" }))
            .await;
        if r.status == 409 {
            r.problem(409, "number_pool_empty");
            break;
        }
        handed.push(r.ok()["msisdn"].clone());
    }
    assert!(!handed.contains(&line["msisdn"]), "an aging number was assigned");

    app.advance_days(61).await;
    let fresh =
        app.post("/api/v1/lines", Some(&admin), serde_json::json!({ "operator": "t2", "subscriber": 1 })).await.ok();
    assert_eq!(fresh["msisdn"], line["msisdn"], "after 60 days of aging the number is back in the pool");
}
