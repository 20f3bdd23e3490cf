//! The authorization matrix of the pages: every page route (read from the pages' router, so a
//! new page cannot ship without a rule) × every kind of person, signed in with a cookie
//! session and posting forms with the session's CSRF token, as a browser would.
//!
//! Expectations per caller, in the order of `matrix::CALLERS` without the API client: `A`
//! shown or done (200, a redirect that is not to the sign-in page, a form sent back with 422),
//! `S` sent to sign in, `3` 403, `4` 404 (other people's records are not admitted to exist).

use std::collections::BTreeMap;

use reqwest::StatusCode;
use reqwest::header::LOCATION;

use crate::helpers::TestApp;
use crate::matrix::{CALLERS, Fixture, LOGINS, fixture};
use crate::pages::Browser;

#[rustfmt::skip]
const RULES: &[(&str, &str, &str)] = &[
    //  method  path                                   anon/owner/other/clerk/clerk-other-store/clerk-other-op/
    //                                                 reviewer/admin/auditor/admin-other-op/auditor-other-op
    ("get" , "/"                                     , "AAAAAAAAAAA"),
    ("get" , "/assets/site.css"                      , "AAAAAAAAAAA"),
    ("get" , "/assets/icon.svg"                      , "AAAAAAAAAAA"),
    ("get" , "/favicon.ico"                          , "AAAAAAAAAAA"),
    ("get" , "/stores"                               , "AAAAAAAAAAA"),
    ("get" , "/certificates"                         , "AAAAAAAAAAA"),
    ("get" , "/certificates/{number}"                , "AAAAAAAAAAA"),
    ("get" , "/login"                                , "AAAAAAAAAAA"),
    ("post", "/login"                                , "AAAAAAAAAAA"),
    ("post", "/logout"                               , "AAAAAAAAAAA"),
    ("get" , "/login/code"                           , "AAAAAAAAAAA"),
    ("post", "/login/code"                           , "AAAAAAAAAAA"),
    ("post", "/login/code/verify"                    , "AAAAAAAAAAA"),
    ("get" , "/password-reset"                       , "AAAAAAAAAAA"),
    ("post", "/password-reset"                       , "AAAAAAAAAAA"),
    ("get" , "/password-reset/confirm"               , "AAAAAAAAAAA"),
    ("post", "/password-reset/confirm"               , "AAAAAAAAAAA"),
    ("get" , "/my"                                   , "SAA33333333"),
    ("get" , "/my/lines/{id}/cancel"                 , "SA433333333"),
    ("post", "/my/lines/{id}/cancel"                 , "SA43343A344"),
    ("post", "/my/lines/{id}/pay"                    , "SA433333333"),
    // The demo provider's card page stands for a provider's site: public, by its unguessable id.
    ("get" , "/demo-pay/{reference}"                 , "AAAAAAAAAAA"),
    ("post", "/demo-pay/{reference}"                 , "AAAAAAAAAAA"),
    ("post", "/staff/lines/{id}/cash"                , "S33AA433333"),
    // The fixture's refund is MegaFon's, by bank: its store's clerk is told it is not cash.
    ("post", "/staff/refunds/{id}/cash-payout"       , "S3344A33333"),
    ("get" , "/my/requests/{id}"                     , "SA433333333"),
    ("get" , "/my/refunds/{id}"                      , "SA433333333"),
    ("post", "/my/refunds/{id}"                      , "SA444A4A344"),
    ("post", "/my/requests/{id}/settlement"          , "SA4A44AA344"),
    ("post", "/requests/{id}/documents"              , "SA4A44AA344"),
    ("get" , "/requests/{id}"                        , "SA4A44AAA44"),
    ("post", "/requests/{id}/act/{action}"           , "S34A44AA344"),
    ("get" , "/staff/queue"                          , "S33333AAAAA"),
    ("get" , "/staff/store"                          , "S33AAA33333"),
    ("post", "/staff/lines/{id}/in-store"            , "SA4AA43A344"),
    ("get" , "/staff/requests/{id}"                  , "S33A44AAA44"),
    ("post", "/staff/documents/{id}/{verdict}"       , "S34A44AA344"),
    ("get" , "/admin"                                , "S333333AAAA"),
    ("get" , "/admin/outbox"                         , "S333333AAAA"),
    ("get" , "/admin/audit"                          , "S333333AAAA"),
    ("get" , "/admin/staff"                          , "S333333AAAA"),
    ("get" , "/admin/policies"                       , "S333333AAAA"),
    ("get" , "/admin/stores"                         , "S333333AAAA"),
    ("post", "/admin/stores/{id}/wait"               , "S33A333A333"),
    ("post", "/admin/stores"                         , "S333333A333"),
    ("get" , "/admin/stores/new"                     , "S333333A3A3"),
    ("post", "/admin/stores/{id}"                    , "S333333A333"),
    ("get" , "/admin/stores/{id}/edit"               , "S333333A333"),
    ("post", "/admin/stores/{id}/delete"             , "S333333A333"),
    ("get" , "/admin/imports"                        , "S333333AA33"),
    ("get" , "/admin/webhooks"                       , "S333333A3A3"),
    ("post", "/admin/webhooks"                       , "S333333A3A3"),
    ("get" , "/admin/webhooks/{id}"                  , "S333333A343"),
    ("post", "/admin/webhooks/{id}/{action}"         , "S333333A343"),
    ("post", "/admin/webhook-deliveries/{id}/resend" , "S333333A343"),
];

/// The page routes as the router declares them: `(method, path)` from each `.route(…)`.
fn declared_routes() -> Vec<(String, String)> {
    let source = include_str!("../../src/pages/mod.rs");
    let mut out = Vec::new();
    for call in source.split(".route(\"").skip(1) {
        let Some((path, rest)) = call.split_once('"') else { continue };
        let handlers = rest.split(".route(").next().unwrap_or_default();
        for method in ["get", "post"] {
            if handlers.contains(&format!("{method}(")) || handlers.contains(&format!(".{method}(")) {
                out.push((method.to_owned(), path.to_owned()));
            }
        }
    }
    out
}

fn concrete(path: &str, f: &Fixture) -> String {
    let id = |v: &serde_json::Value| v.to_string().trim_matches('"').to_owned();
    let with = if path.starts_with("/my/lines/") || path.starts_with("/staff/lines/") {
        id(&f.free_line["id"])
    } else if path.starts_with("/my/refunds/") || path.starts_with("/staff/refunds/") {
        id(&f.refund)
    } else if path.starts_with("/staff/documents/") {
        f.document.to_string()
    } else if path.starts_with("/admin/webhooks/") {
        f.webhook.to_string()
    } else if path.starts_with("/admin/webhook-deliveries/") {
        f.delivery.to_string()
    } else if path.starts_with("/admin/stores/") {
        "mts-moscow-arbat".to_owned()
    } else {
        id(&f.request["id"])
    };
    path.replace("{id}", &with)
        .replace("{number}", &f.certificate)
        .replace("{action}", if path.starts_with("/admin/webhooks/") { "disable" } else { "approve" })
        .replace("{verdict}", "verify")
        .replace("{reference}", &f.payment_ref)
}

fn form(path: &str) -> Vec<(&'static str, &'static str)> {
    match path {
        "/login" => vec![("login", "tourist@demo"), ("password", "wrong"), ("next", "")],
        "/password-reset" => vec![("msisdn", "+79031234567")],
        // A number that is none: the answer is the same page for everyone, whatever the limits.
        "/login/code" => vec![("phone", "12345"), ("next", "")],
        "/admin/stores/{id}/wait" => vec![("minutes", "12")],
        "/admin/stores" | "/admin/stores/{id}" => vec![
            ("id", "matrix-page"),
            ("operator", "mts"),
            ("kind", "store"),
            ("name", "МТС, Арбат"),
            ("time_zone", "Europe/Moscow"),
            ("hours", "mon-sun 09:00-21:00"),
            ("accepts_terminations", "yes"),
        ],
        "/login/code/verify" => vec![("msisdn", "+79031234567"), ("code", "123456"), ("next", "")],
        "/password-reset/confirm" => {
            vec![("msisdn", "+79031234567"), ("code", "123456"), ("new_password", "whatever123")]
        }
        "/my/lines/{id}/cancel" => vec![("channel", "online")],
        "/my/lines/{id}/pay" => vec![("amount", "100")],
        "/demo-pay/{reference}" => vec![("outcome", "pay")],
        "/staff/lines/{id}/cash" => vec![("amount", "1.00"), ("receipt", "matrix-page")],
        "/staff/refunds/{id}/cash-payout" => vec![("voucher", "M-1"), ("signed", "yes")],
        "/admin/webhooks" => vec![("url", "https://hooks.example.ru/simexit"), ("events", "termination.*")],
        "/my/refunds/{id}" => vec![("name", "A"), ("bik", "044525225"), ("account", "40817810938160925982")],
        "/my/requests/{id}/settlement" => vec![("option", "transfer"), ("to_line", "1")],
        _ => vec![("reason", "matrix"), ("back", "")],
    }
}

#[tokio::test]
async fn every_page_answers_every_kind_of_person_as_the_matrix_says() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let f = fixture(&app).await;
    let rules: BTreeMap<(String, String), &str> =
        RULES.iter().map(|(m, p, e)| ((m.to_string(), p.to_string()), *e)).collect();
    let declared = declared_routes();
    let missing: Vec<_> = declared.iter().filter(|r| !rules.contains_key(*r)).collect();
    assert!(missing.is_empty(), "page routes without an authorization rule: {missing:?}");
    assert_eq!(declared.len(), RULES.len(), "a rule names a page route the router does not have: {declared:?}");

    let mut failures = Vec::new();
    let mut observed = Vec::new();
    let mut checked = 0;
    for (method, path, expect) in RULES {
        let mut seen = String::new();
        for (caller, want) in expect.chars().enumerate() {
            // A fresh session per check: sign-out and sign-in end the one they are given.
            let mut b = if LOGINS[caller].is_empty() {
                Browser::new(&app)
            } else {
                Browser::sign_in(&app, LOGINS[caller]).await
            };
            let url = concrete(path, &f);
            let (status, body, headers) = if *method == "get" {
                b.get(&url).await
            } else if *path == "/requests/{id}/documents" {
                b.upload(&url, "passport", crate::helpers::real_jpeg()).await
            } else {
                let mut fields = form(path);
                let token = b.csrf();
                fields.push(("csrf", token.as_str()));
                b.post(&url, &fields).await
            };
            let to_sign_in = status == StatusCode::SEE_OTHER
                && headers.get(LOCATION).is_some_and(|l| l.to_str().unwrap_or_default().starts_with("/login"));
            let got = match status.as_u16() {
                _ if to_sign_in && path != &"/logout" => 'S',
                403 => '3',
                404 => '4',
                s if s < 500 && s != 401 => 'A',
                _ => '!',
            };
            seen.push(got);
            checked += 1;
            if got != want {
                failures.push(format!(
                    "{} {path} as {}: expected {want}, got {got} ({status}) {}",
                    method.to_uppercase(),
                    CALLERS[caller],
                    body.chars().take(200).collect::<String>()
                ));
            }
        }
        observed.push(format!("    ({method:?}, {path:?}, {seen:?}),"));
    }
    println!("page matrix: {} routes x {} people = {checked} checks", RULES.len(), LOGINS.len() - 1);
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}\nobserved:\n{}",
        failures.len(),
        failures.join("\n"),
        observed.join("\n")
    );
}
