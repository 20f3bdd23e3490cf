//! Sign-in lockout and password reset by SMS code.

use serde_json::json;

use crate::helpers::TestApp;

const NOW: &str = "2026-11-26T09:00:00Z";
const RESIDENT_PHONE: &str = "+79161234567";

#[tokio::test]
async fn a_forgotten_password_is_reset_with_the_sms_code_and_old_sessions_end() {
    let app = TestApp::at(NOW).await;
    let old_token = app.login("resident@demo").await;
    let r = app.post("/api/v1/auth/password-reset", None, json!({ "msisdn": "8 (916) 123-45-67" })).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let code = app.sms_code(RESIDENT_PHONE).await.expect("an SMS with the code is in the outbox");
    assert_eq!(code.len(), 6);

    let confirm =
        |code: &str, password: &str| json!({ "msisdn": RESIDENT_PHONE, "code": code, "new_password": password });
    app.post("/api/v1/auth/password-reset/confirm", None, confirm(&code, "short")).await.problem(422, "weak_password");
    let done = app.post("/api/v1/auth/password-reset/confirm", None, confirm(&code, "a much better secret")).await;
    assert_eq!(done.status, 204, "{}", done.body);
    app.post("/api/v1/auth/password-reset/confirm", None, confirm(&code, "and another one"))
        .await
        .problem(400, "invalid_code");

    app.get("/api/v1/me/lines", Some(&old_token)).await.problem(401, "invalid_token");
    app.post("/api/v1/auth/login", None, json!({ "login": "resident@demo", "password": "demo" }))
        .await
        .problem(401, "invalid_credentials");
    let fresh = app
        .post("/api/v1/auth/login", None, json!({ "login": "resident@demo", "password": "a much better secret" }))
        .await;
    assert_eq!(fresh.status, 200);
}

#[tokio::test]
async fn an_unknown_number_gets_the_same_answer_and_no_sms() {
    let app = TestApp::at(NOW).await;
    let r = app.post("/api/v1/auth/password-reset", None, json!({ "msisdn": "+79169990000" })).await;
    assert_eq!(r.status, 202);
    assert_eq!(app.sms_code("+79169990000").await, None);
    app.post("/api/v1/auth/password-reset", None, json!({ "msisdn": "12345" })).await.problem(400, "invalid_msisdn");
    let wrong = json!({ "msisdn": "+79169990000", "code": "123456", "new_password": "whatever123" });
    app.post("/api/v1/auth/password-reset/confirm", None, wrong).await.problem(400, "invalid_code");
}

#[tokio::test]
async fn five_wrong_codes_lock_the_code() {
    let app = TestApp::at(NOW).await;
    app.post("/api/v1/auth/password-reset", None, json!({ "msisdn": RESIDENT_PHONE })).await;
    let code = app.sms_code(RESIDENT_PHONE).await.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let body = json!({ "msisdn": RESIDENT_PHONE, "code": wrong, "new_password": "new password 1" });
        app.post("/api/v1/auth/password-reset/confirm", None, body).await.problem(400, "invalid_code");
    }
    let right = json!({ "msisdn": RESIDENT_PHONE, "code": code, "new_password": "new password 1" });
    let locked = app.post("/api/v1/auth/password-reset/confirm", None, right).await;
    locked.problem(429, "code_locked");
    assert!(locked.retry_after.is_some());
    assert_eq!(
        app.post("/api/v1/auth/login", None, json!({ "login": "resident@demo", "password": "demo" })).await.status,
        200
    );
}

#[tokio::test]
async fn twenty_reset_requests_for_one_number_are_rate_limited_with_retry_after() {
    let app = TestApp::at(NOW).await;
    let mut statuses = Vec::new();
    let mut retry = None;
    for _ in 0..20 {
        let r = app.post("/api/v1/auth/password-reset", None, json!({ "msisdn": RESIDENT_PHONE })).await;
        if r.status == 429 {
            r.problem(429, "too_many_requests");
            retry = r.retry_after;
        }
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 15);
    let retry = retry.unwrap();
    assert!(retry > 0 && retry <= 3600, "{retry}");
    app.post("/api/v1/dev/clock", None, json!({ "advance_hours": 1 })).await.ok();
    assert_eq!(app.post("/api/v1/auth/password-reset", None, json!({ "msisdn": RESIDENT_PHONE })).await.status, 202);
}

#[tokio::test]
async fn repeated_failed_sign_ins_lock_the_login_for_a_while() {
    let app = TestApp::at(NOW).await;
    let attempt = |password: &str| json!({ "login": "foreigner@demo", "password": password });
    for _ in 0..5 {
        app.post("/api/v1/auth/login", None, attempt("guess")).await.problem(401, "invalid_credentials");
    }
    let locked = app.post("/api/v1/auth/login", None, attempt("demo")).await;
    locked.problem(429, "sign_in_locked");
    assert!(locked.body["detail"].as_str().unwrap().contains("try again in"));
    assert!(locked.retry_after.unwrap() <= 15 * 60);
    // Other logins are not affected; the lock lifts when its window ends.
    assert_eq!(
        app.post("/api/v1/auth/login", None, json!({ "login": "tourist@demo", "password": "demo" })).await.status,
        200
    );
    app.post("/api/v1/dev/clock", None, json!({ "advance_hours": 1 })).await.ok();
    assert_eq!(app.post("/api/v1/auth/login", None, attempt("demo")).await.status, 200);
}

#[tokio::test]
async fn admins_create_and_disable_staff_and_a_disabled_account_is_signed_out() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin@demo").await;
    let body = json!({ "login": "new.clerk@demo", "password": "clerk password", "role": "clerk", "operator": "mts", "store_id": "mts-moscow-arbat" });
    let created = app.post("/api/v1/staff", Some(&admin), body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    app.post("/api/v1/staff", Some(&admin), body).await.problem(409, "login_taken");
    let no_store = json!({ "login": "c2@demo", "password": "clerk password", "role": "clerk", "operator": "mts" });
    app.post("/api/v1/staff", Some(&admin), no_store).await.problem(422, "store_required");
    let wrong_store = json!({ "login": "c3@demo", "password": "clerk password", "role": "clerk", "operator": "t2", "store_id": "mts-moscow-arbat" });
    app.post("/api/v1/staff", Some(&admin), wrong_store).await.problem(422, "invalid_store");

    let clerk = app
        .post("/api/v1/auth/login", None, json!({ "login": "new.clerk@demo", "password": "clerk password" }))
        .await
        .ok();
    let token = clerk["token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/numbers/+79161000000", Some(&token)).await.status, 200);

    let reviewer = app.login("reviewer@demo").await;
    app.post("/api/v1/staff/new.clerk@demo/disable", Some(&reviewer), json!({})).await.problem(403, "forbidden");
    let disabled = app.post("/api/v1/staff/new.clerk@demo/disable", Some(&admin), json!({})).await.ok();
    assert_eq!(disabled["disabled"], true);
    app.get("/api/v1/numbers/+79161000000", Some(&token)).await.problem(401, "invalid_token");
    app.post("/api/v1/auth/login", None, json!({ "login": "new.clerk@demo", "password": "clerk password" }))
        .await
        .problem(401, "invalid_credentials");
    let listed = app.get("/api/v1/staff", Some(&admin)).await.ok();
    assert!(listed.as_array().unwrap().iter().any(|s| s["login"] == "new.clerk@demo" && s["disabled"] == true));
    assert!(listed.as_array().unwrap().iter().all(|s| s["role"] != "subscriber"));
}

#[tokio::test]
async fn an_api_client_gets_a_token_by_client_credentials_and_reaches_nothing_outside_its_scope() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin@demo").await;
    app.post("/api/v1/api-clients", Some(&admin), json!({ "name": "Bank", "scopes": ["everything"] }))
        .await
        .problem(422, "invalid_scope");
    let resident = app.login("resident@demo").await;
    app.post("/api/v1/api-clients", Some(&resident), json!({ "name": "Bank", "scopes": ["number-recycling:check"] }))
        .await
        .problem(403, "forbidden");
    let client = app
        .post("/api/v1/api-clients", Some(&admin), json!({ "name": "Sber", "scopes": ["number-recycling:check"] }))
        .await;
    assert_eq!(client.status, 201);
    let (id, secret) = (
        client.body["client_id"].as_str().unwrap().to_owned(),
        client.body["client_secret"].as_str().unwrap().to_owned(),
    );

    let token_url = format!("{}/api/v1/oauth/token", app.base);
    let form = |pairs: &[(&str, &str)]| serde_urlencoded_body(pairs);
    let res = app
        .client
        .post(&token_url)
        .basic_auth(&id, Some(&secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("grant_type", "client_credentials"), ("scope", "number-recycling:check")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!((body["token_type"].as_str(), body["scope"].as_str()), (Some("Bearer"), Some("number-recycling:check")));
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap().to_owned();

    // A bank's token is not a person's: staff and subscriber routes refuse it.
    app.get("/api/v1/me/lines", Some(&token)).await.problem(403, "forbidden");
    app.get("/api/v1/review-queue", Some(&token)).await.problem(403, "forbidden");
    app.get("/api/v1/terminations/1", Some(&token)).await.problem(404, "not_found");

    let post_form = |pairs: Vec<(&'static str, String)>| {
        let body = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        app.client.post(&token_url).header("content-type", "application/x-www-form-urlencoded").body(body).send()
    };
    let wrong = post_form(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", id.clone()),
        ("client_secret", "nope".into()),
    ])
    .await
    .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(wrong.json::<serde_json::Value>().await.unwrap()["error"], "invalid_client");
    let scope = post_form(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", id.clone()),
        ("client_secret", secret.clone()),
        ("scope", "admin".into()),
    ])
    .await
    .unwrap();
    assert_eq!(scope.status(), 400);
    assert_eq!(scope.json::<serde_json::Value>().await.unwrap()["error"], "invalid_scope");
    let grant = post_form(vec![("grant_type", "password".into())]).await.unwrap();
    assert_eq!(grant.json::<serde_json::Value>().await.unwrap()["error"], "unsupported_grant_type");
}

fn serde_urlencoded_body(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", v.replace(':', "%3A"))).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn page_sessions_use_an_httponly_cookie_rotate_at_sign_in_and_require_csrf_for_changes() {
    let app = TestApp::at(NOW).await;
    let sign_in = |cookie: Option<String>, https: bool| {
        let mut req = app
            .client
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({ "login": "resident@demo", "password": "demo", "session": "cookie" }));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        if https {
            req = req.header("x-forwarded-proto", "https");
        }
        req.send()
    };
    let res = sign_in(None, false).await.unwrap();
    assert_eq!(res.status(), 200);
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && !set.contains("Secure"), "{set}");
    let cookie = set.split(';').next().unwrap().to_owned();
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body.get("token").is_none(), "no bearer token for pages: {body}");
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();

    let get = app.client.get(format!("{}/api/v1/me/lines", app.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(get.status(), 200, "reads need no CSRF token");
    let line = app.line_of(&app.login("resident@demo").await, "mts").await;
    let create = |csrf: Option<&str>| {
        let mut req = app
            .client
            .post(format!("{}/api/v1/terminations", app.base))
            .header("cookie", &cookie)
            .json(&json!({ "line_id": line["id"], "channel": "online" }));
        if let Some(t) = csrf {
            req = req.header("x-csrf-token", t);
        }
        req.send()
    };
    let forged = create(None).await.unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(forged.json::<serde_json::Value>().await.unwrap()["code"], "csrf_failed");
    assert_eq!(create(Some("sx_wrong")).await.unwrap().status(), 403);
    assert_eq!(create(Some(&csrf)).await.unwrap().status(), 201);

    // Signing in again with the old cookie rotates it: the old one stops working.
    let again = sign_in(Some(cookie.clone()), true).await.unwrap();
    // A request header does not make a cookie Secure: the configured public address does
    // (security::cookies_are_secure_and_hsts_is_sent_when_the_public_site_is_https_and_only_then).
    assert!(!again.headers()["set-cookie"].to_str().unwrap().contains("Secure"), "a header decides nothing");
    let new_cookie = again.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert_ne!(new_cookie, cookie);
    let old = app.client.get(format!("{}/api/v1/me/lines", app.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(old.status(), 401);

    // After sign-out the cookie is dead, and the response clears it.
    let out =
        app.client.post(format!("{}/api/v1/auth/logout", app.base)).header("cookie", &new_cookie).send().await.unwrap();
    assert_eq!(out.status(), 204);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let after =
        app.client.get(format!("{}/api/v1/me/lines", app.base)).header("cookie", &new_cookie).send().await.unwrap();
    assert_eq!(after.status(), 401);
}

mod sms_code {
    //! Sign-in by SMS code sent to the subscriber's line.

    use serde_json::json;

    use super::NOW;
    use crate::helpers::TestApp;

    #[tokio::test]
    async fn a_code_sent_to_the_line_opens_a_session_once() {
        let app = TestApp::at(NOW).await;
        let resident = app.login("resident@demo").await;
        let line = app.line_of(&resident, "mts").await;
        let msisdn = line["msisdn"].as_str().unwrap();
        let r = app.post("/api/v1/auth/sms-code", None, json!({ "msisdn": msisdn })).await;
        assert_eq!(r.status, 202, "{}", r.body);
        let code = app.sms_code_of(msisdn, "sign_in_code").await.expect("the code went to the line's number");
        let signed_in = app.post("/api/v1/auth/sms-code/verify", None, json!({ "msisdn": msisdn, "code": code })).await;
        let token = signed_in.ok()["token"].as_str().unwrap().to_owned();
        let lines = app.get("/api/v1/me/lines", Some(&token)).await.ok();
        assert!(lines.as_array().unwrap().iter().any(|l| l["id"] == line["id"]), "the subscriber's own lines: {lines}");
        app.post("/api/v1/auth/sms-code/verify", None, json!({ "msisdn": msisdn, "code": code }))
            .await
            .problem(400, "invalid_code");
        // A sign-in code sets no password, and the password still works.
        let reset = json!({ "msisdn": msisdn, "code": code, "new_password": "a new secret 1" });
        app.post("/api/v1/auth/password-reset/confirm", None, reset).await.problem(400, "invalid_code");
        app.login("resident@demo").await;

        // A page session: the token in an HttpOnly cookie, a CSRF token in the answer.
        app.post("/api/v1/auth/sms-code", None, json!({ "msisdn": msisdn })).await;
        let code = app.sms_code_of(msisdn, "sign_in_code").await.unwrap();
        let r = app
            .client
            .post(format!("{}/api/v1/auth/sms-code/verify", app.base))
            .json(&json!({ "msisdn": msisdn, "code": code, "session": "cookie" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["token"].is_null() && body["csrf_token"].is_string(), "{body}");
    }

    #[tokio::test]
    async fn a_number_that_is_no_active_line_gets_the_same_answer_and_no_code() {
        let app = TestApp::at(NOW).await;
        let r = app.post("/api/v1/auth/sms-code", None, json!({ "msisdn": "+79169990000" })).await;
        assert_eq!(r.status, 202);
        assert_eq!(app.sms_code_of("+79169990000", "sign_in_code").await, None);
        app.post("/api/v1/auth/sms-code", None, json!({ "msisdn": "12345" })).await.problem(400, "invalid_msisdn");
        let wrong = json!({ "msisdn": "+79169990000", "code": "123456" });
        app.post("/api/v1/auth/sms-code/verify", None, wrong).await.problem(400, "invalid_code");
    }

    #[tokio::test]
    async fn five_wrong_codes_lock_it_and_requests_are_limited() {
        let app = TestApp::at(NOW).await;
        let resident = app.login("resident@demo").await;
        let msisdn = app.line_of(&resident, "mts").await["msisdn"].as_str().unwrap().to_owned();
        app.post("/api/v1/auth/sms-code", None, json!({ "msisdn": msisdn })).await;
        let code = app.sms_code_of(&msisdn, "sign_in_code").await.unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            let body = json!({ "msisdn": msisdn, "code": wrong });
            app.post("/api/v1/auth/sms-code/verify", None, body).await.problem(400, "invalid_code");
        }
        let right = json!({ "msisdn": msisdn, "code": code });
        app.post("/api/v1/auth/sms-code/verify", None, right).await.problem(429, "code_locked");
        for _ in 0..4 {
            assert_eq!(app.post("/api/v1/auth/sms-code", None, json!({ "msisdn": msisdn })).await.status, 202);
        }
        let limited = app.post("/api/v1/auth/sms-code", None, json!({ "msisdn": msisdn })).await;
        limited.problem(429, "too_many_requests");
        assert!(limited.retry_after.is_some());
    }

    #[tokio::test]
    async fn a_subscriber_without_an_account_gets_one_at_the_first_code() {
        let app = TestApp::at(NOW).await;
        let service = app.service.clone();
        let msisdn = tokio::task::spawn_blocking(move || {
            use simexit_store::{NewSubscriber, StoreExt};
            let now = service.now();
            service
                .store
                .write(|tx| {
                    let subscriber = tx.insert_subscriber(&NewSubscriber {
                        category: simexit_domain::CustomerCategory::Resident,
                        full_name: "Ольга Бссова".into(),
                        id_document_type: "passport_rf".into(),
                        id_document_number: "4510 123456".into(),
                        email: String::new(),
                        phone: "+79035550000".into(),
                        language: simexit_domain::Language::Ru,
                        created_at: now,
                    })?;
                    let operator = simexit_domain::OperatorId::parse("mts").unwrap();
                    let line = simexit_service::lines::assign_new_line(
                        tx,
                        &operator,
                        subscriber,
                        None,
                        simexit_domain::Money::ZERO,
                        now,
                    )?;
                    Ok::<_, simexit_service::ServiceError>(line.msisdn.as_str().to_owned())
                })
                .unwrap()
        })
        .await
        .unwrap();
        app.post("/api/v1/auth/sms-code", None, json!({ "msisdn": msisdn })).await;
        let code = app.sms_code_of(&msisdn, "sign_in_code").await.expect("a code for the BSS's subscriber");
        let token = app
            .post("/api/v1/auth/sms-code/verify", None, json!({ "msisdn": msisdn, "code": code }))
            .await
            .ok()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let lines = app.get("/api/v1/me/lines", Some(&token)).await.ok();
        assert_eq!(lines[0]["msisdn"].as_str(), Some(msisdn.as_str()), "{lines}");
        // The account has no password: nothing but a code opens it.
        app.post("/api/v1/auth/login", None, json!({ "login": msisdn, "password": "" }))
            .await
            .problem(401, "invalid_credentials");
    }
}

#[tokio::test]
async fn a_login_with_a_control_character_is_refused_on_either_backend() {
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    // A NUL is refused at the edge, as in any body; other control characters name no account.
    let body = serde_json::json!({ "login": "admin\u{0}@demo", "password": "demo" });
    app.post("/api/v1/auth/login", None, body).await.problem(400, "invalid_body");
    let body = serde_json::json!({ "login": "admin\u{7}@demo", "password": "demo" });
    app.post("/api/v1/auth/login", None, body).await.problem(401, "invalid_credentials");
}
