//! Bulk terminations from the admin API: a dry run, then a run the worker carries out.

use serde_json::Value;

use crate::helpers::TestApp;

const NOW: &str = "2026-03-02T09:00:00Z";

async fn post_csv(app: &TestApp, token: &str, query: &str, csv: &str) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/bulk-terminations?{query}", app.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_dry_run_reports_each_line_and_the_run_terminates_through_the_worker() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin@demo").await;
    let resident = app.login("resident@demo").await;
    let foreigner = app.login("foreigner@demo").await;
    let mine = app.line_of(&resident, "mts").await;
    let in_debt = app.line_of(&foreigner, "mts").await;
    let csv = format!(
        "msisdn\n{}\n{}\n+79169999998\n",
        mine["msisdn"].as_str().unwrap(),
        in_debt["msisdn"].as_str().unwrap()
    );

    let (s, dry) = post_csv(&app, &admin, "reason=over_limit&dry_run=true", &csv).await;
    assert_eq!(s, 200, "{dry}");
    let outcomes: Vec<&str> = dry["lines"].as_array().unwrap().iter().map(|l| l["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["terminated", "debt", "unknown_number"]);
    assert!(dry["lines"][1]["detail"].as_str().unwrap().starts_with("debt "), "{dry}");
    assert_eq!(
        app.get(&format!("/api/v1/lines/{}", mine["id"]), Some(&resident)).await.ok()["state"],
        "active",
        "nothing changed"
    );

    let (s, _) = post_csv(&app, &resident, "reason=over_limit", &csv).await;
    assert_eq!(s, 403);
    let (s, bad) = post_csv(&app, &admin, "reason=voluntary", &csv).await;
    assert_eq!((s, bad["code"].as_str()), (422, Some("reason_not_forced")));

    let (s, run) = post_csv(&app, &admin, "reason=over_limit", &csv).await;
    assert_eq!((s, run["total"].as_i64(), run["counts"]["pending"].as_i64()), (202, Some(3), Some(3)), "{run}");
    app.advance_days(0).await; // the worker's round
    let done = app.get(&format!("/api/v1/bulk-terminations/{}", run["id"].as_str().unwrap()), Some(&admin)).await.ok();
    assert_eq!(done["counts"], serde_json::json!({ "debt": 1, "terminated": 1, "unknown_number": 1 }), "{done}");
    assert!(done["finished_at"].is_string(), "{done}");
    let line = app.get(&format!("/api/v1/lines/{}", mine["id"]), Some(&resident)).await.ok();
    assert_eq!(line["state"], "terminated");
    let (_, again) = post_csv(&app, &admin, "reason=over_limit", &csv).await;
    assert_eq!(again["id"], run["id"], "the same file is the same run");
    assert!(again["counts"].get("pending").is_none(), "nothing is done twice: {again}");
    let reqs = app.get("/api/v1/me/terminations", Some(&resident)).await.ok();
    let forced: Vec<&Value> = reqs.as_array().unwrap().iter().filter(|r| r["reason"] == "over_limit").collect();
    assert_eq!(forced.len(), 1);
    let cert = app.get(&format!("/api/v1/terminations/{}/certificate", forced[0]["id"]), Some(&resident)).await.ok();
    assert_eq!(cert["certifies"]["reason"], "over_limit", "the forced reason is on the certificate");
}

#[tokio::test]
async fn the_unused_report_lists_lines_without_charges_or_payments_for_the_period() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin@demo").await;
    let resident = app.login("resident@demo").await;
    let paying = app.line_of(&resident, "megafon").await;
    app.advance_days(40).await;
    app.pay_by_card(&resident, &paying["id"], 100).await;
    let service = app.service.clone();
    let unused = tokio::task::spawn_blocking(move || {
        let who = service.authenticate(&admin).unwrap();
        service.unused_report(&who, 30).unwrap()
    })
    .await
    .unwrap();
    let numbers: Vec<String> = unused.iter().map(|c| c.msisdn.to_string()).collect();
    assert!(!numbers.contains(&paying["msisdn"].as_str().unwrap().to_owned()), "a line topped up this month is in use");
    let lines = app.get("/api/v1/me/lines", Some(&resident)).await.ok();
    let quiet = lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["operator"] == "mts" && l["services"].as_array().is_none_or(|s| s.is_empty()))
        .unwrap();
    assert!(numbers.contains(&quiet["msisdn"].as_str().unwrap().to_owned()), "{numbers:?}");
}

#[tokio::test]
async fn a_background_run_stops_when_its_admin_is_disabled() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin@demo").await;
    let body = serde_json::json!({ "login": "bulk.admin@demo", "password": "bulk admin password", "role": "admin" });
    assert_eq!(app.post("/api/v1/staff", Some(&admin), body).await.status, 201);
    let runner = app
        .post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({ "login": "bulk.admin@demo", "password": "bulk admin password" }),
        )
        .await
        .ok()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let resident = app.login("resident@demo").await;
    let mine = app.line_of(&resident, "mts").await;
    let csv = format!("msisdn\n{}\n", mine["msisdn"].as_str().unwrap());
    let (s, run) = post_csv(&app, &runner, "reason=operator", &csv).await;
    assert_eq!(s, 202, "{run}");
    // Disabled before the worker's round: the run carries that admin's authority no more.
    let off = app.post("/api/v1/staff/bulk.admin@demo/disable", Some(&admin), serde_json::json!({})).await;
    assert_eq!(off.status, 200, "{}", off.body);
    app.advance_days(0).await;
    let after = app.get(&format!("/api/v1/bulk-terminations/{}", run["id"].as_str().unwrap()), Some(&admin)).await.ok();
    assert_eq!(after["counts"]["pending"], 1, "nothing was terminated: {after}");
    assert!(after["finished_at"].is_null());
    let line = app.get(&format!("/api/v1/lines/{}", mine["id"]), Some(&resident)).await.ok();
    assert_eq!(line["state"], "active");
    let audit = app.get("/api/v1/audit?limit=500", Some(&admin)).await.ok();
    assert!(audit.to_string().contains("stop_bulk_termination"), "the stop is audited");
}

#[tokio::test]
async fn a_spreadsheet_export_with_quoted_names_is_read_row_by_row() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin@demo").await;
    let resident = app.login("resident@demo").await;
    let mine = app.line_of(&resident, "mts").await;
    let msisdn = mine["msisdn"].as_str().unwrap();
    // As a spreadsheet saves it: a BOM, `;`, CRLF, names quoted because they hold `;`, `,`,
    // a doubled quote and a line break.
    let csv = format!(
        "\u{feff}Name;MSISDN;Note\r\n\"Иванов; Иван, Иванович\";{msisdn};\"ООО \"\"Ромашка\"\"\"\r\n\
         \"Petrov, Petr\";+79169999998;\"two\r\nlines\"\r\n"
    );
    let (s, dry) = post_csv(&app, &admin, "reason=over_limit&dry_run=true", &csv).await;
    assert_eq!(s, 200, "{dry}");
    let lines = dry["lines"].as_array().unwrap();
    let seen: Vec<(i64, &str, &str)> = lines
        .iter()
        .map(|l| (l["line"].as_i64().unwrap(), l["msisdn"].as_str().unwrap(), l["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(seen, [(2, msisdn, "terminated"), (3, "+79169999998", "unknown_number")], "{dry}");

    let broken = "name;msisdn\n\"a\nb\";+79169999998\n\"c; d\";not a number\n";
    let (s, err) = post_csv(&app, &admin, "reason=over_limit&dry_run=true", broken).await;
    assert_eq!((s, err["code"].as_str()), (422, Some("invalid_bulk_file")), "{err}");
    assert!(err["detail"].as_str().unwrap().starts_with("line 4: "), "the row is named by its line: {err}");
}
