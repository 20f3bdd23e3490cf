//! Payments reach a line only where money really moved: a provider's verified notification or
//! a store's cash desk. Notifications here are signed by the test itself with the `hmac`
//! crate, as a provider (or a forger) would, not with simexit's code.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{DEMO_SECRET, TestApp};

const NOW: &str = "2026-11-26T09:00:00Z";

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A notification as the provider's contract writes it.
fn notice(payment: &Value, amount: i64, sent_at: &str) -> Vec<u8> {
    let provider_ref = payment["confirmation_url"].as_str().unwrap().rsplit('/').next().unwrap();
    json!({
        "event": "payment.succeeded",
        "payment_id": provider_ref,
        "amount": amount,
        "currency": "RUB",
        "reference": payment["id"],
        "sent_at": sent_at,
    })
    .to_string()
    .into_bytes()
}

async fn notify(app: &TestApp, provider: &str, body: Vec<u8>, signature: &str) -> crate::helpers::Resp {
    let res = app
        .client
        .post(format!("{}/api/v1/payments/notifications/{provider}", app.base))
        .header("content-type", "application/json")
        .header("x-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap_or(Value::Null);
    crate::helpers::Resp { status, body, content_type, retry_after: None }
}

async fn balance(app: &TestApp, token: &str, line_id: &Value) -> i64 {
    app.get(&format!("/api/v1/lines/{line_id}"), Some(token)).await.ok()["balance"].as_i64().unwrap()
}

async fn payments_on_statement(app: &TestApp, token: &str, line_id: &Value) -> usize {
    let st = app.get(&format!("/api/v1/lines/{line_id}/statement"), Some(token)).await.ok();
    st["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == "payment").count()
}

async fn start(app: &TestApp, token: &str, line_id: &Value, amount: i64) -> Value {
    let res = app.post("/api/v1/payments", Some(token), json!({ "line_id": line_id, "amount": amount })).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

#[tokio::test]
async fn a_subscriber_declaring_a_payment_changes_nothing() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "beeline").await;
    let before = balance(&app, &resident, &line["id"]).await;
    assert!(before < 0, "the demo's beeline line is in debt");

    // The old way of declaring a payment is gone, the BSS's feed is not the subscriber's, and
    // a payment started with the provider but never paid credits nothing.
    let declared = json!({ "amount": 29050, "idempotency_key": "trust-me" });
    let res = app.post(&format!("/api/v1/lines/{}/payments", line["id"]), Some(&resident), declared).await;
    assert_eq!(res.status, 405, "{}", res.body);
    let bss = json!({ "id": "P-1", "line_external_id": "x", "amount_kopecks": 29050 });
    app.post("/api/v1/sync/payments", Some(&resident), bss).await.problem(403, "forbidden");
    let pending = start(&app, &resident, &line["id"], 29050).await;
    assert_eq!(pending["status"], "pending");
    assert!(pending["confirmation_url"].as_str().unwrap().contains("/demo-pay/demo-"));
    assert_eq!(balance(&app, &resident, &line["id"]).await, before);
    assert_eq!(payments_on_statement(&app, &resident, &line["id"]).await, 0);

    // Bad amounts: none, negative, over 10 000 000 ₽ in one movement.
    for amount in [0, -5, 1_000_000_001] {
        let body = json!({ "line_id": line["id"], "amount": amount });
        app.post("/api/v1/payments", Some(&resident), body).await.problem(422, "invalid_amount");
    }
    // Staff do not pay by card on a subscriber's behalf; nobody pays another's line.
    let clerk = app.login("clerk.mts@demo").await;
    let body = json!({ "line_id": line["id"], "amount": 100 });
    app.post("/api/v1/payments", Some(&clerk), body.clone()).await.problem(403, "forbidden");
    let tourist = app.login("tourist@demo").await;
    app.post("/api/v1/payments", Some(&tourist), body).await.problem(404, "not_found");
}

#[tokio::test]
async fn a_demo_card_payment_clears_a_debt_through_the_signed_notification() {
    let app = TestApp::at(NOW).await;
    let beeline = app.login("reviewer.beeline@demo").await;
    let (resident, line, req) = app.submitted("resident@demo", "beeline").await;
    app.act(&beeline, &req["id"], "approve", None).await.ok();
    app.act(&beeline, &req["id"], "complete", None).await.problem(422, "debt_outstanding");

    // The card page shows what is paid, then sends its notification on "pay".
    let started = start(&app, &resident, &line["id"], 29050).await;
    let url = started["confirmation_url"].as_str().unwrap();
    let page = app.client.get(format!("{}{}", app.base, &url[url.find("/demo-pay/").unwrap()..]));
    let html = page.send().await.unwrap().text().await.unwrap();
    assert!(html.contains("290,50") || html.contains("290.50"), "{html}");
    let paid = app.pay_by_card(&resident, &line["id"], 29050).await;
    assert_eq!(paid["status"], "succeeded", "{paid}");
    assert_eq!(paid["provider"], "demo");
    let listed = app.get(&format!("/api/v1/lines/{}/payments", line["id"]), Some(&resident)).await.ok();
    let statuses: Vec<&str> = listed.as_array().unwrap().iter().map(|p| p["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["succeeded", "pending"], "newest first: the one paid, the one left on the page");

    let done = app.act(&beeline, &req["id"], "complete", None).await.ok();
    assert_eq!(done["state"], "completed");
    assert_eq!(done["line"]["balance"], 0, "the debt and the charges accrued to completion, paid");
    assert_eq!(payments_on_statement(&app, &resident, &line["id"]).await, 1);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn forged_notifications_credit_nothing_and_a_genuine_one_twice_credits_once() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "beeline").await;
    let before = balance(&app, &resident, &line["id"]).await;
    let p = start(&app, &resident, &line["id"], 29050).await;
    let now = "2026-11-26T09:00:00Z";

    // A bad signature: signed with another key, or none at all.
    let body = notice(&p, 29050, now);
    notify(&app, "demo", body.clone(), &sign("guessed", &body)).await.problem(401, "invalid_signature");
    notify(&app, "demo", body.clone(), "").await.problem(401, "invalid_signature");
    // The signature is over the raw body: one byte changed and it no longer signs it.
    let signature = sign(DEMO_SECRET, &body);
    let mut altered = body.clone();
    let at = altered.iter().position(|b| *b == b'9').unwrap();
    altered[at] = b'8';
    notify(&app, "demo", altered, &signature).await.problem(401, "invalid_signature");
    // An old notification, correctly signed: replayed ten minutes later, it is refused.
    let old = notice(&p, 29050, "2026-11-26T08:50:00Z");
    notify(&app, "demo", old.clone(), &sign(DEMO_SECRET, &old)).await.problem(401, "stale_notification");
    // Signed and fresh, but the provider's own record says the card was never charged.
    notify(&app, "demo", body.clone(), &signature).await.problem(409, "payment_not_confirmed");
    // Signed and fresh, claiming more than was paid.
    let more = notice(&p, 2_905_000, now);
    notify(&app, "demo", more.clone(), &sign(DEMO_SECRET, &more)).await.problem(409, "payment_not_confirmed");
    // A provider simexit does not know.
    notify(&app, "acme", body.clone(), &signature).await.problem(404, "not_found");
    assert_eq!(balance(&app, &resident, &line["id"]).await, before, "nothing forged was credited");
    let got = app.get(&format!("/api/v1/payments/{}", p["id"]), Some(&resident)).await.ok();
    assert_eq!(got["status"], "pending");

    // The payer pays at the provider; the provider's genuine notification arrives twice.
    let provider_ref = p["confirmation_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let demo = app.service.payments.demo().unwrap();
    let (genuine, genuine_signature) = demo.settle(&provider_ref, true, now.parse().unwrap()).unwrap();
    let first = notify(&app, "demo", genuine.clone(), &genuine_signature).await.ok();
    assert_eq!((first["status"].as_str(), first["changed"].as_bool()), (Some("succeeded"), Some(true)));
    let again = notify(&app, "demo", genuine, &genuine_signature).await.ok();
    assert_eq!(again["changed"], false);
    assert_eq!(balance(&app, &resident, &line["id"]).await, before + 29050, "credited once");
    assert_eq!(payments_on_statement(&app, &resident, &line["id"]).await, 1);
    app.assert_books_balance().await;
}

#[tokio::test]
async fn a_clerk_takes_cash_at_their_store_for_their_operators_lines_only() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    let clerk = app.login("clerk.mts@demo").await;
    let mts = app.line_of(&resident, "mts").await;
    let before = balance(&app, &resident, &mts["id"]).await;
    let path = format!("/api/v1/lines/{}/cash-payments", mts["id"]);
    let cash = |amount: i64, receipt: &str| json!({ "amount": amount, "receipt_number": receipt });

    let first = app.post(&path, Some(&clerk), cash(50000, "0042/117")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["provider"], "cash");
    assert_eq!(first.body["store_id"], "mts-moscow-arbat");
    assert_eq!(first.body["receipt_number"], "0042/117");
    // The same receipt again (a double click, a retry) is recorded once.
    let again = app.post(&path, Some(&clerk), cash(50000, "0042/117")).await;
    assert_eq!((again.status.as_u16(), &again.body["id"]), (200, &first.body["id"]));
    app.post(&path, Some(&clerk), cash(100, "0042/117")).await.problem(409, "receipt_reused");
    assert_eq!(balance(&app, &resident, &mts["id"]).await, before + 50000);

    app.post(&path, Some(&clerk), cash(1_000_000_001, "0042/118")).await.problem(422, "invalid_amount");
    app.post(&path, Some(&clerk), cash(100, "")).await.problem(422, "invalid_receipt");
    app.post(&path, Some(&clerk), cash(100, "чек 1")).await.problem(422, "invalid_receipt");
    // Another operator's line is not this clerk's to take cash for; others have no desk.
    let beeline = app.line_of(&resident, "beeline").await;
    let other = format!("/api/v1/lines/{}/cash-payments", beeline["id"]);
    app.post(&other, Some(&clerk), cash(29050, "0042/119")).await.problem(404, "not_found");
    for who in ["resident@demo", "reviewer@demo", "admin@demo"] {
        let token = app.login(who).await;
        app.post(&path, Some(&token), cash(100, "0042/120")).await.problem(403, "forbidden");
    }
    assert_eq!(balance(&app, &resident, &mts["id"]).await, before + 50000, "refusals changed nothing");

    // It is audited with the store and the receipt.
    let auditor = app.login("auditor@demo").await;
    let audit = app.get("/api/v1/audit?limit=1000", Some(&auditor)).await.ok();
    let entry = audit.as_array().unwrap().iter().find(|e| e["action"] == "cash_payment").unwrap().clone();
    assert!(entry["actor"].as_str().unwrap().starts_with("account:"), "the clerk, by account: {entry}");
    assert!(entry["details"].to_string().contains("0042/117"), "{entry}");
    app.assert_books_balance().await;
}

/// The provider of `tests/peers/payment_provider.py`: Python's standard library, written from
/// docs/PAYMENTS.md.
struct Provider {
    child: std::process::Child,
    port: u16,
}

impl Provider {
    fn start() -> Provider {
        use std::io::BufRead;
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/payment_provider.py");
        let mut child = std::process::Command::new("python3")
            .args([script.to_str().unwrap(), "pk_test_key", "provider-notification-secret"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut ready = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut ready).unwrap();
        let port = ready.trim().strip_prefix("ready ").unwrap().parse().unwrap();
        Provider { child, port }
    }

    /// The payer pays (or not) at the provider, which then notifies simexit; what simexit
    /// answered the provider.
    async fn checkout(&self, app: &TestApp, payment: &Value, order: Value) -> (u16, Value) {
        let url = payment["confirmation_url"].as_str().unwrap();
        let mut order = order;
        order["notify_url"] = json!(format!("{}/api/v1/payments/notifications/gateway", app.base));
        let answer: Value = app.client.post(url).json(&order).send().await.unwrap().json().await.unwrap();
        (answer["simexit_status"].as_u64().unwrap() as u16, answer["simexit_answer"].clone())
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_generic_provider_contract_works_with_a_provider_simexit_did_not_write() {
    let provider = Provider::start();
    let port = provider.port;
    let app = TestApp::configured(NOW, true, move |c| {
        c.payments.provider = "http".into();
        c.payments.api_url = format!("http://127.0.0.1:{port}/v1");
        c.payments.api_key = simexit_server::config::Secret("pk_test_key".into());
        c.payments.notification_secret = simexit_server::config::Secret("provider-notification-secret".into());
    })
    .await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "beeline").await;
    let before = balance(&app, &resident, &line["id"]).await;

    // The configured provider comes before the demo's: the payer is sent to its page.
    let p = start(&app, &resident, &line["id"], 29050).await;
    assert_eq!(p["provider"], "gateway");
    let page = p["confirmation_url"].as_str().unwrap();
    assert!(page.starts_with(&format!("http://127.0.0.1:{port}/checkout/pp_")), "{page}");

    // Forgeries through the provider's own mouth: another key, an old notification, a larger
    // amount than the provider holds. Each is refused and nothing is credited.
    let now = "2026-11-26T09:00:00Z";
    let forged = json!({ "pay": true, "sent_at": now, "secret": "not-the-secret" });
    let (status, answer) = provider.checkout(&app, &p, forged).await;
    assert_eq!((status, answer["code"].as_str()), (401, Some("invalid_signature")));
    let old = json!({ "pay": true, "sent_at": "2026-11-26T08:00:00Z" });
    let (status, answer) = provider.checkout(&app, &p, old).await;
    assert_eq!((status, answer["code"].as_str()), (401, Some("stale_notification")));
    let more = json!({ "pay": true, "sent_at": now, "claim_amount": 2_905_000 });
    let (status, answer) = provider.checkout(&app, &p, more).await;
    assert_eq!((status, answer["code"].as_str()), (409, Some("payment_not_confirmed")));
    assert_eq!(balance(&app, &resident, &line["id"]).await, before);

    // The genuine notification, twice: credited once, confirmed by `GET /v1/payments/{id}`.
    let genuine = json!({ "pay": true, "sent_at": now });
    let (status, answer) = provider.checkout(&app, &p, genuine.clone()).await;
    assert_eq!((status, answer["changed"].as_bool()), (200, Some(true)), "{answer}");
    let (status, answer) = provider.checkout(&app, &p, genuine).await;
    assert_eq!((status, answer["changed"].as_bool()), (200, Some(false)), "{answer}");
    assert_eq!(balance(&app, &resident, &line["id"]).await, before + 29050);
    let got = app.get(&format!("/api/v1/payments/{}", p["id"]), Some(&resident)).await.ok();
    assert_eq!(got["status"], "succeeded");

    // A refund to the card goes through the provider's refund call, once per key, and never
    // for more than was paid.
    let gateway = app.service.payments.get("gateway").unwrap().clone();
    let reference = page.rsplit('/').next().unwrap().to_owned();
    let refunds = tokio::task::spawn_blocking(move || {
        let m = simexit_domain::Money::from_kopecks;
        let first = gateway.refund(&reference, m(20000), "simexit-refund-1");
        let again = gateway.refund(&reference, m(20000), "simexit-refund-1");
        let over = gateway.refund(&reference, m(20000), "simexit-refund-2");
        (first, again, over)
    })
    .await
    .unwrap();
    assert!(refunds.0.as_ref().is_ok_and(|id| id.starts_with("rf_")), "{refunds:?}");
    assert_eq!(refunds.0, refunds.1, "the same key is the same refund");
    assert!(refunds.2.is_err(), "29050 paid, 20000 refunded: another 20000 is refused");

    // A payer who gives up: the provider's cancellation, confirmed, credits nothing.
    let q = start(&app, &resident, &line["id"], 100).await;
    let (status, answer) = provider.checkout(&app, &q, json!({ "pay": false, "sent_at": now })).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("canceled")), "{answer}");
    assert_eq!(balance(&app, &resident, &line["id"]).await, before + 29050);

    // The provider gone: starting a payment says so, and leaves nothing pending.
    drop(provider);
    let body = json!({ "line_id": line["id"], "amount": 100 });
    app.post("/api/v1/payments", Some(&resident), body).await.problem(503, "provider_unavailable");
    let listed = app.get(&format!("/api/v1/lines/{}/payments", line["id"]), Some(&resident)).await.ok();
    assert_eq!(listed[0]["status"], "canceled");
    app.assert_books_balance().await;
}
