//! Documents: uploads judged by their bytes, stored encrypted, reviewed, and destroyed with
//! an act once the retention after closing ends.

use serde_json::{Value, json};

use crate::helpers::{TestApp, real_jpeg, real_pdf};

const NOW: &str = "2026-03-02T09:00:00Z";

#[tokio::test]
async fn only_real_jpegs_pngs_and_pdfs_are_accepted_whatever_they_claim() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "mts").await;
    let req = app.create(&resident, &line["id"], "online").await.ok();
    let id = &req["id"];

    let exe =
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode".to_vec();
    app.upload(id, &resident, "passport", "passport.jpg", "image/jpeg", exe)
        .await
        .problem(415, "unsupported_media_type");
    let big = vec![0xFFu8; 50 * 1024 * 1024];
    let r = app.upload(id, &resident, "passport", "big.jpg", "image/jpeg", big).await;
    assert_eq!(r.status.as_u16(), 413, "{}", r.body);
    assert_eq!(
        app.get(&format!("/api/v1/terminations/{id}/documents"), Some(&resident)).await.ok(),
        json!([]),
        "nothing stored"
    );

    let jpeg = real_jpeg();
    let up = app.upload(id, &resident, "passport", "../../etc/passwd", "text/plain", jpeg.clone()).await;
    assert_eq!(up.status.as_u16(), 201, "{}", up.body);
    assert_eq!((up.body["file_name"].as_str(), up.body["content_type"].as_str()), (Some("passwd"), Some("image/jpeg")));
    let pdf = app.upload(id, &resident, "address_proof", "счёт ЖКХ.pdf", "application/octet-stream", real_pdf()).await;
    assert_eq!(
        (pdf.status.as_u16(), pdf.body["content_type"].as_str()),
        (201, Some("application/pdf")),
        "{}",
        pdf.body
    );
    app.upload(id, &resident, "selfie", "a.jpg", "image/jpeg", real_jpeg()).await.problem(400, "invalid_kind");

    // Downloaded as uploaded; stored encrypted, under a name of simexit's own.
    let doc = up.body["id"].as_i64().unwrap();
    let got = app
        .client
        .get(format!("{}/api/v1/documents/{doc}/content", app.base))
        .bearer_auth(&resident)
        .send()
        .await
        .unwrap();
    assert_eq!(got.headers()["content-type"], "image/jpeg");
    assert!(got.headers()["content-disposition"].to_str().unwrap().contains("filename=\"passwd\""));
    assert_eq!(got.bytes().await.unwrap().to_vec(), jpeg);
    let mut stored = Vec::new();
    for entry in walk(&app.dir.path().join("documents")) {
        stored.push(std::fs::read(entry).unwrap());
    }
    assert_eq!(stored.len(), 2, "two objects on disk");
    assert!(stored.iter().all(|o| o.starts_with(b"SXE1") && !o.windows(4).any(|w| w == &jpeg[6..10])), "not plaintext");
    assert!(!app.dir.path().join("etc").exists());

    let other = app.login("foreigner@demo").await;
    app.get(&format!("/api/v1/documents/{doc}/content"), Some(&other)).await.problem(404, "not_found");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

#[tokio::test]
async fn staff_verify_or_reject_with_a_reason() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "mts").await;
    let req = app.create(&resident, &line["id"], "online").await.ok();
    let doc = app.upload(&req["id"], &resident, "passport", "p.jpg", "image/jpeg", real_jpeg()).await.ok();
    let reviewer = app.login("reviewer@demo").await;
    let path = |action: &str| format!("/api/v1/documents/{}/{action}", doc["id"]);
    app.post(&path("verify"), Some(&resident), json!({})).await.problem(403, "forbidden");
    app.post(&path("reject"), Some(&reviewer), json!({})).await.problem(422, "reason_required");
    let rejected = app.post(&path("reject"), Some(&reviewer), json!({ "reason": "нечитаемо" })).await.ok();
    assert_eq!(
        (rejected["status"].as_str(), rejected["review_reason"].as_str()),
        (Some("rejected"), Some("нечитаемо"))
    );
    let verified = app.post(&path("verify"), Some(&reviewer), json!({})).await.ok();
    assert_eq!(verified["status"], "verified");
    let t2 = app.login("reviewer.t2@demo").await;
    app.post(&path("verify"), Some(&t2), json!({})).await.problem(404, "not_found");
}

#[tokio::test]
async fn a_closed_requests_scans_are_destroyed_after_the_retention_with_an_act_and_the_contract_is_kept() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "mts").await;
    let req = app.create(&resident, &line["id"], "online").await.ok();
    let scan = app.upload(&req["id"], &resident, "passport", "p.jpg", "image/jpeg", real_jpeg()).await.ok();
    let contract = app.upload(&req["id"], &resident, "contract", "c.pdf", "application/pdf", real_pdf()).await.ok();
    app.act(&resident, &req["id"], "withdraw", None).await.ok();
    let docs = app.get(&format!("/api/v1/terminations/{}/documents", req["id"]), Some(&resident)).await.ok();
    let until = docs[0]["retention_until"].as_str().unwrap().to_owned();
    assert!(until.starts_with("2026-04-01"), "30 days after closing: {until}");

    app.advance_days(29).await;
    let auditor = app.login("auditor@demo").await;
    assert_eq!(app.get("/api/v1/destruction-acts", Some(&auditor)).await.ok(), json!([]));
    app.advance_days(2).await;
    let acts = app.get("/api/v1/destruction-acts", Some(&auditor)).await.ok();
    let acts = acts.as_array().unwrap();
    assert_eq!(acts.len(), 1, "{acts:?}");
    let act = &acts[0];
    assert_eq!((act["document_id"].clone(), act["kind"].as_str()), (scan["id"].clone(), Some("passport")));
    assert_eq!(act["sha256"], scan["sha256"]);
    assert!(act["reason"].as_str().unwrap().contains("152-FZ"), "{act}");
    assert_eq!(act["actor"], "job:destroy_documents");

    let gone = app.get(&format!("/api/v1/documents/{}/content", scan["id"]), Some(&resident)).await;
    gone.problem(410, "document_destroyed");
    let kept = app.get(&format!("/api/v1/documents/{}/content", contract["id"]), Some(&resident)).await;
    assert_eq!(kept.status.as_u16(), 200, "the signed application is kept");
    let docs: Vec<Value> = app
        .get(&format!("/api/v1/terminations/{}/documents", req["id"]), Some(&resident))
        .await
        .ok()
        .as_array()
        .unwrap()
        .clone();
    assert_eq!((docs[0]["status"].as_str(), docs[0]["file_name"].as_str()), (Some("destroyed"), Some("")));
    let on_disk = walk(&app.dir.path().join("documents"));
    assert_eq!(on_disk.len(), 1, "only the contract's object is left: {on_disk:?}");
    let reviewer = app.login("reviewer@demo").await;
    app.get("/api/v1/destruction-acts", Some(&reviewer)).await.problem(403, "forbidden");
    let export = app
        .client
        .get(format!("{}/api/v1/destruction-acts/export", app.base))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(export.headers()["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = export.text().await.unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines, acts.to_vec(), "the export holds the same acts");
}

#[tokio::test]
async fn an_online_request_lists_the_documents_it_still_needs_and_is_not_submitted_without_them() {
    let app = TestApp::at(NOW).await;
    let tourist = app.login("tourist@demo").await;
    let line = app.line_of(&tourist, "t2").await;
    let req = app.create(&tourist, &line["id"], "online").await.ok();
    let details = app.get(&format!("/api/v1/terminations/{}", req["id"]), Some(&tourist)).await.ok();
    let missing =
        details["blocking"].as_array().unwrap().iter().find(|b| b["code"] == "documents_missing").unwrap().clone();
    assert_eq!(missing["documents"], json!(["passport"]), "T2 asks a tourist for the passport: {missing}");
    app.act(&tourist, &req["id"], "submit", None).await.problem(422, "documents_missing");
    let scan = app.upload(&req["id"], &tourist, "passport", "护照.jpg", "image/jpeg", real_jpeg()).await.ok();
    assert_eq!(scan["file_name"], "护照.jpg");
    let submitted = app.act(&tourist, &req["id"], "submit", None).await.ok();
    assert_eq!(submitted["state"], "submitted");
    assert!(submitted["blocking"].as_array().unwrap().iter().all(|b| b["code"] != "documents_missing"));
}

/// `moto_server` (PyPI `moto[server]`) on a free loopback port: a real S3-compatible server.
/// `None` when it is missing and `SIMEXIT_TEST_S3` is not set (CI sets it).
struct Moto {
    child: std::process::Child,
    port: u16,
}

impl Moto {
    fn start() -> Option<Moto> {
        let have = std::process::Command::new("moto_server").arg("--help").output().is_ok_and(|o| o.status.success());
        if !have {
            assert!(std::env::var_os("SIMEXIT_TEST_S3").is_none(), "SIMEXIT_TEST_S3 is set but moto_server is missing");
            eprintln!("skipped: moto_server is needed (pip install 'moto[server]')");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "moto_server did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(Moto { child, port })
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn uploads_and_downloads_work_against_an_s3_compatible_server_and_objects_are_sealed() {
    let Some(moto) = tokio::task::spawn_blocking(Moto::start).await.unwrap() else { return };
    let endpoint = format!("http://127.0.0.1:{}", moto.port);
    let app = TestApp::configured(NOW, true, {
        let endpoint = endpoint.clone();
        move |c| {
            c.documents.storage = "s3".into();
            c.documents.s3_endpoint = endpoint;
            c.documents.s3_bucket = "simexit-test".into();
            c.documents.s3_access_key = "testing".into();
            c.documents.s3_secret_key = simexit_server::config::Secret("testing".into());
        }
    })
    .await;
    let resident = app.login("resident@demo").await;
    let line = app.line_of(&resident, "mts").await;
    let req = app.create(&resident, &line["id"], "online").await.ok();
    let id = &req["id"];
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    app.upload(id, &resident, "passport", "passport.jpg", "image/jpeg", exe)
        .await
        .problem(415, "unsupported_media_type");
    let big = vec![0u8; 50 * 1024 * 1024];
    assert_eq!(app.upload(id, &resident, "passport", "big.pdf", "application/pdf", big).await.status.as_u16(), 413);
    let jpeg = real_jpeg();
    let up = app.upload(id, &resident, "passport", "../../etc/passwd", "image/jpeg", jpeg.clone()).await.ok();
    let pdf = app.upload(id, &resident, "address_proof", "bill.pdf", "application/pdf", real_pdf()).await.ok();
    for (doc, bytes) in [(&up, jpeg.clone()), (&pdf, real_pdf())] {
        let got = app
            .client
            .get(format!("{}/api/v1/documents/{}/content", app.base, doc["id"]))
            .bearer_auth(&resident)
            .send()
            .await
            .unwrap();
        assert_eq!(got.status(), 200);
        assert_eq!(got.bytes().await.unwrap().to_vec(), bytes, "read back through S3");
    }
    let listing = app.client.get(format!("{endpoint}/simexit-test")).send().await.unwrap().text().await.unwrap();
    let keys: Vec<&str> = listing.split("<Key>").skip(1).map(|k| k.split("</Key>").next().unwrap()).collect();
    assert_eq!(keys.len(), 2, "{listing}");
    for key in keys {
        assert!(key.starts_with(&format!("documents/{id}/")), "simexit's own names: {key}");
        // Read as stored, with a client of its own (moto keeps the bucket private).
        let (endpoint, key_owned) = (endpoint.clone(), key.to_owned());
        let object = tokio::task::spawn_blocking(move || {
            use simexit_service::documents::Blobs;
            let raw = simexit_files::s3::S3Blobs::new(simexit_files::s3::S3Settings {
                endpoint,
                bucket: "simexit-test".into(),
                region: "us-east-1".into(),
                access_key: "testing".into(),
                secret_key: "testing".into(),
                session_token: None,
                timeout: std::time::Duration::from_secs(10),
            })
            .unwrap();
            raw.get(&key_owned).unwrap()
        })
        .await
        .unwrap();
        assert!(object.starts_with(b"SXE1"), "sealed");
        assert!(
            !object.windows(8).any(|w| w == &jpeg[..8]) && !object.windows(8).any(|w| w == b"%PDF-1.4"),
            "no plaintext"
        );
    }
}

#[tokio::test]
async fn completion_issues_a_signed_certificate_that_anyone_can_check_and_a_changed_copy_fails() {
    let app = TestApp::at(NOW).await;
    let t2 = app.login("reviewer.t2@demo").await;
    let (tourist, line, req) = app.submitted("tourist@demo", "t2").await;
    app.act(&t2, &req["id"], "approve", None).await.ok();
    app.act(&t2, &req["id"], "complete", None).await.ok();
    let mine = app.get(&format!("/api/v1/terminations/{}/certificate", req["id"]), Some(&tourist)).await.ok();
    let number = mine["number"].as_str().unwrap().to_owned();
    // The operator, the year and 80 random bits: no one lists certificates by counting.
    let random = number.strip_prefix("T2-2026-").unwrap();
    assert_eq!(random.len(), 19, "{number}");
    assert!(random.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_alphanumeric())), "{number}");
    let public = app.get(&format!("/api/v1/certificates/{number}"), None).await.ok();
    assert_eq!(public["genuine"], true);
    let c = &public["certifies"];
    assert_eq!((c["operator"].as_str(), c["reason"].as_str()), (Some("t2"), Some("voluntary")));
    let n = line["msisdn"].as_str().unwrap();
    assert_eq!(c["msisdn"], format!("+7 {} ***-**-{}", &n[2..5], &n[n.len() - 2..]));
    assert_eq!(c["aging_until"], "2026-05-01");
    // Only what a certificate proves: no name, no line, no money.
    for private in ["subscriber", "line_id", "settlement"] {
        assert!(c.get(private).is_none_or(serde_json::Value::is_null), "{private} is public: {c}");
    }
    assert!(!public.to_string().contains("RUB"), "{public}");

    // Offline: the published keys verify the payload; one changed byte does not.
    let keys = app.get("/api/v1/certificates/keys", None).await.ok();
    let key_hex = keys["keys"][public["key_id"].as_str().unwrap()].as_str().unwrap().to_owned();
    let published = simexit_domain::certificate::PublicKeys::from_hex(
        &[(public["key_id"].as_str().unwrap().to_owned(), key_hex)].into_iter().collect(),
    )
    .unwrap();
    let payload = public["payload"].as_str().unwrap();
    let (kid, sig) = (public["key_id"].as_str().unwrap(), public["signature"].as_str().unwrap());
    assert!(published.verify(payload, kid, sig));
    let tampered = payload.replacen("voluntary", "operator", 1);
    assert!(!published.verify(&tampered, kid, sig));
    app.get("/api/v1/certificates/T2-2026-999999", None).await.problem(404, "not_found");

    // The page the QR code opens, in the reader's language.
    let page = app
        .client
        .get(format!("{}/certificates/{number}", app.base))
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("此证明真实有效") && html.contains(&number), "{html}");
    assert!(!html.contains("李") && !html.contains("₽") && !html.contains("RUB"), "no name, no money: {html}");
    assert!(html.contains("lang=\"zh\""));
    let en = app
        .client
        .get(format!("{}/certificates/{number}?lang=en", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("This certificate is genuine"), "{en}");
    let missing = app.client.get(format!("{}/certificates/%3Cscript%3E", app.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let body = missing.text().await.unwrap();
    assert!(body.contains("&lt;script&gt;") && !body.contains("<script>"), "escaped: {body}");
}

/// `pdftotext` and `zbarimg` (Debian's poppler-utils and zbar-tools, installed by CI), or
/// `None` when missing and `SIMEXIT_TEST_PDF` is not set.
fn pdf_tools() -> Option<()> {
    let have = |tool: &str| std::process::Command::new(tool).arg("-v").output().is_ok();
    if have("pdftotext") && have("pdftoppm") && have("zbarimg") {
        return Some(());
    }
    assert!(
        std::env::var_os("SIMEXIT_TEST_PDF").is_none(),
        "SIMEXIT_TEST_PDF is set but poppler-utils or zbar-tools is missing"
    );
    eprintln!("skipped: pdftotext, pdftoppm and zbarimg are needed");
    None
}

#[tokio::test]
async fn the_certificate_pdf_reads_back_in_each_language_with_a_qr_code_and_verifies_offline() {
    let app = TestApp::configured(NOW, true, |c| c.server.public_url = "https://simexit.t2.example".into()).await;
    let t2 = app.login("reviewer.t2@demo").await;
    let (_, _, req) = app.submitted("tourist@demo", "t2").await;
    app.act(&t2, &req["id"], "approve", None).await.ok();
    app.act(&t2, &req["id"], "complete", None).await.ok();
    let tourist = app.login("tourist@demo").await;
    let mine = app.get(&format!("/api/v1/terminations/{}/certificate", req["id"]), Some(&tourist)).await.ok();
    let number = mine["number"].as_str().unwrap().to_owned();
    let keys = app.get("/api/v1/certificates/keys", None).await.ok();
    let published =
        simexit_domain::certificate::PublicKeys::from_hex(&serde_json::from_value(keys["keys"].clone()).unwrap())
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (lang, expected) in [
        // Times local to T2 (Moscow) with the zone named, the aging end with its time, the
        // reason in the reader's words.
        (
            "ru",
            vec!["СПРАВКА О РАСТОРЖЕНИИ ДОГОВОРА", "Номер закреплён до", "2026-05-01 12:00 MSK", "по желанию абонента"],
        ),
        (
            "en",
            vec![
                "CERTIFICATE OF TERMINATION",
                "Number reserved until",
                "2026-03-02 12:00 MSK",
                "at the subscriber's wish",
            ],
        ),
        ("zh", vec!["解约证明", "号码保留至", "验证网址", "2026-05-01 12:00 MSK", "Europe/Moscow", "用户申请"]),
    ] {
        let r =
            app.client.get(format!("{}/api/v1/certificates/{number}/pdf?lang={lang}", app.base)).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let pdf = r.bytes().await.unwrap().to_vec();
        let payload = simexit_domain::certificate::verify_pdf(&pdf, &published).unwrap();
        assert_eq!(payload.number, number);
        let mut changed = pdf.clone();
        let at = changed.windows(5).position(|w| w == b"2026-").unwrap();
        changed[at + 3] = b'7';
        assert!(simexit_domain::certificate::verify_pdf(&changed, &published).is_err(), "one byte changed");

        if pdf_tools().is_none() {
            continue;
        }
        let file = dir.path().join(format!("{lang}.pdf"));
        std::fs::write(&file, &pdf).unwrap();
        let text = std::process::Command::new("pdftotext").arg(&file).arg("-").output().unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        for e in expected.iter().chain([&number.as_str(), &"T2"]) {
            assert!(text.contains(e), "{lang}: `{e}` not in the extracted text:\n{text}");
        }
        let png = dir.path().join(lang);
        let ok = std::process::Command::new("pdftoppm")
            .args(["-r", "150", "-png", "-singlefile"])
            .arg(&file)
            .arg(&png)
            .status()
            .unwrap();
        assert!(ok.success());
        let qr = std::process::Command::new("zbarimg")
            .args(["-q", "--raw"])
            .arg(png.with_extension("png"))
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(qr.stdout).unwrap().trim(),
            format!("https://simexit.t2.example/certificates/{number}"),
            "{lang}: the QR code leads to the public check"
        );
    }
    app.get(&format!("/api/v1/certificates/{number}/pdf?lang=fr"), None).await.problem(400, "invalid_language");
}

#[tokio::test]
async fn the_clerk_prints_the_application_form_with_the_subscribers_own_details() {
    let app = TestApp::at(NOW).await;
    let resident = app.login("resident@demo").await;
    let clerk = app.login("clerk.mts@demo").await;
    let line = app.line_of(&resident, "mts").await;
    let req =
        app.post("/api/v1/terminations", Some(&clerk), json!({ "line_id": line["id"], "channel": "store" })).await.ok();
    let lines = app.get("/api/v1/me/lines", Some(&resident)).await.ok();
    let second = lines.as_array().unwrap().iter().filter(|l| l["operator"] == "mts").nth(1).unwrap().clone();
    let settlement = json!({ "option": "transfer", "to_line_id": second["id"] });
    app.post(&format!("/api/v1/terminations/{}/settlement", req["id"]), Some(&resident), settlement).await.ok();
    let path = format!("/api/v1/terminations/{}/application-form?lang=ru", req["id"]);
    let r = app.client.get(format!("{}{path}", app.base)).bearer_auth(&clerk).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    let other = app.login("foreigner@demo").await;
    app.get(&path, Some(&other)).await.problem(404, "not_found");
    app.get(&path, None).await.problem(401, "missing_token");
    if pdf_tools().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("form.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&file).arg("-").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "ЗАЯВЛЕНИЕ О РАСТОРЖЕНИИ ДОГОВОРА",
        "Анна Сергеевна Иванова",
        "4510 123456",
        line["msisdn"].as_str().unwrap(),
        "Подпись абонента",
        "перенос остатка на другой номер", // the option in words, not `transfer`
    ] {
        assert!(text.contains(expected), "`{expected}` not in:\n{text}");
    }
}
