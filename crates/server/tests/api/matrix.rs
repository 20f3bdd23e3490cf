//! The authorization matrix: every route of the OpenAPI document × every kind of caller.
//! A route without a rule here fails the test, so a new route cannot ship unconsidered.
//!
//! Expectations per caller, in the order of `CALLERS`: `A` allowed (the business rules
//! answer: 2xx, 400, 409, 422 or 429), `1` 401, `3` 403, `4` 404 (not visible: other people's
//! records are not admitted to exist), `*` not an access decision (the token endpoint, which
//! authenticates clients by their own credentials).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use simexit_store::StoreExt;

use crate::helpers::TestApp;

pub(crate) const CALLERS: [&str; 12] = [
    "anonymous",
    "owner",
    "other subscriber",
    "clerk of the store",
    "clerk of another store",
    "clerk of another operator",
    "reviewer",
    "admin",
    "auditor",
    "admin of another operator",
    "auditor of another operator",
    "API client",
];

/// The sign-in of each caller that is a person, in `CALLERS` order ("" for the others).
pub(crate) const LOGINS: [&str; 12] = [
    "",
    "resident@demo",
    "foreigner@demo",
    "clerk.mts@demo",
    "clerk.kazan@demo",
    "clerk@demo",
    "reviewer@demo",
    "admin@demo",
    "auditor@demo",
    "admin.beeline@demo",
    "auditor.beeline@demo",
    "",
];

#[rustfmt::skip]
const RULES: &[(&str, &str, &str)] = &[
    //  method  path                                                anon/owner/other/clerk/clerk-other-store/clerk-other-op/
    //                                                              reviewer/admin/auditor/admin-other-op/auditor-other-op/client
    ("get"  , "/healthz"                                          , "AAAAAAAAAAAA"),
    ("get"  , "/readyz"                                           , "AAAAAAAAAAAA"),
    ("get"  , "/api/v1/operators"                                 , "AAAAAAAAAAAA"),
    ("get"  , "/api/v1/operators/{id}/policy"                     , "AAAAAAAAAAAA"),
    ("post" , "/api/v1/eligibility"                               , "AAAAAAAAAAAA"),
    ("get"  , "/api/v1/stores"                                    , "AAAAAAAAAAAA"),
    ("post" , "/api/v1/stores"                                    , "1333333A3333"),
    ("get"  , "/api/v1/stores/{id}"                               , "AAAAAAAAAAAA"),
    ("put"  , "/api/v1/stores/{id}"                               , "1333333A3333"),
    ("delete", "/api/v1/stores/{id}"                              , "1333333A3333"),
    ("put"  , "/api/v1/stores/{id}/wait"                          , "133A333A333A"),
    ("put"  , "/api/v1/sync/subscribers/{external_id}"            , "13333333333A"),
    ("put"  , "/api/v1/sync/lines/{external_id}"                  , "13333333333A"),
    ("post" , "/api/v1/sync/charges"                              , "13333333333A"),
    ("post" , "/api/v1/sync/payments"                             , "13333333333A"),
    ("post" , "/api/v1/sync/usage"                                , "13333333333A"),
    ("get"  , "/api/v1/sync/changes"                              , "13333333333A"),
    ("post" , "/api/v1/auth/login"                                , "AAAAAAAAAAAA"),
    ("post" , "/api/v1/auth/logout"                               , "1AAAAAAAAAAA"),
    ("post" , "/api/v1/auth/password-reset"                       , "AAAAAAAAAAAA"),
    ("post" , "/api/v1/auth/password-reset/confirm"               , "AAAAAAAAAAAA"),
    ("post" , "/api/v1/auth/sms-code"                             , "AAAAAAAAAAAA"),
    ("post" , "/api/v1/auth/sms-code/verify"                      , "AAAAAAAAAAAA"),
    ("post" , "/api/v1/oauth/token"                               , "************"),
    ("post" , "/api/v1/api-clients"                               , "1333333A3333"),
    ("get"  , "/api/v1/me/lines"                                  , "1AA333333333"),
    ("get"  , "/api/v1/me/terminations"                           , "1AAAAAAAAAAA"),
    ("get"  , "/api/v1/me/refunds"                                , "1AA333333333"),
    ("post" , "/api/v1/lines"                                     , "133AA33A3333"),
    ("get"  , "/api/v1/lines/{id}"                                , "1A4AA4AAA444"),
    ("get"  , "/api/v1/lines/{id}/payments"                       , "1A4AA4AAA444"),
    ("post" , "/api/v1/lines/{id}/cash-payments"                  , "133AA4333333"),
    ("post" , "/api/v1/payments"                                  , "1A4333333333"),
    ("get"  , "/api/v1/payments/{id}"                             , "1A4AA4AAA444"),
    // The signature is the credential: without it every caller is unauthenticated.
    ("post" , "/api/v1/payments/notifications/{provider}"         , "111111111111"),
    ("get"  , "/api/v1/lines/{id}/statement"                      , "1A4AA4AAA444"),
    ("get"  , "/api/v1/lines/{id}/services"                       , "1A4AA4AAA444"),
    ("post" , "/api/v1/lines/{id}/services"                       , "133AA43A3433"),
    ("post" , "/api/v1/lines/{id}/adjustments"                    , "133333AA3433"),
    ("post" , "/api/v1/movements/{id}/reverse"                    , "133333AA3433"),
    ("post" , "/api/v1/terminations"                              , "1A43343A3444"),
    ("get"  , "/api/v1/terminations/{id}"                         , "1A4A44AAA444"),
    ("post" , "/api/v1/terminations/{id}/submit"                  , "134A443A3444"),
    ("post" , "/api/v1/terminations/{id}/withdraw"                , "1A4A443A3444"),
    ("post" , "/api/v1/terminations/{id}/approve"                 , "134A44AA3444"),
    ("post" , "/api/v1/terminations/{id}/reject"                  , "134A44AA3444"),
    ("post" , "/api/v1/terminations/{id}/request-info"            , "134A44AA3444"),
    ("post" , "/api/v1/terminations/{id}/provide-info"            , "1A4A44333444"),
    ("post" , "/api/v1/terminations/{id}/complete"                , "134A44AA3444"),
    ("post" , "/api/v1/terminations/{id}/revoke"                  , "1A4A443A3444"),
    ("post" , "/api/v1/terminations/{id}/settlement"              , "1A4A44AA3444"),
    ("get"  , "/api/v1/terminations/{id}/final-bill"              , "1A4A44AAA444"),
    ("get"  , "/api/v1/review-queue"                              , "133333AAAAA3"),
    ("get"  , "/api/v1/numbering/{msisdn}"                        , "AAAAAAAAAAAA"),
    ("post" , "/api/v1/numbers/{msisdn}/port-out"                 , "133AA43A3433"),
    ("post" , "/api/v1/numbers/port-in"                           , "133AA33A3333"),
    ("post" , "/number-recycling/v0.2/check"                        , "13333333333A"),
    ("post" , "/api/v1/reassigned-numbers/query"                  , "13333333333A"),
    ("get"  , "/api/v1/api-clients/{client_id}/usage"             , "1333333AA443"),
    ("get"  , "/api/v1/numbers/{msisdn}"                          , "133AA4AAA443"),
    // Clerks see the cash refunds their store pays out (none here).
    ("get"  , "/api/v1/refunds"                                   , "133AAAAAAAA3"),
    ("get"  , "/api/v1/refunds/{id}"                              , "1A444A4AA444"),
    ("post" , "/api/v1/refunds/{id}/details"                      , "1A444A4A3444"),
    ("post" , "/api/v1/refunds/{id}/approve"                      , "1333334A3433"),
    ("post" , "/api/v1/refunds/{id}/mark-paid"                    , "1333334A3433"),
    ("post" , "/api/v1/refunds/{id}/mark-failed"                  , "1333334A3433"),
    ("post" , "/api/v1/refunds/{id}/cash-payout"                  , "13344A333333"),
    ("get"  , "/api/v1/sbp-banks"                                 , "AAAAAAAAAAAA"),
    ("put"  , "/api/v1/sbp-banks"                                 , "1333333A3333"),
    ("get"  , "/api/v1/audit"                                     , "1333333AAAA3"),
    ("get"  , "/api/v1/audit/export"                              , "1333333AAAA3"),
    ("get"  , "/api/v1/outbox"                                    , "1333333AAAA3"),
    ("post" , "/api/v1/terminations/{id}/documents"               , "1A4A44AA3444"),
    ("get"  , "/api/v1/terminations/{id}/documents"               , "1A4A44AAA444"),
    ("get"  , "/api/v1/documents/{id}/content"                    , "1A4A44AAA444"),
    ("post" , "/api/v1/documents/{id}/verify"                     , "134A44AA3444"),
    ("post" , "/api/v1/documents/{id}/reject"                     , "134A44AA3444"),
    ("get"  , "/api/v1/destruction-acts"                          , "1333333AAAA3"),
    ("get"  , "/api/v1/destruction-acts/export"                   , "1333333AAAA3"),
    ("get"  , "/api/v1/certificates/keys"                         , "AAAAAAAAAAAA"),
    ("get"  , "/api/v1/certificates/{number}"                     , "AAAAAAAAAAAA"),
    ("get"  , "/api/v1/certificates/{number}/pdf"                 , "AAAAAAAAAAAA"),
    ("get"  , "/api/v1/terminations/{id}/application-form"        , "1A4A44AAA444"),
    ("get"  , "/api/v1/terminations/{id}/network"                 , "1A4A44AAA444"),
    ("get"  , "/api/v1/network/alerts"                            , "1333333AAAA3"),
    ("post" , "/api/v1/bulk-terminations"                         , "1333333A3A33"),
    ("get"  , "/api/v1/bulk-terminations/{id}"                    , "1333333A3433"),
    ("get"  , "/api/v1/terminations/{id}/certificate"             , "1A444A4AA444"),
    ("post" , "/api/v1/outbox/{id}/resend"                        , "1333333A3433"),
    // An operator's admin manages that operator's subscriptions; the fixture's are of all.
    ("get"  , "/api/v1/webhooks"                                  , "1333333A3A33"),
    ("post" , "/api/v1/webhooks"                                  , "1333333A3A33"),
    ("delete", "/api/v1/webhooks/{id}"                            , "1333333A3433"),
    ("post" , "/api/v1/webhooks/{id}/disable"                     , "1333333A3433"),
    ("post" , "/api/v1/webhooks/{id}/enable"                      , "1333333A3433"),
    ("post" , "/api/v1/webhooks/{id}/rotate-secret"               , "1333333A3433"),
    ("get"  , "/api/v1/webhooks/{id}/deliveries"                  , "1333333A3433"),
    ("post" , "/api/v1/webhook-deliveries/{id}/resend"            , "1333333A3433"),
    ("get"  , "/api/v1/staff"                                     , "1333333AAAA3"),
    ("post" , "/api/v1/staff"                                     , "1333333A3333"),
    ("post" , "/api/v1/staff/{login}/disable"                     , "1333333A3433"),
    ("post" , "/api/v1/dev/clock"                                 , "AAAAAAAAAAAA"),
];

/// Tokens for each caller, in `CALLERS` order (`None` for anonymous).
async fn callers(app: &TestApp) -> Vec<Option<String>> {
    let admin = app.login("admin@demo").await;
    let client = app
        .post(
            "/api/v1/api-clients",
            Some(&admin),
            // A client with every scope: a bank's lookups, a queue system, a BSS.
            json!({ "name": "Matrix client", "scopes": ["number-recycling:check", "stores:wait", "bss:sync"] }),
        )
        .await
        .ok();
    let res = app
        .client
        .post(format!("{}/api/v1/oauth/token", app.base))
        .basic_auth(client["client_id"].as_str().unwrap(), client["client_secret"].as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    let api_client = res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let mut tokens = vec![None];
    for login in &LOGINS[1..11] {
        tokens.push(Some(app.login(login).await));
    }
    tokens.push(Some(api_client));
    tokens
}

pub(crate) struct Fixture {
    pub(crate) client_id: String,
    pub(crate) line: Value,
    pub(crate) free_line: Value,
    pub(crate) request: Value,
    pub(crate) refund: Value,
    pub(crate) movement: Value,
    /// A queued notification.
    pub(crate) outbox: i64,
    /// A document of `request`.
    pub(crate) document: i64,
    /// The resident's MegaFon request, completed in a store, and its certificate number.
    pub(crate) completed: i64,
    pub(crate) certificate: String,
    /// An (empty) bulk run.
    pub(crate) bulk_run: String,
    /// A card payment the resident started on `line`, and its demo provider's id.
    pub(crate) payment: i64,
    pub(crate) payment_ref: String,
    /// A webhook subscription of all operators, another one to delete, and a delivery.
    pub(crate) webhook: i64,
    pub(crate) doomed_webhook: i64,
    pub(crate) delivery: i64,
}

/// The resident's MTS line with an in-store request submitted at the Arbat store by its clerk
/// (with a passport scan), a second MTS line without one, a movement on the first, and a
/// MegaFon refund awaiting details.
pub(crate) async fn fixture(app: &TestApp) -> Fixture {
    let resident = app.login("resident@demo").await;
    let root = app.login("admin@demo").await;
    let hook = json!({ "url": "http://127.0.0.1:9/hook", "events": "*" });
    let webhook = app.post("/api/v1/webhooks", Some(&root), hook.clone()).await.ok()["id"].as_i64().unwrap();
    let doomed_webhook = app.post("/api/v1/webhooks", Some(&root), hook).await.ok()["id"].as_i64().unwrap();
    let line = app.line_of(&resident, "mts").await;
    let clerk_mts = app.login("clerk.mts@demo").await;
    let request = app
        .post("/api/v1/terminations", Some(&clerk_mts), json!({ "line_id": line["id"], "channel": "store" }))
        .await
        .ok();
    assert_eq!(request["store_id"], "mts-moscow-arbat", "{request}");
    let jpeg = crate::helpers::real_jpeg();
    app.upload(&request["id"], &clerk_mts, "passport", "passport.jpg", "image/jpeg", jpeg).await;
    app.act(&clerk_mts, &request["id"], "submit", None).await.ok();
    let lines = app.get("/api/v1/me/lines", Some(&resident)).await.ok();
    let free_line =
        lines.as_array().unwrap().iter().find(|l| l["operator"] == "mts" && l["id"] != line["id"]).unwrap().clone();
    let reviewer = app.login("reviewer@demo").await;
    app.post(
        &format!("/api/v1/lines/{}/adjustments", line["id"]),
        Some(&reviewer),
        json!({ "kind": "charge", "amount": 100, "reason": "matrix", "idempotency_key": "matrix" }),
    )
    .await
    .ok();
    let st = app.get(&format!("/api/v1/lines/{}/statement", line["id"]), Some(&reviewer)).await.ok();
    let movement =
        st["entries"].as_array().unwrap().iter().find(|e| e["memo"] == "matrix").unwrap()["movement_id"].clone();
    let clerk = app.login("clerk@demo").await;
    let megafon = app.line_of(&resident, "megafon").await;
    let store_req = app
        .post("/api/v1/terminations", Some(&clerk), json!({ "line_id": megafon["id"], "channel": "store" }))
        .await
        .ok();
    for action in ["submit", "approve", "complete"] {
        app.act(&clerk, &store_req["id"], action, None).await.ok();
    }
    let refund = app.get("/api/v1/me/refunds", Some(&resident)).await.ok()[0]["id"].clone();
    let service = app.service.clone();
    tokio::task::spawn_blocking(move || service.fan_out_webhooks()).await.unwrap().unwrap();
    let deliveries = app.get(&format!("/api/v1/webhooks/{webhook}/deliveries"), Some(&root)).await.ok();
    let delivery = deliveries[0]["id"].as_i64().unwrap();
    let started = app.post("/api/v1/payments", Some(&resident), json!({ "line_id": line["id"], "amount": 100 })).await;
    let payment = started.body["id"].as_i64().unwrap();
    let payment_ref = started.body["confirmation_url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let admin = app.login("admin@demo").await;
    app.post(
        "/api/v1/staff",
        Some(&admin),
        json!({ "login": "matrix.target@demo", "password": "target password", "role": "reviewer", "operator": "mts" }),
    )
    .await
    .ok();
    let service = app.service.clone();
    tokio::task::spawn_blocking(move || {
        use simexit_service::imports::{ImportKind, parse_rows};
        for (kind, text) in [
            (ImportKind::Subscribers, "external_id,category,full_name\nMATRIX-S,resident,Matrix\n"),
            (
                ImportKind::Lines,
                "external_id,subscriber_external_id,operator,msisdn,opened_at\nMATRIX-L,MATRIX-S,mts,+79169999077,2025-01-01\n",
            ),
        ] {
            let rows = parse_rows(kind, text).unwrap();
            service.import_rows(&rows, "matrix.csv", false, "test", &|_, _| {}).unwrap();
        }
    })
    .await
    .unwrap();
    let service = app.service.clone();
    let plan = "АВС/ DEF;От;До;Емкость;Оператор;Регион;ИНН\n916;0000000;9999999;10000000;МТС;г. Москва;7740000076";
    tokio::task::spawn_blocking(move || service.import_numbering(plan, "matrix.csv", |_, _| {}))
        .await
        .unwrap()
        .unwrap();
    let client = app
        .post(
            "/api/v1/api-clients",
            Some(&admin),
            json!({ "name": "Usage bank", "scopes": ["number-recycling:check"] }),
        )
        .await
        .ok();
    let client_id = client["client_id"].as_str().unwrap().to_owned();
    let service = app.service.clone();
    let outbox =
        tokio::task::spawn_blocking(move || service.store.read(|tx| tx.outbox(None, None, 1))).await.unwrap().unwrap()
            [0]
        .id;
    let completed = store_req["id"].as_i64().unwrap();
    let certificate =
        app.get(&format!("/api/v1/terminations/{completed}/certificate"), Some(&resident)).await.ok()["number"]
            .as_str()
            .unwrap()
            .to_owned();
    let docs = app.get(&format!("/api/v1/terminations/{}/documents", request["id"]), Some(&resident)).await.ok();
    let document = docs[0]["id"].as_i64().unwrap();
    let run = app
        .client
        .post(format!("{}/api/v1/bulk-terminations?reason=operator", app.base))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body("msisdn\n")
        .send()
        .await
        .unwrap();
    let bulk_run = run.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    Fixture {
        client_id,
        line,
        free_line,
        request,
        refund,
        movement,
        outbox,
        document,
        completed,
        certificate,
        bulk_run,
        payment,
        payment_ref,
        webhook,
        doomed_webhook,
        delivery,
    }
}

fn concrete(path: &str, f: &Fixture) -> String {
    let id = |v: &Value| v.to_string().trim_matches('"').to_owned();
    let with = if path == "/api/v1/terminations/{id}/certificate" {
        f.completed.to_string()
    } else if path.starts_with("/api/v1/lines/") {
        id(&f.line["id"])
    } else if path.starts_with("/api/v1/terminations/") {
        id(&f.request["id"])
    } else if path.starts_with("/api/v1/refunds/") {
        id(&f.refund)
    } else if path.starts_with("/api/v1/movements/") {
        id(&f.movement)
    } else if path.starts_with("/api/v1/outbox/") {
        f.outbox.to_string()
    } else if path.starts_with("/api/v1/documents/") {
        f.document.to_string()
    } else if path.starts_with("/api/v1/stores/") {
        "mts-moscow-arbat".to_owned()
    } else if path.starts_with("/api/v1/bulk-terminations/") {
        f.bulk_run.clone()
    } else if path.starts_with("/api/v1/payments/") {
        f.payment.to_string()
    } else if path == "/api/v1/webhooks/{id}" {
        f.doomed_webhook.to_string()
    } else if path.starts_with("/api/v1/webhooks/") {
        f.webhook.to_string()
    } else if path.starts_with("/api/v1/webhook-deliveries/") {
        f.delivery.to_string()
    } else {
        "mts".to_owned()
    };
    path.replace("{id}", &with)
        .replace("{msisdn}", f.line["msisdn"].as_str().unwrap())
        .replace("{login}", "matrix.target@demo")
        .replace("{external_id}", if path.contains("/sync/lines/") { "MATRIX-L" } else { "MATRIX-S" })
        .replace("{client_id}", f.client_id.as_str())
        .replace("{number}", &f.certificate)
        .replace("{provider}", "demo")
}

fn body(path: &str, caller: usize, f: &Fixture) -> Value {
    match path {
        "/api/v1/eligibility" => json!({ "operator": "mts", "customer_category": "resident" }),
        "/api/v1/auth/login" => json!({ "login": "tourist@demo", "password": "demo" }),
        "/api/v1/auth/password-reset" => json!({ "msisdn": "+79031234567" }),
        "/api/v1/auth/password-reset/confirm" => {
            json!({ "msisdn": "+79031234567", "code": "123456", "new_password": "whatever1" })
        }
        "/api/v1/auth/sms-code" => json!({ "msisdn": "+79031234567" }),
        "/api/v1/stores/{id}/wait" => json!({ "minutes": 15 }),
        "/api/v1/stores" | "/api/v1/stores/{id}" => json!({
            "id": if path == "/api/v1/stores" { Some(format!("matrix-{caller}")) } else { None },
            "operator": "mts", "name": "МТС, Арбат", "time_zone": "Europe/Moscow", "hours": "mon-sun 09:00-21:00",
        }),
        "/api/v1/sync/subscribers/{external_id}" => json!({ "category": "resident", "full_name": "Matrix" }),
        "/api/v1/sync/lines/{external_id}" => json!({
            "subscriber_external_id": "MATRIX-S", "operator": "mts", "msisdn": "+79169999077", "opened_at": "2025-01-01",
        }),
        "/api/v1/sync/charges" | "/api/v1/sync/payments" => {
            json!({ "id": format!("matrix-{caller}"), "line_external_id": "MATRIX-L", "amount_kopecks": 1 })
        }
        "/api/v1/sync/usage" => {
            json!({ "lines": [{ "line_external_id": "MATRIX-L", "kind": "call", "at": "2026-11-01T00:00:00Z" }] })
        }
        "/api/v1/auth/sms-code/verify" => json!({ "msisdn": "+79031234567", "code": "123456" }),
        "/api/v1/api-clients" => json!({ "name": "Bank", "scopes": ["number-recycling:check"] }),
        "/api/v1/lines" => json!({ "operator": "mts", "subscriber": "resident@demo" }),
        "/api/v1/lines/{id}/cash-payments" => json!({ "amount": 100, "receipt_number": format!("matrix-{caller}") }),
        "/api/v1/payments" => json!({ "line_id": f.line["id"], "amount": 100 }),
        "/api/v1/webhooks" => json!({ "url": "https://hooks.example.ru/simexit", "events": "termination.*" }),
        "/api/v1/lines/{id}/services" => json!({ "name": "Matrix", "monthly_charge": 100 }),
        "/api/v1/lines/{id}/adjustments" => {
            json!({ "kind": "charge", "amount": 1, "reason": "m", "idempotency_key": format!("m{caller}") })
        }
        "/api/v1/terminations" => json!({ "line_id": f.free_line["id"], "channel": "online" }),
        "/api/v1/terminations/{id}/settlement" => {
            json!({ "option": "refund", "recipient_name": "A", "bik": "044525225", "account": "40817810938160925982" })
        }
        "/api/v1/refunds/{id}/cash-payout" => json!({ "voucher_number": "M-1", "signed": true }),
        "/api/v1/refunds/{id}/details" => {
            json!({ "recipient_name": "A", "bik": "044525225", "account": "40817810938160925982" })
        }
        "/api/v1/staff" => {
            json!({ "login": format!("matrix{caller}@demo"), "password": "staff password", "role": "auditor" })
        }
        "/api/v1/dev/clock" => json!({ "advance_days": 0 }),
        "/api/v1/numbers/port-in" => json!({ "msisdn": "+79169999001", "operator": "mts" }),
        "/number-recycling/v0.2/check" => json!({ "phoneNumber": f.line["msisdn"], "specifiedDate": "2026-01-01" }),
        "/api/v1/reassigned-numbers/query" => {
            json!({ "queries": [{ "number": f.line["msisdn"], "date": "2026-01-01" }] })
        }
        _ => json!({ "reason": "matrix" }),
    }
}

#[tokio::test]
async fn every_route_answers_every_kind_of_caller_as_the_matrix_says() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let f = fixture(&app).await;
    let tokens = callers(&app).await;
    let rules: BTreeMap<(String, String), &str> =
        RULES.iter().map(|(m, p, e)| ((m.to_string(), p.to_string()), *e)).collect();

    let doc = app.get("/api/v1/openapi.json", None).await.ok();
    let mut missing = Vec::new();
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in
            item.as_object().unwrap().keys().filter(|k| ["get", "post", "put", "patch", "delete"].contains(&k.as_str()))
        {
            match rules.get(&(method.clone(), path.clone())) {
                Some(expect) => routes.push((method.clone(), path.clone(), *expect)),
                None => missing.push(format!("{} {path}", method.to_uppercase())),
            }
        }
    }
    assert!(missing.is_empty(), "routes without an authorization rule: {missing:?}");
    // Sign-out last: it ends the token it is given.
    routes.sort_by_key(|(_, path, _)| path == "/api/v1/auth/logout");
    assert_eq!(routes.len(), RULES.len(), "a rule names a route the document does not have");

    let mut failures = Vec::new();
    let mut checked = 0;
    for (method, path, expect) in &routes {
        for (caller, want) in expect.chars().enumerate() {
            // Sign-out ends the token it is given: use a fresh one so later checks keep theirs.
            let token = match (path.as_str(), LOGINS[caller]) {
                ("/api/v1/auth/logout", login) if !login.is_empty() => Some(app.login(login).await),
                _ => tokens[caller].clone(),
            };
            let url = concrete(path, &f);
            let resp = if method == "get" {
                app.get(&url, token.as_deref()).await
            } else if path == "/api/v1/terminations/{id}/documents" {
                let jpeg = crate::helpers::real_jpeg();
                app.upload(&f.request["id"], token.as_deref().unwrap_or(""), "other", "m.jpg", "image/jpeg", jpeg).await
            } else if method == "put" {
                app.send(reqwest::Method::PUT, &url, token.as_deref(), Some(body(path, caller, &f))).await
            } else if method == "delete" {
                app.send(reqwest::Method::DELETE, &url, token.as_deref(), None).await
            } else {
                app.post(&url, token.as_deref(), body(path, caller, &f)).await
            };
            let got = resp.status.as_u16();
            let ok = match want {
                'A' => !matches!(got, 401 | 403 | 404 | 405) && got < 500,
                '1' => got == 401,
                '3' => got == 403,
                '4' => got == 404,
                _ => got < 500,
            };
            checked += 1;
            if !ok {
                failures.push(format!(
                    "{} {path} as {}: expected {want}, got {got} {}",
                    method.to_uppercase(),
                    CALLERS[caller],
                    resp.body
                ));
            }
        }
    }
    println!("authorization matrix: {} routes x {} callers = {checked} checks", routes.len(), CALLERS.len());
    assert!(failures.is_empty(), "{} of {checked} checks failed:\n{}", failures.len(), failures.join("\n"));
}
