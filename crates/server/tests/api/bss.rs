//! An operator's own data: files imported, and a billing system (BSS) keeping simexit in sync
//! through the sync API. On both backends (`SIMEXIT_TEST_BACKEND=postgres`).

use serde_json::{Value, json};
use simexit_service::imports::{ImportKind, Report, read_rows};
use simexit_store::StoreExt;

use crate::helpers::TestApp;

const NOW: &str = "2026-11-26T09:00:00Z";

fn example(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/go-live").join(name);
    std::fs::read_to_string(path).unwrap()
}

/// Imports a file's text as the CLI does: `Ok` with what changed, or the refusal's text.
async fn import(app: &TestApp, kind: ImportKind, text: String) -> Result<Report, String> {
    let service = app.service.clone();
    tokio::task::spawn_blocking(move || {
        let (rows, problems) = read_rows(kind, &text).map_err(|p| p.to_string())?;
        service.import_read(&rows, problems, "file.csv", false, "test", &|_, _| {}).map_err(|e| e.to_string())
    })
    .await
    .unwrap()
}

/// Rows per table, and whether every invariant `simexit check` verifies holds.
async fn census(app: &TestApp) -> (Vec<i64>, bool) {
    let service = app.service.clone();
    tokio::task::spawn_blocking(move || {
        service
            .store
            .read(|tx| {
                let counts = tx.invariant_counts()?;
                let checks: Vec<&str> = simexit_store::INVARIANTS.iter().map(|(name, _)| *name).collect();
                let healthy = counts.iter().all(|(name, n)| !checks.contains(&name.as_str()) || *n == 0);
                let totals =
                    counts.iter().filter(|(name, _)| !checks.contains(&name.as_str())).map(|(_, n)| *n).collect();
                Ok::<_, simexit_store::StoreError>((totals, healthy))
            })
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn files_import_once_and_again_change_nothing_and_a_bad_file_is_refused_whole() {
    let app = TestApp::at(NOW).await;
    let subscribers = import(&app, ImportKind::Subscribers, example("subscribers.csv")).await.unwrap();
    assert_eq!((subscribers.created, subscribers.updated), (2, 0));
    let lines = import(&app, ImportKind::Lines, example("lines.csv")).await.unwrap();
    assert_eq!(lines.created, 3);
    let services = import(&app, ImportKind::Services, example("services.csv")).await.unwrap();
    assert_eq!(services.created, 1);
    let numbers = import(&app, ImportKind::Numbers, example("numbers.jsonl")).await.unwrap();
    assert_eq!(numbers.created, 101, "a range of 100 and one number");

    for (kind, file) in [
        (ImportKind::Subscribers, "subscribers.csv"),
        (ImportKind::Lines, "lines.csv"),
        (ImportKind::Services, "services.csv"),
        (ImportKind::Numbers, "numbers.jsonl"),
    ] {
        let again = import(&app, kind, example(file)).await.unwrap();
        assert_eq!((again.created, again.updated), (0, 0), "{file} again: {again}");
        assert!(again.to_string().starts_with("nothing changed"), "{again}");
    }

    // The imported lines are the subscribers', with their balances, states and services.
    let admin = app.login("admin@demo").await;
    let l1 = app.get("/api/v1/numbers/+79040000101", Some(&admin)).await.ok();
    assert_eq!(l1["state"], "assigned");
    let line = app.get(&format!("/api/v1/lines/{}", l1["line_id"]), Some(&admin)).await.ok();
    assert_eq!((line["balance"].as_i64(), line["state"].as_str()), (Some(25_000), Some("active")));
    let services = app.get(&format!("/api/v1/lines/{}/services", l1["line_id"]), Some(&admin)).await.ok();
    assert_eq!(services[0]["name"], "Музыка, без рекламы");
    let l3 = app.get("/api/v1/numbers/+79040000103", Some(&admin)).await.ok();
    let suspended = app.get(&format!("/api/v1/lines/{}", l3["line_id"]), Some(&admin)).await.ok();
    assert_eq!((suspended["state"].as_str(), suspended["balance"].as_i64()), (Some("suspended"), Some(-1_200)));

    // Three bad rows: each named by its line, whichever check found it; nothing written.
    let (before, healthy) = census(&app).await;
    assert!(healthy);
    let refused = import(&app, ImportKind::Lines, example("bad-lines.csv")).await.unwrap_err();
    println!("{refused}");
    for expected in [
        "3 problems",
        "line 2: opened_at: `2024-02-30` is not a date",
        "line 3: subscriber_external_id: no subscriber `CRM-9999`",
        "line 4: state: `closed` is not active or suspended",
    ] {
        assert!(refused.contains(expected), "{expected} in {refused}");
    }
    let (after, healthy) = census(&app).await;
    assert_eq!(before, after, "the refused file changed nothing");
    assert!(healthy, "every invariant of `simexit check` holds");
    app.get("/api/v1/numbers/+79040000107", Some(&admin)).await.problem(404, "not_found");

    // A line that names a number another line holds is refused too.
    let taken =
        "external_id,subscriber_external_id,operator,msisdn,opened_at\nBSS-X,CRM-1001,t2,+79040000101,2024-01-01\n";
    let refused = import(&app, ImportKind::Lines, taken.to_owned()).await.unwrap_err();
    assert!(refused.contains("line 2: msisdn: +79040000101 is assigned in simexit"), "{refused}");
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> crate::helpers::Resp {
    app.send(reqwest::Method::PUT, path, Some(token), Some(body)).await
}

/// A BSS client, a subscriber and a line it synced (opened long ago, never used since).
async fn synced(app: &TestApp) -> (String, i64) {
    let bss = app.client_token("admin@demo", &["bss:sync"]).await;
    let s = json!({ "category": "resident", "full_name": "Петров, Пётр", "email": "p@example.ru" });
    let r = put(app, "/api/v1/sync/subscribers/CRM-7", &bss, s).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let l = json!({ "subscriber_external_id": "CRM-7", "operator": "mts", "msisdn": "+79160007777", "opened_at": "2024-01-10" });
    let r = put(app, "/api/v1/sync/lines/BSS-7", &bss, l).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    (bss, id)
}

#[tokio::test]
async fn the_bss_creates_and_updates_subscribers_and_lines_by_its_ids_and_nobody_else_may() {
    let app = TestApp::at(NOW).await;
    let (bss, line_id) = synced(&app).await;
    let s = json!({ "category": "resident", "full_name": "Петров, Пётр", "email": "p@example.ru" });
    let again = put(&app, "/api/v1/sync/subscribers/CRM-7", &bss, s.clone()).await.ok();
    assert_eq!(again["outcome"], "unchanged");
    let moved = json!({ "category": "resident", "full_name": "Петров, Пётр", "email": "new@example.ru" });
    assert_eq!(put(&app, "/api/v1/sync/subscribers/CRM-7", &bss, moved).await.ok()["outcome"], "updated");

    // The BSS suspends the line, then resumes it.
    let admin = app.login("admin@demo").await;
    let line = |state: &str| json!({ "subscriber_external_id": "CRM-7", "operator": "mts", "msisdn": "+79160007777", "opened_at": "2024-01-10", "state": state });
    assert_eq!(put(&app, "/api/v1/sync/lines/BSS-7", &bss, line("suspended")).await.ok()["outcome"], "updated");
    assert_eq!(app.get(&format!("/api/v1/lines/{line_id}"), Some(&admin)).await.ok()["state"], "suspended");
    assert_eq!(put(&app, "/api/v1/sync/lines/BSS-7", &bss, line("active")).await.ok()["outcome"], "updated");
    assert_eq!(put(&app, "/api/v1/sync/lines/BSS-7", &bss, line("active")).await.ok()["outcome"], "unchanged");
    assert_eq!(app.get(&format!("/api/v1/lines/{line_id}"), Some(&admin)).await.ok()["state"], "active");

    // A line keeps its number; an unknown subscriber is named.
    let mut other = line("active");
    other["msisdn"] = json!("+79160007778");
    put(&app, "/api/v1/sync/lines/BSS-7", &bss, other).await.problem(422, "invalid_sync");
    let orphan = json!({ "subscriber_external_id": "CRM-404", "operator": "mts", "msisdn": "+79160007779", "opened_at": "2024-01-10" });
    let r = put(&app, "/api/v1/sync/lines/BSS-8", &bss, orphan).await;
    r.problem(422, "invalid_sync");
    assert!(r.body["detail"].as_str().unwrap().contains("CRM-404"), "{:?}", r.body);

    // Only a client with bss:sync: not a bank, not a subscriber, not an admin.
    let bank = app.client_token("admin@demo", &["number-recycling:check"]).await;
    for token in [bank, app.login("resident@demo").await, admin] {
        put(&app, "/api/v1/sync/subscribers/CRM-7", &token, s.clone()).await.problem(403, "forbidden");
        app.get("/api/v1/sync/changes", Some(&token)).await.problem(403, "forbidden");
    }
}

#[tokio::test]
async fn a_charge_posted_three_times_with_one_bss_id_appears_once() {
    let app = TestApp::at(NOW).await;
    let (bss, line_id) = synced(&app).await;
    let charge = json!({ "id": "INV-2026-11-0001", "line_external_id": "BSS-7", "amount_kopecks": 35000, "memo": "Тариф, ноябрь" });
    let statuses: Vec<(u16, Value)> = {
        let mut out = Vec::new();
        for _ in 0..3 {
            let r = app.post("/api/v1/sync/charges", Some(&bss), charge.clone()).await;
            out.push((r.status.as_u16(), r.body["applied"].clone()));
        }
        out
    };
    assert_eq!(statuses, vec![(201, json!(true)), (200, json!(false)), (200, json!(false))]);
    let admin = app.login("admin@demo").await;
    let statement = app.get(&format!("/api/v1/lines/{line_id}/statement"), Some(&admin)).await.ok();
    println!("{statement}");
    let charges = statement["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == "charge").count();
    assert_eq!(charges, 1, "{statement}");
    assert_eq!(app.get(&format!("/api/v1/lines/{line_id}"), Some(&admin)).await.ok()["balance"], -35_000);

    let mut reused = charge.clone();
    reused["amount_kopecks"] = json!(1);
    app.post("/api/v1/sync/charges", Some(&bss), reused).await.problem(409, "idempotency_key_reused");
    let payment = json!({ "id": "PAY-1", "line_external_id": "BSS-7", "amount_kopecks": 35000 });
    assert_eq!(app.post("/api/v1/sync/payments", Some(&bss), payment.clone()).await.status, 201);
    assert_eq!(app.post("/api/v1/sync/payments", Some(&bss), payment).await.status, 200);
    assert_eq!(app.get(&format!("/api/v1/lines/{line_id}"), Some(&admin)).await.ok()["balance"], 0);
    let zero = json!({ "id": "PAY-2", "line_external_id": "BSS-7", "amount_kopecks": 0 });
    app.post("/api/v1/sync/payments", Some(&bss), zero).await.problem(422, "invalid_amount");
    let nowhere = json!({ "id": "PAY-3", "line_external_id": "BSS-404", "amount_kopecks": 5 });
    app.post("/api/v1/sync/payments", Some(&bss), nowhere).await.problem(404, "not_found");

    // Once the line is terminated, its final bill is settled: nothing more is posted to it,
    // while a retry of what was applied before still answers as before.
    let reviewer = app.login("reviewer@demo").await;
    let clerk = app.login("clerk.mts@demo").await;
    let in_store = json!({ "line_id": line_id, "channel": "store" });
    let req = app.post("/api/v1/terminations", Some(&clerk), in_store).await.ok();
    app.upload_required(&clerk, &req).await;
    app.act(&clerk, &req["id"], "submit", None).await.ok();
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    let late = json!({ "id": "INV-LATE", "line_external_id": "BSS-7", "amount_kopecks": 100 });
    app.post("/api/v1/sync/charges", Some(&bss), late).await.problem(409, "line_terminated");
    assert_eq!(app.post("/api/v1/sync/charges", Some(&bss), charge).await.status, 200, "a retry is still answered");
    app.assert_books_balance().await;
}

async fn unused(app: &TestApp) -> Vec<String> {
    let service = app.service.clone();
    let admin = app.login("admin@demo").await;
    let lines = tokio::task::spawn_blocking(move || {
        let who = service.authenticate(&admin).unwrap();
        service.unused_report(&who, 90).unwrap()
    })
    .await
    .unwrap();
    lines.iter().map(|l| l.msisdn.to_string()).collect()
}

#[tokio::test]
async fn use_fed_for_a_line_takes_it_off_the_non_use_report_and_charges_are_not_use() {
    let app = TestApp::at(NOW).await;
    let (bss, _) = synced(&app).await;
    assert!(unused(&app).await.contains(&"+79160007777".to_owned()), "opened in 2024, never used");
    let charge = json!({ "id": "INV-9", "line_external_id": "BSS-7", "amount_kopecks": 100 });
    app.post("/api/v1/sync/charges", Some(&bss), charge).await.ok();
    assert!(unused(&app).await.contains(&"+79160007777".to_owned()), "an automatic charge is not use");

    let call = json!({ "lines": [{ "line_external_id": "BSS-7", "kind": "call", "at": "2026-11-20T10:00:00Z" }] });
    assert_eq!(app.post("/api/v1/sync/usage", Some(&bss), call).await.ok()["updated"], 1);
    assert!(!unused(&app).await.contains(&"+79160007777".to_owned()), "a call six days ago is use");
    let older = json!({ "lines": [{ "line_external_id": "BSS-7", "kind": "sms", "at": "2026-01-01T10:00:00Z" }] });
    assert_eq!(app.post("/api/v1/sync/usage", Some(&bss), older).await.ok()["updated"], 0, "never backwards");
    let bad = json!({ "lines": [{ "line_external_id": "BSS-7", "kind": "fax", "at": "2026-11-20T10:00:00Z" }] });
    app.post("/api/v1/sync/usage", Some(&bss), bad).await.problem(422, "invalid_usage");

    app.advance_days(100).await;
    assert!(unused(&app).await.contains(&"+79160007777".to_owned()), "100 days after the call");
}

#[tokio::test]
async fn the_changes_feed_lists_a_completion_then_its_revocation_in_order() {
    let app = TestApp::at(NOW).await;
    let bss = app.client_token("admin@demo", &["bss:sync"]).await;
    let start = app.get("/api/v1/sync/changes", Some(&bss)).await.ok()["next"].as_i64().unwrap();
    let reviewer = app.login("reviewer@demo").await;
    let (resident, line, req) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    app.advance_days(1).await;
    app.act(&resident, &req["id"], "revoke", None).await.ok();
    let bss = app.client_token("admin@demo", &["bss:sync"]).await; // the first one has expired

    // Paged two at a time, in order, from the cursor before the journey.
    let mut seen = Vec::new();
    let mut cursor = start;
    loop {
        let page = app.get(&format!("/api/v1/sync/changes?after={cursor}&limit=2"), Some(&bss)).await.ok();
        let changes = page["changes"].as_array().unwrap().clone();
        if changes.is_empty() {
            assert_eq!(page["next"], cursor, "an empty page keeps the cursor");
            break;
        }
        for c in &changes {
            assert!(c["cursor"].as_i64().unwrap() > cursor);
            seen.push((c["type"].as_str().unwrap().to_owned(), c["subject"].as_str().unwrap().to_owned()));
        }
        cursor = page["next"].as_i64().unwrap();
    }
    println!("{seen:?}");
    let subject = format!("termination_request/{}", req["id"]);
    let kinds: Vec<&str> = seen.iter().filter(|(_, s)| *s == subject).map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["termination.submitted", "termination.approved", "termination.completed", "termination.revoked"]
    );
    let terminated = seen.iter().position(|(k, s)| k == "line.terminated" && *s == format!("line/{}", line["id"]));
    let completed = seen.iter().position(|(k, _)| k == "termination.completed");
    assert!(terminated.is_some() && terminated < completed, "the line is terminated as the request completes");
    app.get("/api/v1/sync/changes?after=-1", Some(&bss)).await.problem(400, "invalid_cursor");
}

#[tokio::test]
async fn a_client_of_one_operator_syncs_and_sees_that_operator_only() {
    let app = TestApp::at(NOW).await;
    let bss = app.client_token("admin.beeline@demo", &["bss:sync"]).await;
    let s = json!({ "category": "tourist", "full_name": "Lee, Ann" });
    assert_eq!(put(&app, "/api/v1/sync/subscribers/B-1", &bss, s).await.status, 201);
    let mts = json!({ "subscriber_external_id": "B-1", "operator": "mts", "msisdn": "+79160008888", "opened_at": "2025-01-01" });
    put(&app, "/api/v1/sync/lines/B-L-1", &bss, mts).await.problem(403, "forbidden");
    let reviewer = app.login("reviewer@demo").await;
    let (_, _, req) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    let everyone = app.client_token("admin@demo", &["bss:sync"]).await;
    let all = app.get("/api/v1/sync/changes", Some(&everyone)).await.ok();
    assert!(all["changes"].as_array().unwrap().iter().any(|c| c["operator"] == "mts"), "{all}");
    let page = app.get("/api/v1/sync/changes", Some(&bss)).await.ok();
    assert!(page["changes"].as_array().unwrap().iter().all(|c| c["operator"] == "beeline"), "no MTS changes: {page}");
}

#[tokio::test]
async fn admins_keep_their_operators_stores_and_no_one_else_does() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin.beeline@demo").await;
    let store = json!({
        "id": "beeline-kzn-1", "operator": "beeline", "name": "Билайн, Баумана", "address": "Казань, ул. Баумана, д. 5",
        "region": "Татарстан", "time_zone": "Europe/Moscow", "hours": "mon-fri 09:00-13:00,14:00-20:00; sat 10:00-16:00; sun closed",
        "recycles_sims": true,
    });
    let created = app.post("/api/v1/stores", Some(&admin), store.clone()).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["hours_text"], "mon-fri 09:00-13:00,14:00-20:00; sat 10:00-16:00; sun closed");
    app.post("/api/v1/stores", Some(&admin), store.clone()).await.problem(409, "store_exists");
    let mut bad = store.clone();
    bad["id"] = json!("beeline-kzn-2");
    bad["hours"] = json!("mon-fri 9-18");
    bad["time_zone"] = json!("Europe/Kazan_");
    let r = app.post("/api/v1/stores", Some(&admin), bad).await;
    r.problem(422, "invalid_store");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("time_zone:") && detail.contains("hours:"), "{detail}");

    let mut edited = store.clone();
    edited["name"] = json!("Билайн, Баумана 5");
    edited.as_object_mut().unwrap().remove("id");
    let r = put(&app, "/api/v1/stores/beeline-kzn-1", &admin, edited.clone()).await.ok();
    assert_eq!(r["name"], "Билайн, Баумана 5");
    assert_eq!(app.get("/api/v1/stores/beeline-kzn-1", None).await.ok()["name"], "Билайн, Баумана 5");

    // A clerk, a reviewer of the same operator, a subscriber: refused; nothing changed.
    for who in ["clerk.mts@demo", "reviewer.beeline@demo", "resident@demo"] {
        let token = app.login(who).await;
        put(&app, "/api/v1/stores/beeline-kzn-1", &token, edited.clone()).await.problem(403, "forbidden");
        let r = app.send(reqwest::Method::DELETE, "/api/v1/stores/beeline-kzn-1", Some(&token), None).await;
        r.problem(403, "forbidden");
    }
    assert_eq!(app.get("/api/v1/stores/beeline-kzn-1", None).await.ok()["name"], "Билайн, Баумана 5");
    // Nor may Beeline's admin touch an MTS store.
    let everywhere = app.login("admin@demo").await;
    let mut mts = store.clone();
    mts["id"] = json!("mts-kzn-9");
    mts["operator"] = json!("mts");
    assert_eq!(app.post("/api/v1/stores", Some(&everywhere), mts.clone()).await.status, 201);
    put(&app, "/api/v1/stores/mts-kzn-9", &admin, mts.clone()).await.problem(403, "forbidden");
    mts["operator"] = json!("beeline");
    put(&app, "/api/v1/stores/mts-kzn-9", &everywhere, mts).await.problem(422, "invalid_store");
    let r = app.send(reqwest::Method::DELETE, "/api/v1/stores/beeline-kzn-1", Some(&admin), None).await;
    assert_eq!(r.status, 204);
    app.get("/api/v1/stores/beeline-kzn-1", None).await.problem(404, "not_found");

    // A store its clerks work at stays.
    let r = app.send(reqwest::Method::DELETE, "/api/v1/stores/mts-moscow-arbat", Some(&everywhere), None).await;
    r.problem(409, "store_in_use");
}
