//! Notifications: queued with the change that causes them, in the subscriber's language,
//! sent by the dispatcher with retries, parked and resent; delivered to a real SMTP server.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::TestApp;

const NOW: &str = "2026-03-02T09:00:00Z";

async fn outbox(app: &TestApp, query: &str) -> Vec<Value> {
    let admin = app.login("admin@demo").await;
    app.get(&format!("/api/v1/outbox{query}"), Some(&admin)).await.ok().as_array().unwrap().clone()
}

fn of_request<'a>(messages: &'a [Value], request: &Value) -> Vec<&'a Value> {
    let mut m: Vec<&Value> = messages.iter().filter(|m| m["request_id"] == request["id"]).collect();
    m.sort_by_key(|m| m["id"].as_i64());
    m
}

#[tokio::test]
async fn each_step_queues_its_message_in_the_subscribers_language_once() {
    let app = TestApp::at(NOW).await;
    app.advance_days(1).await;
    let t2 = app.login("reviewer.t2@demo").await;
    let (_, _, req) = app.submitted("tourist@demo", "t2").await;
    app.act(&t2, &req["id"], "approve", None).await.ok();
    app.act(&t2, &req["id"], "complete", None).await.ok();
    app.advance_days(0).await; // the worker's round: due jobs, then due messages
    let all = outbox(&app, "").await;
    let mine = of_request(&all, &req);
    let events: Vec<(&str, &str, &str)> = mine
        .iter()
        .map(|m| (m["template"].as_str().unwrap(), m["channel"].as_str().unwrap(), m["language"].as_str().unwrap()))
        .collect();
    assert_eq!(
        events,
        [
            ("request_submitted", "email", "zh"),
            ("request_submitted", "sms", "zh"),
            ("request_approved", "email", "zh"),
            ("request_approved", "sms", "zh"),
            ("request_completed", "email", "zh"),
            ("request_completed", "sms", "zh"),
        ]
    );
    assert!(mine.iter().all(|m| m["status"] == "sent" && m["provider_id"].as_str().unwrap().starts_with("log-")));
    assert_eq!(mine[0]["recipient"], "li.ming@example.org");
    assert_eq!(mine[1]["recipient"], "+79771234567");

    // T2 freezes numbers for 60 days and reminds 7 days before: one reminder, however often
    // the worker runs.
    app.advance_days(51).await;
    assert!(of_request(&outbox(&app, "").await, &req).iter().all(|m| m["template"] != "aging_reminder"));
    app.advance_days(2).await;
    app.advance_days(1).await;
    let reminders: Vec<Value> = of_request(&outbox(&app, "").await, &req)
        .into_iter()
        .filter(|m| m["template"] == "aging_reminder")
        .cloned()
        .collect();
    assert_eq!(reminders.len(), 2, "e-mail and SMS: {reminders:?}");
    assert!(reminders.iter().all(|m| m["status"] == "sent"));

    let parked = app.get("/api/v1/outbox?status=lost", Some(&app.login("admin@demo").await)).await;
    parked.problem(400, "invalid_status");
}

#[tokio::test]
async fn an_unreachable_server_means_retries_with_backoff_then_parking_then_a_resend() {
    let app = TestApp::configured(NOW, true, |c| {
        c.notifications.email = "smtp".into();
        c.notifications.smtp_tls = "none".into();
        c.notifications.smtp_port = 1; // nothing listens there
        c.notifications.smtp_timeout_secs = 2;
        c.notifications.max_attempts = 2;
    })
    .await;
    let (_, _, req) = app.submitted("resident@demo", "mts").await;
    app.advance_days(0).await;
    let first =
        of_request(&outbox(&app, "").await, &req).into_iter().find(|m| m["channel"] == "email").cloned().unwrap();
    assert_eq!((first["status"].as_str(), first["attempts"].as_i64()), (Some("pending"), Some(1)), "{first}");
    assert!(first["last_error"].as_str().unwrap().len() > 3, "{first}");
    let sms = of_request(&outbox(&app, "").await, &req).into_iter().find(|m| m["channel"] == "sms").cloned().unwrap();
    assert_eq!(sms["status"], "sent", "the SMS channel is independent");

    app.advance_days(1).await; // past the 30 s backoff: the second and last attempt fails
    let parked = outbox(&app, "?status=parked").await;
    assert_eq!(parked.len(), 1, "{parked:?}");
    assert!(parked[0]["last_error"].as_str().unwrap().contains("after 2 attempts"), "{}", parked[0]);

    let auditor = app.login("auditor@demo").await;
    let id = parked[0]["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/outbox/{id}/resend"), Some(&auditor), json!({})).await.problem(403, "forbidden");
    let admin = app.login("admin@demo").await;
    let again = app.post(&format!("/api/v1/outbox/{id}/resend"), Some(&admin), json!({})).await.ok();
    assert_eq!((again["status"].as_str(), again["attempts"].as_i64()), (Some("pending"), Some(0)));
    app.post(&format!("/api/v1/outbox/{id}/resend"), Some(&admin), json!({})).await.problem(409, "message_not_parked");
}

/// The SMTP sink of `tests/peers/smtp_sink.py` on a free port, writing what it receives to
/// a file. `None` when aiosmtpd is missing and `SIMEXIT_TEST_SMTP` is not set (CI sets it,
/// so there a missing peer fails the test instead).
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub file: std::path::PathBuf,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    pub fn start() -> Option<SmtpSink> {
        let have = Command::new("python3").args(["-c", "import aiosmtpd, trustme"]).status().is_ok_and(|s| s.success());
        if !have {
            assert!(
                std::env::var_os("SIMEXIT_TEST_SMTP").is_none(),
                "SIMEXIT_TEST_SMTP is set but aiosmtpd or trustme is missing"
            );
            eprintln!("skipped: python3 with aiosmtpd and trustme is needed (pip install aiosmtpd trustme)");
            return None;
        }
        SmtpSink::fresh(false)
    }

    /// On a free port; another test may take a port between our probe and the sink's bind,
    /// so a sink that fails to start is tried again on another.
    pub fn fresh(starttls: bool) -> Option<SmtpSink> {
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            if let Some(sink) = SmtpSink::with(port, starttls) {
                return Some(sink);
            }
        }
        panic!("the SMTP sink did not start")
    }

    pub fn on(port: u16) -> Option<SmtpSink> {
        SmtpSink::with(port, false)
    }

    /// With `starttls`, requiring STARTTLS and AUTH, its certificate from a test CA whose PEM
    /// is in `ca.pem` of its folder.
    pub fn with(port: u16, starttls: bool) -> Option<SmtpSink> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("received.jsonl");
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/smtp_sink.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script).arg(port.to_string()).arg(&file);
        if starttls {
            cmd.arg("--starttls").arg(dir.path());
        }
        let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
        let mut ready = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut ready).unwrap();
        if ready.trim() != "ready" {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        Some(SmtpSink { child, port, file, dir })
    }

    pub fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    pub fn stop(mut self) -> (u16, Vec<Value>) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        (self.port, self.received())
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp_app(port: u16) -> impl FnOnce(&mut simexit_server::Config) {
    move |c| {
        c.notifications.email = "smtp".into();
        c.notifications.smtp_tls = "none".into();
        c.notifications.smtp_port = port;
        c.notifications.smtp_from = "МТС simexit <noreply@mts.example>".into();
        c.server.public_url = "https://simexit.mts.example".into();
    }
}

#[tokio::test]
async fn e_mails_reach_a_real_smtp_server_in_the_subscribers_language() {
    let Some(sink) = SmtpSink::start() else { return };
    let app = TestApp::configured(NOW, true, smtp_app(sink.port)).await;
    app.advance_days(1).await;
    let t2 = app.login("reviewer.t2@demo").await;
    let (_, _, tourist_req) = app.submitted("tourist@demo", "t2").await;
    app.act(&t2, &tourist_req["id"], "approve", None).await.ok();
    app.act(&t2, &tourist_req["id"], "complete", None).await.ok();
    let mts = app.login("reviewer@demo").await;
    let (_, _, resident_req) = app.submitted("resident@demo", "mts").await;
    app.act(&mts, &resident_req["id"], "reject", Some("скан паспорта нечитаем")).await.ok();
    app.advance_days(0).await;

    let got = sink.received();
    let to = |addr: &str| got.iter().filter(|m| m["to"][0] == addr).cloned().collect::<Vec<_>>();
    let li = to("li.ming@example.org");
    let subjects: Vec<&str> = li.iter().map(|m| m["subject"].as_str().unwrap()).collect();
    let id = tourist_req["id"].as_i64().unwrap();
    // The completion's subject names the certificate, as its number reads on the certificate.
    let number = app.get(&format!("/api/v1/terminations/{id}/certificate"), Some(&t2)).await.ok()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        subjects,
        [format!("已收到解约申请 {id}"), format!("申请 {id} 已批准"), format!("合同已解除：证明 {number}")],
        "{li:?}"
    );
    let done = &li[2];
    let certificate = "https://simexit.mts.example/certificates/T2-2026-";
    assert!(done["text"].as_str().unwrap().contains(certificate), "the certificate's page: {done}");
    assert!(done["html"].as_str().unwrap().contains("<p>"), "{done}");
    assert!(li[0]["text"].as_str().unwrap().contains(" 23:59 MSK (Europe/Moscow)"), "a local deadline: {}", li[0]);
    assert!(done["text"].as_str().unwrap().contains(" MSK (Europe/Moscow)"), "the aging end with its time: {done}");
    assert_eq!(done["from"], "noreply@mts.example");
    assert!(done["message_id"].as_str().unwrap().starts_with("<outbox-"), "{done}");
    let anna = to("anna.ivanova@example.org");
    let rid = resident_req["id"].as_i64().unwrap();
    assert_eq!(anna.len(), 2, "{anna:?}");
    assert_eq!(anna[1]["subject"], format!("Заявка № {rid} отклонена"));
    assert!(anna[1]["text"].as_str().unwrap().contains("Причина: скан паспорта нечитаем"), "{}", anna[1]);
    let sent = outbox(&app, "?status=sent").await;
    assert_eq!(sent.iter().filter(|m| m["channel"] == "email").count(), got.len(), "each e-mail sent once");
}

#[tokio::test]
async fn messages_queued_while_the_smtp_server_is_down_arrive_exactly_once_when_it_is_back() {
    let Some(sink) = SmtpSink::start() else { return };
    let (port, before) = sink.stop();
    assert!(before.is_empty());
    let app = TestApp::configured(NOW, true, smtp_app(port)).await;
    let mut requests = Vec::new();
    for (who, operator) in [("resident@demo", "mts"), ("foreigner@demo", "beeline"), ("tourist@demo", "t2")] {
        let (_, _, req) = app.submitted(who, operator).await;
        requests.push(req);
    }
    app.advance_days(0).await;
    let waiting = outbox(&app, "?status=pending").await;
    assert_eq!(waiting.iter().filter(|m| m["channel"] == "email").count(), 3, "{waiting:?}");

    let sink = SmtpSink::on(port).unwrap();
    for _ in 0..3 {
        app.advance_days(1).await; // past any backoff, several worker rounds
    }
    let got = sink.received();
    let mut ids: Vec<&str> = got.iter().map(|m| m["message_id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    println!(
        "outage test: {} e-mails queued while the server was down, {} received, {} distinct",
        3,
        got.len(),
        ids.len()
    );
    assert_eq!((got.len(), ids.len()), (3, 3), "{got:?}");
    assert!(outbox(&app, "?status=pending").await.iter().all(|m| m["channel"] != "email"));
}

#[tokio::test]
async fn e_mail_goes_over_starttls_with_authentication_trusting_a_private_ca() {
    let Some(plain) = SmtpSink::start() else { return };
    plain.stop();
    let sink = SmtpSink::fresh(true).unwrap();
    let port = sink.port;
    let ca = sink.dir.path().join("ca.pem").display().to_string();
    let secured = |password: &'static str| {
        let ca = ca.clone();
        move |c: &mut simexit_server::Config| {
            smtp_app(port)(c);
            c.notifications.smtp_tls = "starttls".into();
            c.notifications.smtp_ca_file = ca;
            c.notifications.smtp_username = "simexit".into();
            c.notifications.smtp_password = simexit_server::config::Secret(password.into());
        }
    };
    let app = TestApp::configured(NOW, true, secured("secret")).await;
    let (_, _, req) = app.submitted("foreigner@demo", "beeline").await;
    app.advance_days(0).await;
    let got = sink.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0]["tls"].as_bool(), got[0]["login"].as_str()), (Some(true), Some("simexit")));
    assert_eq!(got[0]["subject"], format!("Termination request {} received", req["id"]));

    let wrong = TestApp::configured(NOW, true, secured("wrong")).await;
    let (_, _, req) = wrong.submitted("foreigner@demo", "beeline").await;
    wrong.advance_days(0).await;
    let m = of_request(&outbox(&wrong, "").await, &req).into_iter().find(|m| m["channel"] == "email").cloned().unwrap();
    assert_ne!(m["status"], "sent", "{m}");
    assert!(m["last_error"].as_str().unwrap().to_lowercase().contains("auth"), "{m}");
    assert_eq!(sink.received().len(), 1, "nothing sent without authentication");
}

/// Sign-in by SMS code end to end: the code travels over SMPP to an SMSC we did not write,
/// is read there, and opens the subscriber's session.
#[tokio::test]
async fn a_sign_in_code_goes_over_smpp_and_the_code_read_at_the_smsc_signs_in() {
    let Some(smsc) = smsc::Smsc::start(&[]) else { return };
    let port = smsc.port;
    let app = TestApp::configured(NOW, true, move |c| {
        c.notifications.sms = "smpp".into();
        c.notifications.smpp_port = port;
        c.notifications.smpp_timeout_secs = 2;
    })
    .await;
    let resident = app.login("resident@demo").await;
    let msisdn = app.line_of(&resident, "mts").await["msisdn"].as_str().unwrap().to_owned();
    let r = app.post("/api/v1/auth/sms-code", None, json!({ "msisdn": msisdn })).await;
    assert_eq!(r.status, 202);
    app.advance_days(0).await; // the dispatcher's round
    assert!(smsc.wait_for("submit", 1).iter().all(|s| s["destination_addr"] == msisdn[1..]), "to the line's number");
    let text = smsc.wait_for("message", 1)[0]["text"].as_str().unwrap().to_owned();
    let code: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
    println!("the SMSC received: {}", text.replace(&code, "******"));
    assert!(text.contains(&code) && code.len() == 6, "{text}");
    let token =
        app.post("/api/v1/auth/sms-code/verify", None, json!({ "msisdn": msisdn, "code": code })).await.ok()["token"]
            .as_str()
            .unwrap()
            .to_owned();
    app.get("/api/v1/me/lines", Some(&token)).await.ok();
}

/// The SMPP settings an operator gives in the environment reach the SMSC as written: a
/// sender number with its `+`, a password that looks like a hexadecimal number.
#[tokio::test]
async fn smpp_settings_from_the_environment_reach_the_smsc_as_written() {
    let Some(smsc) = smsc::Smsc::start(&[]) else { return };
    let env = [
        ("SIMEXIT_NOTIFICATIONS__SMS", "smpp".to_owned()),
        ("SIMEXIT_NOTIFICATIONS__SMPP_PORT", smsc.port.to_string()),
        ("SIMEXIT_NOTIFICATIONS__SMPP_SOURCE_ADDR", "+79001234567".to_owned()),
        ("SIMEXIT_NOTIFICATIONS__SMPP_PASSWORD", "0x1F".to_owned()),
        ("SIMEXIT_NOTIFICATIONS__SMPP_RATE_PER_SECOND", "0".to_owned()),
    ];
    let config =
        simexit_server::Config::load(None, env.iter().map(|(k, v)| ((*k).to_owned(), v.clone())), &[]).unwrap();
    let notifier = simexit_server::app::notifier(&config.notifications, "http://127.0.0.1").unwrap();
    let sent = tokio::task::spawn_blocking(move || {
        notifier.sms.send(&simexit_service::notifications::Outgoing {
            id: 1,
            to: "+79161234567".into(),
            rendered: simexit_domain::notify::Rendered::Sms { text: "Заявка принята".into() },
            secret: false,
        })
    })
    .await
    .unwrap();
    assert!(sent.is_ok(), "{sent:?}");
    let bind = &smsc.wait_for("bind", 1)[0];
    let submit = &smsc.wait_for("submit", 1)[0];
    println!("the SMSC saw password {} and source_addr {}", bind["password"], submit["source_addr"]);
    assert_eq!(bind["password"], "0x1F", "the password binds as written, not as 31");
    assert_eq!(submit["source_addr"], "+79001234567", "the sender keeps its plus");
    assert_eq!(submit["source_addr_ton"], 1, "a number goes as international");
    // A field past SMPP's limits is refused at start, naming the key.
    let long = [("SIMEXIT_NOTIFICATIONS__SMS", "smpp"), ("SIMEXIT_NOTIFICATIONS__SMPP_PASSWORD", "123456789")];
    let config =
        simexit_server::Config::load(None, long.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())), &[]).unwrap();
    let refused = simexit_server::app::notifier(&config.notifications, "http://127.0.0.1").err().unwrap();
    assert!(refused.to_string().contains("notifications.smpp_password"), "{refused}");
}

#[path = "../../../notify/tests/channels/smsc.rs"]
#[allow(dead_code, reason = "shared with the notify crate's tests, which use all of it")]
mod smsc;

#[tokio::test]
async fn sms_go_to_a_real_smpp_peer_and_receipts_mark_them_delivered() {
    let Some(smsc) = smsc::Smsc::start(&[]) else { return };
    let port = smsc.port;
    let app = TestApp::configured(NOW, true, move |c| {
        c.notifications.sms = "smpp".into();
        c.notifications.smpp_port = port;
        c.notifications.smpp_source_addr = "T2".into();
        c.notifications.smpp_timeout_secs = 2;
    })
    .await;
    app.advance_days(1).await;
    let t2 = app.login("reviewer.t2@demo").await;
    let (_, line, req) = app.submitted("tourist@demo", "t2").await;
    let n = line["msisdn"].as_str().unwrap();
    let masked = format!("+7 {} ***-**-{}", &n[2..5], &n[n.len() - 2..]);
    app.act(&t2, &req["id"], "reject", Some("护照扫描件不清晰")).await.ok();
    app.advance_days(0).await;
    let submits: Vec<String> = smsc
        .wait_for("submit", 2)
        .iter()
        .map(|sm| {
            assert_eq!((sm["data_coding"].as_u64(), sm["destination_addr"].as_str()), (Some(8), Some("79771234567")));
            assert_eq!(sm["source_addr"], "T2");
            sm["text"].as_str().unwrap().to_owned()
        })
        .collect();
    let id = req["id"].as_i64().unwrap();
    assert_eq!(
        submits,
        [
            format!("已收到号码 {masked} 的解约申请 {id}，将于 2026-03-04 23:59 MSK 前答复。"),
            format!("申请 {id} 被拒绝：护照扫描件不清晰。")
        ]
    );
    // Receipts arrive on the link after the answers; the next round records them.
    let mut delivered = 0;
    for _ in 0..50 {
        app.advance_days(0).await;
        let sent = of_request(&outbox(&app, "").await, &req)
            .into_iter()
            .filter(|m| m["channel"] == "sms")
            .cloned()
            .collect::<Vec<_>>();
        delivered = sent.iter().filter(|m| m["delivery"] == "DELIVRD").count();
        if delivered == 2 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(delivered, 2, "both SMS have their delivery receipt");
}

#[test]
fn operators_override_templates_from_a_folder_without_a_rebuild() {
    use simexit_domain::Language;
    use simexit_domain::notify::Rendered;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ru.toml"),
        "[request_rejected]\nsms = \"МТС: заявка {request_id} отклонена ({reason})\"\n",
    )
    .unwrap();
    let mut c = simexit_server::Config::default();
    c.notifications.templates_dir = dir.path().display().to_string();
    let notifier = simexit_server::app::notifier(&c.notifications, &c.server.public_url).unwrap();
    let values = [("request_id", "5"), ("reason", "нет скана")].map(|(k, v)| (k.to_owned(), v.to_owned())).into();
    let sms = notifier.templates.render("request_rejected", "sms", Language::Ru, Language::Ru, &values).unwrap();
    assert_eq!(sms, Rendered::Sms { text: "МТС: заявка 5 отклонена (нет скана)".into() });
    let email = notifier.templates.render("request_rejected", "email", Language::Ru, Language::Ru, &values).unwrap();
    assert!(matches!(email, Rendered::Email { subject, .. } if subject == "Заявка № 5 отклонена"), "the rest stays");

    std::fs::write(dir.path().join("en.toml"), "[request_lost]\nsms = \"x\"\n").unwrap();
    let err = simexit_server::app::notifier(&c.notifications, &c.server.public_url).err().unwrap().to_string();
    assert!(err.contains("en.toml: `request_lost` is not an event"), "{err}");
}

/// A subscriber whose contact phone is the very line being cancelled hears of the steps by SMS
/// there until completion; from completion on, only by e-mail.
#[tokio::test]
async fn after_completion_no_message_goes_to_the_number_just_terminated() {
    let app = TestApp::at(NOW).await;
    let service = app.service.clone();
    tokio::task::spawn_blocking(move || {
        use simexit_service::imports::{ImportKind, parse_rows};
        for (kind, text) in [
            (
                ImportKind::Subscribers,
                "external_id,category,full_name,email,contact_phone\nS-9,resident,Ольга,olga@example.ru,+79160009999\n",
            ),
            (
                ImportKind::Lines,
                "external_id,subscriber_external_id,operator,msisdn,opened_at\nL-9,S-9,mts,+79160009999,2024-01-01\n",
            ),
        ] {
            let rows = parse_rows(kind, text).unwrap();
            service.import_rows(&rows, "t.csv", false, "test", &|_, _| {}).unwrap();
        }
    })
    .await
    .unwrap();
    let clerk = app.login("clerk.mts@demo").await;
    let reviewer = app.login("reviewer@demo").await;
    let number = app.number(&reviewer, &json!("+79160009999")).await;
    let req =
        app.post("/api/v1/terminations", Some(&clerk), json!({ "line_id": number["line_id"], "channel": "store" }));
    let req = req.await.ok();
    app.upload_required(&clerk, &req).await;
    app.act(&clerk, &req["id"], "submit", None).await.ok();
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    let all = outbox(&app, "").await;
    let sent: Vec<(&str, &str, &str)> = of_request(&all, &req)
        .iter()
        .map(|m| (m["template"].as_str().unwrap(), m["channel"].as_str().unwrap(), m["recipient"].as_str().unwrap()))
        .collect();
    assert_eq!(
        sent,
        [
            ("request_submitted", "email", "olga@example.ru"),
            ("request_submitted", "sms", "+79160009999"),
            ("request_approved", "email", "olga@example.ru"),
            ("request_approved", "sms", "+79160009999"),
            ("request_completed", "email", "olga@example.ru"),
        ]
    );
}

/// Where the operator's policy allows no revocation, nothing promises one: the completion
/// message is the final one, no reminder to revoke is scheduled, the request page offers none.
#[tokio::test]
async fn where_revocation_is_not_allowed_no_message_or_page_offers_it() {
    let app = TestApp::with_policy(NOW, "revocation_allowed = true", "revocation_allowed = false").await;
    let reviewer = app.login("reviewer@demo").await;
    let (resident, _, req) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    app.advance_days(29).await; // past where a reminder would have gone, within the aging
    let all = outbox(&app, "").await;
    let templates: Vec<&str> = of_request(&all, &req).iter().map(|m| m["template"].as_str().unwrap()).collect();
    assert!(templates.contains(&"request_completed_final"), "{templates:?}");
    assert!(!templates.iter().any(|t| *t == "request_completed" || *t == "aging_reminder"), "{templates:?}");
    app.act(&resident, &req["id"], "revoke", None).await.problem(422, "revocation_not_allowed");

    let mut b = crate::pages::Browser::sign_in(&app, "resident@demo").await;
    let (_, page, _) = b.get(&format!("/my/requests/{}", req["id"])).await;
    assert!(
        !page.contains("/act/revoke") && !page.contains("change your mind") && !page.contains("передумать"),
        "{page}"
    );
}
