//! `simexit-bench lookup --numbers 10000000` generates an inventory of N numbers with their
//! holder histories (one in ten reassigned, one in fifty aging, one in a hundred ported out),
//! starts the server on loopback and loads it from a client in the same process:
//!
//! - `GET /healthz` (the raw baseline: the same server, router, middleware and connections,
//!   no work) and `POST /number-recycling/v0.2/check` with random numbers and dates, taking
//!   five turns each for the same time at the same concurrency; requests per second, p50 and
//!   p99, and the ratio;
//! - `POST /api/v1/reassigned-numbers/query` with 1,000 random pairs, one batch after another;
//! - the numbering plan import of the registry against parsing it alone.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use rusqlite::{Connection, params};
use simexit_service::{ManualClock, Service, ServiceConfig};
use simexit_store_sqlite::{Durability, SqliteStore};

pub struct Args {
    pub numbers: u64,
    pub seconds: u64,
    pub connections: usize,
    pub batches: usize,
    pub data_dir: Option<PathBuf>,
    pub registry: PathBuf,
    pub postgres: Option<String>,
}

const MS_PER_DAY: i64 = 86_400_000;
/// 2024-01-01T00:00:00Z: where the generated history starts.
const HISTORY_START: i64 = 1_704_067_200_000;

/// xorshift64*: reproducible and cheap enough not to show in the figures.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1)
    }

    fn number(&mut self, n: u64) -> String {
        msisdn(self.below(n))
    }

    /// A number this operator still serves: one in a hundred was ported out, and CAMARA
    /// answers those 404 (another network serves them).
    fn served_number(&mut self, n: u64) -> String {
        let i = self.below(n);
        msisdn(if i % 100 == 12 { (i + 1) % n.max(1) } else { i })
    }

    fn date(&mut self) -> String {
        // Days within the numbers' history (a day before it is answered OUT_OF_RANGE).
        let day = self.below(2 * 365) as i64;
        let t = jiff::Timestamp::from_millisecond(HISTORY_START + MS_PER_DAY + day * MS_PER_DAY).unwrap();
        t.strftime("%Y-%m-%d").to_string()
    }
}

fn msisdn(i: u64) -> String {
    format!("+79{i:09}")
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let mut config = simexit_server::Config::default();
    config.database.data_dir = args.data_dir.clone().unwrap_or_else(|| temp.path().to_path_buf());
    config.server.listen = "127.0.0.1:0".parse()?;
    config.worker.enabled = false;
    config.lookup.requests_per_day = i64::MAX / 4;
    config.lookup.numbers_per_day = i64::MAX / 4;
    let periods = ensure_inventory(&config, args.numbers)?;
    measure(args, config.clone(), periods, "SQLite", "lookup")?;
    if let Some(url) = &args.postgres {
        let (schema_url, periods) = ensure_pg_inventory(&config, url, args.numbers)?;
        config.database.url = Some(simexit_server::config::Secret(schema_url));
        measure(args, config, periods, "PostgreSQL", "lookup (PostgreSQL)")?;
    }
    registry_import(&args.registry)
}

/// The load on one server over `config`'s database, printed and recorded.
fn measure(
    args: &Args,
    config: simexit_server::Config,
    periods: u64,
    backend: &str,
    bench: &'static str,
) -> anyhow::Result<()> {
    let server = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let memory_before = crate::load::rss_kib();
    let app = server.block_on(simexit_server::App::build(config))?;
    let service = app.service().clone();
    // The lookup index fills in the background as the server starts; measured once it is
    // filled (a server answers from the database until then). PostgreSQL keeps no index.
    let filling = Instant::now();
    while service.store.backend() == "sqlite" && !service.lookup_index.ready() {
        anyhow::ensure!(filling.elapsed() < Duration::from_secs(900), "the lookup index was not filled in 15 minutes");
        std::thread::sleep(Duration::from_millis(50));
    }
    if service.lookup_index.ready() {
        println!(
            "lookup index: {} numbers filled in {:.1} s, {:.0} MiB of memory",
            service.lookup_index.len(),
            filling.elapsed().as_secs_f64(),
            crate::load::rss_kib().saturating_sub(memory_before) as f64 / 1024.0
        );
    }
    let base = format!("http://{}", app.local_addr()?);
    server.spawn(app.run_until_stopped(std::future::pending()));
    let credentials = service.create_api_client(None, "Bench bank", &["number-recycling:check".to_owned()])?;
    let (session, _) = service.client_token(&credentials.client_id, &credentials.client_secret, None)?;
    let token = Arc::new(session.token);
    let sent = service.store.statements_sent();
    let in_process = service_layer(&service, &token, args.numbers)?;
    let statements = (service.store.statements_sent() - sent) as f64 / LOOKUPS_IN_PROCESS as f64;

    let client_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let (health, check, batch) = client_rt.block_on(async {
        let client = reqwest::Client::builder().pool_max_idle_per_host(args.connections).build()?;
        let seconds = Duration::from_secs(args.seconds);
        // Both clients hold their address and headers parsed once, as a bank's client would:
        // what is measured is the server's work for each request, not the client's parsing.
        let (c, url) = (client.clone(), reqwest::Url::parse(&format!("{base}/healthz"))?);
        let health: Request = Arc::new(move |_: &mut Rng| c.get(url.clone()));
        let (c, url) = (client.clone(), reqwest::Url::parse(&format!("{base}/number-recycling/v0.2/check"))?);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse()?);
        headers.insert(reqwest::header::CONTENT_TYPE, reqwest::header::HeaderValue::from_static("application/json"));
        // Random bodies made before the clock starts: formatting a date per request is the
        // client's work, which `/healthz` does not have.
        let mut rng = Rng(0x5eed_c0de);
        let bodies: Arc<Vec<bytes::Bytes>> = Arc::new(
            (0..BODIES)
                .map(|_| {
                    let (number, date) = (rng.served_number(args.numbers), rng.date());
                    bytes::Bytes::from(format!(r#"{{"phoneNumber":"{number}","specifiedDate":"{date}"}}"#))
                })
                .collect(),
        );
        let check: Request = Arc::new(move |rng: &mut Rng| {
            let body = bodies[rng.below(BODIES as u64) as usize].clone();
            c.post(url.clone()).headers(headers.clone()).body(body)
        });
        // The two endpoints take turns, a fifth of the time each turn: a machine whose speed
        // drifts (a shared host) then slows both alike, and the ratio holds still.
        let slice = seconds / ROUNDS;
        let (mut h, mut k) = (Run::default(), Run::default());
        for round in 0..ROUNDS {
            let warm = if round == 0 { Duration::from_secs(1) } else { Duration::from_millis(250) };
            h.add(load(args.connections, warm, slice, health.clone(), round).await?);
            k.add(load(args.connections, warm, slice, check.clone(), round).await?);
        }
        let (health, check) = (h.stats(slice * ROUNDS), k.stats(slice * ROUNDS));
        let batch =
            batches(&client, &format!("{base}/api/v1/reassigned-numbers/query"), &token, args.numbers, args.batches)
                .await?;
        anyhow::Ok((health, check, batch))
    })?;

    println!(
        "lookup benchmark: {} numbers with {periods} holder periods, {backend}; {} connections, {} s per endpoint",
        args.numbers, args.connections, args.seconds
    );
    println!("{:<44} {:>10} {:>8} {:>8} {:>7}", "endpoint", "req/s", "p50 ms", "p99 ms", "ratio");
    let row = |name: &str, s: &Stats, ratio: &str| {
        println!("{name:<44} {:>10.0} {:>8.2} {:>8.2} {ratio:>7}", s.rate, s.p50, s.p99);
    };
    row("GET /healthz (baseline)", &health, "1.00");
    let ratio = check.rate / health.rate;
    row("POST /number-recycling/v0.2/check", &check, &format!("{ratio:.2}"));
    println!(
        "{:<44} {:>10.1} {:>8.2} {:>8.2}",
        "POST /api/v1/reassigned-numbers/query x1000", batch.rate, batch.p50, batch.p99
    );
    println!(
        "check/healthz = {ratio:.2} (target >= 0.70), check p99 = {:.2} ms (target < 5), batch p99 = {:.2} ms (target < 20)",
        check.p99, batch.p99
    );
    println!(
        "in process, one thread: parse {:.1} µs, authenticate {:.1} µs, check {:.1} µs per lookup",
        in_process.0, in_process.1, in_process.2
    );
    println!("statements per lookup in process: {statements:.1}");
    let base = Some(("GET /healthz, same connections", health.rate));
    crate::table::rate(bench, "POST /number-recycling/v0.2/check", check.rate, "req/s", base);
    crate::table::time(bench, "check p99", check.p99, "ms", None);
    crate::table::rate(bench, "1,000-pair batch", batch.rate, "batches/s", None);
    crate::table::time(bench, "batch p99", batch.p99, "ms", None);
    if health.errors + check.errors + batch.errors > 0 {
        anyhow::bail!("{} failed requests", health.errors + check.errors + batch.errors);
    }
    Ok(())
}

/// The same inventory in a PostgreSQL schema of its own (`lookup_bench_<n>`), copied from the
/// SQLite database with `COPY`; reused when it holds `n` numbers. Returns the URL that puts
/// the schema first on the search path, and the holder periods.
fn ensure_pg_inventory(config: &simexit_server::Config, url: &str, n: u64) -> anyhow::Result<(String, u64)> {
    let schema = format!("lookup_bench_{n}");
    let sep = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    let mut admin = postgres::Client::connect(url, postgres::NoTls)?;
    admin.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))?;
    let store = Arc::new(simexit_store_postgres::PgStore::open_in_schema(url, Some(&schema))?);
    let (policies, calendars) = simexit_server::app::load_policies(config)?;
    drop(Service::new(store, policies, calendars, Arc::new(ManualClock::system()), ServiceConfig::default())?);
    let mut pg = postgres::Client::connect(&schema_url, postgres::NoTls)?;
    let have: i64 = pg.query_one("SELECT COUNT(*) FROM numbers", &[])?.get(0);
    if have as u64 == n && n > 0 {
        println!("reusing the PostgreSQL inventory of {n} numbers in schema {schema}");
        let periods: i64 = pg.query_one("SELECT COUNT(*) FROM number_assignments", &[])?.get(0);
        return Ok((schema_url, periods as u64));
    }
    anyhow::ensure!(have == 0, "schema {schema} holds {have} numbers, not {n}: drop it first");
    let started = Instant::now();
    let sqlite = Connection::open(config.database_path())?;
    let mut tx = pg.transaction()?;
    let copy = |tx: &mut postgres::Transaction<'_>, into: &str, select: &str, columns: usize| -> anyhow::Result<()> {
        use std::io::Write;
        let mut writer = tx.copy_in(&format!("COPY {into} FROM STDIN"))?;
        let mut stmt = sqlite.prepare(select)?;
        let mut rows = stmt.query([])?;
        let mut line = String::new();
        while let Some(r) = rows.next()? {
            line.clear();
            for i in 0..columns {
                if i > 0 {
                    line.push('\t');
                }
                match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => line.push_str("\\N"),
                    rusqlite::types::ValueRef::Integer(v) => line.push_str(&v.to_string()),
                    rusqlite::types::ValueRef::Text(t) => line.push_str(std::str::from_utf8(t)?),
                    other => anyhow::bail!("unexpected value {other:?}"),
                }
            }
            line.push('\n');
            writer.write_all(line.as_bytes())?;
        }
        writer.finish()?;
        Ok(())
    };
    copy(
        &mut tx,
        "subscribers (id, category, full_name, id_document_type, id_document_number, email, phone, language, created_at)",
        "SELECT id, category, full_name, id_document_type, id_document_number, email, phone, language, created_at FROM subscribers",
        9,
    )?;
    copy(
        &mut tx,
        "numbers (msisdn, operator_id, state, aging_until, line_id, subscriber_id, history_since, updated_at)",
        "SELECT msisdn, operator_id, state, aging_until, line_id, subscriber_id, history_since, updated_at FROM numbers",
        8,
    )?;
    copy(
        &mut tx,
        "number_assignments (id, msisdn, subscriber_id, line_id, from_at, to_at, end_reason)",
        "SELECT id, msisdn, subscriber_id, line_id, from_at, to_at, end_reason FROM number_assignments",
        7,
    )?;
    tx.commit()?;
    pg.batch_execute("ANALYZE")?;
    let periods: i64 = pg.query_one("SELECT COUNT(*) FROM number_assignments", &[])?.get(0);
    println!("copied {n} numbers into PostgreSQL schema {schema} in {:.0} s", started.elapsed().as_secs_f64());
    Ok((schema_url, periods as u64))
}

/// Creates the schema and the operators through the service, then the inventory with plain
/// SQL (a few million rows a minute); an existing inventory of the same size is reused.
fn ensure_inventory(config: &simexit_server::Config, n: u64) -> anyhow::Result<u64> {
    std::fs::create_dir_all(&config.database.data_dir)?;
    let path = config.database_path();
    let store = Arc::new(SqliteStore::open(&path, Durability::Normal)?);
    let (policies, calendars) = simexit_server::app::load_policies(config)?;
    let clock = Arc::new(ManualClock::system());
    drop(Service::new(store, policies, calendars, clock, ServiceConfig::default())?);
    let conn = Connection::open(&path)?;
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    let have = count("SELECT COUNT(*) FROM numbers")? as u64;
    if have == n && n > 0 {
        println!("reusing the inventory of {n} numbers in {}", path.display());
        return Ok(count("SELECT COUNT(*) FROM number_assignments")? as u64);
    }
    anyhow::ensure!(have == 0, "{} holds {have} numbers, not {n}: use another --data-dir", path.display());
    let started = Instant::now();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; BEGIN")?;
    for s in 0..1_000 {
        conn.execute(
            "INSERT INTO subscribers (category, full_name, id_document_type, id_document_number, email, phone, language, created_at)
             VALUES ('resident', ?1, 'passport_ru', ?2, 'bench@example.org', '+79160000000', 'ru', ?3)",
            params![format!("Subscriber {s}"), format!("{s:010}"), HISTORY_START],
        )?;
    }
    let mut number = conn.prepare(
        "INSERT INTO numbers (msisdn, operator_id, state, aging_until, line_id, subscriber_id, history_since, updated_at)
         VALUES (?1, 'mts', ?2, ?3, NULL, ?4, ?5, ?6)",
    )?;
    let mut period = conn.prepare(
        "INSERT INTO number_assignments (msisdn, subscriber_id, line_id, from_at, to_at, end_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut periods = 0;
    for i in 0..n {
        let m = msisdn(i);
        let day = (i % 365) as i64 * MS_PER_DAY;
        let (first, second) = ((i % 1_000) as i64 + 1, ((i + 500) % 1_000) as i64 + 1);
        let from = HISTORY_START + day;
        let line = i as i64 + 1;
        let kind = i % 100;
        // (state, aging until, holder, last change) first: periods refer to the number.
        let (state, aging_until, holder, updated) = match kind {
            0..=9 => ("assigned", None, Some(second), from + 510 * MS_PER_DAY),
            10 | 11 => {
                let end = HISTORY_START + (1_000 + (i % 30) as i64) * MS_PER_DAY;
                ("aging", Some(end + 60 * MS_PER_DAY), None, end)
            }
            12 => ("ported_out", None, None, from + 300 * MS_PER_DAY),
            _ => ("assigned", None, Some(first), from),
        };
        number.execute(params![m, state, aging_until, holder, HISTORY_START, updated])?;
        let none = (None::<i64>, None::<&str>);
        match kind {
            0..=9 => {
                let end = from + 420 * MS_PER_DAY;
                period.execute(params![m, first, line, from, end, "terminated"])?;
                period.execute(params![m, second, line + n as i64, updated, none.0, none.1])?;
            }
            10 | 11 => drop(period.execute(params![m, first, line, from, updated, "terminated"])?),
            12 => drop(period.execute(params![m, first, line, from, updated, "ported_out"])?),
            _ => drop(period.execute(params![m, first, line, from, none.0, none.1])?),
        }
        periods += if kind <= 9 { 2 } else { 1 };
        if (i + 1) % 1_000_000 == 0 {
            eprintln!("  generated {} numbers in {:.0} s", i + 1, started.elapsed().as_secs_f64());
        }
    }
    drop((number, period));
    conn.execute_batch("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)")?;
    println!("generated {n} numbers with {periods} holder periods in {:.0} s", started.elapsed().as_secs_f64());
    Ok(periods)
}

/// How many different check bodies the load sends, each a random number and day.
const BODIES: usize = 1 << 20;

/// How many lookups [`service_layer`] makes.
const LOOKUPS_IN_PROCESS: usize = 20_000;

/// Microseconds per call of each step of a lookup, called directly on one thread.
fn service_layer(service: &Service, token: &str, n: u64) -> anyhow::Result<(f64, f64, f64)> {
    let mut rng = Rng(7);
    let count = LOOKUPS_IN_PROCESS;
    let inputs: Vec<(String, String)> = (0..count).map(|_| (rng.served_number(n), rng.date())).collect();
    let t = Instant::now();
    let parsed: Vec<_> = inputs.iter().map(|(m, _)| simexit_domain::Msisdn::parse(m)).collect::<Result<_, _>>()?;
    let parse = t.elapsed().as_secs_f64() * 1e6 / count as f64;
    let t = Instant::now();
    for _ in 0..count {
        service.authenticate_cached(token)?;
    }
    let auth = t.elapsed().as_secs_f64() * 1e6 / count as f64;
    let who = service.authenticate(token)?;
    let t = Instant::now();
    for (m, (_, d)) in parsed.iter().zip(&inputs) {
        service.number_recycling_check(&who, Some(m), d.parse()?)?;
    }
    let check = t.elapsed().as_secs_f64() * 1e6 / count as f64;
    Ok((parse, auth, check))
}

struct Stats {
    rate: f64,
    p50: f64,
    p99: f64,
    errors: u64,
}

fn stats(mut latencies: Vec<Duration>, elapsed: Duration, errors: u64) -> Stats {
    latencies.sort_unstable();
    let at = |q: f64| {
        let i = ((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1);
        latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1_000.0)
    };
    Stats { rate: latencies.len() as f64 / elapsed.as_secs_f64(), p50: at(0.50), p99: at(0.99), errors }
}

type Request = Arc<dyn Fn(&mut Rng) -> reqwest::RequestBuilder + Send + Sync>;

/// How many turns each endpoint of the single-lookup load gets.
const ROUNDS: u32 = 5;

/// The latencies and failures of one endpoint's turns.
#[derive(Default)]
struct Run {
    latencies: Vec<Duration>,
    errors: u64,
}

impl Run {
    fn add(&mut self, (latencies, errors): (Vec<Duration>, u64)) {
        self.latencies.extend(latencies);
        self.errors += errors;
    }

    fn stats(self, measured: Duration) -> Stats {
        stats(self.latencies, measured, self.errors)
    }
}

/// `connections` clients, each sending one request after another: `warm` of warm-up, then
/// `duration` measured; the latencies of the measured requests and how many failed.
async fn load(
    connections: usize,
    warm: Duration,
    duration: Duration,
    request: Request,
    round: u32,
) -> anyhow::Result<(Vec<Duration>, u64)> {
    let warm_until = Instant::now() + warm;
    let until = warm_until + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (c as u64 + 1) ^ (u64::from(round) << 32));
            let request = request.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(65_536);
                let mut errors = 0u64;
                loop {
                    let started = Instant::now();
                    if started >= until {
                        break;
                    }
                    let ok = match request(&mut rng).send().await {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if started >= warm_until {
                        latencies.push(started.elapsed());
                        errors += u64::from(!ok);
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await?;
        latencies.extend(l);
        errors += e;
    }
    Ok((latencies, errors))
}

async fn batches(client: &reqwest::Client, url: &str, token: &str, n: u64, count: usize) -> anyhow::Result<Stats> {
    let mut rng = Rng(0x5eed);
    let mut latencies = Vec::with_capacity(count);
    let mut errors = 0;
    let mut measured_from = Instant::now();
    for i in 0..count + 10 {
        let pairs: Vec<String> =
            (0..1_000).map(|_| format!(r#"{{"number":"{}","date":"{}"}}"#, rng.number(n), rng.date())).collect();
        let body = format!(r#"{{"queries":[{}]}}"#, pairs.join(","));
        if i == 10 {
            measured_from = Instant::now();
        }
        let t = Instant::now();
        let r =
            client.post(url).bearer_auth(token).header("content-type", "application/json").body(body).send().await?;
        let ok = r.status().is_success();
        let answers: serde_json::Value = r.json().await?;
        if i >= 10 {
            latencies.push(t.elapsed());
            errors += u64::from(!ok || answers.as_array().map_or(0, Vec::len) != 1_000);
        }
    }
    Ok(stats(latencies, measured_from.elapsed(), errors))
}

/// The registry imported into a fresh database against parsing it alone, median of 5 each.
fn registry_import(registry: &Path) -> anyhow::Result<()> {
    let Ok(text) = std::fs::read_to_string(registry) else {
        println!("numbering import: {} not found, skipped", registry.display());
        return Ok(());
    };
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut parse = Vec::new();
    let mut ranges = 0;
    for _ in 0..5 {
        let t = Instant::now();
        ranges = simexit_domain::numbering::parse_registry(&text, |_| {})?.len();
        parse.push(t.elapsed().as_secs_f64());
    }
    let dir = tempfile::tempdir()?;
    let store = Arc::new(SqliteStore::open(&dir.path().join("plan.db"), Durability::Full)?);
    let (policies, calendars) = simexit_server::app::load_policies(&simexit_server::Config::default())?;
    let service = Service::new(store, policies, calendars, Arc::new(ManualClock::system()), ServiceConfig::default())?;
    let mut import = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        service.import_numbering(&text, "DEF-9xx.csv", |_, _| {}).context("importing the registry")?;
        import.push(t.elapsed().as_secs_f64());
    }
    let (parse, import) = (median(parse), median(import));
    crate::table::time("numbering import", "import of the registry", import, "s", Some(("parsing it alone", parse)));
    println!(
        "numbering import of {ranges} ranges: parse only {:.3} s, import {:.3} s (parse/import = {:.2}; target < 2 s)",
        parse,
        import,
        parse / import
    );
    Ok(())
}
