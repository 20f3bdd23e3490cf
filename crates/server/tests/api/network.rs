//! Network deprovisioning after completion, over a webhook to a small HTTP receiver that can
//! be told to fail a step for some numbers.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::helpers::TestApp;

const NOW: &str = "2026-03-02T09:00:00Z";

#[derive(Default)]
struct Receiver {
    /// (msisdn, step) pairs refused with 503.
    failing: Mutex<Vec<(String, String)>>,
    /// Every call, in order.
    calls: Mutex<Vec<Value>>,
}

fn receiver() -> (String, Arc<Receiver>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/network", listener.local_addr().unwrap());
    let state = Arc::new(Receiver::default());
    let shared = state.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let line = line.trim_end().to_lowercase();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let call: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let key = (
                call["msisdn"].as_str().unwrap_or_default().to_owned(),
                call["step"].as_str().unwrap_or_default().to_owned(),
            );
            shared.calls.lock().unwrap().push(call);
            let fail = shared.failing.lock().unwrap().contains(&key);
            let (status, text) = if fail { ("503 Unavailable", "HLR busy") } else { ("200 OK", "{}") };
            let mut stream = reader.into_inner();
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (url, state)
}

async fn number_state(app: &TestApp, token: &str, msisdn: &str) -> String {
    app.get(&format!("/api/v1/numbers/{msisdn}"), Some(token)).await.ok()["state"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_step_that_keeps_failing_raises_an_alert_and_keeps_the_number_out_of_the_pool_until_it_recovers() {
    let (url, hlr) = receiver();
    let app = TestApp::configured(NOW, true, move |c| {
        c.network.adapter = "webhook".into();
        c.network.webhook_url = url;
        c.network.timeout_secs = 5;
    })
    .await;
    let resident = app.login("resident@demo").await;
    let reviewer = app.login("reviewer@demo").await;
    let admin = app.login("admin@demo").await;
    let lines = app.get("/api/v1/me/lines", Some(&resident)).await.ok();
    let mts: Vec<Value> = lines.as_array().unwrap().iter().filter(|l| l["operator"] == "mts").cloned().collect();
    let (good, bad) = (mts[0]["msisdn"].as_str().unwrap().to_owned(), mts[1]["msisdn"].as_str().unwrap().to_owned());
    hlr.failing.lock().unwrap().push((bad.clone(), "detach".into()));
    let mut requests = Vec::new();
    for line in &mts[..2] {
        let req = app.create(&resident, &line["id"], "online").await.ok();
        app.upload_required(&resident, &req).await;
        app.act(&resident, &req["id"], "submit", None).await.ok();
        app.act(&reviewer, &req["id"], "approve", None).await.ok();
        app.act(&reviewer, &req["id"], "complete", None).await.ok();
        requests.push(req);
    }
    for _ in 0..4 {
        app.advance_days(1).await; // retries come due
    }
    let tasks = app.get(&format!("/api/v1/terminations/{}/network", requests[0]["id"]), Some(&resident)).await.ok();
    assert_eq!((tasks[0]["status"].as_str(), tasks[0]["done_steps"].as_i64()), (Some("done"), Some(3)), "{tasks}");
    let steps: Vec<String> = hlr
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c["msisdn"] == good.as_str())
        .map(|c| c["step"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(steps, ["bar", "detach", "delete"], "in order, each once");
    let alerts = app.get("/api/v1/network/alerts", Some(&admin)).await.ok();
    let alerts = alerts.as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!((alerts[0]["msisdn"].as_str(), alerts[0]["done_steps"].as_i64()), (Some(bad.as_str()), Some(1)));
    assert!(alerts[0]["last_error"].as_str().unwrap().starts_with("detach: "), "{}", alerts[0]);

    // Past the 30-day aging: the good number goes back to the pool, the one still in the
    // network stays frozen.
    app.advance_days(30).await;
    assert_eq!(number_state(&app, &admin, &good).await, "available");
    assert_eq!(number_state(&app, &admin, &bad).await, "aging");

    hlr.failing.lock().unwrap().clear();
    app.advance_days(1).await;
    app.advance_days(1).await;
    let tasks = app.get(&format!("/api/v1/terminations/{}/network", requests[1]["id"]), Some(&resident)).await.ok();
    assert_eq!(tasks[0]["status"], "done", "{tasks}");
    assert_eq!(number_state(&app, &admin, &bad).await, "available", "released once the network let go");
    assert!(app.get("/api/v1/network/alerts", Some(&admin)).await.ok().as_array().unwrap().is_empty());
    let keys: Vec<String> =
        hlr.calls.lock().unwrap().iter().map(|c| c["idempotency_key"].as_str().unwrap().to_owned()).collect();
    assert!(keys.iter().any(|k| k.ends_with("-deprovision-detach")), "{keys:?}");
}

#[tokio::test]
async fn a_revocation_undoes_the_network_steps_in_reverse_order() {
    let app = TestApp::at(NOW).await;
    let reviewer = app.login("reviewer@demo").await;
    let (resident, _, req) = app.submitted("resident@demo", "mts").await;
    app.act(&reviewer, &req["id"], "approve", None).await.ok();
    app.act(&reviewer, &req["id"], "complete", None).await.ok();
    app.advance_days(0).await;
    app.act(&resident, &req["id"], "revoke", None).await.ok();
    app.advance_days(0).await;
    let tasks = app.get(&format!("/api/v1/terminations/{}/network", req["id"]), Some(&resident)).await.ok();
    let summary: Vec<(&str, &str, Vec<&str>)> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let steps = t["steps"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
            (t["direction"].as_str().unwrap(), t["status"].as_str().unwrap(), steps)
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("deprovision", "done", vec!["bar", "detach", "delete"]),
            ("restore", "done", vec!["create", "attach", "unbar"])
        ]
    );
}
