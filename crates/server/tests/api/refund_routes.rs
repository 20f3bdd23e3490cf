//! Refunds a tourist can use: SBP to a phone at a chosen bank, back to the card that paid,
//! cash at a store against a signature, besides a Russian bank account; each offered only
//! where the operator's policy offers it to the subscriber's category.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const NOW: &str = "2026-11-26T09:00:00Z";

/// Terminates a line online and returns its refund, awaiting details.
async fn refund_after(app: &TestApp, subscriber: &str, operator: &str, reviewer: &str) -> (String, Value) {
    let reviewer = app.login(reviewer).await;
    let (token, _, req) = app.submitted(subscriber, operator).await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    let refunds = app.get("/api/v1/me/refunds", Some(&token)).await.ok();
    let refund = refunds.as_array().unwrap().iter().find(|r| r["request_id"] == req["id"]).unwrap().clone();
    assert_eq!(refund["state"], "awaiting_details", "{refund}");
    (token, refund)
}

#[tokio::test]
async fn a_tourist_on_t2_chooses_an_sbp_refund() {
    let app = TestApp::at(NOW).await;
    let (tourist, refund) = refund_after(&app, "tourist@demo", "t2", "reviewer.t2@demo").await;
    let details = format!("/api/v1/refunds/{}/details", refund["id"]);
    let sbp = |phone: &str, bank: &str| json!({ "route": "sbp", "recipient_name": "Li Ming", "phone": phone, "bank_id": bank });

    // The T2 policy offers a tourist SBP; the banks are the NSPK's list.
    let policy = app.get("/api/v1/operators/t2/policy", None).await.ok();
    assert!(policy["refund_routes"]["tourist"].as_array().unwrap().contains(&json!("sbp")), "{policy}");
    let banks = app.get("/api/v1/sbp-banks", None).await.ok();
    assert!(banks.as_array().unwrap().iter().any(|b| b["id"] == "100000000004" && b["name"] == "Т-Банк"));

    // Bad details change nothing.
    app.post(&details, Some(&tourist), sbp("+86 138 0013 8000", "100000000004")).await.problem(422, "invalid_phone");
    app.post(&details, Some(&tourist), sbp("+7 977 123-45-67", "123")).await.problem(422, "invalid_sbp_bank");
    app.post(&details, Some(&tourist), sbp("+7 977 123-45-67", "999999999999")).await.problem(422, "invalid_sbp_bank");
    let unchanged = app.get(&format!("/api/v1/refunds/{}", refund["id"]), Some(&tourist)).await.ok();
    assert_eq!(unchanged["state"], "awaiting_details");

    let chosen = app.post(&details, Some(&tourist), sbp("8 977 123-45-67", "100000000004")).await.ok();
    assert_eq!((chosen["route"].as_str(), chosen["state"].as_str()), (Some("sbp"), Some("requested")));
    assert_eq!(chosen["sbp_bank"], "100000000004");
    assert_eq!(chosen["sbp_phone"], "+7 *** ***-45-67", "the number is shown masked");
    assert_eq!(chosen["account"], Value::Null);

    // The operator's staff pay it through SBP and mark it paid.
    let reviewer = app.login("reviewer.t2@demo").await;
    let step = |s: &str| format!("/api/v1/refunds/{}/{s}", refund["id"]);
    app.post(&step("approve"), Some(&reviewer), json!({})).await.ok();
    let paid = app.post(&step("mark-paid"), Some(&reviewer), json!({})).await.ok();
    assert_eq!((paid["state"].as_str(), paid["route"].as_str()), (Some("paid"), Some("sbp")));
    app.assert_books_balance().await;
}

#[tokio::test]
async fn routes_the_policy_does_not_offer_are_refused() {
    let app = TestApp::at(NOW).await;
    // Beeline offers foreign residents a bank account, SBP or the card, not cash; a card route
    // needs a card payment that covers the refund.
    let (resident, refund) = refund_after(&app, "foreigner@demo", "beeline", "reviewer.beeline@demo").await;
    let details = format!("/api/v1/refunds/{}/details", refund["id"]);
    let cash = json!({ "route": "cash", "store_id": "beeline-moscow-tverskaya" });
    app.post(&details, Some(&resident), cash).await.problem(422, "route_not_offered");
    app.post(&details, Some(&resident), json!({ "route": "card" })).await.problem(422, "no_card_payment");
    app.post(&details, Some(&resident), json!({ "route": "post" })).await.problem(400, "invalid_body");
    // An admin imports the NSPK's current list; a bad one is refused whole, naming its lines.
    let admin = app.login("admin@demo").await;
    let put = |token: &str, body: &'static str| {
        app.client
            .put(format!("{}/api/v1/sbp-banks", app.base))
            .bearer_auth(token.to_owned())
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let bad = put(&admin, "id,name\n12,Short\n").await.unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("line 2"));
    let ok = put(&admin, "id,name\n100000000111,Сбербанк\n100000000008,Альфа-Банк\n").await.unwrap();
    assert_eq!(ok.json::<Value>().await.unwrap()["banks"], 2);
    let reviewer = app.login("reviewer@demo").await;
    assert_eq!(put(&reviewer, "100000000111,Сбербанк\n").await.unwrap().status(), 403);
    let banks = app.get("/api/v1/sbp-banks", None).await.ok();
    assert_eq!(banks.as_array().unwrap().len(), 2);
    let sbp = json!({ "route": "sbp", "recipient_name": "Анна", "phone": "+79161234567", "bank_id": "100000000004" });
    app.post(&details, Some(&resident), sbp).await.problem(422, "invalid_sbp_bank");
}

#[tokio::test]
async fn a_card_refund_goes_back_through_the_provider_that_took_the_payment() {
    let app = TestApp::at(NOW).await;
    let tourist = app.login("tourist@demo").await;
    let megafon = app.line_of(&tourist, "megafon").await;
    let paid = app.pay_by_card(&tourist, &megafon["id"], 20000).await;
    let clerk = app.login("clerk@demo").await;
    let req = app
        .post("/api/v1/terminations", Some(&clerk), json!({ "line_id": megafon["id"], "channel": "store" }))
        .await
        .ok();
    app.upload_required(&clerk, &req).await;
    for action in ["submit", "approve", "complete"] {
        app.act(&clerk, &req["id"], action, None).await.ok();
    }
    let refunds = app.get("/api/v1/me/refunds", Some(&tourist)).await.ok();
    let refund = refunds.as_array().unwrap().iter().find(|r| r["request_id"] == req["id"]).unwrap().clone();
    assert_eq!(refund["amount"], 20000);
    let chosen = app
        .post(&format!("/api/v1/refunds/{}/details", refund["id"]), Some(&tourist), json!({ "route": "card" }))
        .await
        .ok();
    assert_eq!(chosen["card_payment_id"], paid["id"]);

    // Approving it refunds the card through the provider; the refund is then paid.
    let admin = app.login("admin@demo").await;
    let done = app.post(&format!("/api/v1/refunds/{}/approve", refund["id"]), Some(&admin), json!({})).await.ok();
    assert_eq!(done["state"], "paid", "{done}");
    assert!(done["payout_ref"].as_str().unwrap().starts_with("demo-"), "the provider's refund id: {done}");
    let provider_ref = paid["confirmation_url"].as_str().unwrap().rsplit('/').next().unwrap();
    let demo = app.service.payments.demo().unwrap().payment(provider_ref).unwrap();
    assert_eq!(demo.refunds.values().map(|m| m.kopecks()).sum::<i64>(), 20000, "the card got it back, once");
    app.post(&format!("/api/v1/refunds/{}/mark-paid", refund["id"]), Some(&admin), json!({}))
        .await
        .problem(409, "refund_state");
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_cash_refund_is_paid_out_at_its_store_against_the_subscribers_signature() {
    let app = TestApp::at(NOW).await;
    let (resident, refund) = refund_after(&app, "resident@demo", "mts", "reviewer@demo").await;
    let id = refund["id"].clone();
    let cash = json!({ "route": "cash", "store_id": "mts-moscow-arbat" });
    let chosen = app.post(&format!("/api/v1/refunds/{id}/details"), Some(&resident), cash).await.ok();
    assert_eq!((chosen["route"].as_str(), chosen["cash_store_id"].as_str()), (Some("cash"), Some("mts-moscow-arbat")));
    let payout = format!("/api/v1/refunds/{id}/cash-payout");
    let voucher = |signed: bool| json!({ "voucher_number": "РКО-0042", "signed": signed });
    let clerk = app.login("clerk.mts@demo").await;
    // Not before staff approve it; not by a reviewer's "mark paid"; not at another store.
    app.post(&payout, Some(&clerk), voucher(true)).await.problem(409, "refund_state");
    let reviewer = app.login("reviewer@demo").await;
    app.post(&format!("/api/v1/refunds/{id}/approve"), Some(&reviewer), json!({})).await.ok();
    app.post(&format!("/api/v1/refunds/{id}/mark-paid"), Some(&reviewer), json!({})).await.problem(409, "refund_route");
    let kazan = app.login("clerk.kazan@demo").await;
    app.post(&payout, Some(&kazan), voucher(true)).await.problem(404, "not_found");
    // The desk finds what it pays out in its queue.
    let queue = app.get("/api/v1/refunds?state=approved", Some(&clerk)).await.ok();
    assert_eq!(queue.as_array().unwrap().iter().map(|r| r["id"].clone()).collect::<Vec<_>>(), vec![id.clone()]);
    assert_eq!(app.get("/api/v1/refunds?state=approved", Some(&kazan)).await.ok(), json!([]));
    app.post(&payout, Some(&clerk), voucher(false)).await.problem(422, "signature_required");
    app.post(&payout, Some(&resident), voucher(true)).await.problem(403, "forbidden");

    let paid = app.post(&payout, Some(&clerk), voucher(true)).await.ok();
    assert_eq!((paid["state"].as_str(), paid["payout_ref"].as_str()), (Some("paid"), Some("РКО-0042")));
    app.post(&payout, Some(&clerk), voucher(true)).await.problem(409, "refund_state");
    let auditor = app.login("auditor@demo").await;
    let audit = app.get("/api/v1/audit?limit=1000", Some(&auditor)).await.ok();
    let entry = audit.as_array().unwrap().iter().find(|e| e["action"] == "cash_payout").unwrap().clone();
    assert_eq!(entry["details"]["signed"], true, "{entry}");
    app.assert_books_balance().await;
}
