//! The pages over HTTP as a browser without JavaScript would use them: the language, the
//! session cookies and the CSRF field, escaping, form errors that keep what was typed, and
//! every page reachable by the people it is for (the journeys in a real browser are in e2e/).

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE};
use simexit_store::{NewSubscriber, StoreExt};

use crate::helpers::TestApp;

/// A browser: no redirects followed, cookies carried by hand.
pub(crate) struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, base: app.base.clone(), cookies: Vec::new() }
    }

    pub(crate) fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub(crate) fn keep(&mut self, r: &reqwest::Response) {
        for c in r.headers().get_all(SET_COOKIE) {
            let pair = c.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
    }

    pub(crate) fn csrf(&self) -> String {
        self.cookies.iter().find(|(k, _)| k == "simexit_csrf").map(|c| c.1.clone()).unwrap_or_default()
    }

    pub(crate) async fn get(&mut self, path: &str) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header(ACCEPT_LANGUAGE, "en")
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let (status, headers) = (r.status(), r.headers().clone());
        (status, r.text().await.unwrap(), headers)
    }

    pub(crate) async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header(ACCEPT_LANGUAGE, "en")
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let (status, headers) = (r.status(), r.headers().clone());
        (status, r.text().await.unwrap(), headers)
    }

    /// Posts a file as the portal's upload form does (multipart, with the CSRF token).
    pub(crate) async fn upload(
        &mut self,
        path: &str,
        kind: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("scan.jpg").mime_str("image/jpeg").unwrap();
        let form = reqwest::multipart::Form::new()
            .text("csrf", self.csrf())
            .text("kind", kind.to_owned())
            .text("back", "")
            .part("file", part);
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header(ACCEPT_LANGUAGE, "en")
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let (status, headers) = (r.status(), r.headers().clone());
        (status, r.text().await.unwrap(), headers)
    }

    /// Opens the sign-in page and sends its form with these fields and the form's own token.
    pub(crate) async fn log_in_form(
        &mut self,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let (status, _, _) = self.get("/login").await;
        assert_eq!(status, StatusCode::OK);
        let token = self.cookies.iter().find(|(k, _)| k == "simexit_login").map(|c| c.1.clone()).unwrap();
        let mut form = fields.to_vec();
        form.push(("csrf", &token));
        self.post("/login", &form).await
    }

    pub(crate) async fn sign_in(app: &TestApp, login: &str) -> Browser {
        let mut b = Browser::new(app);
        let (status, _, headers) = b.log_in_form(&[("login", login), ("password", "demo"), ("next", "")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{login} signs in");
        assert!(headers.get(LOCATION).is_some());
        b
    }
}

#[tokio::test]
async fn the_language_follows_the_browser_until_one_is_chosen() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let get = |lang: &'static str, cookie: Option<&'static str>| {
        let mut r = app.client.get(format!("{}/stores", app.base)).header(ACCEPT_LANGUAGE, lang);
        if let Some(c) = cookie {
            r = r.header(COOKIE, c);
        }
        r.send()
    };
    let zh = get("zh-CN,zh;q=0.9", None).await.unwrap().text().await.unwrap();
    assert!(zh.contains("<html lang=\"zh\">") && zh.contains("营业厅"), "{zh}");
    let ru = get("fr-FR", None).await.unwrap().text().await.unwrap();
    assert!(ru.contains("<html lang=\"ru\">") && ru.contains("Салоны связи"));
    let chosen =
        app.client.get(format!("{}/stores?lang=en", app.base)).header(ACCEPT_LANGUAGE, "zh").send().await.unwrap();
    let cookie = chosen.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("simexit_lang=en;"), "{cookie}");
    assert!(chosen.text().await.unwrap().contains("<html lang=\"en\">"));
    let remembered = get("zh", Some("simexit_lang=en")).await.unwrap().text().await.unwrap();
    assert!(remembered.contains("<html lang=\"en\">"), "the choice outlasts Accept-Language");
}

#[tokio::test]
async fn pages_are_for_their_people_and_send_others_to_sign_in() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let mut anonymous = Browser::new(&app);
    for path in ["/", "/stores", "/certificates", "/login", "/password-reset", "/password-reset/confirm"] {
        let (status, html, headers) = anonymous.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'none'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
    let (status, _, headers) = anonymous.get("/my").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/login?next=%2Fmy");

    let mut subscriber = Browser::sign_in(&app, "resident@demo").await;
    let (_, my, _) = subscriber.get("/my").await;
    assert!(my.contains("Cancel this number") && my.contains("Paid add-on services"), "{my}");
    let (status, page, _) = subscriber.get("/admin").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("You may not open this page."));

    for (login, paths) in [
        ("reviewer@demo", &["/staff/queue"][..]),
        ("clerk@demo", &["/staff/store", "/staff/store?msisdn=%2B79251000001"][..]),
        (
            "admin@demo",
            &["/admin", "/admin/policies", "/admin/staff", "/admin/outbox", "/admin/audit", "/staff/queue"][..],
        ),
        ("auditor@demo", &["/admin", "/admin/audit"][..]),
    ] {
        let mut b = Browser::sign_in(&app, login).await;
        for path in paths {
            let (status, html, _) = b.get(path).await;
            assert_eq!(status, StatusCode::OK, "{login} {path}: {html}");
        }
    }
    // After sign-in the browser goes back where it was going, but never to another site.
    let mut b = Browser::new(&app);
    let (_, _, h) =
        b.log_in_form(&[("login", "resident@demo"), ("password", "demo"), ("next", "/my/lines/1/cancel")]).await;
    assert_eq!(h[LOCATION], "/my/lines/1/cancel");
    for elsewhere in ["//evil.example/", "/\t/evil.example/x", "/\\evil.example/x", "https://evil.example/"] {
        let mut b = Browser::new(&app);
        let (_, _, h) = b.log_in_form(&[("login", "resident@demo"), ("password", "demo"), ("next", elsewhere)]).await;
        assert_eq!(h[LOCATION], "/my", "{elsewhere:?}");
    }
}

#[tokio::test]
async fn a_form_with_an_error_keeps_what_was_typed_and_says_why_beside_the_field() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let mut b = Browser::new(&app);
    let (status, html, _) = b.log_in_form(&[("login", "resident@demo"), ("password", "wrong"), ("next", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"resident@demo\"") && html.contains("Wrong login or password."), "{html}");
    let (status, html, _) = b.log_in_form(&[("login", "  "), ("password", ""), ("next", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"login-error\"") && html.contains("id=\"password-error\""), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));

    // A refund with a BIK of the wrong length: the name and account stay, the error is on the BIK.
    let mut tourist = Browser::sign_in(&app, "tourist@demo").await;
    let token = app.login("tourist@demo").await;
    let line = app.line_of(&token, "t2").await;
    let (status, _, h) = tourist.post(&format!("/my/lines/{}/cancel", line["id"]), &[("csrf", &tourist.csrf())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let request = h[LOCATION].to_str().unwrap().to_owned();
    let id = request.rsplit('/').next().unwrap().to_owned();
    let csrf = tourist.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("option", "refund"),
        ("name", "Li Ming"),
        ("bik", "04452522"),
        ("account", "40817810938160925982"),
    ];
    let (status, html, _) = tourist.post(&format!("/my/requests/{id}/settlement"), &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"bik-error\"") && html.contains("A BIK has 9 digits."), "{html}");
    assert!(html.contains("value=\"Li Ming\"") && html.contains("value=\"40817810938160925982\""));
    let r = app.request(&token, &serde_json::json!(id.parse::<i64>().unwrap())).await;
    assert!(r["settlement"].is_null() || r["settlement"]["option"].is_null(), "nothing was saved: {r}");
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_changes_nothing() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let mut b = Browser::sign_in(&app, "tourist@demo").await;
    let token = app.login("tourist@demo").await;
    let line = app.line_of(&token, "t2").await;
    for csrf in ["", "forged"] {
        let (status, html, _) = b.post(&format!("/my/lines/{}/cancel", line["id"]), &[("csrf", csrf)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains("reload the page"), "{html}");
    }
    let mine = app.get("/api/v1/me/terminations", Some(&token)).await.ok();
    assert!(mine.as_array().unwrap().is_empty(), "no request was created");
    // Signing out needs the token too; with it the session ends.
    let (status, _, _) = b.post("/logout", &[("csrf", "forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = b.csrf();
    let (status, _, _) = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/my").await.0, StatusCode::SEE_OTHER, "signed out");
}

#[tokio::test]
async fn a_name_full_of_markup_is_shown_as_text() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let evil = "<script>alert(1)</script>";
    let service = app.service.clone();
    let now = service.now();
    let msisdn = tokio::task::spawn_blocking(move || {
        service.store.write(|tx| {
            let sub = tx.insert_subscriber(&NewSubscriber {
                category: simexit_domain::CustomerCategory::Tourist,
                full_name: evil.into(),
                id_document_type: "passport".into(),
                id_document_number: "\"><img src=x onerror=alert(2)>".into(),
                email: "x@example.org".into(),
                phone: "+79990000000".into(),
                language: simexit_domain::Language::En,
                created_at: now,
            })?;
            let mf = simexit_domain::OperatorId::parse("megafon").unwrap();
            let line = simexit_service::lines::assign_new_line(tx, &mf, sub, None, simexit_domain::Money::ZERO, now)?;
            Ok::<_, simexit_service::ServiceError>(line.msisdn.to_string())
        })
    })
    .await
    .unwrap()
    .unwrap();
    let mut clerk = Browser::sign_in(&app, "clerk@demo").await;
    let q = serde_urlencoded_pair("msisdn", &msisdn);
    let (status, html, _) = clerk.get(&format!("/staff/store?{q}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    assert!(!html.contains(evil));
    // The number typed into the search comes back escaped too.
    let (_, html, _) = clerk.get("/staff/store?msisdn=%22%3E%3Cscript%3Ex%3C%2Fscript%3E").await;
    assert!(
        html.contains("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\"") && !html.contains("<script>x"),
        "{html}"
    );
}

fn serde_urlencoded_pair(k: &str, v: &str) -> String {
    let mut out = format!("{k}=");
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[tokio::test]
async fn debt_is_paid_from_the_cancel_page_before_the_request_can_start() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let mut b = Browser::sign_in(&app, "resident@demo").await;
    let token = app.login("resident@demo").await;
    let line = app.line_of(&token, "beeline").await;
    let path = format!("/my/lines/{}/cancel", line["id"]);
    let (_, html, _) = b.get(&path).await;
    assert!(html.contains("Pay the outstanding debt") && html.contains("RUB\u{a0}290.50"), "{html}");
    assert!(!html.contains("Start the request"), "no request while the debt stands");
    let csrf = b.csrf();
    let form = [("csrf", csrf.as_str()), ("amount", "29050")];
    // "Pay" goes to the provider's card page (the demo provider's, here); nothing is credited yet.
    let (status, _, h) = b.post(&format!("/my/lines/{}/pay", line["id"]), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let card_page = h[LOCATION].to_str().unwrap().to_owned();
    assert!(card_page.starts_with("http://127.0.0.1:8080/demo-pay/demo-"), "{card_page}");
    let card_page = &card_page[card_page.find("/demo-pay/").unwrap()..];
    assert_eq!(app.line_of(&token, "beeline").await["balance"], -23050, "not paid until the provider says so");
    let (_, html, _) = b.get(card_page).await;
    assert!(html.contains("Demo payment service") && html.contains("RUB\u{a0}290.50"), "{html}");
    let (status, _, h) = b.post(card_page, &[("outcome", "pay"), ("card", "4242 4242 4242 4242")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h[LOCATION].to_str().unwrap(), format!("{path}?done=paying"));
    // The card page sent again (a double click) charges nothing more.
    b.post(card_page, &[("outcome", "pay")]).await;
    let (_, html, _) = b.get(&format!("{path}?done=paying")).await;
    assert!(html.contains("Payment sent") && html.contains("Start the request"), "{html}");
    // −230.50 ₽ billed + 290.50 ₽ paid: 60.00 ₽ stays to cover the service accrued but not yet
    // billed (a second payment would have left 350.50 ₽).
    assert_eq!(app.line_of(&token, "beeline").await["balance"], 6000, "paid exactly once");
}

#[tokio::test]
async fn a_password_reset_with_a_wrong_code_says_so_beside_the_code() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let mut b = Browser::new(&app);
    let (status, _, h) = b.post("/password-reset", &[("phone", "8 (916) 000-00-01")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(h[LOCATION].to_str().unwrap().starts_with("/password-reset/confirm?msisdn=%2B7916"), "{h:?}");
    let (status, html, _) = b.post("/password-reset", &[("phone", "not a number")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"phone-error\"") && html.contains("value=\"not a number\""), "{html}");
    let form = [("msisdn", "+79160000001"), ("code", "000000"), ("password", "a new long password")];
    let (status, html, _) = b.post("/password-reset/confirm", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"code-error\"") && html.contains("value=\"+79160000001\""), "{html}");
}

#[tokio::test]
async fn the_link_in_a_message_opens_the_request_for_whoever_follows_it() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let (_, _, req) = app.submitted("resident@demo", "mts").await;
    let path = format!("/requests/{}", req["id"]);
    let (status, _, h) = Browser::new(&app).get(&path).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h[LOCATION].to_str().unwrap(), format!("/login?next=%2Frequests%2F{}", req["id"]));
    let (_, _, h) = Browser::sign_in(&app, "resident@demo").await.get(&path).await;
    assert_eq!(h[LOCATION].to_str().unwrap(), format!("/my/requests/{}", req["id"]));
    let (_, _, h) = Browser::sign_in(&app, "reviewer@demo").await.get(&path).await;
    assert_eq!(h[LOCATION].to_str().unwrap(), format!("/staff/requests/{}", req["id"]));
    let mut reviewer = Browser::sign_in(&app, "reviewer@demo").await;
    let (status, html, _) = reviewer.get(&format!("/staff/requests/{}", req["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Approve") && html.contains("Request information") && html.contains("Reject"), "{html}");
}

#[tokio::test]
async fn a_reviewer_asks_for_information_and_the_subscriber_answers_on_the_status_page() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let (token, _, req) = app.submitted("resident@demo", "mts").await;
    let id = req["id"].as_i64().unwrap();
    let mut reviewer = Browser::sign_in(&app, "reviewer@demo").await;
    let csrf = reviewer.csrf();
    let back = format!("/staff/requests/{id}");
    let (status, _, h) = reviewer
        .post(&format!("/requests/{id}/act/request-info"), &[("csrf", &csrf), ("reason", ""), ("back", &back)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h[LOCATION].to_str().unwrap(), format!("{back}?error=reason_required"));
    let (_, html, _) = reviewer.get(&format!("{back}?error=reason_required")).await;
    assert!(html.contains("Give a reason."), "the refusal is explained: {html}");
    let question = "Please upload a clearer photo of the passport's main page.";
    reviewer
        .post(&format!("/requests/{id}/act/request-info"), &[("csrf", &csrf), ("reason", question), ("back", &back)])
        .await;

    let mut resident = Browser::sign_in(&app, "resident@demo").await;
    let (_, html, _) = resident.get(&format!("/my/requests/{id}")).await;
    assert!(html.contains("More information is needed") && html.contains(question), "{html}");
    assert!(html.contains("The review clock is paused while we wait for your information"), "{html}");
    assert!(!html.contains("Submit the request"), "an answer, not a new submission");
    let csrf = resident.csrf();
    let (status, _, h) = resident
        .post(&format!("/requests/{id}/act/provide-info"), &[("csrf", &csrf), ("reason", "Uploaded a new scan.")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h[LOCATION].to_str().unwrap(), format!("/my/requests/{id}?done=ok"));
    assert_eq!(app.request(&token, &req["id"]).await["state"], "info_provided");
}

#[tokio::test]
async fn bank_details_for_a_refund_are_given_afterwards_on_the_refund_page() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let reviewer = app.login("reviewer.t2@demo").await;
    let (token, _, req) = app.submitted("tourist@demo", "t2").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    let refunds = app.get("/api/v1/me/refunds", Some(&token)).await.ok();
    let id = refunds[0]["id"].as_i64().unwrap();
    assert_eq!(refunds[0]["state"], "awaiting_details");

    let mut b = Browser::sign_in(&app, "tourist@demo").await;
    let (_, my, _) = b.get("/my").await;
    assert!(
        my.contains(&format!("href=\"/my/refunds/{id}\"")) && my.contains("Choose how to receive your refund"),
        "{my}"
    );
    let csrf = b.csrf();
    let path = format!("/my/refunds/{id}");
    let bad = [("csrf", csrf.as_str()), ("name", "Li Ming"), ("bik", "044525225"), ("account", "4081781093816092598")];
    let (status, html, _) = b.post(&path, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("An account number has 20 digits.") && html.contains("value=\"4081781093816092598\""),
        "{html}"
    );
    let good =
        [("csrf", csrf.as_str()), ("name", "Li Ming"), ("bik", "044525225"), ("account", "40817810938160925982")];
    let (status, _, h) = b.post(&path, &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h[LOCATION], "/my?done=saved");
    let refund = app.get(&format!("/api/v1/refunds/{id}"), Some(&token)).await.ok();
    assert_eq!(refund["state"], "requested");
}

#[tokio::test]
async fn a_tourist_chooses_an_sbp_refund_on_the_refund_page_among_the_routes_offered() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let reviewer = app.login("reviewer.t2@demo").await;
    let (token, _, req) = app.submitted("tourist@demo", "t2").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    let id = app.get("/api/v1/me/refunds", Some(&token)).await.ok()[0]["id"].as_i64().unwrap();

    let mut b = Browser::sign_in(&app, "tourist@demo").await;
    let path = format!("/my/refunds/{id}");
    let (_, html, _) = b.get(&path).await;
    for route in [
        "to a bank account",
        "by SBP (Faster Payments) to a phone number",
        "back to the card that paid",
        "in cash at a store",
    ] {
        assert!(html.contains(route), "T2 offers a tourist {route}: {html}");
    }
    assert!(html.contains("<option value=\"100000000004\">Т-Банк</option>"), "{html}");
    let csrf = b.csrf();
    let sbp = |phone: &'static str| {
        [("route", "sbp"), ("sbp_name", "Li Ming"), ("phone", phone), ("bank_id", "100000000004")]
    };
    let mut bad = sbp("+86 138 0013 8000").to_vec();
    bad.push(("csrf", csrf.as_str()));
    let (status, html, _) = b.post(&path, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"+86 138 0013 8000\""), "what was typed stays: {html}");
    let mut good = sbp("8 977 123-45-67").to_vec();
    good.push(("csrf", csrf.as_str()));
    let (status, _, h) = b.post(&path, &good).await;
    assert_eq!((status, h[LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/my?done=saved"));
    let refund = app.get(&format!("/api/v1/refunds/{id}"), Some(&token)).await.ok();
    assert_eq!((refund["route"].as_str(), refund["state"].as_str()), (Some("sbp"), Some("requested")));
    let (_, html, _) = b.get(&path).await;
    assert!(html.contains("by SBP (Faster Payments) to a phone number") && !html.contains("type=\"radio\""), "{html}");

    // Beeline offers a foreign resident no cash: the page does not either.
    let beeline = app.login("reviewer.beeline@demo").await;
    let (john, _, req) = app.submitted("foreigner@demo", "beeline").await;
    app.act(&beeline, &req["id"], "approve", None).await.ok();
    app.act(&beeline, &req["id"], "complete", None).await.ok();
    let refunds = app.get("/api/v1/me/refunds", Some(&john)).await.ok();
    let id = refunds.as_array().unwrap().iter().find(|r| r["request_id"] == req["id"]).unwrap()["id"].clone();
    let mut b = Browser::sign_in(&app, "foreigner@demo").await;
    let (_, html, _) = b.get(&format!("/my/refunds/{id}")).await;
    assert!(html.contains("by SBP") && !html.contains("in cash at a store"), "{html}");
}

#[tokio::test]
async fn the_store_desk_pays_out_a_cash_refund_only_against_the_signed_voucher() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let reviewer = app.login("reviewer@demo").await;
    let (token, _, req) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    let id = app.get("/api/v1/me/refunds", Some(&token)).await.ok()[0]["id"].as_i64().unwrap();
    let cash = serde_json::json!({ "route": "cash", "store_id": "mts-moscow-arbat" });
    app.post(&format!("/api/v1/refunds/{id}/details"), Some(&token), cash).await.ok();
    app.post(&format!("/api/v1/refunds/{id}/approve"), Some(&reviewer), serde_json::json!({})).await.ok();

    let mut b = Browser::sign_in(&app, "clerk.mts@demo").await;
    let (_, html, _) = b.get("/staff/store").await;
    assert!(html.contains("Cash refunds to pay out") && html.contains(&format!("Refund #{id}")), "{html}");
    let csrf = b.csrf();
    let path = format!("/staff/refunds/{id}/cash-payout");
    let (_, _, h) = b.post(&path, &[("csrf", csrf.as_str()), ("voucher", "РКО-7")]).await;
    assert_eq!(h[LOCATION], "/staff/store?error=signature_required");
    let (_, html, _) = b.get("/staff/store?error=signature_required").await;
    assert!(html.contains("The subscriber signs the voucher first."), "{html}");
    let (_, _, h) = b.post(&path, &[("csrf", csrf.as_str()), ("voucher", "РКО-7"), ("signed", "yes")]).await;
    assert_eq!(h[LOCATION], "/staff/store?done=paid");
    let refund = app.get(&format!("/api/v1/refunds/{id}"), Some(&token)).await.ok();
    assert_eq!((refund["state"].as_str(), refund["payout_ref"].as_str()), (Some("paid"), Some("РКО-7")));
}

#[tokio::test]
async fn an_admin_subscribes_a_url_to_events_on_the_admin_page_and_sees_the_secret_once() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let mut b = Browser::sign_in(&app, "admin@demo").await;
    let csrf = b.csrf();
    let form =
        [("csrf", csrf.as_str()), ("url", "https://hooks.example.ru/simexit"), ("events", "termination.*,number.*")];
    let (status, html, _) = b.post("/admin/webhooks", &form).await;
    assert_eq!(status, StatusCode::OK);
    let secret = html.split("<code>whsec_").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert!(html.contains("shown this once") && html.contains("https://hooks.example.ru/simexit"), "{html}");
    let (_, html, _) = b.get("/admin/webhooks").await;
    assert!(!html.contains(&secret), "the secret is not shown again");
    assert!(html.contains("termination.*,number.*") && html.contains("enabled"), "{html}");
    let bad = [("csrf", csrf.as_str()), ("url", "ftp://x"), ("events", "*")];
    let (_, _, h) = b.post("/admin/webhooks", &bad).await;
    assert_eq!(h[LOCATION], "/admin/webhooks?error=invalid_url");
    let token = app.login("admin@demo").await;
    let hooks = app.get("/api/v1/webhooks", Some(&token)).await.ok();
    assert_eq!(hooks.as_array().unwrap().len(), 1, "the bad one changed nothing");
    let id = hooks[0]["id"].as_i64().unwrap();
    let (_, _, h) = b.post(&format!("/admin/webhooks/{id}/disable"), &[("csrf", csrf.as_str())]).await;
    assert_eq!(h[LOCATION], "/admin/webhooks");
    assert_eq!(app.get("/api/v1/webhooks", Some(&token)).await.ok()[0]["enabled"], false);
    let (status, html, _) = b.get(&format!("/admin/webhooks/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("https://hooks.example.ru/simexit"), "{html}");
}

#[tokio::test]
async fn a_stores_holiday_exceptions_are_counted_from_its_own_date() {
    // 22:00 UTC on New Year's Eve is already 1 January in Moscow.
    let app = TestApp::at("2026-12-31T22:00:00Z").await;
    let (status, html, _) = Browser::new(&app).get("/stores?operator=mts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2027-01-01: closed"), "the day itself is listed: {html}");
    assert!(!html.contains("2026-12-31: 09:00-16:00"), "the store's yesterday is gone: {html}");
}

#[tokio::test]
async fn a_subscriber_signs_in_on_the_site_with_a_code_sent_to_their_sim() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let resident = app.login("resident@demo").await;
    let msisdn = app.line_of(&resident, "mts").await["msisdn"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&app);
    let (status, page, _) = b.get("/login").await;
    assert_eq!(status, StatusCode::OK);
    let (code_form, password_form) =
        (page.find("action=\"/login/code\"").unwrap(), page.find("action=\"/login\"").unwrap());
    assert!(code_form < password_form, "the code comes first, the password second");
    let (status, _, headers) = b.post("/login/code", &[("phone", &msisdn), ("next", "")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = headers[LOCATION].to_str().unwrap().to_owned();
    assert!(to.starts_with("/login/code?msisdn="), "{to}");
    let (status, page, _) = b.get(&to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"code\""), "{page}");
    let code = app.sms_code_of(&msisdn, "sign_in_code").await.unwrap();
    let token = b.cookies.iter().find(|(k, _)| k == "simexit_login").map(|c| c.1.clone()).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let form = [("msisdn", msisdn.as_str()), ("code", wrong), ("next", ""), ("csrf", token.as_str())];
    let (status, page, _) = b.post("/login/code/verify", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("role=\"alert\"") || page.contains("class=\"error\""), "the wrong code is said: {page}");
    // The page shown again carries a fresh form token.
    let token = b.cookies.iter().find(|(k, _)| k == "simexit_login").map(|c| c.1.clone()).unwrap();
    let form = [("msisdn", msisdn.as_str()), ("code", code.as_str()), ("next", ""), ("csrf", token.as_str())];
    let (status, _, headers) = b.post("/login/code/verify", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/my");
    let (status, page, _) = b.get("/my").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&msisdn[2..5]), "the subscriber's own page: {page}");
}

#[tokio::test]
async fn an_admin_sees_the_stores_hours_as_written_and_sets_a_wait() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let mut b = Browser::sign_in(&app, "admin@demo").await;
    let (status, page, _) = b.get("/admin/stores").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("mts-moscow-arbat") && page.contains("mon-"),
        "the hours as the operator writes them: {page}"
    );
    let csrf = b.csrf();
    let (status, _, headers) =
        b.post("/admin/stores/mts-moscow-arbat/wait", &[("csrf", csrf.as_str()), ("minutes", "35")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/admin/stores");
    let stores = app.get("/api/v1/stores", None).await.ok();
    let arbat = stores.as_array().unwrap().iter().find(|s| s["id"] == "mts-moscow-arbat").unwrap().clone();
    assert_eq!(arbat["wait_minutes"], 35);
    let (_, _, headers) =
        b.post("/admin/stores/mts-moscow-arbat/wait", &[("csrf", csrf.as_str()), ("minutes", "-3")]).await;
    assert_eq!(headers[LOCATION], "/admin/stores?error=invalid_wait");
    let (_, page, _) = b.get("/admin/stores?error=invalid_wait").await;
    assert!(page.contains("role=\"alert\""), "the refusal is said");
    let mut other = Browser::sign_in(&app, "admin.beeline@demo").await;
    let (_, page, _) = other.get("/admin/stores").await;
    assert!(!page.contains("mts-moscow-arbat"), "another operator's admin sees only their stores");
}

#[tokio::test]
async fn an_admin_adds_edits_and_deletes_a_store_from_the_pages_and_sees_the_imports() {
    let app = TestApp::at("2026-11-26T09:00:00Z").await;
    let mut b = Browser::sign_in(&app, "admin.beeline@demo").await;
    let (status, page, _) = b.get("/admin/stores/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"hours\"") && !page.contains("value=\"mts\""), "Beeline's admin adds Beeline stores");
    let csrf = b.csrf();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("id", "beeline-spb-1"),
        ("operator", "beeline"),
        ("kind", "recycling_point"),
        ("name", "Билайн, Невский"),
        ("time_zone", "Europe/Moscow"),
        ("hours", "mon-fri 9-18"),
        ("recycles_sims", "yes"),
    ];
    let (status, page, _) = b.post("/admin/stores", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the form comes back");
    assert!(page.contains("role=\"alert\"") && page.contains("hours:"), "the refusal names the field: {page}");
    assert!(page.contains("Билайн, Невский"), "what was typed is kept");
    fields[6] = ("hours", "mon-fri 10:00-14:00,15:00-19:00; sat-sun closed");
    let (status, _, headers) = b.post("/admin/stores", &fields).await;
    assert_eq!((status, &headers[LOCATION]), (StatusCode::SEE_OTHER, &"/admin/stores".parse().unwrap()));
    let stored = app.get("/api/v1/stores/beeline-spb-1", None).await.ok();
    assert_eq!((stored["kind"].as_str(), stored["recycles_sims"].as_bool()), (Some("recycling_point"), Some(true)));
    assert_eq!(stored["hours_text"], "mon-fri 10:00-14:00,15:00-19:00; sat-sun closed");

    let (status, page, _) = b.get("/admin/stores/beeline-spb-1/edit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("mon-fri 10:00-14:00,15:00-19:00; sat-sun closed"), "the hours as written: {page}");
    fields[4] = ("name", "Билайн, Невский 28");
    let (status, _, _) = b.post("/admin/stores/beeline-spb-1", &fields[..]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/v1/stores/beeline-spb-1", None).await.ok()["name"], "Билайн, Невский 28");
    assert_eq!(b.get("/admin/stores/mts-moscow-arbat/edit").await.0, StatusCode::FORBIDDEN, "not Beeline's");

    let (status, _, _) = b.post("/admin/stores/beeline-spb-1/delete", &[("csrf", csrf.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    app.get("/api/v1/stores/beeline-spb-1", None).await.problem(404, "not_found");

    // The deployment's admin sees who imported what; an operator's admin does not.
    let service = app.service.clone();
    tokio::task::spawn_blocking(move || {
        let rows = simexit_service::imports::parse_rows(
            simexit_service::imports::ImportKind::Subscribers,
            "external_id,category,full_name\nP-1,resident,Page\n",
        )
        .unwrap();
        service.import_rows(&rows, "crm-export.csv", false, "cli", &|_, _| {}).unwrap();
    })
    .await
    .unwrap();
    let mut admin = Browser::sign_in(&app, "admin@demo").await;
    let (status, page, _) = admin.get("/admin/imports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("crm-export.csv") && page.contains("subscribers"), "{page}");
    assert_eq!(b.get("/admin/imports").await.0, StatusCode::FORBIDDEN);
}
