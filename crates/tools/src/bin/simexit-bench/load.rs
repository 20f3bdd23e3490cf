//! `simexit-bench load --seconds 60 --connections 16`: a sustained mixed load on one server
//! (SQLite, demo data, the job worker running) from clients in the same process. Each client
//! repeats a subscriber's and a reviewer's day: list lines, file a request, upload its
//! documents, submit, read it, approve, complete, read the final bill, open the status page
//! and the store directory, and a relying party's lookup. It reports requests per second and
//! p50/p99 latency per endpoint, the same concurrency on `GET /healthz` as the raw baseline,
//! the process's resident memory sampled through the run (start, end, and the trend of the
//! second half, which must be flat), and the days completed per second minute by minute
//! (which must be flat too: no day may cost more because others came before it).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};
use tokio::sync::Mutex;

pub struct Args {
    pub seconds: u64,
    pub connections: usize,
}

/// One figure of the load: (endpoint, requests per second, p50 ms, p99 ms, errors).
pub type Row = (String, f64, f64, f64, u64);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Anonymous resident memory (the heap and stacks), in KiB: the database file that SQLite maps
/// grows with the data and is not a leak, so file-backed pages are left out.
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("RssAnon:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Latencies in logarithmic buckets (about 2% wide, from 10 µs to 100 s): the client's memory
/// stays flat however long the run, so the memory trend measured is the server's.
#[derive(Clone)]
struct Histogram {
    counts: Vec<u64>,
    total: u64,
    errors: u64,
}

const BUCKETS_PER_DECADE: f64 = 100.0;

impl Default for Histogram {
    fn default() -> Self {
        Histogram { counts: vec![0; 7 * BUCKETS_PER_DECADE as usize + 1], total: 0, errors: 0 }
    }
}

impl Histogram {
    fn record(&mut self, d: Duration) {
        let us = (d.as_secs_f64() * 1e6).max(10.0);
        let i = ((us.log10() - 1.0) * BUCKETS_PER_DECADE) as usize;
        let last = self.counts.len() - 1;
        self.counts[i.min(last)] += 1;
        self.total += 1;
    }

    /// The latency below which a share `q` of the requests fell, in milliseconds.
    fn quantile(&self, q: f64) -> f64 {
        let target = (self.total as f64 * q).ceil() as u64;
        let mut seen = 0;
        for (i, n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= target.max(1) {
                return 10f64.powf(1.0 + (i as f64 + 1.0) / BUCKETS_PER_DECADE) / 1_000.0;
            }
        }
        0.0
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
    timings: Mutex<BTreeMap<&'static str, Histogram>>,
    /// Days completed in each period of the run (see [`Outcome::period`]).
    days: std::sync::Mutex<Vec<u64>>,
    /// The server's clock: a calendar day passes each time every client has had
    /// [`DAYS_PER_CALENDAR_DAY`] days, so a line's month holds a bounded number of movements,
    /// not the whole run's.
    clock: Arc<simexit_service::ManualClock>,
    completed: std::sync::atomic::AtomicU64,
}

/// What a run measured.
pub struct Outcome {
    pub rows: Vec<Row>,
    pub healthz: f64,
    /// Anonymous memory at the start and the end (KiB), and the second half's trend (KiB/min).
    pub memory: (u64, u64, f64),
    /// The length of each period of `days_per_second`: a minute on runs of two minutes or more.
    pub period: u64,
    /// Days completed per second in each whole period of the run, in order.
    pub days_per_second: Vec<f64>,
}

impl Client {
    async fn timed(&self, name: &'static str, r: reqwest::RequestBuilder) -> Option<Value> {
        let started = Instant::now();
        let resp = r.send().await.ok();
        let (ok, body) = match resp {
            Some(r) => {
                let ok = r.status().is_success();
                let bytes = r.bytes().await.unwrap_or_default();
                (ok, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
            }
            None => (false, Value::Null),
        };
        if !ok && std::env::var_os("SIMEXIT_BENCH_DEBUG").is_some() {
            eprintln!("{name}: {body}");
        }
        let mut t = self.timings.lock().await;
        let e = t.entry(name).or_default();
        e.record(started.elapsed());
        e.errors += u64::from(!ok);
        ok.then_some(body)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Lines each client takes turns on. A real line is cancelled a handful of times, not
/// thousands: with one line per client, each line's month of movements (all of them, the clock
/// being real) reached thousands of items, and its final bill with them.
const LINES_PER_WORKER: usize = 30;

/// Days each client has per calendar day of the server's clock: about 300 calendar days pass
/// in four minutes (the production calendar must know them), and each line has a day every
/// two calendar days or so.
const DAYS_PER_CALENDAR_DAY: u64 = 16;

/// One day on one of the worker's lines: its request goes all the way to completion and is
/// then revoked, so the line serves again later (the number pool is not drained).
async fn day(c: &Client, line: &Value, resident: &str, reviewer: &str, bank: &str) -> Option<()> {
    let h = &c.http;
    // The day the line was opened, in Moscow (its operator's zone): within its history.
    let opened: jiff::Timestamp = line["opened_at"].as_str()?.parse().ok()?;
    let day = opened.to_zoned(jiff::tz::TimeZone::get("Europe/Moscow").ok()?).date().to_string();
    let check = json!({ "phoneNumber": line["msisdn"], "specifiedDate": day });
    c.timed(
        "POST /number-recycling/v0.2/check",
        h.post(c.url("/number-recycling/v0.2/check")).bearer_auth(bank).json(&check),
    )
    .await?;
    let line = line["id"].as_i64()?;
    c.timed("GET /api/v1/me/lines", h.get(c.url("/api/v1/me/lines")).bearer_auth(resident)).await?;
    let body = json!({ "line_id": line, "channel": "online" });
    let r = c
        .timed("POST /api/v1/terminations", h.post(c.url("/api/v1/terminations")).bearer_auth(resident).json(&body))
        .await?;
    let id = r["id"].as_i64()?;
    for kind in ["passport", "address_proof"] {
        let form = reqwest::multipart::Form::new()
            .text("kind", kind)
            .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("scan.pdf"));
        let url = c.url(&format!("/api/v1/terminations/{id}/documents"));
        c.timed("POST /api/v1/terminations/{id}/documents", h.post(url).bearer_auth(resident).multipart(form)).await?;
    }
    for (action, token, name) in [
        ("submit", resident, "POST /api/v1/terminations/{id}/submit"),
        ("approve", reviewer, "POST /api/v1/terminations/{id}/approve"),
        ("complete", reviewer, "POST /api/v1/terminations/{id}/complete"),
    ] {
        let url = c.url(&format!("/api/v1/terminations/{id}/{action}"));
        c.timed(name, h.post(url).bearer_auth(token).json(&json!({}))).await?;
    }
    c.timed("GET /api/v1/terminations/{id}", h.get(c.url(&format!("/api/v1/terminations/{id}"))).bearer_auth(resident))
        .await?;
    let bill = c.url(&format!("/api/v1/terminations/{id}/final-bill"));
    c.timed("GET /api/v1/terminations/{id}/final-bill", h.get(bill).bearer_auth(resident)).await?;
    c.timed("GET /stores (page)", h.get(c.url("/stores")).header("accept-language", "zh")).await?;
    let revoke = c.url(&format!("/api/v1/terminations/{id}/revoke"));
    c.timed("POST /api/v1/terminations/{id}/revoke", h.post(revoke).bearer_auth(resident).json(&json!({}))).await?;
    Some(())
}

pub async fn run(args: &Args) -> anyhow::Result<Outcome> {
    let dir = tempfile::tempdir()?;
    let mut config = simexit_server::Config::default();
    config.server.listen = "127.0.0.1:0".parse()?;
    config.server.demo = true;
    config.database.data_dir = dir.path().join("data");
    config.log.filter = "error".into();
    config.notifications.max_attempts = 1;
    // Years pass on the server's clock in a run: sign-ins must outlast them.
    config.auth.session_minutes = 20 * 365 * 24 * 60;
    config.auth.client_token_minutes = 20 * 365 * 24 * 60;
    let clock = Arc::new(simexit_service::ManualClock::system());
    let app = simexit_server::App::build_with_clock(config, clock.clone()).await?;
    let base = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.connections).build()?;
    let login = |who: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let v: Value = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({ "login": who, "password": "demo" }))
                .send()
                .await?
                .json()
                .await?;
            anyhow::Ok(v["token"].as_str().context("no token")?.to_owned())
        }
    };
    let admin = login("admin@demo").await?;
    let client: Value = http
        .post(format!("{base}/api/v1/api-clients"))
        .bearer_auth(&admin)
        .json(&json!({ "name": "Load Bank", "scopes": ["number-recycling:check"] }))
        .send()
        .await?
        .json()
        .await?;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client["client_id"].as_str().context("client id")?),
        ("client_secret", client["client_secret"].as_str().context("secret")?),
    ];
    let token: Value = http.post(format!("{base}/api/v1/oauth/token")).form(&form).send().await?.json().await?;
    let tokens = Arc::new([
        login("clerk.mts@demo").await?,
        login("resident@demo").await?,
        login("reviewer@demo").await?,
        token["access_token"].as_str().context("access token")?.to_owned(),
    ]);

    // The raw baseline: the same server and concurrency on /healthz.
    let health_until = Instant::now() + Duration::from_secs(args.seconds.clamp(2, 10));
    let mut health = Vec::new();
    for _ in 0..args.connections {
        let (http, base) = (http.clone(), base.clone());
        health.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < health_until {
                if http.get(format!("{base}/healthz")).send().await.is_ok() {
                    n += 1;
                }
            }
            n
        }));
    }
    let mut healthz = 0;
    for h in health {
        healthz += h.await?;
    }
    let healthz_rate = healthz as f64 / args.seconds.clamp(2, 10) as f64;

    let period = if args.seconds >= 120 { 60 } else { (args.seconds / 4).max(1) };
    let periods = usize::try_from(args.seconds / period)?;
    let days = std::sync::Mutex::new(vec![0; periods + 1]);
    let completed = std::sync::atomic::AtomicU64::new(0);
    let c = Arc::new(Client { http, base, timings: Mutex::new(BTreeMap::new()), days, clock, completed });
    let connections = args.connections as u64;
    let started = Instant::now();
    let until = started + Duration::from_secs(args.seconds);
    let rss_start = rss_kib();
    let mut samples = Vec::new();
    let mut workers = Vec::new();
    for _ in 0..args.connections {
        let (c, tokens) = (c.clone(), tokens.clone());
        let body = json!({ "operator": "mts", "subscriber": "resident@demo", "balance": 10_000 });
        let mut lines = Vec::new();
        for _ in 0..LINES_PER_WORKER {
            let r = c.http.post(c.url("/api/v1/lines")).bearer_auth(&tokens[0]).json(&body).send().await?;
            lines.push(r.error_for_status()?.json::<Value>().await.context("opening a line for a worker")?);
        }
        workers.push(tokio::spawn(async move {
            let mut next = 0;
            while Instant::now() < until {
                let line = &lines[next % lines.len()];
                next += 1;
                if day(&c, line, &tokens[1], &tokens[2], &tokens[3]).await.is_some() {
                    let done = c.completed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if done % (connections * DAYS_PER_CALENDAR_DAY) == 0 {
                        c.clock.advance(jiff::SignedDuration::from_hours(24));
                    }
                    let i = (started.elapsed().as_secs() / period) as usize;
                    if let Some(n) = c.days.lock().ok().as_mut().and_then(|d| d.get_mut(i)) {
                        *n += 1;
                    }
                }
            }
        }));
    }
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(500)).await;
        samples.push((started.elapsed().as_secs_f64(), rss_kib() as f64));
    }
    for w in workers {
        w.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_end = rss_kib();
    // The trend of the second half (least squares), in KiB per minute.
    let half: Vec<_> = samples.iter().skip(samples.len() / 2).collect();
    let n = half.len() as f64;
    let (mx, my) = (half.iter().map(|s| s.0).sum::<f64>() / n, half.iter().map(|s| s.1).sum::<f64>() / n);
    let (sxy, sxx) = half.iter().fold((0.0, 0.0), |(a, b), s| (a + (s.0 - mx) * (s.1 - my), b + (s.0 - mx).powi(2)));
    let slope = if sxx > 0.0 { sxy / sxx * 60.0 } else { 0.0 };

    let timings = c.timings.lock().await;
    let mut rows = Vec::new();
    for (name, h) in timings.iter() {
        rows.push(((*name).to_owned(), h.total as f64 / elapsed, h.quantile(0.5), h.quantile(0.99), h.errors));
    }
    let every = (samples.len() / 10).max(1);
    let series: Vec<String> =
        samples.iter().step_by(every).map(|(t, kib)| format!("{t:.0}s {:.0}", kib / 1024.0)).collect();
    println!("anonymous memory through the run (MiB): {}", series.join(", "));
    let days_per_second = c
        .days
        .lock()
        .map_err(|_| anyhow::anyhow!("a worker panicked"))?
        .iter()
        .take(periods)
        .map(|n| *n as f64 / period as f64)
        .collect();
    Ok(Outcome { rows, healthz: healthz_rate, memory: (rss_start, rss_end, slope), period, days_per_second })
}

/// The days per second of each period, and the last period's over the first.
fn days_line(o: &Outcome) -> (String, f64) {
    let by = if o.period == 60 { "minute".to_owned() } else { format!("{} s", o.period) };
    let figures: Vec<String> = o.days_per_second.iter().map(|d| format!("{d:.1}")).collect();
    let (first, last) = (o.days_per_second.first().copied(), o.days_per_second.last().copied());
    let ratio = match (first, last) {
        (Some(f), Some(l)) if f > 0.0 => l / f,
        _ => 0.0,
    };
    (format!("days/s by {by}: {}", figures.join(", ")), ratio)
}

pub fn print(args: &Args, o: &Outcome) {
    let (rows, healthz, memory) = (&o.rows, o.healthz, o.memory);
    let total: f64 = rows.iter().map(|r| r.1).sum();
    let what = format!("mixed load, {} connections, {} s", args.connections, args.seconds);
    crate::table::rate("load (SQLite)", &what, total, "req/s", Some(("GET /healthz, same connections", healthz)));
    let worst = rows.iter().map(|r| r.3).fold(0.0, f64::max);
    crate::table::time("load (SQLite)", "worst endpoint p99", worst, "ms", None);
    crate::table::rate("load (SQLite)", "anonymous memory trend, second half", memory.2 / 1024.0, "MiB/min", None);
    let (days, ratio) = days_line(o);
    crate::table::rate("load (SQLite)", "days/s, last period over the first", ratio, "", None);
    println!(
        "mixed load: {} connections for {} s on SQLite (demo data, worker running); baseline GET /healthz {healthz:.0} req/s",
        args.connections, args.seconds
    );
    println!("{:<48} {:>9} {:>9} {:>9} {:>7}", "endpoint", "req/s", "p50 ms", "p99 ms", "errors");
    let mut total = 0.0;
    for (name, rate, p50, p99, errors) in rows {
        total += rate;
        println!("{name:<48} {rate:>9.1} {p50:>9.2} {p99:>9.2} {errors:>7}");
    }
    println!("{:<48} {total:>9.1}   (ratio to /healthz: {:.3})", "all endpoints", total / healthz);
    let (start, end, slope) = memory;
    println!(
        "anonymous resident memory: {:.1} MiB at the start, {:.1} MiB at the end; second-half trend {:+.2} MiB/min",
        start as f64 / 1024.0,
        end as f64 / 1024.0,
        slope / 1024.0
    );
    println!("{days}");
    println!("last/first = {ratio:.2} (target: within 10 %, 0.90 to 1.10)");
}
