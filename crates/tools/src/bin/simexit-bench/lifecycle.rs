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

/// The same rows the lifecycle writes, in plain SQL on one bare connection, four commits per
/// lifecycle, values precomputed: the floor any layer above SQLite is compared with.
/// Lifecycles per second, statements per lifecycle and the rows the lifecycles added.
fn raw_baseline(path: &Path, n: usize, durability: Durability) -> anyhow::Result<(f64, f64, Counts)> {
    drop(SqliteStore::open(path, durability)?); // the same schema, by the same migrations
    let conn = simexit_store_sqlite::connect(path, durability)?;
    let now: Timestamp = START.parse()?;
    let t = now.as_millisecond();
    conn.execute("INSERT INTO operators (id, name, inn) VALUES ('mts', 'MTS', '7740000076')", [])?;
    conn.execute(
        "INSERT INTO subscribers (category, full_name, id_document_type, id_document_number, email, phone, language, created_at)
         VALUES ('resident', 'Raw', 'passport_ru', '0', 'raw@example.org', '+79160000000', 'ru', ?1)",
        [t],
    )?;
    conn.execute_batch("BEGIN")?;
    for i in 0..n {
        let msisdn = format!("+7916{:07}", 1_000_000 + i);
        conn.execute(
            "INSERT INTO numbers (msisdn, operator_id, state, line_id, subscriber_id, history_since, updated_at)
             VALUES (?1, 'mts', 'assigned', ?2, 1, ?3, ?3)",
            params![msisdn, i as i64 + 1, t],
        )?;
        conn.execute(
            "INSERT INTO lines (id, msisdn, operator_id, subscriber_id, state, opened_at) VALUES (?1, ?2, 'mts', 1, 'active', ?3)",
            params![i as i64 + 1, msisdn, t],
        )?;
        conn.execute(
            "INSERT INTO ledger_movements (kind, idempotency_key, memo, line_id, at, actor)
             VALUES ('opening', ?1, 'opening balance', ?2, ?3, 'system')",
            params![format!("opening:line:{}", i + 1), i as i64 + 1, t],
        )?;
        let m = conn.last_insert_rowid();
        conn.execute(
            "INSERT INTO ledger_entries (movement_id, account, amount, at) VALUES (?1, ?2, 10000, ?3), (?1, 'operator:mts:opening_balances', -10000, ?3)",
            params![m, format!("line:{}", i + 1), t],
        )?;
        conn.execute(
            "INSERT INTO number_assignments (msisdn, subscriber_id, line_id, from_at) VALUES (?1, 1, ?2, ?3)",
            params![msisdn, i as i64 + 1, t],
        )?;
    }
    conn.execute_batch("COMMIT")?;
    let hash = "0".repeat(64);
    let signature = "s".repeat(86);
    conn.execute("INSERT INTO audit_head (id, hash) VALUES (1, ?1) ON CONFLICT (id) DO NOTHING", [&hash])?;

    // Every statement the loop runs, its transactions' starts and ends included.
    let sent = std::cell::Cell::new(0u64);
    macro_rules! counted {
        ($e:expr) => {{
            sent.set(sent.get() + 1);
            $e
        }};
    }
    let audit = |c: &Connection, action: &str, entity: &str, id: &str| -> rusqlite::Result<()> {
        counted!(c.prepare_cached("INSERT INTO audit_log (at, actor, action, entity, entity_id, details, prev_hash, hash) VALUES (?1, 'account:1', ?2, ?3, ?4, '{}', ?5, ?5)"))?
            .execute(params![t, action, entity, id, hash])?;
        counted!(c.prepare_cached("UPDATE audit_head SET hash = ?1 WHERE id = 1"))?.execute([&hash])?;
        Ok(())
    };
    // A request's event, its audit entry, its row in the changes feed and one job.
    let step = |c: &Connection, req: i64, action: &str, from: &str, to: &str, msisdn: &str| -> anyhow::Result<()> {
        counted!(c.prepare_cached("INSERT INTO request_events (request_id, at, actor, action, from_state, to_state) VALUES (?1, ?2, 'account:1', ?3, ?4, ?5)"))?
            .execute(params![req, t, action, from, to])?;
        audit(c, action, "termination_request", &req.to_string())?;
        sent.set(sent.get() + 1);
        crate::bulk::change(c, t, &format!("request.{to}"), &format!("termination_request/{req}"), msisdn)?;
        counted!(c.prepare_cached(
            "INSERT INTO jobs (kind, payload, run_at, max_attempts, status, dedupe_key, created_at, updated_at)
             VALUES (?1, '{}', ?2, 10, 'pending', ?3, ?2, ?2)",
        ))?
        .execute(params![action, t, format!("{action}:{req}")])?;
        Ok(())
    };
    let messages = |c: &Connection, req: i64, action: &str| -> rusqlite::Result<()> {
        for channel in ["sms", "email"] {
            counted!(c.prepare_cached(
                "INSERT INTO outbox (channel, recipient, template, language, payload, status, attempts, created_at,
                 next_attempt_at, dedupe_key, request_id)
                 VALUES (?1, '+79160000000', ?2, 'ru', ?3, 'pending', 0, ?4, ?4, ?5, ?6)",
            ))?
            .execute(params![
                channel,
                action,
                crate::bulk::MESSAGE,
                t,
                format!("{action}:{channel}:{req}"),
                req
            ])?;
        }
        Ok(())
    };
    let before = crate::bulk::table_counts(path)?;
    let started = Instant::now();
    for i in 0..n {
        let line = i as i64 + 1;
        let msisdn = format!("+7916{:07}", 1_000_000 + i);
        counted!(conn.execute_batch("BEGIN IMMEDIATE"))?;
        counted!(conn.prepare_cached(
            "INSERT INTO termination_requests (line_id, subscriber_id, operator_id, msisdn, channel, reason, state, line_state_before,
             created_by, created_at, deadline_fallback, overdue, updated_at)
             VALUES (?1, 1, 'mts', ?2, 'online', 'voluntary', 'draft', 'active', 1, ?3, 0, 0, ?3)",
        ))?
        .execute(params![line, msisdn, t])?;
        let req = conn.last_insert_rowid();
        step(&conn, req, "create", "draft", "draft", &msisdn)?;
        counted!(conn.execute_batch("COMMIT"))?;
        for (action, from, to, line_state) in [
            ("submit", "draft", "submitted", "pending_termination"),
            ("approve", "submitted", "approved", "pending_termination"),
            ("complete", "approved", "completed", "terminated"),
        ] {
            counted!(conn.execute_batch("BEGIN IMMEDIATE"))?;
            counted!(conn.prepare_cached("UPDATE termination_requests SET state = ?2, updated_at = ?3 WHERE id = ?1"))?
                .execute(params![req, to, t])?;
            counted!(conn.prepare_cached("UPDATE lines SET state = ?2 WHERE id = ?1"))?
                .execute(params![line, line_state])?;
            if action == "complete" {
                counted!(conn.prepare_cached(
                    "UPDATE numbers SET state = 'aging', aging_until = ?2, updated_at = ?3 WHERE msisdn = ?1",
                ))?
                .execute(params![msisdn, t + 30 * 86_400_000, t])?;
                counted!(conn.prepare_cached("UPDATE number_assignments SET to_at = ?2, end_reason = 'terminated' WHERE msisdn = ?1 AND to_at IS NULL"))?
                    .execute(params![msisdn, t])?;
                // The balance left becomes a refund claim: movement, entries, its audit
                // entry, the refund row and the frozen final bill; then the certificate, its
                // audit entry, and the network's deprovisioning task.
                counted!(conn.prepare_cached(
                    "INSERT INTO ledger_movements (kind, idempotency_key, memo, line_id, at, actor)
                     VALUES ('refund', ?1, 'balance to be refunded', ?2, ?3, 'account:2')",
                ))?
                .execute(params![format!("settle:{req}:refund"), line, t])?;
                let movement = conn.last_insert_rowid();
                for (account, amount) in
                    [(format!("line:{line}"), -10_000), ("operator:mts:refunds_payable".to_owned(), 10_000)]
                {
                    counted!(conn.prepare_cached(
                        "INSERT INTO ledger_entries (movement_id, account, amount, at) VALUES (?1, ?2, ?3, ?4)",
                    ))?
                    .execute(params![movement, account, amount, t])?;
                }
                audit(&conn, "ledger_movement", "ledger_movement", &movement.to_string())?;
                counted!(conn.prepare_cached(
                    "INSERT INTO refunds (line_id, request_id, operator_id, amount, state, created_at, updated_at)
                     VALUES (?1, ?2, 'mts', 10000, 'awaiting_details', ?3, ?3)",
                ))?
                .execute(params![line, req, t])?;
                counted!(
                    conn.prepare_cached("INSERT INTO final_bills (request_id, bill, issued_at) VALUES (?1, ?2, ?3)")
                )?
                .execute(params![req, BILL, t])?;
                let number = format!("MTS-2026-{req:07}");
                counted!(conn.prepare_cached(
                    "INSERT INTO certificates (number, request_id, operator_id, payload, key_id, signature, issued_at)
                     VALUES (?1, ?2, 'mts', ?3, 'bench', ?4, ?5)",
                ))?
                .execute(params![number, req, crate::bulk::CERTIFICATE, signature, t])?;
                audit(&conn, "issue_certificate", "certificate", &number)?;
                counted!(conn.prepare_cached(
                    "INSERT INTO network_tasks (request_id, msisdn, direction, steps, done_steps, status, attempts, updated_at)
                     VALUES (?1, ?2, 'deprovision', 'bar,detach,delete', 0, 'in_progress', 0, ?3)",
                ))?
                .execute(params![req, msisdn, t])?;
            }
            messages(&conn, req, action)?;
            step(&conn, req, action, from, to, &msisdn)?;
            counted!(conn.execute_batch("COMMIT"))?;
        }
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    Ok((rate, sent.get() as f64 / n as f64, crate::bulk::diff(&before, &crate::bulk::table_counts(path)?)))
}

/// A fresh PostgreSQL schema, dropped when the benchmark ends.
struct Schema {
    base: String,
    name: String,
}

impl Schema {
    fn new(url: &str) -> anyhow::Result<Schema> {
        let name = format!("bench_{}", std::process::id())
            + &format!("_{}", SCHEMAS.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        postgres::Client::connect(url, postgres::NoTls)?.batch_execute(&format!("CREATE SCHEMA {name}"))?;
        Ok(Schema { base: url.to_owned(), name })
    }

    fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.base, self.name)
    }
}

/// The server's WAL syncs, records and bytes so far (`pg_stat_wal`).
fn wal(url: &str) -> anyhow::Result<[i64; 3]> {
    let row = postgres::Client::connect(url, postgres::NoTls)?
        .query_one("SELECT wal_sync, wal_records, wal_bytes::bigint FROM pg_stat_wal", &[])?;
    Ok([row.get(0), row.get(1), row.get(2)])
}

/// Rows per table of a schema.
fn pg_table_counts(schema: &Schema) -> anyhow::Result<Counts> {
    let mut c = postgres::Client::connect(&schema.url(), postgres::NoTls)?;
    let tables: Vec<String> = c
        .query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
            &[&schema.name],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = Counts::new();
    for table in tables {
        let count: i64 = c.query_one(&format!("SELECT count(*) FROM \"{table}\""), &[])?.get(0);
        out.insert(table, count);
    }
    Ok(out)
}

static SCHEMAS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// The raw baseline on PostgreSQL: the same statements as the SQLite baseline, prepared once,
/// over one bare connection, four transactions per lifecycle.
/// Lifecycles per second, statements per lifecycle and the rows the lifecycles added.
fn raw_postgres(schema: &Schema, n: usize) -> anyhow::Result<(f64, f64, Counts)> {
    drop(simexit_store_postgres::PgStore::open_in_schema(&schema.base, Some(&schema.name))?);
    let mut c = postgres::Client::connect(&schema.url(), postgres::NoTls)?;
    let t: i64 = START.parse::<Timestamp>()?.as_millisecond();
    c.batch_execute("INSERT INTO operators (id, name, inn) VALUES ('mts', 'MTS', '7740000076')")?;
    c.execute(
        "INSERT INTO subscribers (category, full_name, id_document_type, id_document_number, email, phone, language, created_at)
         VALUES ('resident', 'Raw', 'passport_ru', '0', 'raw@example.org', '+79160000000', 'ru', $1)",
        &[&t],
    )?;
    let mut setup = c.transaction()?;
    for i in 0..n {
        let (msisdn, line) = (format!("+7916{:07}", 1_000_000 + i), i as i64 + 1);
        setup.execute(
            "INSERT INTO numbers (msisdn, operator_id, state, line_id, subscriber_id, history_since, updated_at)
             VALUES ($1, 'mts', 'assigned', $2, 1, $3, $3)",
            &[&msisdn, &line, &t],
        )?;
        setup.execute(
            "INSERT INTO lines (id, msisdn, operator_id, subscriber_id, state, opened_at) VALUES ($1, $2, 'mts', 1, 'active', $3)",
            &[&line, &msisdn, &t],
        )?;
        setup.execute(
            "INSERT INTO number_assignments (msisdn, subscriber_id, line_id, from_at) VALUES ($1, 1, $2, $3)",
            &[&msisdn, &line, &t],
        )?;
        let m: i64 = setup
            .query_one(
                "INSERT INTO ledger_movements (kind, idempotency_key, memo, line_id, at, actor)
                 VALUES ('opening', $1, 'opening balance', $2, $3, 'system') RETURNING id",
                &[&format!("opening:line:{line}"), &line, &t],
            )?
            .get(0);
        setup.execute(
            "INSERT INTO ledger_entries (movement_id, account, amount, at) VALUES ($1, $2, 10000, $3), ($1, 'operator:mts:opening_balances', -10000, $3)",
            &[&m, &format!("line:{line}"), &t],
        )?;
    }
    setup.commit()?;

    let hash = "0".repeat(64);
    let signature = "s".repeat(86);
    c.execute("INSERT INTO audit_head (id, hash) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", &[&hash])?;
    let insert_request = c.prepare(
        "INSERT INTO termination_requests (line_id, subscriber_id, operator_id, msisdn, channel, reason, state, line_state_before,
         created_by, created_at, deadline_fallback, overdue, updated_at)
         VALUES ($1, 1, 'mts', $2, 'online', 'voluntary', 'draft', 'active', 1, $3, FALSE, FALSE, $3) RETURNING id",
    )?;
    let insert_event = c.prepare(
        "INSERT INTO request_events (request_id, at, actor, action, from_state, to_state) VALUES ($1, $2, 'account:1', $3, $4, $5)",
    )?;
    let lock_head = c.prepare("SELECT hash FROM audit_head WHERE id = 1 FOR UPDATE")?;
    let insert_audit = c.prepare(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, details, prev_hash, hash)
         VALUES ($1, 'account:1', $2, $3, $4, '{}', $5, $5)",
    )?;
    let update_head = c.prepare("UPDATE audit_head SET hash = $1 WHERE id = 1")?;
    let insert_change = c.prepare(
        "INSERT INTO changes (at, kind, subject, operator_id, data) VALUES ($1, $2, $3, 'mts', $4) RETURNING id",
    )?;
    let update_request = c.prepare("UPDATE termination_requests SET state = $2, updated_at = $3 WHERE id = $1")?;
    let update_line = c.prepare("UPDATE lines SET state = $2 WHERE id = $1")?;
    let insert_job = c.prepare(
        "INSERT INTO jobs (kind, payload, run_at, max_attempts, status, dedupe_key, created_at, updated_at)
         VALUES ($1, '{}', $2, 10, 'pending', $3, $2, $2)",
    )?;
    let insert_message = c.prepare(
        "INSERT INTO outbox (channel, recipient, template, language, payload, status, attempts, created_at,
         next_attempt_at, dedupe_key, request_id)
         VALUES ($1, '+79160000000', $2, 'ru', $3, 'pending', 0, $4, $4, $5, $6)",
    )?;
    let update_number =
        c.prepare("UPDATE numbers SET state = 'aging', aging_until = $2, updated_at = $3 WHERE msisdn = $1")?;
    let close_assignment = c.prepare(
        "UPDATE number_assignments SET to_at = $2, end_reason = 'terminated' WHERE msisdn = $1 AND to_at IS NULL",
    )?;
    let insert_movement = c.prepare(
        "INSERT INTO ledger_movements (kind, idempotency_key, memo, line_id, at, actor)
         VALUES ('refund', $1, 'balance to be refunded', $2, $3, 'account:2') RETURNING id",
    )?;
    let insert_entry =
        c.prepare("INSERT INTO ledger_entries (movement_id, account, amount, at) VALUES ($1, $2, $3, $4)")?;
    let insert_refund = c.prepare(
        "INSERT INTO refunds (line_id, request_id, operator_id, amount, state, created_at, updated_at)
         VALUES ($1, $2, 'mts', 10000, 'awaiting_details', $3, $3)",
    )?;
    let insert_bill = c.prepare("INSERT INTO final_bills (request_id, bill, issued_at) VALUES ($1, $2, $3)")?;
    let insert_certificate = c.prepare(
        "INSERT INTO certificates (number, request_id, operator_id, payload, key_id, signature, issued_at)
         VALUES ($1, $2, 'mts', $3, 'bench', $4, $5)",
    )?;
    let insert_task = c.prepare(
        "INSERT INTO network_tasks (request_id, msisdn, direction, steps, done_steps, status, attempts, updated_at)
         VALUES ($1, $2, 'deprovision', 'bar,detach,delete', 0, 'in_progress', 0, $3) RETURNING id",
    )?;
    let change_data = |msisdn: &str| {
        format!(
            r#"{{"id":0,"state":"completed","from":"approved","action":"complete","reason":"voluntary","line_id":0,"line_external_id":null,"msisdn":"{msisdn}","operator":"mts","channel":"online","store_id":null,"created_at":"2026-11-30T12:00:00Z","submitted_at":"2026-11-30T12:00:00Z","review_deadline":null,"decided_at":"2026-11-30T12:00:00Z","completed_at":"2026-11-30T12:00:00Z","aging_until":"2026-12-30T12:00:00Z","closed_at":null,"note":null}}"#
        )
    };
    // Every statement the loop sends, its transactions' starts and ends included.
    let sent = std::cell::Cell::new(0u64);
    macro_rules! counted {
        ($e:expr) => {{
            sent.set(sent.get() + 1);
            $e
        }};
    }
    // The audit chain's head is locked once per transaction, at its first entry, as the store
    // does; each entry then moves it.
    let audit =
        |tx: &mut postgres::Transaction<'_>, action: &str, entity: &str, id: &str| -> Result<(), postgres::Error> {
            counted!(tx.execute(&insert_audit, &[&t, &action, &entity, &id, &hash]))?;
            counted!(tx.execute(&update_head, &[&hash]))?;
            Ok(())
        };
    // A request's event, its audit entry, its row in the changes feed and one job.
    let step = |tx: &mut postgres::Transaction<'_>,
                req: i64,
                action: &str,
                from: &str,
                to: &str,
                msisdn: &str|
     -> Result<(), postgres::Error> {
        counted!(tx.execute(&insert_event, &[&req, &t, &action, &from, &to]))?;
        audit(tx, action, "termination_request", &req.to_string())?;
        let kind = format!("request.{to}");
        let subject = format!("termination_request/{req}");
        counted!(tx.query_one(&insert_change, &[&t, &kind, &subject, &change_data(msisdn)]))?;
        counted!(tx.execute(&insert_job, &[&action, &t, &format!("{action}:{req}")]))?;
        Ok(())
    };
    let before = pg_table_counts(schema)?;
    let started = Instant::now();
    for i in 0..n {
        let (msisdn, line) = (format!("+7916{:07}", 1_000_000 + i), i as i64 + 1);
        let mut tx = counted!(c.transaction())?;
        let req: i64 = counted!(tx.query_one(&insert_request, &[&line, &msisdn, &t]))?.get(0);
        counted!(tx.query_one(&lock_head, &[]))?;
        step(&mut tx, req, "create", "draft", "draft", &msisdn)?;
        counted!(tx.commit())?;
        for (action, from, to, line_state) in [
            ("submit", "draft", "submitted", "pending_termination"),
            ("approve", "submitted", "approved", "pending_termination"),
            ("complete", "approved", "completed", "terminated"),
        ] {
            let mut tx = counted!(c.transaction())?;
            counted!(tx.execute(&update_request, &[&req, &to, &t]))?;
            counted!(tx.execute(&update_line, &[&line, &line_state]))?;
            counted!(tx.query_one(&lock_head, &[]))?;
            if action == "complete" {
                counted!(tx.execute(&update_number, &[&msisdn, &(t + 30 * 86_400_000), &t]))?;
                counted!(tx.execute(&close_assignment, &[&msisdn, &t]))?;
                let m: i64 =
                    counted!(tx.query_one(&insert_movement, &[&format!("settle:{req}:refund"), &line, &t]))?.get(0);
                counted!(tx.execute(&insert_entry, &[&m, &format!("line:{line}"), &-10_000i64, &t]))?;
                counted!(tx.execute(&insert_entry, &[&m, &"operator:mts:refunds_payable", &10_000i64, &t]))?;
                audit(&mut tx, "ledger_movement", "ledger_movement", &m.to_string())?;
                counted!(tx.execute(&insert_refund, &[&line, &req, &t]))?;
                counted!(tx.execute(&insert_bill, &[&req, &BILL, &t]))?;
                let number = format!("MTS-2026-{req:07}");
                counted!(tx.execute(&insert_certificate, &[&number, &req, &crate::bulk::CERTIFICATE, &signature, &t]))?;
                audit(&mut tx, "issue_certificate", "certificate", &number)?;
                counted!(tx.query_one(&insert_task, &[&req, &msisdn, &t]))?;
            }
            for channel in ["sms", "email"] {
                let key = format!("{action}:{channel}:{req}");
                counted!(tx.execute(&insert_message, &[&channel, &action, &crate::bulk::MESSAGE, &t, &key, &req]))?;
            }
            step(&mut tx, req, action, from, to, &msisdn)?;
            counted!(tx.commit())?;
        }
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    Ok((rate, sent.get() as f64 / n as f64, crate::bulk::diff(&before, &pg_table_counts(schema)?)))
}
