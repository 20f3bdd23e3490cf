//! Operators, stores, the OpenAPI document and health.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_four_demo_profiles_are_served_with_their_policies() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let ops = app.get("/api/v1/operators", None).await.ok();
    let ids: Vec<&str> = ops.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    for id in ["mts", "beeline", "megafon", "t2"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    let t2 = app.get("/api/v1/operators/t2/policy", None).await.ok();
    assert_eq!(t2["aging_days"], 60);
    assert_eq!(t2["review_sla_business_days"], 1);
    assert_eq!(t2["settlement_options"], serde_json::json!(["refund"]));
    assert_eq!(t2["illustrative"], true);
}

#[tokio::test]
async fn stores_say_whether_they_are_open_now_in_their_own_zone() {
    // 23:30 UTC Sunday is Monday 09:30 in Vladivostok and Monday 02:30 in Moscow.
    let app = TestApp::at("2026-03-15T23:30:00Z").await;
    let stores = app.get("/api/v1/stores", None).await.ok();
    let by_id = |id: &str| stores.as_array().unwrap().iter().find(|s| s["id"] == id).unwrap().clone();
    let vlad = by_id("vostok-vladivostok-svetlanskaya");
    assert_eq!(vlad["open_now"], true);
    assert_eq!(vlad["today"], "09:00-20:00");
    assert!(vlad["local_time"].as_str().unwrap().starts_with("2026-03-16T09:30"));
    assert_eq!(by_id("mts-moscow-arbat")["open_now"], false);
    let megafon = app.get("/api/v1/stores?operator=megafon", None).await.ok();
    assert!(megafon.as_array().unwrap().iter().all(|s| s["operator"] == "megafon"));
    assert_eq!(megafon.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_directory_closes_stores_on_federal_days_off_and_filters_to_sim_recycling() {
    // 2026-01-05, Monday 12:00 in Moscow: a declared day off closes every store that has no
    // exception for it.
    let app = TestApp::at("2026-01-05T09:00:00Z").await;
    let stores = app.get("/api/v1/stores", None).await.ok();
    let arbat = stores.as_array().unwrap().iter().find(|s| s["id"] == "mts-moscow-arbat").unwrap();
    assert_eq!((arbat["open_now"].as_bool(), arbat["today"].as_str()), (Some(false), None), "{arbat}");
    assert_eq!(arbat["kind"], "store");
    let all = stores.as_array().unwrap().len();
    let recycling = app.get("/api/v1/stores?recycles_sims=true", None).await.ok();
    let recycling = recycling.as_array().unwrap();
    assert!(!recycling.is_empty() && recycling.len() < all, "{} of {all}", recycling.len());
    assert!(recycling.iter().all(|s| s["recycles_sims"] == true));
    // 2026-04-30 is a shortened day: Arbat closes an hour early.
    let app = TestApp::at("2026-04-30T09:00:00Z").await;
    let stores = app.get("/api/v1/stores", None).await.ok();
    let arbat = stores.as_array().unwrap().iter().find(|s| s["id"] == "mts-moscow-arbat").unwrap();
    let week = &arbat["hours"]["weekly"]["thu"];
    let close = |t: &str| t.rsplit('-').next().unwrap().to_owned();
    let usual: u32 = close(week.as_str().unwrap())[..2].parse().unwrap();
    let today: u32 = close(arbat["today"].as_str().unwrap())[..2].parse().unwrap();
    assert_eq!(today + 1, usual, "{arbat}");
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_route() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let doc = app.get("/api/v1/openapi.json", None).await.ok();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/operators",
        "/api/v1/operators/{id}/policy",
        "/api/v1/eligibility",
        "/api/v1/stores",
        "/api/v1/auth/login",
        "/api/v1/me/lines",
        "/api/v1/lines",
        "/api/v1/terminations",
        "/api/v1/terminations/{id}",
        "/api/v1/terminations/{id}/submit",
        "/api/v1/terminations/{id}/withdraw",
        "/api/v1/terminations/{id}/approve",
        "/api/v1/terminations/{id}/reject",
        "/api/v1/terminations/{id}/request-info",
        "/api/v1/terminations/{id}/provide-info",
        "/api/v1/terminations/{id}/complete",
        "/api/v1/terminations/{id}/revoke",
        "/api/v1/review-queue",
        "/api/v1/numbers/{msisdn}",
        "/api/v1/lines/{id}/payments",
        "/api/v1/lines/{id}/statement",
        "/api/v1/lines/{id}/services",
        "/api/v1/lines/{id}/adjustments",
        "/api/v1/movements/{id}/reverse",
        "/api/v1/terminations/{id}/settlement",
        "/api/v1/terminations/{id}/final-bill",
        "/api/v1/refunds",
        "/api/v1/refunds/{id}",
        "/api/v1/refunds/{id}/details",
        "/api/v1/refunds/{id}/approve",
        "/api/v1/refunds/{id}/mark-paid",
        "/api/v1/refunds/{id}/mark-failed",
        "/api/v1/me/refunds",
        "/api/v1/dev/clock",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    assert_eq!(app.get("/healthz", None).await.ok()["status"], "ok");
    let ready = app.get("/readyz", None).await.ok();
    assert_eq!(ready["status"], "ready");
    let expected = if app.pg.is_some() { "postgres" } else { "sqlite" };
    assert_eq!(ready["database"], expected);
    assert_eq!(ready["calendars_until"]["ru-federal"], "2027-12-31");
    assert_eq!(ready["warnings"], serde_json::json!([]), "13 months ahead: nothing to warn of");
}

/// Sixty days before the production calendar's last day, the readiness answer, the metrics and
/// (its own test in the CLI) `simexit check` say so; the service stays ready.
#[tokio::test]
async fn a_production_calendar_about_to_end_is_warned_of() {
    let app = TestApp::at("2027-11-01T09:00:00Z").await;
    let ready = app.get("/readyz", None).await.ok();
    assert_eq!(ready["status"], "ready");
    let warning = ready["warnings"][0].as_str().unwrap();
    assert!(warning.contains("`ru-federal` ends on 2027-12-31 (60 days"), "{warning}");
    let metrics = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("simexit_calendar_days_left{calendar=\"ru-federal\"} 60"), "{metrics}");
}

#[tokio::test]
async fn the_stores_clerk_or_a_queue_system_sets_the_live_wait() {
    let app = TestApp::at("2026-03-02T09:00:00Z").await;
    let put = |token: String, minutes: i64| {
        let app = &app;
        async move {
            app.send(
                reqwest::Method::PUT,
                "/api/v1/stores/mts-moscow-arbat/wait",
                Some(&token),
                Some(json!({ "minutes": minutes })),
            )
            .await
        }
    };
    let clerk = app.login("clerk.mts@demo").await;
    assert_eq!(put(clerk.clone(), 25).await.ok()["wait_minutes"], 25);
    let wait = |stores: serde_json::Value| {
        stores.as_array().unwrap().iter().find(|s| s["id"] == "mts-moscow-arbat").unwrap()["wait_minutes"].clone()
    };
    assert_eq!(wait(app.get("/api/v1/stores", None).await.ok()), 25, "the directory shows it");
    put(clerk.clone(), -1).await.problem(422, "invalid_wait");
    put(app.login("clerk.kazan@demo").await, 5).await.problem(403, "forbidden");
    put(app.login("admin.beeline@demo").await, 5).await.problem(403, "forbidden");

    let queue = app.client_token("admin@demo", &["stores:wait"]).await;
    assert_eq!(put(queue, 5).await.ok()["wait_minutes"], 5);
    assert_eq!(wait(app.get("/api/v1/stores", None).await.ok()), 5);
}
