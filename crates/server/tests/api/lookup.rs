//! Reassigned-number lookups for relying parties.

use serde_json::{Value, json};
use simexit_store::StoreExt;

use crate::helpers::TestApp;

const NOW: &str = "2026-03-02T09:00:00Z";

async fn client_token(app: &TestApp) -> String {
    app.client_token("admin@demo", &["number-recycling:check"]).await
}

async fn changed(app: &TestApp, token: &str, number: &Value, date: &str) -> Value {
    let r = app
        .post("/number-recycling/v0.2/check", Some(token), json!({ "phoneNumber": number, "specifiedDate": date }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["phoneNumberRecycled"].clone()
}

async fn fcc(app: &TestApp, token: &str, number: &Value, date: &str) -> Value {
    let r = app
        .post(
            "/api/v1/reassigned-numbers/query",
            Some(token),
            json!({ "queries": [{ "number": number, "date": date }] }),
        )
        .await
        .ok();
    r[0]["disconnected"].clone()
}

#[tokio::test]
async fn a_cancelled_and_reassigned_number_changed_before_the_reassignment_and_not_after() {
    let app = TestApp::at(NOW).await; // the demo's lines open 2026-03-02 09:00 UTC
    app.advance_days(1).await;
    let bank = client_token(&app).await;
    let t2 = app.login("reviewer.t2@demo").await;
    let (_, line, req) = app.submitted("tourist@demo", "t2").await;
    let n = line["msisdn"].clone();
    assert_eq!(changed(&app, &bank, &n, "2026-03-02").await, false, "held by the same subscriber");
    assert_eq!(fcc(&app, &bank, &n, "2026-03-03").await, "no");
    assert_eq!(fcc(&app, &bank, &n, "2026-01-01").await, "no_data", "before simexit's history");

    app.act(&t2, &req["id"], "approve", None).await.ok();
    app.act(&t2, &req["id"], "complete", None).await.ok();
    assert_eq!(changed(&app, &bank, &n, "2026-03-02").await, false, "still in aging: may be revoked");
    app.advance_days(61).await;
    let bank = client_token(&app).await;
    assert_eq!(changed(&app, &bank, &n, "2026-03-02").await, true, "the holder is gone for good");
    assert_eq!(fcc(&app, &bank, &n, "2026-03-03").await, "yes");

    // Drain the pool until the number goes to the resident.
    let admin = app.login("admin@demo").await;
    loop {
        let l = app
            .post("/api/v1/lines", Some(&admin), json!({ "operator": "t2", "subscriber": "resident@demo" }))
            .await
            .ok();
        if l["msisdn"] == n {
            break;
        }
    }
    assert_eq!(changed(&app, &bank, &n, "2026-03-02").await, true, "before the reassignment");
    assert_eq!(changed(&app, &bank, &n, "2026-05-03").await, false, "the day of it");
    assert_eq!(fcc(&app, &bank, &n, "2026-05-03").await, "no");
}

#[tokio::test]
async fn a_revoked_cancellation_is_not_a_change() {
    let app = TestApp::at(NOW).await;
    app.advance_days(1).await;
    let reviewer = app.login("reviewer@demo").await;
    let (resident, line, req) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    app.advance_days(5).await;
    app.act(&resident, &req["id"], "revoke", None).await.ok();
    app.advance_days(60).await;
    let bank = client_token(&app).await;
    assert_eq!(changed(&app, &bank, &line["msisdn"], "2026-03-02").await, false);
    assert_eq!(fcc(&app, &bank, &line["msisdn"], "2026-03-03").await, "no");
    // A day after today (2026-05-07 in Moscow) is refused, naming the query.
    let n = &line["msisdn"];
    let future = json!({ "queries": [{ "number": n, "date": "2026-05-07" }, { "number": n, "date": "2026-05-08" }] });
    let r = app.post("/api/v1/reassigned-numbers/query", Some(&bank), future).await;
    r.problem(400, "date_in_future");
    assert!(r.body["detail"].as_str().unwrap().starts_with("queries[1].date"), "{}", r.body);
}

#[tokio::test]
async fn errors_follow_camara_and_quotas_apply() {
    let app = TestApp::configured(NOW, true, |c| c.lookup.requests_per_day = 3).await;
    let bank = client_token(&app).await;
    let person = app.login("admin@demo").await;
    let r = app
        .client
        .post(format!("{}/number-recycling/v0.2/check", app.base))
        .bearer_auth(&person)
        .header("x-correlator", "abc-123")
        .json(&json!({ "phoneNumber": "+79161000000", "specifiedDate": "2026-01-01" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["x-correlator"], "abc-123");
    let body: Value = r.json().await.unwrap();
    assert_eq!((body["status"].as_u64(), body["code"].as_str()), (Some(403), Some("PERMISSION_DENIED")));
    let check = |number: &str, date: &str| json!({ "phoneNumber": number, "specifiedDate": date });
    let bad = app.post("/number-recycling/v0.2/check", Some(&bank), check("12", "2026-01-01")).await;
    assert_eq!((bad.status.as_u16(), bad.body["code"].as_str()), (400, Some("INVALID_ARGUMENT")));
    let bad = app.post("/number-recycling/v0.2/check", Some(&bank), check("+79161000000", "01.01.2026")).await;
    assert_eq!((bad.status.as_u16(), bad.body["code"].as_str()), (400, Some("INVALID_ARGUMENT")));
    let none = app.post("/number-recycling/v0.2/check", None, check("+79161000000", "2026-03-02")).await;
    assert_eq!((none.status.as_u16(), none.body["code"].as_str()), (401, Some("UNAUTHENTICATED")));
    for _ in 0..2 {
        assert_eq!(
            app.post("/number-recycling/v0.2/check", Some(&bank), check("+79161000000", "2026-03-02")).await.status,
            200
        );
    }
    let unknown = app.post("/number-recycling/v0.2/check", Some(&bank), check("+79169999999", "2026-01-01")).await;
    assert_eq!((unknown.status.as_u16(), unknown.body["code"].as_str()), (404, Some("IDENTIFIER_NOT_FOUND")));
    let over = app.post("/number-recycling/v0.2/check", Some(&bank), check("+79161000000", "2026-03-02")).await;
    assert_eq!((over.status.as_u16(), over.body["code"].as_str()), (429, Some("QUOTA_EXCEEDED")));
    assert!(over.retry_after.is_some());
    let big: Vec<Value> = (0..1001).map(|_| json!({ "number": "+79161000000", "date": "2026-01-01" })).collect();
    app.post("/api/v1/reassigned-numbers/query", Some(&bank), json!({ "queries": big }))
        .await
        .problem(400, "invalid_batch");
}

#[tokio::test]
async fn a_ported_out_number_is_not_a_change_and_a_ported_in_one_is_served_by_its_new_operator() {
    let app = TestApp::at(NOW).await;
    app.advance_days(1).await;
    let admin = app.login("admin@demo").await;
    let resident = app.login("resident@demo").await;
    let lines = app.get("/api/v1/me/lines", Some(&resident)).await.ok();
    let second = lines.as_array().unwrap().iter().filter(|l| l["operator"] == "mts").nth(1).unwrap().clone();
    let n = second["msisdn"].as_str().unwrap().to_owned();
    let out = app.post(&format!("/api/v1/numbers/{n}/port-out"), Some(&admin), json!({})).await.ok();
    assert_eq!(out["state"], "ported_out");
    assert_eq!(out["history"][0]["end_reason"], "ported_out");
    assert_eq!(app.get(&format!("/api/v1/lines/{}", second["id"]), Some(&resident)).await.ok()["state"], "terminated");
    app.post(&format!("/api/v1/numbers/{n}/port-out"), Some(&admin), json!({})).await.problem(409, "number_state");
    app.advance_days(90).await;
    let bank = client_token(&app).await;
    let number = json!(n);
    let r = app
        .post("/number-recycling/v0.2/check", Some(&bank), json!({ "phoneNumber": n, "specifiedDate": "2026-03-02" }))
        .await;
    assert_eq!(
        (r.status.as_u16(), r.body["code"].as_str()),
        (404, Some("IDENTIFIER_NOT_FOUND")),
        "another network serves it now"
    );
    assert_eq!(fcc(&app, &bank, &number, "2026-03-03").await, "no", "nor a disconnection");

    // The plan says MTS holds +7 916; a number ported in to T2 is served by T2.
    let service = app.service.clone();
    let plan = "АВС/ DEF;От;До;Емкость;Оператор;Регион;ИНН\n916;0000000;9999999;10000000;МТС;г. Москва;7740000076";
    tokio::task::spawn_blocking(move || service.import_numbering(plan, "plan.csv", |_, _| {})).await.unwrap().unwrap();
    let came =
        app.post("/api/v1/numbers/port-in", Some(&admin), json!({ "msisdn": "+79169999001", "operator": "t2" })).await;
    assert_eq!(came.status, 201, "{}", came.body);
    let r = app.get("/api/v1/numbering/+79169999001", None).await.ok();
    assert_eq!((r["holder_inn"].as_str(), r["operator"].as_str()), (Some("7740000076"), Some("t2")));
    let gone = app.get(&format!("/api/v1/numbering/{n}"), None).await.ok();
    assert_eq!((gone["ported_out"].as_bool(), gone["operator"].as_str()), (Some(true), None));
    app.post("/api/v1/numbers/port-in", Some(&admin), json!({ "msisdn": "+79169999001", "operator": "t2" }))
        .await
        .problem(409, "number_exists");
}

#[tokio::test]
async fn imported_history_answers_for_the_years_before_simexit() {
    let app = TestApp::at(NOW).await;
    app.advance_days(1).await;
    let resident = app.login("resident@demo").await;
    let lines = app.get("/api/v1/me/lines", Some(&resident)).await.ok();
    let own = lines.as_array().unwrap().iter().find(|l| l["operator"] == "mts").unwrap()["msisdn"].clone();
    let bank = client_token(&app).await;
    assert_eq!(fcc(&app, &bank, &own, "2021-02-01").await, "no_data", "before the import");

    let import = |text: String| {
        let service = app.service.clone();
        let mts = simexit_domain::OperatorId::parse("mts").unwrap();
        let since = jiff::civil::date(2020, 1, 1);
        async move {
            tokio::task::spawn_blocking(move || service.import_history(&text, &mts, since, "past.csv", |_, _| {}))
                .await
                .unwrap()
        }
    };
    let file = format!(
        "number;date;kind\n+7 916 000-10-01;2022-06-01;permanent\n89160001002;2023-03-15;port_out\n{};2021-01-10;permanent\n",
        own.as_str().unwrap()
    );
    let done = import(file.clone()).await.unwrap();
    assert_eq!((done.rows, done.new_events), (3, 3));
    assert!(done.inventory_extended > 0, "the operator's inventory is known since 2020 too");
    assert_eq!(import(file).await.unwrap().new_events, 0, "importing again adds nothing");

    let gone = json!("+79160001001");
    assert_eq!(fcc(&app, &bank, &gone, "2022-01-01").await, "yes");
    assert_eq!(fcc(&app, &bank, &gone, "2022-07-01").await, "no");
    assert_eq!(fcc(&app, &bank, &gone, "2019-06-01").await, "no_data");
    assert_eq!(changed(&app, &bank, &gone, "2021-01-01").await, true);
    let ported = json!("+79160001002");
    assert_eq!(fcc(&app, &bank, &ported, "2022-01-01").await, "no", "a port-out is not a disconnection");
    let r = app
        .post(
            "/number-recycling/v0.2/check",
            Some(&bank),
            json!({ "phoneNumber": ported, "specifiedDate": "2022-01-01" }),
        )
        .await;
    assert_eq!(r.status, 404, "ported out: another network answers for it: {}", r.body);
    assert_eq!(fcc(&app, &bank, &own, "2020-06-01").await, "yes", "disconnected in 2021, then simexit's holder");
    assert_eq!(fcc(&app, &bank, &own, "2021-02-01").await, "no");
    assert_eq!(changed(&app, &bank, &own, "2020-06-01").await, true);
    assert_eq!(changed(&app, &bank, &own, "2026-03-02").await, false);

    // A file that contradicts simexit's own history is refused whole.
    let bad = format!(
        "number;date;kind\n+79160001003;2022-06-01;permanent\n{};2026-03-03;permanent\n",
        own.as_str().unwrap()
    );
    let err = import(bad).await.unwrap_err().to_string();
    assert!(err.contains("line 3") && err.contains("own history"), "{err}");
    let r = app
        .post(
            "/number-recycling/v0.2/check",
            Some(&bank),
            json!({ "phoneNumber": "+79160001003", "specifiedDate": "2022-01-01" }),
        )
        .await;
    assert_eq!(r.status, 404, "nothing of the refused file was stored: {}", r.body);
}

#[tokio::test]
async fn quota_hits_are_counted_in_memory_and_the_limit_still_holds_exactly() {
    let app = TestApp::configured(NOW, true, |c| c.lookup.requests_per_day = 3_000).await;
    let bank = client_token(&app).await;
    let service = app.service.clone();
    let (who, db_count) = tokio::task::spawn_blocking(move || {
        let who = service.authenticate(&bank).unwrap();
        let n = simexit_domain::Msisdn::parse("+79161000000").unwrap();
        for _ in 0..2_500 {
            service.number_recycling_check(&who, Some(&n), jiff::civil::date(2026, 1, 1)).unwrap();
        }
        let key = format!("quota-requests:{}", who.account_id);
        let stored = service
            .store
            .read(|tx| tx.rate_limit(&key, service.now(), jiff::SignedDuration::from_hours(24)))
            .unwrap()
            .map(|c| c.count);
        (who, stored)
    })
    .await
    .unwrap();
    assert!(db_count.unwrap() < 2_500, "most hits were not a write each: {db_count:?} stored");
    let admin = app.login("admin@demo").await;
    let usage = app.get(&format!("/api/v1/api-clients/{}/usage", who.login), Some(&admin)).await.ok();
    assert_eq!(usage["requests_today"], 2_500, "usage counts what is not yet written: {usage}");

    let service = app.service.clone();
    let (ok, over, stored, refused, after) = tokio::task::spawn_blocking(move || {
        let n = simexit_domain::Msisdn::parse("+79161000000").unwrap();
        let date = jiff::civil::date(2026, 1, 1);
        let ok = (0..500).filter(|_| service.number_recycling_check(&who, Some(&n), date).is_ok()).count();
        let over = service.number_recycling_check(&who, Some(&n), date).unwrap_err();
        service.flush_meter().unwrap();
        let key = format!("quota-requests:{}", who.account_id);
        let stored =
            service.store.read(|tx| tx.rate_limit(&key, service.now(), jiff::SignedDuration::from_hours(24))).unwrap();
        // Past the quota, retries are refused from memory: the shared counter is not written.
        let refused = (0..200).filter(|_| service.number_recycling_check(&who, Some(&n), date).is_err()).count();
        let after =
            service.store.read(|tx| tx.rate_limit(&key, service.now(), jiff::SignedDuration::from_hours(24))).unwrap();
        (ok, over, stored.map(|c| c.count), refused, after.map(|c| c.count))
    })
    .await
    .unwrap();
    assert_eq!(ok, 500, "up to the limit");
    assert!(over.to_string().contains("daily quota"), "{over}");
    assert_eq!(stored, Some(3_001), "every hit ends up in the shared counter");
    assert_eq!(refused, 200);
    assert_eq!(after, Some(3_001), "an over-quota client's retries cost no write");
}

#[tokio::test]
async fn a_signed_out_client_token_stops_working_at_once_on_this_instance() {
    let app = TestApp::at(NOW).await;
    let bank = client_token(&app).await;
    let check = json!({ "phoneNumber": "+79161000000", "specifiedDate": "2026-01-01" });
    let r = app.post("/number-recycling/v0.2/check", Some(&bank), check.clone()).await;
    assert_ne!(r.status, 401, "{}", r.body);
    let out = app.post("/api/v1/auth/logout", Some(&bank), json!({})).await;
    assert!(out.status.is_success(), "{}", out.body);
    let r = app.post("/number-recycling/v0.2/check", Some(&bank), check).await;
    assert_eq!((r.status.as_u16(), r.body["code"].as_str()), (401, Some("UNAUTHENTICATED")), "{}", r.body);
}

/// The memory index answers lookups on SQLite; it sees this server's writes at once, another
/// process's writes (here a bare connection to the file) once a second has passed on the
/// service's clock, and a change log pruned past it makes it step aside for the database
/// until it is filled again.
#[tokio::test]
async fn the_memory_index_sees_every_write_whoever_writes() {
    let app = TestApp::at(NOW).await;
    if app.service.store.backend() != "sqlite" {
        assert!(!app.service.lookup_index.ready(), "PostgreSQL keeps no lookup change log");
        return;
    }
    assert!(app.service.lookup_index.ready());
    app.advance_days(1).await; // 2026-03-03 09:00 UTC
    let admin = app.login("admin@demo").await;
    let mut numbers = Vec::new();
    for who in ["resident@demo", "tourist@demo"] {
        let l = app.post("/api/v1/lines", Some(&admin), json!({ "operator": "mts", "subscriber": who })).await.ok();
        numbers.push(l["msisdn"].clone());
    }
    app.advance_days(2).await; // 2026-03-05 09:00 UTC
    let bank = client_token(&app).await;
    for n in &numbers {
        assert_eq!(changed(&app, &bank, n, "2026-03-03").await, false, "this server's write, seen at once");
    }

    // Another process hands a number to another subscriber on 2026-03-04 at 12:00 UTC.
    let file = rusqlite::Connection::open(app.dir.path().join("simexit.db")).unwrap();
    let handover = |n: &Value| {
        let (n, at) = (n.as_str().unwrap(), 1_772_625_600_000_i64);
        let closed = file
            .execute(
                "UPDATE number_assignments SET to_at = ?2, end_reason = 'terminated' WHERE msisdn = ?1 AND to_at IS NULL",
                rusqlite::params![n, at],
            )
            .unwrap();
        assert_eq!(closed, 1);
        file.execute(
            "INSERT INTO number_assignments (msisdn, subscriber_id, line_id, from_at)
             SELECT ?1, MIN(id), 999999, ?2 FROM subscribers
             WHERE id <> (SELECT subscriber_id FROM number_assignments WHERE msisdn = ?1 AND to_at = ?2)",
            rusqlite::params![n, at],
        )
        .unwrap();
    };
    handover(&numbers[0]);
    // The index looks for other processes' writes once a second on the service's clock.
    app.clock.advance(jiff::SignedDuration::from_secs(1));
    assert_eq!(changed(&app, &bank, &numbers[0], "2026-03-03").await, true, "another process's write");
    assert_eq!(fcc(&app, &bank, &numbers[0], "2026-03-03").await, "yes");
    assert_eq!(changed(&app, &bank, &numbers[1], "2026-03-03").await, false);
    // Written numbers are read from the database until the index's thread reads them again
    // (here called at once); the answers stay the same.
    let s = app.service.clone();
    tokio::task::spawn_blocking(move || while s.lookup_index.refresh(s.store.as_ref()).unwrap() > 0 {}).await.unwrap();
    assert_eq!(app.service.lookup_index.stale(), 0);
    assert_eq!(changed(&app, &bank, &numbers[0], "2026-03-03").await, true, "from memory again");

    // The log pruned past the index: lookups read the database, which is right.
    file.execute("DELETE FROM lookup_changes", []).unwrap();
    handover(&numbers[1]);
    app.clock.advance(jiff::SignedDuration::from_secs(1));
    assert_eq!(changed(&app, &bank, &numbers[1], "2026-03-03").await, true);
    assert_eq!(changed(&app, &bank, &numbers[0], "2026-03-03").await, true);
    let s = app.service.clone();
    let filled = tokio::task::spawn_blocking(move || s.lookup_index.fill(s.store.as_ref())).await.unwrap().unwrap();
    assert!(filled.is_some_and(|n| n >= 2) && app.service.lookup_index.ready());
    for n in &numbers {
        assert_eq!(changed(&app, &bank, n, "2026-03-03").await, true, "filled again");
    }
}
