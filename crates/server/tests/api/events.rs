//! Events out: a whole journey's webhooks reach a receiver that verifies them with the Python
//! `standardwebhooks` package and parses them with the `cloudevents` package, in order per
//! resource, through a receiver that is down at first.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::TestApp;

const NOW: &str = "2026-11-26T09:00:00Z";

/// `tests/peers/webhook_receiver.py` on `port`; `None` (a skip) when its packages are missing
/// and `SIMEXIT_TEST_WEBHOOKS` is not set (CI sets it, so there a missing package fails).
pub struct Receiver {
    child: Child,
    pub file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Receiver {
    pub fn start(port: u16, secret: &str, fail_first: u32) -> Option<Receiver> {
        let have = Command::new("python3")
            .args(["-c", "import standardwebhooks, cloudevents"])
            .status()
            .is_ok_and(|s| s.success());
        if !have {
            assert!(
                std::env::var_os("SIMEXIT_TEST_WEBHOOKS").is_none(),
                "SIMEXIT_TEST_WEBHOOKS is set but standardwebhooks or cloudevents is missing"
            );
            eprintln!("skipped: pip install standardwebhooks cloudevents");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("received.jsonl");
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/webhook_receiver.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(secret)
            .arg(&file)
            .args(["--fail-first", &fail_first.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut ready = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut ready).unwrap();
        assert_eq!(ready.trim(), "ready", "the receiver did not start");
        Some(Receiver { child, file, _dir: dir })
    }

    pub fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn run_webhooks(app: &TestApp) -> usize {
    let service = app.service.clone();
    tokio::task::spawn_blocking(move || service.run_webhooks()).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_journeys_events_reach_a_standard_webhooks_receiver_in_order_per_resource() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin@demo").await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/simexit");
    let body = json!({ "url": url, "events": "termination.*,line.*,number.*,refund.*" });
    let created = app.post("/api/v1/webhooks", Some(&admin), body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let (id, secret) = (created.body["id"].clone(), created.body["secret"].as_str().unwrap().to_owned());
    assert!(secret.starts_with("whsec_"));
    let listed = app.get("/api/v1/webhooks", Some(&admin)).await.ok();
    assert!(listed[0].get("secret").is_none(), "the secret is shown once: {listed}");
    // The receiver is down for its first two deliveries.
    let Some(receiver) = Receiver::start(port, &secret, 2) else { return };

    // Two journeys side by side: the resident's MTS line to its release, the foreigner's
    // Beeline request rejected.
    let reviewer = app.login("reviewer@demo").await;
    let (_, _, mts) = app.submitted("resident@demo", "mts").await;
    let beeline_reviewer = app.login("reviewer.beeline@demo").await;
    let (_, _, beeline) = app.submitted("foreigner@demo", "beeline").await;
    app.act(&reviewer, &mts["id"], "approve", None).await.ok();
    app.act(&beeline_reviewer, &beeline["id"], "reject", Some("the passport scan is unreadable")).await.ok();
    app.act(&reviewer, &mts["id"], "complete", None).await.ok();

    // Delivered by the worker: the first attempts meet a receiver that is down.
    run_webhooks(&app).await;
    let log = app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&admin)).await.ok();
    assert!(log.as_array().unwrap().iter().any(|d| d["status"] == "pending" && d["attempts"] == 1), "{log}");
    app.advance_days(40).await; // past every backoff, and past the MTS number's aging
    for _ in 0..10 {
        if run_webhooks(&app).await == 0 {
            break;
        }
    }

    let got = receiver.received();
    assert!(got.iter().all(|e| e.get("rejected").is_none()), "every delivery verified: {got:?}");
    let of = |subject: String| -> Vec<String> {
        got.iter()
            .filter(|e| e["subject"] == subject.as_str())
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        of(format!("termination_request/{}", mts["id"])),
        [
            "ru.simexit.termination.submitted",
            "ru.simexit.termination.approved",
            "ru.simexit.termination.completed",
            "ru.simexit.termination.closed"
        ],
        "one request's events in order: {got:?}"
    );
    assert_eq!(
        of(format!("termination_request/{}", beeline["id"])),
        ["ru.simexit.termination.submitted", "ru.simexit.termination.rejected"]
    );
    assert_eq!(of(format!("line/{}", mts["line_id"])), ["ru.simexit.line.terminated"]);
    assert_eq!(of(format!("number/{}", mts["msisdn"].as_str().unwrap())), ["ru.simexit.number.released"]);
    let completed = got.iter().find(|e| e["type"] == "ru.simexit.termination.completed").unwrap();
    assert_eq!(completed["data"]["id"], mts["id"]);
    assert_eq!(completed["data"]["state"], "completed");
    assert_eq!(completed["data"]["operator"], "mts");
    assert_eq!(completed["content_type"], "application/cloudevents+json");
    assert_eq!(completed["webhook_id"], completed["id"], "the CloudEvents id is the webhook-id");
    let ids: std::collections::BTreeSet<&str> = got.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), got.len(), "each event once");

    // The log shows each delivered, the first ones after a retry.
    let log = app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&admin)).await.ok();
    let log = log.as_array().unwrap();
    assert!(log.iter().all(|d| d["status"] == "delivered"), "{log:?}");
    assert_eq!(log.iter().filter(|d| d["attempts"] == 2).count(), 2, "two deliveries met the receiver down");
}

#[tokio::test]
async fn subscriptions_are_managed_by_admins_and_a_parked_delivery_is_resent() {
    let app = TestApp::at(NOW).await;
    let admin = app.login("admin@demo").await;
    let create = |url: &str, events: &str| json!({ "url": url, "events": events });
    app.post("/api/v1/webhooks", Some(&admin), create("ftp://x.example/", "*")).await.problem(422, "invalid_url");
    app.post("/api/v1/webhooks", Some(&admin), create("https://x.example/", "termination.exploded"))
        .await
        .problem(422, "invalid_events");
    let reviewer = app.login("reviewer@demo").await;
    app.post("/api/v1/webhooks", Some(&reviewer), create("https://x.example/", "*")).await.problem(403, "forbidden");

    // Nobody listens here: every attempt fails until the delivery is parked.
    let port = free_port();
    let w = app
        .post("/api/v1/webhooks", Some(&admin), create(&format!("http://127.0.0.1:{port}/"), "termination.*"))
        .await
        .ok();
    let beeline_admin = app.login("admin.beeline@demo").await;
    let theirs = app.get("/api/v1/webhooks", Some(&beeline_admin)).await.ok();
    assert_eq!(theirs, json!([]), "another operator's admin sees only their own");
    app.post(&format!("/api/v1/webhooks/{}/disable", w["id"]), Some(&beeline_admin), json!({}))
        .await
        .problem(404, "not_found");

    app.submitted("resident@demo", "mts").await;
    for _ in 0..simexit_service::webhooks::MAX_ATTEMPTS {
        run_webhooks(&app).await;
        app.advance_days(1).await;
    }
    let log = app.get(&format!("/api/v1/webhooks/{}/deliveries", w["id"]), Some(&admin)).await.ok();
    let parked = log[0].clone();
    assert_eq!((parked["status"].as_str(), parked["attempts"].as_i64()), (Some("parked"), Some(8)), "{log}");
    assert!(parked["last_error"].as_str().unwrap().contains("webhook"), "{parked}");

    // The receiver comes up; an admin resends; it arrives.
    let rotated = app.post(&format!("/api/v1/webhooks/{}/rotate-secret", w["id"]), Some(&admin), json!({})).await.ok();
    let secret = rotated["secret"].as_str().unwrap();
    assert_ne!(secret, w["secret"].as_str().unwrap());
    let Some(receiver) = Receiver::start(port, secret, 0) else { return };
    let path = format!("/api/v1/webhook-deliveries/{}/resend", parked["id"]);
    app.post(&path, Some(&admin), json!({})).await.ok();
    app.post(&path, Some(&admin), json!({})).await.problem(409, "delivery_not_parked");
    run_webhooks(&app).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["type"], "ru.simexit.termination.submitted", "verified with the new secret: {got:?}");

    // Disabled, nothing more is sent; deleted, it is gone.
    app.post(&format!("/api/v1/webhooks/{}/disable", w["id"]), Some(&admin), json!({})).await.ok();
    app.submitted("resident@demo", "beeline").await;
    run_webhooks(&app).await;
    assert_eq!(receiver.received().len(), 1);
    let res = app.send(reqwest::Method::DELETE, &format!("/api/v1/webhooks/{}", w["id"]), Some(&admin), None).await;
    assert_eq!(res.status, 204);
    app.get(&format!("/api/v1/webhooks/{}/deliveries", w["id"]), Some(&admin)).await.problem(404, "not_found");
}
