//! Lines, numbers and eligibility.

use serde_json::json;

use crate::helpers::TestApp;

const NOW: &str = "2026-11-26T09:00:00Z";

#[tokio::test]
async fn the_demo_subscriber_sees_their_lines_with_e164_numbers_and_balances() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    let lines = app.get("/api/v1/me/lines", Some(&resident)).await.ok();
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 5);
    for l in lines {
        assert!(l["msisdn"].as_str().unwrap().starts_with("+79"), "{l}");
        assert_eq!(l["state"], "active");
        assert!(l["id"].is_i64() && l["balance"].is_i64());
    }
    assert!(lines.iter().any(|l| l["balance"].as_i64().unwrap() < 0), "one line in debt");
    assert!(lines.iter().any(|l| l["balance"].as_i64().unwrap() > 0), "one line with money left");
}

#[tokio::test]
async fn a_clerk_opens_a_line_from_the_pool_of_their_own_operator_only() {
    let app = TestApp::at(NOW).await;
    let clerk = app.login("clerk.mts@demo").await;
    let line = app
        .post(
            "/api/v1/lines",
            Some(&clerk),
            json!({ "operator": "mts", "subscriber": "foreigner@demo", "iccid": "8970101234567890123" }),
        )
        .await;
    assert_eq!(line.status, 201, "{}", line.body);
    assert_eq!(line.body["operator"], "mts");
    assert_eq!(line.body["state"], "active");
    let number = app.number(&clerk, &line.body["msisdn"]).await;
    assert_eq!(number["state"], "assigned");
    assert_eq!(number["history"][0]["line_id"], line.body["id"]);
    app.post("/api/v1/lines", Some(&clerk), json!({ "operator": "t2", "subscriber": "foreigner@demo" }))
        .await
        .problem(403, "forbidden");
}

#[tokio::test]
async fn eligibility_answers_by_policy_by_line_and_by_number() {
    let app = TestApp::at(NOW).await;
    let by_policy = app
        .post("/api/v1/eligibility", None, json!({ "operator": "megafon", "customer_category": "tourist" }))
        .await
        .ok();
    assert_eq!(by_policy["online_allowed"], false);
    assert_eq!(by_policy["store_visit_required"], true);
    assert!(by_policy["documents_required"].as_array().unwrap().contains(&json!("guarantor")));
    assert!(!by_policy["documents_required"].as_array().unwrap().contains(&json!("address_proof")));

    let mts =
        app.post("/api/v1/eligibility", None, json!({ "operator": "mts", "customer_category": "resident" })).await.ok();
    assert_eq!(mts["online_allowed"], true);
    assert_eq!(mts["review_sla_business_days"], 3);
    assert_eq!(mts["aging_days"], 30);
    assert!(mts["hotline"].as_str().unwrap().starts_with("8 800"));
    assert!(mts["website"].as_str().unwrap().starts_with("https://"));

    let resident = app.login("resident@demo").await;
    let debt_line = app.line_of(&resident, "beeline").await;
    let by_line = app.post("/api/v1/eligibility", Some(&resident), json!({ "line_id": debt_line["id"] })).await.ok();
    assert_eq!(by_line["blocking"][0]["code"], "debt");
    assert_eq!(by_line["blocking"][0]["amount"], 29050, "the balance and the charges accrued so far");
    assert_eq!(by_line["customer_category"], "resident");

    // By number: the holder sees the debt; a stranger sees only the operator's policy.
    let by_number =
        app.post("/api/v1/eligibility", Some(&resident), json!({ "msisdn": debt_line["msisdn"] })).await.ok();
    assert_eq!(by_number["blocking"][0]["code"], "debt");
    let stranger = app
        .post("/api/v1/eligibility", None, json!({ "msisdn": debt_line["msisdn"], "customer_category": "resident" }))
        .await
        .ok();
    assert_eq!(stranger["operator"], "beeline");
    assert!(stranger["blocking"].as_array().unwrap().is_empty());
    app.post("/api/v1/eligibility", None, json!({ "msisdn": debt_line["msisdn"] }))
        .await
        .problem(422, "customer_category_required");
    app.post("/api/v1/eligibility", None, json!({})).await.problem(422, "eligibility_query");
    app.post("/api/v1/eligibility", None, json!({ "msisdn": "not a number" })).await.problem(400, "invalid_msisdn");
}

#[tokio::test]
async fn a_vladivostok_operator_counts_the_deadline_from_its_own_local_day() {
    // 15:30 UTC Thursday is 01:30 Friday in Vladivostok: the SLA (2 days) counts Mon and Tue.
    let app = TestApp::at("2026-03-12T15:30:00Z").await;
    let (_, _, req) = app.submitted("foreigner@demo", "vostok").await;
    assert_eq!(req["review_deadline_date"], "2026-03-17");
    assert_eq!(req["review_deadline"], "2026-03-17T14:00:00Z");
}

#[tokio::test]
async fn a_year_the_calendar_does_not_know_is_refused_or_marked_as_a_fallback() {
    let app = TestApp::at("2027-12-29T09:00:00Z").await;
    // MTS refuses to guess: the deadline would fall in 2028.
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "mts").await;
    let draft = app.create(&resident, &line["id"], "online").await.ok();
    app.upload_required(&resident, &draft).await;
    app.act(&resident, &draft["id"], "submit", None).await.problem(422, "calendar_unknown_year");
    assert_eq!(app.request(&resident, &draft["id"]).await["state"], "draft");
    // Vostok's policy allows the weekday fallback, and says so on the request.
    let (_, _, req) = app.submitted("foreigner@demo", "vostok").await;
    assert_eq!(req["deadline_fallback"], true);
    assert_eq!(req["review_deadline_date"], "2028-01-03", "Dec 30, then Monday 2028-01-03 by weekdays");
}

#[tokio::test]
async fn the_numbering_plan_names_the_range_holder_and_serves_eligibility_for_unknown_numbers() {
    let app = TestApp::at(NOW).await;
    let sample = "\u{feff}АВС/ DEF;От;До;Емкость;Оператор;Регион;Территория ГАР;ИНН\n\
        900;0000000;0061999;62000;ООО \"Т2 МОБАЙЛ\";Краснодарский край;Краснодарский край;7743895280";
    let service = app.service.clone();
    let n = tokio::task::spawn_blocking(move || service.import_numbering(sample, "sample.csv", |_, _| {}))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 1);
    let r = app.get("/api/v1/numbering/+7%20900%20000%2000%2000", None).await.ok();
    assert_eq!(r["holder_inn"], "7743895280");
    assert_eq!(r["region"], "Краснодарский край");
    assert_eq!(r["operator"], "t2", "the demo's T2 profile has that tax id");
    app.get("/api/v1/numbering/+79990000000", None).await.problem(404, "not_found");
    app.get("/api/v1/numbering/12", None).await.problem(400, "invalid_msisdn");
    // A number simexit never held: its operator comes from the plan.
    let e = app
        .post("/api/v1/eligibility", None, json!({ "msisdn": "+79000000001", "customer_category": "tourist" }))
        .await
        .ok();
    assert_eq!(e["operator"], "t2");
    assert_eq!(e["aging_days"], 60);
}

/// A port-out ends the line as a termination with reason `port_out`: its service stopped and
/// prorated, the balance settled (a refund claim on T2), a final bill, a certificate, the
/// network steps, a message without a promise to revoke; the request closes at once, the
/// number is the recipient's, and nothing is billed after.
#[tokio::test]
async fn a_port_out_is_a_termination_with_its_bill_settlement_certificate_and_messages() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin@demo").await;
    let resident = app.login("resident@demo").await;
    // T2: 99 ₽, and 50 ₽ a month for a service started 2026-11-23 (a 30-day month).
    let line = app.line_of(&resident, "t2").await;
    let n = line["msisdn"].as_str().unwrap().to_owned();
    let out = app.post(&format!("/api/v1/numbers/{n}/port-out"), Some(&admin), json!({})).await.ok();
    assert_eq!(out["state"], "ported_out");
    assert_eq!(out["history"][0]["end_reason"], "ported_out");

    let mine = app.get("/api/v1/me/terminations", Some(&resident)).await.ok();
    let req = mine.as_array().unwrap().iter().find(|r| r["line_id"] == line["id"]).unwrap().clone();
    assert_eq!((req["reason"].as_str(), req["state"].as_str()), (Some("port_out"), Some("closed")));
    assert_eq!(req["aging_until"], serde_json::Value::Null, "the number does not age here");
    let bill = app.get(&format!("/api/v1/terminations/{}/final-bill", req["id"]), Some(&resident)).await.ok();
    assert_eq!(bill["preview"], false);
    assert_eq!(bill["charges"], 500, "3 days of 50 ₽ over a 30-day month");
    assert_eq!(
        (bill["settlement"]["option"].as_str(), bill["settlement"]["amount"].as_i64()),
        (Some("refund"), Some(9400))
    );
    let services = app.get(&format!("/api/v1/lines/{}/services", line["id"]), Some(&resident)).await.ok();
    assert!(services.as_array().unwrap().iter().all(|s| !s["stopped_at"].is_null()), "{services}");
    let certificate = app.get(&format!("/api/v1/terminations/{}/certificate", req["id"]), Some(&resident)).await.ok();
    let public = app.get(&format!("/api/v1/certificates/{}", certificate["number"].as_str().unwrap()), None).await.ok();
    assert_eq!((public["genuine"].as_bool(), public["certifies"]["reason"].as_str()), (Some(true), Some("port_out")));
    let tasks = app.get(&format!("/api/v1/terminations/{}/network", req["id"]), Some(&resident)).await.ok();
    assert!(!tasks.as_array().unwrap().is_empty(), "the SIM is deprovisioned: {tasks}");
    let outbox = app.get("/api/v1/outbox", Some(&admin)).await.ok();
    let templates: Vec<&str> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["request_id"] == req["id"])
        .map(|m| m["template"].as_str().unwrap())
        .collect();
    assert!(templates.contains(&"request_completed_final"), "{templates:?}");
    assert!(!templates.contains(&"request_completed"), "no promise to revoke: {templates:?}");

    app.act(&resident, &req["id"], "revoke", None).await.problem(409, "illegal_transition");
    let statement = format!("/api/v1/lines/{}/statement", line["id"]);
    let before = app.get(&statement, Some(&resident)).await.ok()["entries"].clone();
    app.advance_days(70).await;
    let after = app.get(&statement, Some(&resident)).await.ok()["entries"].clone();
    assert_eq!(after, before, "nothing billed after the port-out");
    // Only through the number: not as a reason of a request or a bulk run.
    let other = app.line_of(&resident, "mts").await;
    app.post(
        "/api/v1/terminations",
        Some(&admin),
        json!({ "line_id": other["id"], "channel": "online", "reason": "port_out" }),
    )
    .await
    .problem(422, "reason_not_allowed");
}
