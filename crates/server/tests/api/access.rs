//! Who may see and do what.

use serde_json::json;

use crate::helpers::TestApp;

const NOW: &str = "2026-11-26T09:00:00Z";

#[tokio::test]
async fn a_subscriber_cannot_approve_even_their_own_request() {
    let app = TestApp::at(NOW).await;
    let (resident, _, req) = app.submitted("resident@demo", "mts").await;
    app.act(&resident, &req["id"], "approve", None).await.problem(403, "forbidden");
    app.act(&resident, &req["id"], "complete", None).await.problem(403, "forbidden");
    assert_eq!(app.request(&resident, &req["id"]).await["state"], "submitted");
}

#[tokio::test]
async fn other_peoples_requests_and_lines_are_not_found() {
    let app = TestApp::at(NOW).await;
    let (_, line, req) = app.submitted("resident@demo", "mts").await;
    let foreigner = app.login("foreigner@demo").await;
    app.get(&format!("/api/v1/terminations/{}", req["id"]), Some(&foreigner)).await.problem(404, "not_found");
    app.act(&foreigner, &req["id"], "withdraw", None).await.problem(404, "not_found");
    app.get(&format!("/api/v1/lines/{}", line["id"]), Some(&foreigner)).await.problem(404, "not_found");
    app.create(&foreigner, &line["id"], "online").await.problem(404, "not_found");
    let mine = app.get("/api/v1/me/lines", Some(&foreigner)).await.ok();
    assert!(mine.as_array().unwrap().iter().all(|l| l["id"] != line["id"]));
}

#[tokio::test]
async fn a_reviewer_sees_only_their_operators_requests() {
    let app = TestApp::at(NOW).await;
    let (_, _, mts) = app.submitted("resident@demo", "mts").await;
    let (_, _, t2) = app.submitted("tourist@demo", "t2").await;
    let reviewer = app.login("reviewer@demo").await;
    let queue = app.get("/api/v1/review-queue", Some(&reviewer)).await.ok();
    let ids: Vec<_> = queue.as_array().unwrap().iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, vec![mts["id"].clone()]);
    app.act(&reviewer, &t2["id"], "approve", None).await.problem(404, "not_found");
    let admin = app.login("admin@demo").await;
    let all = app.get("/api/v1/review-queue", Some(&admin)).await.ok();
    assert_eq!(all.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_subscriber_cannot_open_lines_or_read_the_number_inventory() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    app.post("/api/v1/lines", Some(&resident), json!({ "operator": "mts", "subscriber": "resident@demo" }))
        .await
        .problem(403, "forbidden");
    app.get("/api/v1/numbers/+79161000000", Some(&resident)).await.problem(403, "forbidden");
    app.get("/api/v1/review-queue", Some(&resident)).await.problem(403, "forbidden");
}

#[tokio::test]
async fn requests_without_a_valid_token_are_401_and_sign_out_ends_the_token() {
    let app = TestApp::at(NOW).await;
    app.get("/api/v1/me/lines", None).await.problem(401, "missing_token");
    app.get("/api/v1/me/lines", Some("sx_forged")).await.problem(401, "invalid_token");
    app.post("/api/v1/auth/login", None, json!({ "login": "resident@demo", "password": "wrong" }))
        .await
        .problem(401, "invalid_credentials");
    app.post("/api/v1/auth/login", None, json!({ "login": "nobody@demo", "password": "demo" }))
        .await
        .problem(401, "invalid_credentials");
    let token = app.login("resident@demo").await;
    app.get("/api/v1/me/lines", Some(&token)).await.ok();
    let out = app.post("/api/v1/auth/logout", Some(&token), json!({})).await;
    assert_eq!(out.status, 204);
    app.get("/api/v1/me/lines", Some(&token)).await.problem(401, "invalid_token");
}

#[tokio::test]
async fn auditors_read_and_export_the_chained_audit_log_and_others_cannot() {
    let app = TestApp::at(NOW).await;
    let (_, _, req) = app.submitted("resident@demo", "mts").await;
    let auditor = app.login("auditor@demo").await;
    let page = app.get("/api/v1/audit?limit=1000", Some(&auditor)).await.ok();
    let entries = page.as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "submit" && e["entity_id"].as_str() == Some(req["id"].to_string().as_str()))
    );
    let submit = entries.iter().find(|e| e["action"] == "submit").unwrap();
    assert!(submit["actor"].as_str().unwrap().ends_with("@127.0.0.1"), "who and from where: {submit}");
    assert_eq!(submit["details"]["from"], "draft");
    assert_eq!(submit["details"]["to"], "submitted");
    for pair in entries.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"], "each entry links to the one before");
    }
    let res = app.client.get(format!("{}/api/v1/audit/export", app.base)).bearer_auth(&auditor).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), entries.len());
    let resident = app.login("resident@demo").await;
    app.get("/api/v1/audit", Some(&resident)).await.problem(403, "forbidden");
    let reviewer = app.login("reviewer@demo").await;
    app.get("/api/v1/audit", Some(&reviewer)).await.problem(403, "forbidden");
}
