//! Bad input gets a clear 4xx problem document and changes nothing.

use serde_json::json;

use crate::helpers::TestApp;

const NOW: &str = "2026-11-26T09:00:00Z";

#[tokio::test]
async fn malformed_numbers_are_rejected_with_a_readable_reason() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin@demo").await;
    for bad in ["12345", "+7916123456", "+7%20916%20FLOWERS", "%27%20OR%201=1"] {
        let r = app.get(&format!("/api/v1/numbers/{bad}"), Some(&admin)).await;
        r.problem(400, "invalid_msisdn");
    }
    // As people type it: found.
    let r = app.get("/api/v1/numbers/8%20(916)%20100-00-00", Some(&admin)).await.ok();
    assert_eq!(r["msisdn"], "+79161000000");
    app.get("/api/v1/numbers/+79169999999", Some(&admin)).await.problem(404, "not_found");
}

#[tokio::test]
async fn broken_json_wrong_types_and_unknown_fields_are_400() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    app.raw("/api/v1/terminations", Some(&resident), "application/json", "{\"line_id\": 1,")
        .await
        .problem(400, "malformed_json");
    app.post("/api/v1/terminations", Some(&resident), json!({ "line_id": "one", "channel": "online" }))
        .await
        .problem(400, "invalid_body");
    let r = app.post("/api/v1/terminations", Some(&resident), json!({ "line_id": 1, "channel": "fax" })).await;
    r.problem(400, "invalid_body");
    assert!(r.body["detail"].as_str().unwrap().contains("online, store"), "{}", r.body);
    app.post("/api/v1/terminations", Some(&resident), json!({ "line_id": 1, "channel": "online", "extra": 1 }))
        .await
        .problem(400, "invalid_body");
    app.raw("/api/v1/terminations", Some(&resident), "text/plain", "line_id=1")
        .await
        .problem(415, "unsupported_media_type");
    app.raw("/api/v1/terminations/1/submit", Some(&resident), "application/json", "{oops")
        .await
        .problem(400, "malformed_json");
    app.get("/api/v1/terminations/abc", Some(&resident)).await.problem(400, "invalid_path");
    assert!(app.get("/api/v1/me/terminations", Some(&resident)).await.ok().as_array().unwrap().is_empty());
}

#[tokio::test]
async fn unknown_operators_and_ids_are_404_and_bad_operator_ids_400() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    app.get("/api/v1/operators/vodafone/policy", None).await.problem(404, "not_found");
    app.get("/api/v1/operators/MTS!/policy", None).await.problem(400, "invalid_operator");
    app.get("/api/v1/terminations/999999", Some(&resident)).await.problem(404, "not_found");
    app.act(&resident, &json!(999999), "submit", None).await.problem(404, "not_found");
    app.create(&resident, &json!(999999), "online").await.problem(404, "not_found");
    app.post("/api/v1/eligibility", None, json!({ "operator": "vodafone", "customer_category": "resident" }))
        .await
        .problem(404, "not_found");
    let admin = app.login("admin@demo").await;
    app.post("/api/v1/lines", Some(&admin), json!({ "operator": "mts", "subscriber": "ghost@demo" }))
        .await
        .problem(404, "not_found");
    app.post(
        "/api/v1/lines",
        Some(&admin),
        json!({ "operator": "mts", "subscriber": 1, "iccid": "8970101234567890120" }),
    )
    .await
    .problem(400, "invalid_iccid");
}

#[tokio::test]
async fn a_subscriber_cannot_file_a_store_request_or_a_forced_reason() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "mts").await;
    app.create(&resident, &line["id"], "store").await.problem(422, "store_request_needs_clerk");
    app.post(
        "/api/v1/terminations",
        Some(&resident),
        json!({ "line_id": line["id"], "channel": "online", "reason": "over_limit" }),
    )
    .await
    .problem(422, "reason_not_allowed");
}

/// No text simexit keeps may hold the NUL character (PostgreSQL's text cannot store one): a JSON
/// body, an address or a page's form that carries one is refused at the edge with a clear 400,
/// on either backend, and nothing changes.
#[tokio::test]
async fn the_nul_character_is_refused_wherever_text_comes_in_and_changes_nothing() {
    let app = TestApp::at(NOW).await;
    let reviewer = app.login("reviewer@demo").await;
    let (token, _, req) = app.submitted("resident@demo", "mts").await;
    let r = app.act(&reviewer, &req["id"], "reject", Some("the scan\u{0} is unreadable")).await;
    r.problem(400, "invalid_body");
    assert!(r.body["detail"].as_str().unwrap().contains("NUL"), "{}", r.body);
    assert_eq!(app.request(&token, &req["id"]).await["state"], req["state"], "the request did not move");
    app.get("/api/v1/me/terminations?state=%00", Some(&token)).await.problem(400, "invalid_query");
    app.get("/api/v1/numbers/%2B7916%00", Some(&reviewer)).await.problem(400, "invalid_path");
    // A page's form and a page's address: a readable message, not a server error.
    let mut browser = crate::pages::Browser::new(&app);
    let (status, body, _) =
        browser.log_in_form(&[("login", "resident\u{0}@demo"), ("password", "demo"), ("next", "")]).await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
    assert!(body.contains("NUL character"), "{body}");
    let (status, body, _) = browser.get("/stores?city=%00").await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
    assert!(body.contains("NUL character"), "{body}");
}
