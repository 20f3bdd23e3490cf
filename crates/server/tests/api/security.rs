//! What a security review found, each class held by a test: private files, redirects after
//! sign-in, money bounds, and the rest of issue "Security".

use std::os::unix::fs::PermissionsExt;

use crate::helpers::config;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[tokio::test]
async fn the_data_folder_is_the_owners_alone_and_so_are_the_database_and_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("var").join("simexit");
    let mut c = config(&data, false);
    c.database.url = None;
    let c2 = c.clone();
    let store = tokio::task::spawn_blocking(move || simexit_server::app::open_store(&c2)).await.unwrap().unwrap();
    simexit_server::app::sealing_keys(&c).unwrap();
    simexit_server::app::signing_keys(&c).unwrap();
    drop(store);
    assert_eq!(mode(&data), 0o700, "data folder");
    for file in ["simexit.db", "simexit.db-wal", "simexit.db-shm", "document-keys", "certificate-keys"] {
        let path = data.join(file);
        if (file.ends_with("-wal") || file.ends_with("-shm")) && !path.exists() {
            continue;
        }
        assert_eq!(mode(&path), 0o600, "{file}");
    }

    // A database left readable by an older build is made private when it is opened again.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(data.join("simexit.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let store = tokio::task::spawn_blocking(move || simexit_server::app::open_store(&c)).await.unwrap().unwrap();
    drop(store);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("simexit.db")), 0o600);
}

#[tokio::test]
async fn money_that_enters_the_books_is_bounded_to_ten_million_roubles_a_movement() {
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    let clerk = app.login("clerk.mts@demo").await;
    let open =
        |balance: i64| serde_json::json!({ "operator": "mts", "subscriber": "resident@demo", "balance": balance });
    // The reviewed attack: a line opened with 9·10^18 kopecks.
    app.post("/api/v1/lines", Some(&clerk), open(9_000_000_000_000_000_000)).await.problem(422, "invalid_amount");
    app.post("/api/v1/lines", Some(&clerk), open(1_000_000_001)).await.problem(422, "invalid_amount");
    app.post("/api/v1/lines", Some(&clerk), open(-1_000_000_001)).await.problem(422, "invalid_amount");
    let line = app.post("/api/v1/lines", Some(&clerk), open(1_000_000_000)).await.ok();
    assert_eq!(line["balance"], 1_000_000_000, "exactly 10,000,000 ₽ is one movement");

    let reviewer = app.login("reviewer@demo").await;
    let adjust = format!("/api/v1/lines/{}/adjustments", line["id"]);
    let charge = |amount: i64| serde_json::json!({ "kind": "charge", "amount": amount, "reason": "bound", "idempotency_key": format!("b{amount}") });
    app.post(&adjust, Some(&reviewer), charge(1_000_000_001)).await.problem(422, "invalid_amount");
    app.post(&adjust, Some(&reviewer), charge(i64::MAX)).await.problem(422, "invalid_amount");
    let after = app.get(&format!("/api/v1/lines/{}", line["id"]), Some(&reviewer)).await.ok();
    assert_eq!(after["balance"], 1_000_000_000, "a refused movement changes nothing");
}

/// Sends `n` requests at once and returns their statuses and problem codes.
async fn burst(app: &crate::helpers::TestApp, n: usize, path: &str, body: serde_json::Value) -> Vec<(u16, String)> {
    let mut calls = Vec::new();
    for _ in 0..n {
        let (client, url, body) = (app.client.clone(), format!("{}{path}", app.base), body.clone());
        calls.push(tokio::spawn(async move {
            let r = client.post(url).json(&body).send().await.unwrap();
            let status = r.status().as_u16();
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            (status, v["code"].as_str().unwrap_or_default().to_owned())
        }));
    }
    let mut out = Vec::new();
    for c in calls {
        out.push(c.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parallel_burst_of_wrong_passwords_gets_no_more_than_five_guesses() {
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    let guess = serde_json::json!({ "login": "foreigner@demo", "password": "guess" });
    let answers = burst(&app, 60, "/api/v1/auth/login", guess).await;
    let checked = answers.iter().filter(|(s, c)| *s == 401 && c == "invalid_credentials").count();
    // Refused before any hashing: locked, or (past what the hashing threads take) busy.
    let refused = answers.iter().filter(|(s, c)| *s == 429 && (c == "sign_in_locked" || c == "busy")).count();
    assert!(checked <= 5, "{checked} passwords were checked: {answers:?}");
    assert_eq!(checked + refused, 60, "{answers:?}");
    // The right password is refused too until the window ends.
    let right = serde_json::json!({ "login": "foreigner@demo", "password": "demo" });
    app.post("/api/v1/auth/login", None, right).await.problem(429, "sign_in_locked");

    // The same for an API client's secret.
    let admin = app.login("admin@demo").await;
    let client = app
        .post(
            "/api/v1/api-clients",
            Some(&admin),
            serde_json::json!({ "name": "Burst bank", "scopes": ["number-recycling:check"] }),
        )
        .await
        .ok();
    let id = client["client_id"].as_str().unwrap().to_owned();
    let mut calls = Vec::new();
    for _ in 0..60 {
        let (c, url, id) = (app.client.clone(), format!("{}/api/v1/oauth/token", app.base), id.clone());
        calls.push(tokio::spawn(async move {
            let r = c
                .post(url)
                .basic_auth(id, Some("wrong secret"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials")
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for c in calls {
        statuses.push(c.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked <= 5, "{checked} client secrets were checked: {statuses:?}");
    assert!(statuses.iter().all(|s| [401, 429].contains(s)), "{statuses:?}");
}

#[tokio::test]
async fn after_wrong_codes_an_unknown_number_is_answered_exactly_like_a_known_one() {
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    let mut seen = Vec::new();
    for number in ["+79161234567", "+79169990000"] {
        let r = app.post("/api/v1/auth/password-reset", None, serde_json::json!({ "msisdn": number })).await;
        assert_eq!(r.status, 202);
        let mut answers = Vec::new();
        for _ in 0..7 {
            let wrong = serde_json::json!({ "msisdn": number, "code": "999999", "new_password": "new password 1" });
            let r = app.post("/api/v1/auth/password-reset/confirm", None, wrong).await;
            answers.push((r.status.as_u16(), r.body["code"].as_str().unwrap_or_default().to_owned()));
        }
        seen.push(answers);
    }
    assert_eq!(seen[0], seen[1], "the known and the unknown number are told the same");
    assert_eq!(seen[0].iter().filter(|(s, _)| *s == 400).count(), 5, "{:?}", seen[0]);
    assert!(seen[0][5..].iter().all(|(s, c)| *s == 429 && c == "code_locked"), "{:?}", seen[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_parallel_burst_of_reset_requests_is_refused_past_the_limits_before_any_hashing() {
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    let answers =
        burst(&app, 150, "/api/v1/auth/password-reset", serde_json::json!({ "msisdn": "+79161234567" })).await;
    let accepted = answers.iter().filter(|(s, _)| *s == 202).count();
    assert_eq!(accepted, 5, "five per number and hour: {answers:?}");
    assert!(answers.iter().all(|(s, _)| [202, 429].contains(s)), "{answers:?}");
    let codes = app.sms_code("+79161234567").await;
    assert!(codes.is_some());
}

#[tokio::test]
async fn a_clerk_sees_only_the_in_store_requests_of_their_store_and_revokes_only_those() {
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    // The reviewed attack: an MTS clerk read an online MTS request, its passport scan and its
    // application form.
    let (resident, _, online) = app.submitted("resident@demo", "mts").await;
    let clerk = app.login("clerk.mts@demo").await;
    let id = &online["id"];
    app.get(&format!("/api/v1/terminations/{id}"), Some(&clerk)).await.problem(404, "not_found");
    app.get(&format!("/api/v1/terminations/{id}/documents"), Some(&clerk)).await.problem(404, "not_found");
    app.get(&format!("/api/v1/terminations/{id}/application-form"), Some(&clerk)).await.problem(404, "not_found");
    let docs = app.get(&format!("/api/v1/terminations/{id}/documents"), Some(&resident)).await.ok();
    let scan = docs[0]["id"].as_i64().unwrap();
    app.get(&format!("/api/v1/documents/{scan}/content"), Some(&clerk)).await.problem(404, "not_found");

    // A completion at one store: its clerk may revoke it, a clerk of another store of the same
    // operator may not even see it.
    let line = app.line_of(&resident, "mts").await;
    let other = app.get("/api/v1/me/lines", Some(&resident)).await.ok();
    let free = other.as_array().unwrap().iter().find(|l| l["operator"] == "mts" && l["id"] != line["id"]).unwrap();
    let store_req = app
        .post("/api/v1/terminations", Some(&clerk), serde_json::json!({ "line_id": free["id"], "channel": "store" }))
        .await
        .ok();
    for action in ["submit", "approve", "complete"] {
        app.act(&clerk, &store_req["id"], action, None).await.ok();
    }
    let kazan = app.login("clerk.kazan@demo").await;
    app.get(&format!("/api/v1/terminations/{}", store_req["id"]), Some(&kazan)).await.problem(404, "not_found");
    app.act(&kazan, &store_req["id"], "revoke", None).await.problem(404, "not_found");
    let revoked = app.act(&clerk, &store_req["id"], "revoke", None).await.ok();
    assert_eq!(revoked["state"], "revoked");
}

#[tokio::test]
async fn an_admin_of_one_operator_sees_only_that_operators_messages_alerts_and_counts() {
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    app.submitted("resident@demo", "mts").await;
    app.post("/api/v1/auth/password-reset", None, serde_json::json!({ "msisdn": "+79161234567" })).await;
    let admin = app.login("admin@demo").await;
    let all = app.get("/api/v1/outbox", Some(&admin)).await.ok();
    assert!(all.as_array().unwrap().iter().any(|m| m["template"] == "password_reset_code"));
    assert!(all.as_array().unwrap().iter().any(|m| m["template"] == "request_submitted"));

    // The reviewed attack: a Beeline admin read every operator's outbox (e-mails, phone
    // numbers, reset codes), network alerts and dashboard, and created lookup clients.
    let beeline = app.login("admin.beeline@demo").await;
    let theirs = app.get("/api/v1/outbox", Some(&beeline)).await.ok();
    assert_eq!(theirs.as_array().unwrap().len(), 0, "nothing of MTS, no reset codes: {theirs}");
    let alerts = app.get("/api/v1/network/alerts", Some(&beeline)).await.ok();
    assert_eq!(alerts.as_array().unwrap().len(), 0);
    let refunds = app.get("/api/v1/refunds", Some(&beeline)).await.ok();
    assert_eq!(refunds.as_array().unwrap().len(), 0);
    let mts_msg = all.as_array().unwrap().iter().find(|m| m["template"] == "request_submitted").unwrap();
    app.post(&format!("/api/v1/outbox/{}/resend", mts_msg["id"]), Some(&beeline), serde_json::json!({}))
        .await
        .problem(404, "not_found");
    let client = serde_json::json!({ "name": "Bank", "scopes": ["number-recycling:check"] });
    app.post("/api/v1/api-clients", Some(&beeline), client).await.problem(403, "deployment_admin_only");

    let service = app.service.clone();
    let counts = tokio::task::spawn_blocking(move || {
        let who = service.authenticate(&beeline).unwrap();
        service.dashboard_counts(&who).unwrap()
    })
    .await
    .unwrap();
    assert!(counts.iter().all(|(metric, _, _)| metric != "state"), "no MTS request is counted: {counts:?}");
}

/// Signs in on the pages and returns the `Set-Cookie` values and the HSTS header.
async fn page_sign_in(app: &crate::helpers::TestApp, forwarded_proto: bool) -> (Vec<String>, Option<String>) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    // The form first: it carries its own token, in a cookie and a hidden field.
    let form = client.get(format!("{}/login", app.base)).send().await.unwrap();
    let cookie = form.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let token = cookie.split_once('=').unwrap().1.to_owned();
    let fields = [("login", "resident@demo"), ("password", "demo"), ("next", ""), ("csrf", token.as_str())];
    let mut req = client.post(format!("{}/login", app.base)).header("cookie", &cookie).form(&fields);
    if forwarded_proto {
        req = req.header("x-forwarded-proto", "https");
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), 303);
    let cookies = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .filter(|c| !c.starts_with("simexit_login="))
        .collect();
    let hsts = r.headers().get("strict-transport-security").map(|v| v.to_str().unwrap().to_owned());
    (cookies, hsts)
}

#[tokio::test]
async fn cookies_are_secure_and_hsts_is_sent_when_the_public_site_is_https_and_only_then() {
    let https = crate::helpers::TestApp::configured("2026-11-26T09:00:00Z", true, |c| {
        c.server.public_url = "https://simexit.mts.example".into();
    })
    .await;
    let (cookies, hsts) = page_sign_in(&https, false).await;
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(cookies.iter().all(|c| c.ends_with("; Secure") && c.contains("HttpOnly")), "{cookies:?}");
    assert!(hsts.is_some_and(|h| h.starts_with("max-age=")));

    // A request header does not decide it.
    let plain = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    let (cookies, hsts) = page_sign_in(&plain, true).await;
    assert!(cookies.iter().all(|c| !c.contains("Secure")), "{cookies:?}");
    assert_eq!(hsts, None);
}

/// 25 reset requests for different numbers, each claiming another client in X-Forwarded-For.
async fn resets_claiming_other_addresses(app: &crate::helpers::TestApp) -> usize {
    let mut accepted = 0;
    for i in 0..25 {
        let r = app
            .client
            .post(format!("{}/api/v1/auth/password-reset", app.base))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .json(&serde_json::json!({ "msisdn": format!("+7916555{i:04}") }))
            .send()
            .await
            .unwrap();
        accepted += usize::from(r.status() == 202);
    }
    accepted
}

#[tokio::test]
async fn x_forwarded_for_is_believed_only_from_a_configured_proxy() {
    // Without trusted proxies the peer is the client: spoofed headers share its 20 an hour.
    let direct = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    assert_eq!(resets_claiming_other_addresses(&direct).await, 20);
    // Behind a configured proxy (here the loopback peer), each forwarded client is counted.
    let proxied = crate::helpers::TestApp::configured("2026-11-26T09:00:00Z", true, |c| {
        c.server.trusted_proxies = "127.0.0.0/8, ::1".into();
    })
    .await;
    assert_eq!(resets_claiming_other_addresses(&proxied).await, 25);
}

#[tokio::test]
async fn the_sign_in_form_is_accepted_only_with_its_own_token() {
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    // Another site posting the form (no token, or a token of its own) signs no one in.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for (cookie, token) in [(None, ""), (None, "forged"), (Some("simexit_login=aaaa"), "bbbb")] {
        let mut req = client.post(format!("{}/login", app.base)).header("accept-language", "en");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let r = req
            .form(&[("login", "resident@demo"), ("password", "demo"), ("next", ""), ("csrf", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{cookie:?} {token}");
        let set: Vec<_> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        assert!(set.iter().all(|c| !c.starts_with("simexit_session")), "no session: {set:?}");
        assert!(r.text().await.unwrap().contains("expired"));
    }
    let (cookies, _) = page_sign_in(&app, false).await;
    assert!(cookies.iter().any(|c| c.starts_with("simexit_session=")), "with its own token: {cookies:?}");
}

#[tokio::test]
async fn a_request_holds_a_bounded_number_of_documents_and_bytes() {
    let jpeg = crate::helpers::real_jpeg();
    let size = jpeg.len();
    let app = crate::helpers::TestApp::configured("2026-11-26T09:00:00Z", true, |c| {
        c.documents.max_per_request = 3;
        c.documents.max_request_bytes = size * 10;
    })
    .await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "mts").await;
    let req = app.create(&resident, &line["id"], "online").await.ok();
    for i in 0..3 {
        let r = app.upload(&req["id"], &resident, "other", &format!("{i}.jpg"), "image/jpeg", jpeg.clone()).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    app.upload(&req["id"], &resident, "other", "4.jpg", "image/jpeg", jpeg.clone())
        .await
        .problem(409, "too_many_documents");
    let docs = app.get(&format!("/api/v1/terminations/{}/documents", req["id"]), Some(&resident)).await.ok();
    assert_eq!(docs.as_array().unwrap().len(), 3, "the refused upload changed nothing");

    // The total is bounded too, however the bytes are split.
    let tight = crate::helpers::TestApp::configured("2026-11-26T09:00:00Z", true, |c| {
        c.documents.max_request_bytes = size * 2 + size / 2;
    })
    .await;
    let resident = tight.login("resident@demo").await;
    let line = tight.line_of(&resident, "mts").await;
    let req = tight.create(&resident, &line["id"], "online").await.ok();
    for i in 0..2 {
        let r = tight.upload(&req["id"], &resident, "other", &format!("{i}.jpg"), "image/jpeg", jpeg.clone()).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let over = tight.upload(&req["id"], &resident, "other", "3.jpg", "image/jpeg", jpeg.clone()).await;
    assert_eq!(over.status, 413, "{}", over.body);
}

#[tokio::test]
async fn certificate_pdfs_are_rendered_once_and_anonymous_renderings_are_limited_per_address() {
    let app = crate::helpers::TestApp::configured("2026-11-26T09:00:00Z", true, |c| {
        c.certificates.pdf_renders_per_minute = 2;
    })
    .await;
    let t2 = app.login("reviewer.t2@demo").await;
    let (tourist, _, req) = app.submitted("tourist@demo", "t2").await;
    app.act(&t2, &req["id"], "approve", None).await.ok();
    app.act(&t2, &req["id"], "complete", None).await.ok();
    let mine = app.get(&format!("/api/v1/terminations/{}/certificate", req["id"]), Some(&tourist)).await.ok();
    let number = mine["number"].as_str().unwrap().to_owned();
    let fetch = |lang: &'static str| {
        app.client.get(format!("{}/api/v1/certificates/{number}/pdf?lang={lang}", app.base)).send()
    };
    let first = fetch("ru").await.unwrap();
    assert_eq!(first.status(), 200);
    let first = first.bytes().await.unwrap();
    assert_eq!(fetch("en").await.unwrap().status(), 200);
    let third = fetch("zh").await.unwrap();
    assert_eq!(third.status(), 429, "a third new rendering in a minute from one address");
    assert!(third.headers().contains_key("retry-after"));
    // What was rendered is served from the cache, as it was, without counting.
    for _ in 0..5 {
        let again = fetch("ru").await.unwrap();
        assert_eq!(again.status(), 200);
        assert_eq!(again.bytes().await.unwrap(), first);
    }
    // The subscriber signed in is not an anonymous caller.
    let signed = app
        .client
        .get(format!("{}/api/v1/certificates/{number}/pdf?lang=zh", app.base))
        .bearer_auth(&tourist)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
}

#[tokio::test]
async fn identity_document_and_refund_account_numbers_are_sealed_at_rest_and_shown_masked() {
    use simexit_store::StoreExt;
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    let (resident, _, req) = app.submitted("resident@demo", "mts").await;
    let account = "40817810938160925982";
    let body = serde_json::json!({ "option": "refund", "recipient_name": "Анна Иванова", "bik": "044525225", "account": account });
    let set = app.post(&format!("/api/v1/terminations/{}/settlement", req["id"]), Some(&resident), body).await.ok();
    assert!(!set.to_string().contains(account), "shown masked: {set}");
    assert!(set.to_string().contains("5982"), "with its last digits: {set}");

    let service = app.service.clone();
    let id = req["id"].as_i64().unwrap();
    let (stored, subscriber) = tokio::task::spawn_blocking(move || {
        service
            .store
            .read(|tx| {
                let r = tx.request(id)?.unwrap();
                let s = tx.subscriber(r.subscriber_id)?.unwrap();
                Ok::<_, simexit_store::StoreError>((r, s))
            })
            .unwrap()
    })
    .await
    .unwrap();
    let at_rest = stored.settlement.refund_account.unwrap();
    assert!(at_rest.starts_with("sx1:") && !at_rest.contains(account), "{at_rest}");
    assert!(subscriber.id_document_number.starts_with("sx1:"), "{}", subscriber.id_document_number);
    let plain =
        app.service.unseal(simexit_service::sealing::ID_DOCUMENT_NUMBER, &subscriber.id_document_number).unwrap();
    assert!(plain.chars().filter(char::is_ascii_digit).count() >= 6, "{plain}");
}

#[tokio::test]
async fn an_auditor_of_one_operator_reads_the_audit_entries_about_that_operator_only() {
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    let (_, _, mts_req) = app.submitted("resident@demo", "mts").await;
    let (_, _, t2_req) = app.submitted("tourist@demo", "t2").await;
    let all = app.get("/api/v1/audit?limit=1000", Some(&app.login("auditor@demo").await)).await.ok();
    let about =
        |entries: &serde_json::Value, id: &serde_json::Value| {
            entries.as_array().unwrap().iter().any(|e| {
                e["entity"] == "termination_request" && e["entity_id"].as_str() == Some(id.to_string().as_str())
            })
        };
    assert!(about(&all, &mts_req["id"]) && about(&all, &t2_req["id"]));

    // A Beeline auditor: what concerns Beeline (its lines, its staff's sign-ins), nothing of
    // MTS or T2.
    let beeline = app.get("/api/v1/audit?limit=1000", Some(&app.login("auditor.beeline@demo").await)).await.ok();
    assert!(!about(&beeline, &mts_req["id"]) && !about(&beeline, &t2_req["id"]), "{beeline}");
    assert!(beeline.to_string().contains("operator:beeline"), "Beeline's own movements: {beeline}");
    assert!(!beeline.to_string().contains("operator:mts"), "{beeline}");
    // A T2 auditor, created for the test: T2's request, not MTS's.
    let admin = app.login("admin@demo").await;
    let body = serde_json::json!({ "login": "auditor.t2@demo", "password": "auditor password", "role": "auditor", "operator": "t2" });
    assert_eq!(app.post("/api/v1/staff", Some(&admin), body).await.status, 201);
    let token = app
        .post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({ "login": "auditor.t2@demo", "password": "auditor password" }),
        )
        .await
        .ok()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let t2 = app.get("/api/v1/audit?limit=1000", Some(&token)).await.ok();
    assert!(about(&t2, &t2_req["id"]), "{t2}");
    assert!(!about(&t2, &mts_req["id"]), "{t2}");
    let resident_logins = all.as_array().unwrap().iter().filter(|e| e["action"] == "login").count();
    let t2_logins = t2.as_array().unwrap().iter().filter(|e| e["action"] == "login").count();
    assert!(t2_logins < resident_logins, "a subscriber's sign-in is no operator's: {t2}");
}
