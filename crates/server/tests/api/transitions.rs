//! The other paths of the state machine, and what an illegal step does (nothing).

use serde_json::{Value, json};

use crate::helpers::TestApp;

const THURSDAY: &str = "2026-11-26T09:00:00Z";

#[tokio::test]
async fn a_subscriber_can_withdraw_before_approval_and_the_line_stays_active() {
    let app = TestApp::at(THURSDAY).await;
    let (resident, line, req) = app.submitted("resident@demo", "mts").await;
    let withdrawn = app.act(&resident, &req["id"], "withdraw", Some("changed my mind")).await.ok();
    assert_eq!(withdrawn["state"], "withdrawn");
    assert_eq!(withdrawn["line"]["state"], "active");
    assert_eq!(app.line_of(&resident, "mts").await["id"], line["id"]);
    // A new request can be filed for the same line afterwards.
    app.create(&resident, &line["id"], "online").await.ok();
}

#[tokio::test]
async fn a_reviewer_rejects_with_a_reason_which_is_required() {
    let app = TestApp::at(THURSDAY).await;
    let reviewer = app.login("reviewer@demo").await;
    let (resident, _, req) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &req["id"], "reject", None).await.problem(422, "reason_required");
    assert_eq!(app.request(&resident, &req["id"]).await["state"], "submitted");
    let rejected = app.act(&reviewer, &req["id"], "reject", Some("the passport scan is unreadable")).await.ok();
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(rejected["note"], "the passport scan is unreadable");
    assert_eq!(rejected["line"]["state"], "active");
    let queue = app.get("/api/v1/review-queue", Some(&reviewer)).await.ok();
    assert!(queue.as_array().unwrap().iter().all(|r| r["id"] != req["id"]));
}

/// Asks for information on Friday with two working days left (Monday, Tuesday); the answer
/// comes on Wednesday; the deadline runs from there: `pause` (the default) gives the two days
/// left, Thursday and Friday; `restart` the full three, to Monday.
async fn asked_on_friday_answered_on_wednesday(app: &TestApp) -> Value {
    let reviewer = app.login("reviewer@demo").await;
    let (resident, _, req) = app.submitted("resident@demo", "mts").await;
    assert_eq!(req["review_deadline_date"], "2026-12-01", "Friday, Monday, Tuesday");
    assert_eq!(req["review_paused"], false);
    app.advance_days(1).await; // Friday 2026-11-27
    let asked = app.act(&reviewer, &req["id"], "request-info", Some("please upload a proof of address")).await.ok();
    assert_eq!(asked["state"], "info_requested");
    assert_eq!(asked["note"], "please upload a proof of address");
    assert_eq!(asked["review_paused"], true);
    let queue = app.get("/api/v1/review-queue", Some(&reviewer)).await.ok();
    assert!(queue.as_array().unwrap().iter().all(|r| r["id"] != req["id"]), "waiting on the subscriber");

    app.advance_days(5).await; // Wednesday 2026-12-02, past the first deadline
    let provided = app.act(&resident, &req["id"], "provide-info", Some("uploaded")).await.ok();
    assert_eq!(provided["state"], "info_provided");
    assert_eq!(provided["overdue"], false);
    assert_eq!(provided["review_paused"], false);
    let queue = app.get("/api/v1/review-queue", Some(&reviewer)).await.ok();
    assert!(queue.as_array().unwrap().iter().any(|r| r["id"] == req["id"]));
    assert_eq!(app.act(&reviewer, &req["id"], "approve", None).await.ok()["state"], "approved");
    provided
}

#[tokio::test]
async fn requesting_information_pauses_the_review_deadline_and_the_days_left_continue() {
    let app = TestApp::at(THURSDAY).await;
    let provided = asked_on_friday_answered_on_wednesday(&app).await;
    assert_eq!(provided["review_deadline_date"], "2026-12-04", "the two days left: Thursday, Friday");
    assert_eq!(provided["review_paused_days"], 3, "Monday to Wednesday stood still");
}

#[tokio::test]
async fn a_policy_may_restart_the_review_time_when_information_arrives() {
    let mts = "review_sla_business_days = 3";
    let app = TestApp::with_policy(THURSDAY, mts, &format!("{mts}\nsla_on_info = \"restart\"")).await;
    let provided = asked_on_friday_answered_on_wednesday(&app).await;
    assert_eq!(provided["review_deadline_date"], "2026-12-07", "three days from Wednesday: Thursday, Friday, Monday");
    assert_eq!(provided["review_paused_days"], 0);
}

#[tokio::test]
async fn an_illegal_transition_is_409_and_changes_nothing() {
    let app = TestApp::at(THURSDAY).await;
    let reviewer = app.login("reviewer@demo").await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "mts").await;
    let draft = app.create(&resident, &line["id"], "online").await.ok();
    let before = app.request(&resident, &draft["id"]).await;
    app.act(&reviewer, &draft["id"], "approve", None).await.problem(409, "illegal_transition");
    app.act(&reviewer, &draft["id"], "complete", None).await.problem(409, "illegal_transition");
    app.act(&resident, &draft["id"], "revoke", None).await.problem(409, "illegal_transition");
    assert_eq!(app.request(&resident, &draft["id"]).await, before);
    assert_eq!(app.number(&reviewer, &line["msisdn"]).await["state"], "assigned");
}

#[tokio::test]
async fn a_second_open_request_for_the_same_line_is_a_conflict() {
    let app = TestApp::at(THURSDAY).await;
    let (resident, line, _) = app.submitted("resident@demo", "mts").await;
    app.create(&resident, &line["id"], "online").await.problem(409, "request_already_open");
}

#[tokio::test]
async fn an_online_request_on_a_megafon_line_needs_a_store_visit() {
    let app = TestApp::at(THURSDAY).await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "megafon").await;
    let r = app.create(&resident, &line["id"], "online").await;
    r.problem(422, "store_visit_required");
    assert!(r.body["detail"].as_str().unwrap().contains("store"));
    assert!(app.get("/api/v1/me/terminations", Some(&resident)).await.ok().as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_clerk_completes_an_in_store_megafon_cancellation_in_one_visit() {
    let app = TestApp::at(THURSDAY).await;
    let clerk = app.login("clerk@demo").await;
    let tourist = app.login("tourist@demo").await;
    let line = app.line_of(&tourist, "megafon").await;
    let req =
        app.post("/api/v1/terminations", Some(&clerk), json!({ "line_id": line["id"], "channel": "store" })).await.ok();
    assert_eq!(req["store_id"], "megafon-moscow-tverskaya");
    for action in ["submit", "approve", "complete"] {
        app.act(&clerk, &req["id"], action, None).await.ok();
    }
    let done = app.request(&tourist, &req["id"]).await;
    assert_eq!(done["state"], "completed");
    assert_eq!(done["line"]["state"], "terminated");
    assert_eq!(done["channel"], "store");
}

#[tokio::test]
async fn completion_of_a_line_in_debt_is_refused_with_the_amount() {
    let app = TestApp::at(THURSDAY).await;
    let reviewer = app.login("reviewer.beeline@demo").await;
    let (resident, line, req) = app.submitted("resident@demo", "beeline").await;
    assert_eq!(line["balance"], -23050);
    assert_eq!(req["blocking"][0]["code"], "debt");
    // 230.50 ₽ of debt plus 60.00 ₽ accrued by a 90 ₽ monthly service over 20 days of a 30-day month.
    assert_eq!(req["blocking"][0]["amount"], 29050);
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    let refused = app.act(&reviewer, &req["id"], "complete", None).await;
    refused.problem(422, "debt_outstanding");
    assert_eq!(refused.body["amount"], 29050);
    let after = app.request(&resident, &req["id"]).await;
    assert_eq!(after["state"], "approved");
    assert_eq!(after["line"]["state"], "pending_termination");
    assert_eq!(app.number(&reviewer, &line["msisdn"]).await["state"], "assigned");
}

#[tokio::test]
async fn concurrent_completions_of_one_request_complete_it_once() {
    let app = TestApp::at(THURSDAY).await;
    let reviewer = app.login("reviewer@demo").await;
    let (_, line, req) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    let results =
        app.post_concurrently(8, &format!("/api/v1/terminations/{}/complete", req["id"]), &reviewer, json!({})).await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    let conflicts = results.iter().filter(|r| r.status == 409).count();
    assert_eq!((ok, conflicts), (1, 7));
    let events = app.request(&reviewer, &req["id"]).await["events"].clone();
    assert_eq!(events.as_array().unwrap().iter().filter(|e| e["action"] == "complete").count(), 1);
    let number = app.number(&reviewer, &line["msisdn"]).await;
    assert_eq!(number["history"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_line_openings_never_share_a_number() {
    let app = TestApp::at(THURSDAY).await;
    let admin = app.login("admin@demo").await;
    let body = json!({ "operator": "beeline", "subscriber": "foreigner@demo" });
    let results = app.post_concurrently(20, "/api/v1/lines", &admin, body).await;
    let mut numbers: Vec<String> = results.into_iter().map(|r| r.ok()["msisdn"].as_str().unwrap().to_owned()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 20);
}
