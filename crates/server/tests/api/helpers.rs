//! `TestApp`: one helper per endpoint family, a fresh database per test.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use simexit_server::{App, Config};
use simexit_service::{ManualClock, Service};

/// A PostgreSQL schema made for one test, dropped with it.
pub struct PgSchema {
    url: String,
    name: String,
}

impl PgSchema {
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let (url, name) = (self.url.clone(), self.name.clone());
        // The sync client must not run on the async runtime's thread.
        let _ = std::thread::spawn(move || {
            if let Ok(mut c) = postgres::Client::connect(&url, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
            }
        })
        .join();
    }
}

/// With `SIMEXIT_TEST_BACKEND=postgres`, every test runs on a fresh schema of the database at
/// `SIMEXIT_TEST_POSTGRES_URL`; otherwise on a fresh SQLite file.
async fn backend(config: &mut Config) -> Option<Arc<PgSchema>> {
    if std::env::var("SIMEXIT_TEST_BACKEND").ok().as_deref() != Some("postgres") {
        return None;
    }
    let url = std::env::var("SIMEXIT_TEST_POSTGRES_URL")
        .expect("SIMEXIT_TEST_BACKEND=postgres needs SIMEXIT_TEST_POSTGRES_URL");
    Some(pg_schema(config, &url, "").await)
}

/// A fresh schema at `url`, set as `config`'s database with `params` added to the URL.
async fn pg_schema(config: &mut Config, url: &str, params: &str) -> Arc<PgSchema> {
    let url = url.to_owned();
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    let name = format!("api_{}", hex::encode(bytes));
    let (u, n) = (url.clone(), name.clone());
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&u, postgres::NoTls).unwrap();
        c.batch_execute(&format!("CREATE SCHEMA {n}")).unwrap();
    })
    .await
    .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let extra = if params.is_empty() { String::new() } else { format!("&{params}") };
    config.database.url =
        Some(simexit_server::config::Secret(format!("{url}{sep}options=-c%20search_path%3D{name}{extra}")));
    Arc::new(PgSchema { url, name })
}

pub struct TestApp {
    pub pg: Option<Arc<PgSchema>>,
    pub base: String,
    pub client: reqwest::Client,
    pub service: Service,
    pub dir: Arc<tempfile::TempDir>,
    /// The server's clock, to move it without a request (`advance_days` goes through the API).
    pub clock: Arc<ManualClock>,
    database_url: Option<simexit_server::config::Secret>,
    server: tokio::task::JoinHandle<()>,
}

/// A response: status and JSON body (or `Null`), plus the content type.
pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
    pub retry_after: Option<u64>,
}

impl Resp {
    pub fn ok(self) -> Value {
        assert!(self.status.is_success(), "expected success, got {} {}", self.status, self.body);
        self.body
    }

    /// Asserts a problem document with this status and code.
    pub fn problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.content_type, "application/problem+json", "{}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

/// Sends a request and reads its status, content type and JSON body.
async fn read(req: reqwest::RequestBuilder) -> Resp {
    let res = req.send().await.unwrap();
    let status = res.status();
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let body = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap_or(Value::Null);
    Resp { status, body, content_type, retry_after }
}

pub fn config(dir: &std::path::Path, dev_clock: bool) -> Config {
    let mut c = Config::default();
    c.server.listen = "127.0.0.1:0".parse().unwrap();
    c.server.demo = true;
    c.server.dev_clock = dev_clock;
    c.database.data_dir = dir.to_owned();
    c.database.durability = "normal".into();
    c.worker.enabled = false;
    c.payments.demo_secret = simexit_server::config::Secret(DEMO_SECRET.into());
    c
}

/// The demo payment provider's signing key in tests: what a forger would need.
pub const DEMO_SECRET: &str = "test-demo-provider-secret";

/// A real JPEG (a small gradient, baseline, encoded by a JPEG encoder).
pub fn real_jpeg() -> Vec<u8> {
    let (w, h) = (64u16, 48u16);
    let pixels: Vec<u8> = (0..h).flat_map(|y| (0..w).flat_map(move |x| [(x * 4) as u8, (y * 5) as u8, 200])).collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85).encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

/// A real one-page PDF with a correct cross-reference table.
pub fn real_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length 43 >>\nstream\nBT /F1 12 Tf 20 50 Td (Passport scan) Tj ET\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    pdf
}

impl TestApp {
    /// A demo server whose clock stands at `now` (UTC RFC 3339) until advanced.
    pub async fn at(now: &str) -> TestApp {
        TestApp::build(now, true).await
    }

    pub async fn build(now: &str, dev_clock: bool) -> TestApp {
        TestApp::configured(now, dev_clock, |_| {}).await
    }

    /// A demo server whose demo policy file has its first `replace` replaced by `by`.
    pub async fn with_policy(now: &str, replace: &str, by: &str) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let demo =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/policies/demo.toml")).unwrap();
        assert!(demo.contains(replace), "fixture drifted: {replace}");
        let file = dir.path().join("policies.toml");
        std::fs::write(&file, demo.replacen(replace, by, 1)).unwrap();
        TestApp::configured(now, true, move |c| c.policies.file = Some(file)).await
    }

    /// A demo server with a configuration adjusted by `adjust`.
    pub async fn configured(now: &str, dev_clock: bool, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let mut cfg = config(dir.path(), dev_clock);
        adjust(&mut cfg);
        let pg = backend(&mut cfg).await;
        TestApp::with(cfg, dir, pg, now).await
    }

    /// A demo server on a fresh PostgreSQL schema whatever `SIMEXIT_TEST_BACKEND` says, its URL
    /// carrying `params` (`sslmode=require&…`); `None` without `SIMEXIT_TEST_POSTGRES_URL`.
    pub async fn on_postgres(now: &str, params: &str, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let url = std::env::var("SIMEXIT_TEST_POSTGRES_URL").ok()?;
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let mut cfg = config(dir.path(), true);
        adjust(&mut cfg);
        let pg = pg_schema(&mut cfg, &url, params).await;
        Some(TestApp::with(cfg, dir, Some(pg), now).await)
    }

    /// A new server over the same database (to test restarts).
    pub async fn restart(self, now: &str) -> TestApp {
        let (dir, pg) = (self.dir.clone(), self.pg.clone());
        let mut cfg = config(dir.path(), false);
        cfg.database.url = self.database_url.clone();
        self.server.abort();
        TestApp::with(cfg, dir, pg, now).await
    }

    async fn with(cfg: Config, dir: Arc<tempfile::TempDir>, pg: Option<Arc<PgSchema>>, now: &str) -> TestApp {
        let clock = Arc::new(ManualClock::fixed(now.parse().unwrap()));
        let database_url = cfg.database.url.clone();
        let app = App::build_with_clock(cfg, clock.clone()).await.unwrap();
        let base = format!("http://{}", app.local_addr().unwrap());
        let service = app.service().clone();
        // Lookups answer from the memory index at once (the server fills it in the
        // background; the tests do not wait for that).
        let s = service.clone();
        tokio::task::spawn_blocking(move || s.lookup_index.fill(s.store.as_ref())).await.unwrap().unwrap();
        let server = tokio::spawn(async move {
            app.run_until_stopped(std::future::pending()).await.unwrap();
        });
        TestApp { pg, database_url, base, client: reqwest::Client::new(), service, dir, clock, server }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        let mut req = self.client.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        read(req).await
    }

    pub async fn raw(&self, path: &str, token: Option<&str>, content_type: &str, body: &'static str) -> Resp {
        let mut req =
            self.client.post(format!("{}{}", self.base, path)).header("content-type", content_type).body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req).await
    }

    /// Uploads a file as the multipart form of `POST /api/v1/terminations/{id}/documents`.
    pub async fn upload(
        &self,
        request: &Value,
        token: &str,
        kind: &str,
        name: &str,
        declared: &str,
        bytes: Vec<u8>,
    ) -> Resp {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()).mime_str(declared).unwrap();
        let form = reqwest::multipart::Form::new().text("kind", kind.to_owned()).part("file", part);
        let req = self
            .client
            .post(format!("{}/api/v1/terminations/{request}/documents", self.base))
            .bearer_auth(token)
            .multipart(form);
        read(req).await
    }

    /// Sends the same POST `n` times at once, each from its own task.
    pub async fn post_concurrently(&self, n: usize, path: &str, token: &str, body: Value) -> Vec<Resp> {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..n {
            let req = self.client.post(format!("{}{}", self.base, path)).bearer_auth(token).json(&body);
            set.spawn(read(req));
        }
        set.join_all().await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(reqwest::Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.send(reqwest::Method::POST, path, token, Some(body)).await
    }

    /// Asserts that every account in the books sums to zero.
    /// Pays `amount` onto a line by card as its holder: the payment started through the API,
    /// then "pay" on the demo provider's card page, which sends the signed notification.
    /// Returns the payment as the API shows it afterwards.
    pub async fn pay_by_card(&self, token: &str, line_id: &Value, amount: i64) -> Value {
        let body = serde_json::json!({ "line_id": line_id, "amount": amount });
        let started = self.post("/api/v1/payments", Some(token), body).await;
        assert_eq!(started.status, 201, "{}", started.body);
        let url = started.body["confirmation_url"].as_str().unwrap();
        let page = &url[url.find("/demo-pay/").unwrap()..];
        let form = [("outcome", "pay"), ("card", "4242 4242 4242 4242")];
        let res = self.client.post(format!("{}{page}", self.base)).form(&form).send().await.unwrap();
        assert!(res.status().is_success(), "the card page answered {}", res.status());
        self.get(&format!("/api/v1/payments/{}", started.body["id"]), Some(token)).await.ok()
    }

    pub async fn assert_books_balance(&self) {
        let service = self.service.clone();
        let total = tokio::task::spawn_blocking(move || {
            use simexit_store::StoreExt;
            service.store.read(|tx| tx.ledger_total())
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(total, 0, "the ledger does not balance");
    }

    /// The last SMS code the outbox holds for a number: sealed at rest, opened as the sender
    /// opens it.
    pub async fn sms_code(&self, msisdn: &str) -> Option<String> {
        self.sms_code_of(msisdn, "password_reset_code").await
    }

    /// The code in the newest SMS of `template` queued to `msisdn`, unsealed as the sender does.
    pub async fn sms_code_of(&self, msisdn: &str, template: &str) -> Option<String> {
        let service = self.service.clone();
        let msisdn = msisdn.to_owned();
        let rows = tokio::task::spawn_blocking(move || {
            use simexit_store::StoreExt;
            service.store.read(|tx| tx.outbox(None, None, 1000))
        })
        .await
        .unwrap()
        .unwrap();
        rows.iter().filter(|m| m.recipient == msisdn && m.template == template).max_by_key(|m| m.id).map(|m| {
            let payload: Value = serde_json::from_str(&m.payload).unwrap();
            let sealed = payload["code"].as_str().unwrap();
            assert!(sealed.starts_with("sx1:"), "the code is sealed at rest: {sealed}");
            self.service.unseal(simexit_service::sealing::OUTBOX_CODE, sealed).unwrap()
        })
    }

    /// An access token of a new API client with these scopes, created by `admin` (a login).
    pub async fn client_token(&self, admin: &str, scopes: &[&str]) -> String {
        let admin = self.login(admin).await;
        let c =
            self.post("/api/v1/api-clients", Some(&admin), json!({ "name": "Client", "scopes": scopes })).await.ok();
        let res = self
            .client
            .post(format!("{}/api/v1/oauth/token", self.base))
            .basic_auth(c["client_id"].as_str().unwrap(), c["client_secret"].as_str())
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap();
        res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn login(&self, login: &str) -> String {
        let body = self.post("/api/v1/auth/login", None, json!({ "login": login, "password": "demo" })).await.ok();
        body["token"].as_str().unwrap().to_owned()
    }

    /// The id of the signed-in subscriber's first line at `operator`.
    pub async fn line_of(&self, token: &str, operator: &str) -> Value {
        let lines = self.get("/api/v1/me/lines", Some(token)).await.ok();
        lines.as_array().unwrap().iter().find(|l| l["operator"] == operator).unwrap().clone()
    }

    pub async fn create(&self, token: &str, line_id: &Value, channel: &str) -> Resp {
        self.post("/api/v1/terminations", Some(token), json!({ "line_id": line_id, "channel": channel })).await
    }

    pub async fn act(&self, token: &str, id: &Value, action: &str, reason: Option<&str>) -> Resp {
        let body = reason.map_or(json!({}), |r| json!({ "reason": r }));
        self.post(&format!("/api/v1/terminations/{id}/{action}"), Some(token), body).await
    }

    pub async fn request(&self, token: &str, id: &Value) -> Value {
        self.get(&format!("/api/v1/terminations/{id}"), Some(token)).await.ok()
    }

    pub async fn number(&self, token: &str, msisdn: &Value) -> Value {
        self.get(&format!("/api/v1/numbers/{}", msisdn.as_str().unwrap()), Some(token)).await.ok()
    }

    pub async fn advance_days(&self, days: u32) -> Value {
        self.post("/api/v1/dev/clock", None, json!({ "advance_days": days })).await.ok()
    }

    /// Files and submits an online request for the subscriber's first line at `operator`.
    pub async fn submitted(&self, subscriber: &str, operator: &str) -> (String, Value, Value) {
        let token = self.login(subscriber).await;
        let line = self.line_of(&token, operator).await;
        let req = self.create(&token, &line["id"], "online").await.ok();
        self.upload_required(&token, &req).await;
        let req = self.act(&token, &req["id"], "submit", None).await.ok();
        (token, line, req)
    }

    /// Uploads a scan of every document the request still lacks (its `documents_missing`).
    pub async fn upload_required(&self, token: &str, req: &Value) {
        let fresh = self.get(&format!("/api/v1/terminations/{}", req["id"]), Some(token)).await.ok();
        let missing: Vec<String> = fresh["blocking"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["code"] == "documents_missing")
            .flat_map(|b| b["documents"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()))
            .collect();
        for kind in missing {
            self.upload(&req["id"], token, &kind, &format!("{kind}.jpg"), "image/jpeg", real_jpeg()).await.ok();
        }
    }
}
