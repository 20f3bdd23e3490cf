//! `simexit-bench lifecycle --n 2000` runs N full termination lifecycles (create → submit →
//! approve → complete) (a) through the service and store layers, (b) through the HTTP API on
//! loopback, and (c) as the same row writes in plain SQL over one bare SQLite connection with
//! the same number of commits, and prints lifecycles per second with the ratios a/c and b/c.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use jiff::Timestamp;
use rusqlite::{Connection, params};
use simexit_domain::access::Role;
use simexit_domain::{Action, CalendarSet, Channel, CustomerCategory, Language, Money, Msisdn, OperatorId, PolicySet};
use simexit_service::lines::{add_to_pool, assign_new_line};
use simexit_service::{CreateRequest, ManualClock, Principal, Service, ServiceConfig, TransitionInput};
use simexit_store::{NewAccount, NewSubscriber, Store, StoreExt};
use simexit_store_sqlite::{Durability, SqliteStore};

mod raw_postgres;
mod raw_sqlite;

use raw_postgres::{Schema, pg_table_counts, raw_postgres, wal};
use raw_sqlite::raw_baseline;

const START: &str = "2026-03-02T09:00:00Z";

pub fn run(n: usize, durability: &str, postgres: Option<String>) -> anyhow::Result<()> {
    let durability = crate::bulk::durability(durability)?;
    let dir = tempfile::tempdir()?;
    let mut http_config = simexit_server::Config::default();
    http_config.database.durability = durability.pragma().to_lowercase();
    http_config.database.data_dir = dir.path().join("http");
    let policy_file = dir.path().join("policies.toml");
    std::fs::write(&policy_file, bench_policies())?;
    http_config.policies.file = Some(policy_file);
    let (raw, store, _schemas) = match &postgres {
        None => {
            println!("lifecycle benchmark: n = {n}, SQLite WAL, synchronous = {}", durability.pragma());
            let raw = raw_baseline(&dir.path().join("raw.db"), n, durability)?;
            let path = dir.path().join("store.db");
            let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path, durability)?);
            (raw, store_layer(store, n, &|| crate::bulk::table_counts(&path))?, Vec::new())
        }
        Some(url) => {
            println!("lifecycle benchmark: n = {n}, PostgreSQL");
            let schemas = [Schema::new(url)?, Schema::new(url)?, Schema::new(url)?];
            let wal_before = wal(url)?;
            let raw = raw_postgres(&schemas[0], n)?;
            let wal_raw = wal(url)?;
            let store: Arc<dyn Store> =
                Arc::new(simexit_store_postgres::PgStore::open_in_schema(url, Some(&schemas[1].name))?);
            http_config.database.url = Some(simexit_server::config::Secret(schemas[2].url()));
            let wal_store = wal(url)?;
            let store = store_layer(store, n, &|| pg_table_counts(&schemas[1]))?;
            let wal_after = wal(url)?;
            // The whole server's WAL, so the seeding of each side is in it too: per lifecycle
            // it is a ceiling, close to the figure when n is large.
            let per = |a: [i64; 3], b: [i64; 3]| {
                format!(
                    "{:.1} WAL syncs, {:.1} WAL records, {:.0} WAL bytes",
                    (b[0] - a[0]) as f64 / n as f64,
                    (b[1] - a[1]) as f64 / n as f64,
                    (b[2] - a[2]) as f64 / n as f64
                )
            };
            println!("per lifecycle, raw: {}", per(wal_before, wal_raw));
            println!("per lifecycle, store layer: {}", per(wal_store, wal_after));
            (raw, store, schemas.into())
        }
    };
    let http = tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(http_api(http_config, n))?;

    let ((raw, raw_statements, raw_rows), (store, store_statements, store_rows)) = (raw, store);
    crate::bulk::compare_rows("lifecycle", &store_rows, &raw_rows, n)?;
    println!("{:<34} {:>14} {:>10} {:>16}", "variant", "lifecycles/s", "ratio", "statements/lc");
    println!("{:<34} {:>14.0} {:>10} {:>16.1}", "(c) raw SQL, one bare connection", raw, "1.00", raw_statements);
    println!("{:<34} {:>14.0} {:>10.2} {:>16.1}", "(a) service + store layer", store, store / raw, store_statements);
    println!("{:<34} {:>14.0} {:>10.2}", "(b) HTTP API on loopback", http, http / raw);
    println!("a/c = {:.2} (target >= 0.5), b/c = {:.2} (target >= 0.25)", store / raw, http / raw);
    let bench = if postgres.is_some() { "lifecycle (PostgreSQL)" } else { "lifecycle (SQLite)" };
    let base = Some(("raw SQL, one bare connection", raw));
    crate::table::rate(bench, "service + store layer", store, "lifecycles/s", base);
    crate::table::rate(bench, "HTTP API on loopback", http, "lifecycles/s", base);
    Ok(())
}

/// The demo policies without required uploads for residents: the lifecycle measured here is
/// the request's, and the raw baseline writes no documents (uploads are their own flow).
fn bench_policies() -> String {
    simexit_server::app::DEMO_POLICIES.replace(
        r#"documents = { resident = ["passport", "address_proof"], foreign_resident = ["passport"], tourist = ["passport"] }"#,
        r#"documents = { resident = [], foreign_resident = ["passport"], tourist = ["passport"] }"#,
    )
}

fn policies() -> anyhow::Result<(PolicySet, CalendarSet)> {
    let calendars = CalendarSet::builtin();
    let policies = PolicySet::from_toml(&bench_policies(), &calendars)?;
    Ok((policies, calendars))
}

/// One subscriber with `n` MTS lines, and a reviewer; returns their principals.
fn seed(service: &Service, n: usize) -> anyhow::Result<(Principal, Principal)> {
    let now = service.now();
    let mts = OperatorId::parse("mts")?;
    let (sub, sub_account, rev_account) = service.store.write(|tx| {
        let sub = tx.insert_subscriber(&NewSubscriber {
            category: CustomerCategory::Resident,
            full_name: "Bench Subscriber".into(),
            id_document_type: "passport_ru".into(),
            id_document_number: "0000 000000".into(),
            email: "bench@example.org".into(),
            phone: "+79160000000".into(),
            language: Language::Ru,
            created_at: now,
        })?;
        let account = |login: &str, role, subscriber_id, operator: Option<OperatorId>| NewAccount {
            login: login.into(),
            password_hash: simexit_service::auth::hash_password("bench").unwrap_or_default(),
            role,
            operator,
            store_id: None,
            subscriber_id,
            scopes: String::new(),
            created_at: now,
        };
        let s = tx.insert_account(&account("bench-subscriber", Role::Subscriber, Some(sub), None))?;
        let r = tx.insert_account(&account("bench-reviewer", Role::Reviewer, None, Some(mts.clone())))?;
        for i in 0..n {
            let msisdn = Msisdn::parse(&format!("+7916{:07}", 1_000_000 + i))
                .map_err(|e| simexit_service::ServiceError::Internal(e.to_string()))?;
            add_to_pool(tx, msisdn, &mts, now)?;
            assign_new_line(tx, &mts, sub, None, Money::from_kopecks(10_000), now)?;
        }
        Ok::<_, simexit_service::ServiceError>((sub, s, r))
    })?;
    let principal = |account_id, login: &str, role, operator, subscriber_id| Principal {
        account_id,
        login: login.into(),
        role,
        operator,
        store_id: None,
        subscriber_id,
        scopes: Vec::new(),
        origin: None,
    };
    Ok((
        principal(sub_account, "bench-subscriber", Role::Subscriber, None, Some(sub)),
        principal(rev_account, "bench-reviewer", Role::Reviewer, Some(mts), None),
    ))
}

fn service_on(store: Arc<dyn Store>) -> anyhow::Result<Service> {
    let (policies, calendars) = policies()?;
    let clock = Arc::new(ManualClock::fixed(START.parse()?));
    Ok(Service::new(store, policies, calendars, clock, ServiceConfig::default())?)
}

/// Rows per table.
type Counts = std::collections::BTreeMap<String, i64>;

/// Lifecycles per second, statements per lifecycle and the rows the lifecycles added.
fn store_layer(
    store: Arc<dyn Store>,
    n: usize,
    counts: &dyn Fn() -> anyhow::Result<Counts>,
) -> anyhow::Result<(f64, f64, Counts)> {
    let service = service_on(store.clone())?;
    let (subscriber, reviewer) = seed(&service, n)?;
    let lines: Vec<i64> = service.my_lines(&subscriber)?.iter().map(|l| l.id).collect();
    let before = counts()?;
    let sent = store.statements_sent();
    let started = Instant::now();
    for line_id in lines {
        let input = CreateRequest { line_id, channel: Channel::Online, reason: None, store_id: None };
        let id = service.create_request(&subscriber, input)?.request.id;
        service.transition(&subscriber, id, Action::Submit, TransitionInput::default())?;
        service.transition(&reviewer, id, Action::Approve, TransitionInput::default())?;
        service.transition(&reviewer, id, Action::Complete, TransitionInput::default())?;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    let sent = (store.statements_sent() - sent) as f64 / n as f64;
    Ok((rate, sent, crate::bulk::diff(&before, &counts()?)))
}

async fn http_api(mut config: simexit_server::Config, n: usize) -> anyhow::Result<f64> {
    config.server.listen = "127.0.0.1:0".parse()?;
    config.worker.enabled = false;
    config.log.filter = "warn".into();
    let clock = Arc::new(ManualClock::fixed(START.parse()?));
    let app = simexit_server::App::build_with_clock(config, clock).await?;
    let service = app.service().clone();
    let (subscriber, _) = tokio::task::spawn_blocking(move || seed(&service, n)).await??;
    let service = app.service().clone();
    let lines: Vec<i64> =
        tokio::task::spawn_blocking(move || service.my_lines(&subscriber)).await??.iter().map(|l| l.id).collect();
    let base = format!("http://{}/api/v1", app.local_addr()?);
    tokio::spawn(app.run_until_stopped(std::future::pending()));

    let client = reqwest::Client::new();
    let login = |who: &'static str| {
        let client = client.clone();
        let url = format!("{base}/auth/login");
        async move {
            let body: serde_json::Value = client
                .post(url)
                .json(&serde_json::json!({ "login": who, "password": "bench" }))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            anyhow::Ok(body["token"].as_str().context("no token")?.to_owned())
        }
    };
    let sub = login("bench-subscriber").await?;
    let rev = login("bench-reviewer").await?;
    let post = |path: String, token: &str, body: serde_json::Value| {
        client.post(format!("{base}{path}")).bearer_auth(token).json(&body).send()
    };
    let started = Instant::now();
    for line_id in lines {
        let created: serde_json::Value =
            post("/terminations".into(), &sub, serde_json::json!({ "line_id": line_id, "channel": "online" }))
                .await?
                .error_for_status()?
                .json()
                .await?;
        let id = created["id"].as_i64().context("no id")?;
        for (action, token) in [("submit", &sub), ("approve", &rev), ("complete", &rev)] {
            // Read the body as a client would; it also lets the connection be reused.
            post(format!("/terminations/{id}/{action}"), token, serde_json::json!({}))
                .await?
                .error_for_status()?
                .bytes()
                .await?;
        }
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// A final bill of the size completion stores.
const BILL: &str = r#"{"request_id":1,"line_id":1,"period_start":"2026-03-01T00:00:00Z","period_end":"2026-03-02T09:00:00Z","opening_balance":10000,"items":[{"at":"2026-03-02T09:00:00Z","kind":"refund","memo":"balance to be refunded","amount":-10000}],"charges":0,"payments":0,"settlement":{"option":"refund","amount":10000,"to_line_id":null,"refund_id":1,"refund_state":"awaiting_details"},"closing_balance":0,"preview":false}"#;
