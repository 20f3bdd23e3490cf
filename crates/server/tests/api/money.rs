//! Money: add-on services, debt and payments, the final bill, transfer and refund.

use serde_json::{Value, json};

use simexit_store::StoreExt;

use crate::helpers::TestApp;

const NOW: &str = "2026-11-26T09:00:00Z";

async fn statement_kinds(app: &TestApp, token: &str, line: &Value) -> Vec<String> {
    let st = app.get(&format!("/api/v1/lines/{}/statement", line["id"]), Some(token)).await.ok();
    st["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
}

async fn balance(app: &TestApp, token: &str, line_id: &Value) -> i64 {
    app.get(&format!("/api/v1/lines/{line_id}"), Some(token)).await.ok()["balance"].as_i64().unwrap()
}

#[tokio::test]
async fn the_portal_lists_paid_services_with_their_monthly_cost() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "mts").await;
    let names: Vec<&str> = line["services"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["МТС Музыка", "Кто звонил"]);
    assert_eq!(line["monthly_charges"], 22900);
}

#[tokio::test]
async fn a_transfer_moves_exactly_the_balance_left_and_the_final_bill_equals_its_preview() {
    let app = TestApp::at(NOW).await;
    let reviewer = app.login("reviewer@demo").await;
    let (resident, line, req) = app.submitted("resident@demo", "mts").await;
    let lines = app.get("/api/v1/me/lines", Some(&resident)).await.ok();
    let other =
        lines.as_array().unwrap().iter().find(|l| l["operator"] == "mts" && l["id"] != line["id"]).unwrap().clone();
    let other_before = balance(&app, &resident, &other["id"]).await;

    let chosen = app
        .post(
            &format!("/api/v1/terminations/{}/settlement", req["id"]),
            Some(&resident),
            json!({ "option": "transfer", "to_line_id": other["id"] }),
        )
        .await
        .ok();
    assert_eq!(chosen["settlement"]["option"], "transfer");
    let preview = app.get(&format!("/api/v1/terminations/{}/final-bill", req["id"]), Some(&resident)).await.ok();
    assert_eq!(preview["preview"], true);
    // 12 days of a 30-day billing month (Nov 14 - Dec 14) of 169 ₽ + 60 ₽: 91.60 ₽ charged;
    // 150 ₽ - 91.60 ₽ = 58.40 ₽ left.
    assert_eq!(preview["charges"], 9160);
    assert_eq!(preview["settlement"]["option"], "transfer");
    assert_eq!(preview["settlement"]["amount"], 5840);
    assert_eq!(preview["closing_balance"], 0);
    // The preview changed nothing.
    assert_eq!(balance(&app, &resident, &line["id"]).await, 15000);
    assert_eq!(balance(&app, &resident, &other["id"]).await, other_before);

    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    let done = app.act(&reviewer, &req["id"], "complete", None).await.ok();
    assert_eq!(done["line"]["balance"], 0);
    assert_eq!(balance(&app, &resident, &other["id"]).await, other_before + 5840);
    let services = app.get(&format!("/api/v1/lines/{}/services", line["id"]), Some(&resident)).await.ok();
    assert!(services.as_array().unwrap().iter().all(|s| s["stopped_at"] == NOW), "{services}");
    let mut bill = app.get(&format!("/api/v1/terminations/{}/final-bill", req["id"]), Some(&resident)).await.ok();
    assert_eq!(bill["preview"], false);
    bill["preview"] = json!(true);
    assert_eq!(bill, preview, "the final bill is the preview, frozen");
    assert!(
        bill["items"].as_array().unwrap().iter().all(|i| i["at"].as_str().unwrap() <= NOW),
        "no charge after termination"
    );

    // Aging passes: services stay stopped, nothing more is charged.
    app.advance_days(61).await;
    let kinds = statement_kinds(&app, &resident, &line).await;
    assert_eq!(kinds, ["opening", "charge", "charge", "transfer"]);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn revoking_a_completed_termination_reverses_the_transfer_in_entries() {
    let app = TestApp::at(NOW).await;
    let reviewer = app.login("reviewer@demo").await;
    let (resident, line, req) = app.submitted("resident@demo", "mts").await;
    let lines = app.get("/api/v1/me/lines", Some(&resident)).await.ok();
    let other =
        lines.as_array().unwrap().iter().find(|l| l["operator"] == "mts" && l["id"] != line["id"]).unwrap().clone();
    app.post(
        &format!("/api/v1/terminations/{}/settlement", req["id"]),
        Some(&resident),
        json!({ "option": "transfer", "to_line_id": other["id"] }),
    )
    .await
    .ok();
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    app.advance_days(2).await;
    app.act(&resident, &req["id"], "revoke", None).await.ok();
    assert_eq!(balance(&app, &resident, &line["id"]).await, 5840, "the money is back, the charges stay");
    assert_eq!(balance(&app, &resident, &other["id"]).await, 0);
    assert_eq!(statement_kinds(&app, &resident, &line).await, ["opening", "charge", "charge", "transfer", "reversal"]);
    assert_eq!(statement_kinds(&app, &resident, &other).await, ["transfer", "reversal"]);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn refund_details_are_validated_and_a_refund_is_paid_once_under_concurrent_clicks() {
    let app = TestApp::at(NOW).await;
    let t2 = app.login("reviewer.t2@demo").await;
    let (tourist, line, req) = app.submitted("tourist@demo", "t2").await;
    let path = format!("/api/v1/terminations/{}/settlement", req["id"]);
    let refund = |bik: &str, account: &str| json!({ "option": "refund", "recipient_name": "Li Ming", "bik": bik, "account": account });
    app.post(&path, Some(&tourist), refund("04452522", "40817810938160925982")).await.problem(422, "invalid_bik");
    let r = app.post(&path, Some(&tourist), refund("044525225", "40817810938160925983")).await;
    r.problem(422, "invalid_account");
    assert!(r.body["detail"].as_str().unwrap().starts_with("account"), "{}", r.body);
    app.post(&path, Some(&tourist), json!({ "option": "transfer", "to_line_id": line["id"] }))
        .await
        .problem(422, "settlement_not_offered");
    let chosen = app.post(&path, Some(&tourist), refund("044525225", "40817810938160925982")).await.ok();
    assert_eq!(chosen["settlement"]["account"], "40817…5982");

    app.act(&t2, &req["id"], "approve", None).await.ok();
    app.act(&t2, &req["id"], "complete", None).await.ok();
    let mine = app.get("/api/v1/me/refunds", Some(&tourist)).await.ok();
    let refund = mine[0].clone();
    assert_eq!(refund["state"], "requested");
    // 300 ₽ less 5 days of a 99 ₽ service (16.50 ₽).
    assert_eq!(refund["amount"], 28350);
    assert_eq!(balance(&app, &tourist, &line["id"]).await, 0);

    let queue = app.get("/api/v1/refunds?state=requested", Some(&t2)).await.ok();
    assert_eq!(queue.as_array().unwrap().len(), 1);
    app.post(&format!("/api/v1/refunds/{}/mark-paid", refund["id"]), Some(&t2), json!({}))
        .await
        .problem(409, "refund_state");
    app.post(&format!("/api/v1/refunds/{}/approve", refund["id"]), Some(&t2), json!({})).await.ok();
    let clicks = app.post_concurrently(6, &format!("/api/v1/refunds/{}/mark-paid", refund["id"]), &t2, json!({})).await;
    assert_eq!(clicks.iter().filter(|r| r.status == 200).count(), 1);
    assert!(clicks.iter().filter(|r| r.status != 200).all(|r| r.status == 409));
    let paid = app.get(&format!("/api/v1/refunds/{}", refund["id"]), Some(&tourist)).await.ok();
    assert_eq!(paid["state"], "paid");
    app.assert_books_balance().await;
    let admin = app.login("admin@demo").await;
    let outbox = app.get("/api/v1/outbox?limit=500", Some(&admin)).await.ok();
    let told: Vec<(&str, &str)> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["template"] == "refund_paid" && m["request_id"] == req["id"])
        .map(|m| (m["channel"].as_str().unwrap(), m["language"].as_str().unwrap()))
        .collect();
    assert_eq!(told, [("sms", "zh"), ("email", "zh")], "the subscriber is told once, in Chinese");
}

#[tokio::test]
async fn a_failed_refund_returns_the_money_and_new_details_claim_it_again() {
    let app = TestApp::at(NOW).await;
    let t2 = app.login("reviewer.t2@demo").await;
    let (tourist, line, req) = app.submitted("tourist@demo", "t2").await;
    app.post(
        &format!("/api/v1/terminations/{}/settlement", req["id"]),
        Some(&tourist),
        json!({ "option": "refund", "recipient_name": "Li Ming", "bik": "044525225", "account": "40817810938160925982" }),
    )
    .await
    .ok();
    app.act(&t2, &req["id"], "approve", None).await.ok();
    app.act(&t2, &req["id"], "complete", None).await.ok();
    let id = app.get("/api/v1/me/refunds", Some(&tourist)).await.ok()[0]["id"].clone();
    app.post(&format!("/api/v1/refunds/{id}/approve"), Some(&t2), json!({})).await.ok();
    app.post(&format!("/api/v1/refunds/{id}/mark-failed"), Some(&t2), json!({})).await.problem(422, "reason_required");
    let failed = app
        .post(&format!("/api/v1/refunds/{id}/mark-failed"), Some(&t2), json!({ "reason": "account closed" }))
        .await
        .ok();
    assert_eq!((failed["state"].as_str(), failed["reason"].as_str()), (Some("failed"), Some("account closed")));
    assert_eq!(balance(&app, &tourist, &line["id"]).await, 28350, "the money is back on the line, refundable");

    // A dollar account (840 in digits 6-8) is refused for that, before its key: refunds are in roubles.
    let dollars = json!({ "recipient_name": "Li Ming", "bik": "044525225", "account": "40817840700000012345" });
    let r = app.post(&format!("/api/v1/refunds/{id}/details"), Some(&tourist), dollars).await;
    r.problem(422, "invalid_account");
    assert!(r.body["detail"].as_str().unwrap().contains("roubles"), "{}", r.body);
    let again = app
        .post(
            &format!("/api/v1/refunds/{id}/details"),
            Some(&tourist),
            json!({ "recipient_name": "Li Ming", "bik": "044525225", "account": "40817810700000012345" }),
        )
        .await
        .ok();
    assert_eq!(again["state"], "requested");
    assert_eq!(balance(&app, &tourist, &line["id"]).await, 0);
    assert_eq!(
        statement_kinds(&app, &tourist, &line).await,
        ["opening", "charge", "refund", "refund_failed", "refund"]
    );
    app.assert_books_balance().await;
}

#[tokio::test]
async fn without_a_choice_the_balance_becomes_a_refund_awaiting_details() {
    let app = TestApp::at(NOW).await;
    let clerk = app.login("clerk@demo").await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "megafon").await;
    let req =
        app.post("/api/v1/terminations", Some(&clerk), json!({ "line_id": line["id"], "channel": "store" })).await.ok();
    for action in ["submit", "approve", "complete"] {
        app.act(&clerk, &req["id"], action, None).await.ok();
    }
    let refunds = app.get("/api/v1/me/refunds", Some(&resident)).await.ok();
    assert_eq!(refunds[0]["state"], "awaiting_details");
    assert_eq!(refunds[0]["amount"], 4200);
    let bill = app.get(&format!("/api/v1/terminations/{}/final-bill", req["id"]), Some(&resident)).await.ok();
    assert_eq!(bill["settlement"]["refund_state"], "awaiting_details");
    let given = app
        .post(
            &format!("/api/v1/refunds/{}/details", refunds[0]["id"]),
            Some(&resident),
            json!({ "recipient_name": "Анна Иванова", "bik": "044525225", "account": "40817810938160925982" }),
        )
        .await
        .ok();
    assert_eq!(given["state"], "requested");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn services_are_billed_each_period_by_the_worker_and_never_after_termination() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    // 50 ₽ a month, started 2026-11-23 09:00: billed on the 23rd of each month.
    let t2_line = app.line_of(&resident, "t2").await;
    app.advance_days(27).await; // 2026-12-23
    let kinds = statement_kinds(&app, &resident, &t2_line).await;
    assert_eq!(kinds, ["opening", "charge"], "one full month billed");
    assert_eq!(balance(&app, &resident, &t2_line["id"]).await, 9900 - 5000);
    app.advance_days(30).await; // 2027-01-22: December has 31 days
    assert_eq!(statement_kinds(&app, &resident, &t2_line).await, ["opening", "charge"]);
    app.advance_days(1).await; // 2027-01-23
    assert_eq!(statement_kinds(&app, &resident, &t2_line).await, ["opening", "charge", "charge"]);
    assert_eq!(balance(&app, &resident, &t2_line["id"]).await, 9900 - 2 * 5000, "a month is 50 ₽, long or short");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_transfer_must_go_to_another_live_line_of_the_same_subscriber_and_operator() {
    let app = TestApp::at(NOW).await;
    let (resident, line, req) = app.submitted("resident@demo", "mts").await;
    let path = format!("/api/v1/terminations/{}/settlement", req["id"]);
    let beeline = app.line_of(&resident, "beeline").await;
    app.post(&path, Some(&resident), json!({ "option": "transfer", "to_line_id": beeline["id"] }))
        .await
        .problem(422, "invalid_transfer_target");
    app.post(&path, Some(&resident), json!({ "option": "transfer", "to_line_id": line["id"] }))
        .await
        .problem(422, "invalid_transfer_target");
    let foreigner = app.login("foreigner@demo").await;
    let theirs = app.line_of(&foreigner, "mts").await;
    app.post(&path, Some(&resident), json!({ "option": "transfer", "to_line_id": theirs["id"] }))
        .await
        .problem(404, "not_found");
    app.post(&path, Some(&resident), json!({ "option": "transfer" })).await.problem(422, "missing_field");
    app.post(&path, Some(&foreigner), json!({ "option": "refund" })).await.problem(404, "not_found");
    assert_eq!(app.request(&resident, &req["id"]).await["settlement"]["option"], Value::Null, "refusals chose nothing");
    // A refund without bank details: its route (bank, SBP, card, cash) is chosen afterwards.
    app.post(&path, Some(&resident), json!({ "option": "refund" })).await.ok();
    assert_eq!(app.request(&resident, &req["id"]).await["settlement"]["option"], "refund");
}

#[tokio::test]
async fn a_wrong_adjustment_is_fixed_by_a_reversal_not_an_edit() {
    let app = TestApp::at(NOW).await;
    let reviewer = app.login("reviewer@demo").await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "mts").await;
    let path = format!("/api/v1/lines/{}/adjustments", line["id"]);
    let charge =
        json!({ "kind": "charge", "amount": 50000, "reason": "roaming in Turkey", "idempotency_key": "adj-1" });
    let after = app.post(&path, Some(&reviewer), charge.clone()).await.ok();
    assert_eq!(after["balance"], 15000 - 50000);
    assert_eq!(app.post(&path, Some(&reviewer), charge).await.ok()["balance"], 15000 - 50000, "recorded once");
    app.post(
        &path,
        Some(&resident),
        json!({ "kind": "write_off", "amount": 1, "reason": "x", "idempotency_key": "k" }),
    )
    .await
    .problem(403, "forbidden");
    app.post(&path, Some(&reviewer), json!({ "kind": "transfer", "amount": 1, "reason": "x", "idempotency_key": "k" }))
        .await
        .problem(422, "invalid_kind");

    let st = app.get(&format!("/api/v1/lines/{}/statement", line["id"]), Some(&reviewer)).await.ok();
    let wrong =
        st["entries"].as_array().unwrap().iter().find(|e| e["memo"] == "roaming in Turkey").unwrap()["movement_id"]
            .clone();
    let fixed = app
        .post(&format!("/api/v1/movements/{wrong}/reverse"), Some(&reviewer), json!({ "reason": "charged in error" }))
        .await
        .ok();
    assert_eq!(fixed["balance"], 15000);
    app.post(&format!("/api/v1/movements/{wrong}/reverse"), Some(&reviewer), json!({ "reason": "again" }))
        .await
        .problem(409, "already_reversed");
    assert_eq!(statement_kinds(&app, &reviewer, &line).await, ["opening", "charge", "reversal"]);
    let foreign = app.login("reviewer.t2@demo").await;
    app.post(&format!("/api/v1/movements/{wrong}/reverse"), Some(&foreign), json!({ "reason": "x" }))
        .await
        .problem(404, "not_found");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn the_final_bill_of_a_line_in_debt_shows_what_is_due_and_that_it_blocks_completion() {
    let app = TestApp::at(NOW).await;
    let (resident, line, req) = app.submitted("resident@demo", "beeline").await;
    let preview = app.get(&format!("/api/v1/terminations/{}/final-bill", req["id"]), Some(&resident)).await.ok();
    println!("{preview}");
    // The debt on the books, and the service charges accrued up to now that completion bills.
    let booked = -balance(&app, &resident, &line["id"]).await;
    assert!(booked > 0, "the demo's Beeline line is in debt");
    let debt = booked + preview["charges"].as_i64().unwrap();
    assert_eq!(preview["preview"], true);
    assert_eq!(preview["amount_due"], debt, "{preview}");
    assert_eq!(preview["blocking"], json!(["debt_outstanding"]));
    assert_eq!(preview["settlement"], Value::Null, "nothing to settle");
    assert_eq!(preview["closing_balance"], -debt);
    let beeline = app.login("reviewer.beeline@demo").await;
    app.act(&beeline, &req["id"], "approve", None).await.ok();
    let refused = app.act(&beeline, &req["id"], "complete", None).await;
    refused.problem(422, "debt_outstanding");
    assert_eq!(refused.body["amount"], debt, "the same amount as the bill said");
}

/// Revocation gives the line back as it was: its paid services run again from the revocation
/// (the frozen days are not billed), and a line that was suspended stays suspended.
#[tokio::test]
async fn revocation_restarts_the_stopped_services_and_keeps_a_suspended_line_suspended() {
    let app = TestApp::at(NOW).await;
    let reviewer = app.login("reviewer@demo").await;
    let (resident, line, req) = app.submitted("resident@demo", "mts").await;
    let path = format!("/api/v1/lines/{}/services", line["id"]);
    let before: Vec<Value> = app.get(&path, Some(&resident)).await.ok().as_array().unwrap().clone();
    let mut names: Vec<String> = before.iter().map(|s| s["name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    assert!(!names.is_empty(), "the demo line has paid services");
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    app.advance_days(3).await;
    app.act(&resident, &req["id"], "revoke", None).await.ok();
    let after: Vec<Value> = app.get(&path, Some(&resident)).await.ok().as_array().unwrap().clone();
    let mut running: Vec<String> =
        after.iter().filter(|s| s["stopped_at"].is_null()).map(|s| s["name"].as_str().unwrap().to_owned()).collect();
    running.sort();
    assert_eq!(running, names, "every stopped service runs again: {after:?}");
    assert!(
        after.iter().filter(|s| s["stopped_at"].is_null()).all(|s| s["started_at"] == "2026-11-29T09:00:00Z"),
        "from the revocation on, three days after completion: {after:?}"
    );

    // A suspended line, cancelled in the store and revoked, is suspended again.
    let service = app.service.clone();
    tokio::task::spawn_blocking(move || {
        use simexit_service::imports::{ImportKind, parse_rows};
        for (kind, text) in [
            (ImportKind::Subscribers, "external_id,category,full_name\nS-5,resident,Павел\n"),
            (
                ImportKind::Lines,
                "external_id,subscriber_external_id,operator,msisdn,opened_at,state\nL-5,S-5,mts,+79160005555,2024-01-01,suspended\n",
            ),
        ] {
            service.import_rows(&parse_rows(kind, text).unwrap(), "t.csv", false, "test", &|_, _| {}).unwrap();
        }
    })
    .await
    .unwrap();
    let clerk = app.login("clerk.mts@demo").await;
    let number = app.number(&reviewer, &json!("+79160005555")).await;
    let body = json!({ "line_id": number["line_id"], "channel": "store" });
    let req = app.post("/api/v1/terminations", Some(&clerk), body).await.ok();
    app.upload_required(&clerk, &req).await;
    app.act(&clerk, &req["id"], "submit", None).await.ok();
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    assert_eq!(app.act(&reviewer, &req["id"], "complete", None).await.ok()["line"]["state"], "terminated");
    let revoked = app.act(&clerk, &req["id"], "revoke", None).await.ok();
    assert_eq!(revoked["line"]["state"], "suspended", "{revoked}");
    let service = app.service.clone();
    let counts =
        tokio::task::spawn_blocking(move || service.store.read(|tx| tx.invariant_counts())).await.unwrap().unwrap();
    let checks: Vec<&str> = simexit_store::INVARIANTS.iter().map(|(name, _)| *name).collect();
    let broken: Vec<_> = counts.iter().filter(|(n, c)| checks.contains(&n.as_str()) && *c != 0).collect();
    assert!(broken.is_empty(), "simexit check holds: {broken:?}");
}

/// Every state a completed request's refund can be in, then a revocation: the balance is on
/// the line once, or in the subscriber's bank, never both; a refund on its way is not undone.
#[tokio::test]
async fn a_revocation_never_pays_the_balance_twice_whatever_the_refund_state() {
    for state in ["awaiting_details", "requested", "approved", "paid", "failed"] {
        let app = TestApp::at(NOW).await;
        let reviewer = app.login("reviewer@demo").await;
        let (resident, line, req) = app.submitted("resident@demo", "mts").await;
        if state != "awaiting_details" {
            let details = json!({ "option": "refund", "recipient_name": "Анна Иванова", "bik": "044525225", "account": "40817810938160925982" });
            app.post(&format!("/api/v1/terminations/{}/settlement", req["id"]), Some(&resident), details).await.ok();
        }
        app.act(&reviewer, &req["id"], "approve", None).await.ok();
        app.act(&reviewer, &req["id"], "complete", None).await.ok();
        let refunds = app.get("/api/v1/me/refunds", Some(&resident)).await.ok();
        let refund = refunds.as_array().unwrap().iter().find(|r| r["request_id"] == req["id"]).unwrap().clone();
        let (id, amount) = (refund["id"].clone(), refund["amount"].as_i64().unwrap());
        assert!(amount > 0);
        let step = |s: &str| format!("/api/v1/refunds/{id}/{s}");
        if ["approved", "paid", "failed"].contains(&state) {
            app.post(&step("approve"), Some(&reviewer), json!({})).await.ok();
        }
        if state == "paid" {
            app.post(&step("mark-paid"), Some(&reviewer), json!({})).await.ok();
        }
        if state == "failed" {
            app.post(&step("mark-failed"), Some(&reviewer), json!({ "reason": "account closed" })).await.ok();
        }
        assert_eq!(app.get(&format!("/api/v1/refunds/{id}"), Some(&resident)).await.ok()["state"], state);
        let before = balance(&app, &resident, &line["id"]).await;

        let revoked = app.act(&resident, &req["id"], "revoke", None).await;
        let after = balance(&app, &resident, &line["id"]).await;
        let refund_now = app.get(&format!("/api/v1/refunds/{id}"), Some(&resident)).await.ok()["state"].clone();
        match state {
            "approved" => {
                revoked.problem(409, "refund_in_payment");
                assert_eq!(app.request(&resident, &req["id"]).await["state"], "completed", "nothing changed");
                assert_eq!((refund_now.as_str(), after), (Some("approved"), before));
            }
            "paid" => {
                assert_eq!(revoked.ok()["state"], "revoked");
                assert_eq!((refund_now.as_str(), after), (Some("paid"), 0), "paid out: not put back on the line");
            }
            _ => {
                assert_eq!(revoked.ok()["state"], "revoked");
                assert_eq!((refund_now.as_str(), after), (Some("cancelled"), amount), "{state}: back on the line once");
            }
        }
        app.assert_books_balance().await;
    }
}
