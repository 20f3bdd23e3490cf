//! `simexit-bench bulk --lines 1000000` measures forced terminations at national scale and the
//! aging sweep that follows them, each against a raw baseline in the same run:
//!
//! 1. **Bulk termination.** N active lines (20 per holder, each with a balance) are generated
//!    with plain SQL; a copy of that database is taken. (a) The real bulk run — the same code
//!    as `simexit bulk terminate` — terminates every line in batches; (c) on the copy, plain
//!    batched SQL performs the same row changes (requests, events, number and holder period,
//!    settlement movements and refunds, final bill, certificate, network task, jobs, outbox,
//!    audit rows, the changes feed, the run's line outcomes), without the checks, signing and hashing the real
//!    code does. The rows each side added per table are printed and must agree.
//! 2. **Aging sweep.** The inventory is filled up to `--inventory` numbers; the network is
//!    taken to have confirmed every deprovisioning and the reminders to have been sent, then
//!    the clock moves past the aging end: (a) the real worker releases every due number;
//!    (c) on a copy, plain batched SQL makes the same row changes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, params};
use simexit_domain::access::Role;
use simexit_domain::{CalendarSet, PolicySet, Reason};
use simexit_service::bulk::parse_bulk_file;
use simexit_service::{ManualClock, Principal, Service, ServiceConfig};
use simexit_store::{NewAccount, Store, StoreExt};
use simexit_store_sqlite::{Durability, SqliteStore};

const START: &str = "2026-03-02T09:00:00Z";
/// Lines per holder in the generated data (the citizen limit).
const PER_HOLDER: usize = 20;
/// Lines per transaction, on both sides (the default of `simexit bulk terminate`).
const BATCH: usize = 500;

pub struct Args {
    pub lines: usize,
    pub inventory: usize,
    pub durability: String,
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let durability = durability(&args.durability)?;
    let n = args.lines;
    let dir = tempfile::tempdir()?;
    let real_db = dir.path().join("real.db");
    let raw_db = dir.path().join("raw.db");
    println!(
        "bulk benchmark: {n} lines, inventory {} numbers, SQLite WAL, synchronous = {}, {BATCH} lines per transaction",
        args.inventory,
        durability.pragma()
    );

    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&real_db, durability)?);
    let clock = Arc::new(ManualClock::fixed(START.parse()?));
    let service = service_on(store, clock.clone())?;
    let admin = admin(&service)?;
    let t = Instant::now();
    seed_lines(&real_db, durability, n)?;
    println!("generated {n} lines in {:.1} s", t.elapsed().as_secs_f64());
    copy(&real_db, &raw_db)?;

    // 1. Bulk termination.
    let before = table_counts(&real_db)?;
    let csv: String = std::iter::once("msisdn".to_owned()).chain((0..n).map(msisdn)).collect::<Vec<_>>().join("\n");
    let sent = service.store.statements_sent();
    let started = Instant::now();
    let lines = parse_bulk_file(&csv)?;
    let run = service.bulk_start(&admin, &lines, Reason::OverLimit, "bench.csv")?;
    while service.bulk_step(&admin, &run.run.id, BATCH as u32)? > 0 {}
    let real = n as f64 / started.elapsed().as_secs_f64();
    let statements = (service.store.statements_sent() - sent) as f64 / n as f64;
    let progress = service.bulk_progress(&admin, &run.run.id)?;
    anyhow::ensure!(
        progress.counts.get("terminated").copied() == Some(n as i64),
        "not every line was terminated: {:?}",
        progress.counts
    );
    let real_rows = diff(&before, &table_counts(&real_db)?);

    let raw_before = table_counts(&raw_db)?;
    let raw = raw_bulk(&raw_db, durability, n, admin.account_id)?;
    let raw_rows = diff(&raw_before, &table_counts(&raw_db)?);
    compare_rows("bulk termination", &real_rows, &raw_rows, n)?;
    println!("{:<44} {:>12} {:>8}", "bulk termination", "lines/s", "ratio");
    println!("{:<44} {:>12.0} {:>8}", "(c) raw batched SQL, same row changes", raw, "1.00");
    println!("{:<44} {:>12.0} {:>8.2}", "(a) simexit bulk run (real completion code)", real, real / raw);
    println!("a = {real:.0} lines/s (target >= 20000), a/c = {:.2} (target >= 0.3)", real / raw);
    println!("statements per line in (a): {statements:.1}, {BATCH} lines to a transaction");
    let what = format!("bulk termination of {n} lines");
    crate::table::rate("bulk (SQLite)", &what, real, "lines/s", Some(("batched SQL, same row changes", raw)));

    // 2. The aging sweep.
    if args.inventory <= n {
        return Ok(());
    }
    let t = Instant::now();
    fill_inventory(&real_db, durability, n, args.inventory)?;
    network_confirmed(&real_db, durability)?;
    println!("filled the inventory to {} numbers in {:.1} s", args.inventory, t.elapsed().as_secs_f64());
    copy(&real_db, &raw_db)?;
    let aging_until: i64 = Connection::open(&real_db)?.query_row(
        "SELECT max(aging_until) FROM numbers WHERE state = 'aging'",
        [],
        |r| r.get(0),
    )?;
    let after_aging = Timestamp::from_millisecond(aging_until)?.checked_add(SignedDuration::from_mins(1))?;
    clock.advance(after_aging.duration_since(service.now()));

    let before = table_counts(&real_db)?;
    let sent = service.store.statements_sent();
    let started = Instant::now();
    let mut released = 0;
    loop {
        let r = service.run_due_jobs(BATCH as u32)?;
        released += r.done;
        anyhow::ensure!(r.failed == 0 && r.retried == 0, "the sweep had failures: {r:?}");
        if r.claimed == 0 {
            break;
        }
    }
    let real_secs = started.elapsed().as_secs_f64();
    let statements = (service.store.statements_sent() - sent) as f64 / n as f64;
    println!("statements per released number in (a): {statements:.1}");
    anyhow::ensure!(released == n, "released {released} of {n}");
    let real_rows = diff(&before, &table_counts(&real_db)?);
    let raw_before = table_counts(&raw_db)?;
    let raw_secs = raw_sweep(&raw_db, durability, after_aging.as_millisecond())?;
    let raw_rows = diff(&raw_before, &table_counts(&raw_db)?);
    compare_rows("aging sweep", &real_rows, &raw_rows, n)?;
    let in_aging: i64 =
        Connection::open(&real_db)?
            .query_row("SELECT count(*) FROM numbers WHERE state = 'aging'", [], |r| r.get(0))?;
    anyhow::ensure!(in_aging == 0, "{in_aging} numbers are still in aging");
    println!("{:<44} {:>12} {:>8}", format!("aging sweep: {n} due of {}", args.inventory), "seconds", "ratio");
    println!("{:<44} {:>12.1} {:>8}", "(c) raw batched SQL, same row changes", raw_secs, "1.00");
    println!("{:<44} {:>12.1} {:>8.2}", "(a) simexit worker (END_AGING jobs)", real_secs, raw_secs / real_secs);
    let what = format!("aging sweep: {n} due of {}", args.inventory);
    crate::table::time("bulk (SQLite)", &what, real_secs, "s", Some(("batched SQL, same row changes", raw_secs)));
    println!(
        "sweep: {:.0} numbers/s, a/c = {:.2} (speed relative to the raw baseline)",
        n as f64 / real_secs,
        raw_secs / real_secs
    );
    Ok(())
}

fn msisdn(i: usize) -> String {
    format!("+79{:09}", 100_000_000 + i)
}

pub(crate) fn service_on(store: Arc<dyn Store>, clock: Arc<ManualClock>) -> anyhow::Result<Service> {
    let calendars = CalendarSet::builtin();
    let policies = PolicySet::from_toml(simexit_server::app::DEMO_POLICIES, &calendars)?;
    Ok(Service::new(store, policies, calendars, clock, ServiceConfig::default())?)
}

fn admin(service: &Service) -> anyhow::Result<Principal> {
    let now = service.now();
    let id = service.store.write(|tx| {
        tx.insert_account(&NewAccount {
            login: "bench-admin".into(),
            password_hash: String::new(),
            role: Role::Admin,
            operator: None,
            store_id: None,
            subscriber_id: None,
            scopes: String::new(),
            created_at: now,
        })
    })?;
    Ok(Principal {
        account_id: id,
        login: "bench-admin".into(),
        role: Role::Admin,
        operator: None,
        store_id: None,
        subscriber_id: None,
        scopes: Vec::new(),
        origin: None,
    })
}

/// `n` active MTS lines, 20 per holder, each with a 100.00 ₽ opening balance, written as the
/// service would have written them.
fn seed_lines(path: &Path, durability: Durability, n: usize) -> anyhow::Result<()> {
    let conn = simexit_store_sqlite::connect(path, durability)?;
    let t = millis(START)?;
    conn.execute_batch("BEGIN")?;
    for i in 0..n {
        let line = i as i64 + 1;
        let holder = (i / PER_HOLDER) as i64 + 1;
        if i % PER_HOLDER == 0 {
            conn.prepare_cached(
                "INSERT INTO subscribers (id, category, full_name, id_document_type, id_document_number, email, phone, language, created_at)
                 VALUES (?1, 'resident', 'Иванов Иван Иванович', 'passport_ru', '4510 000000', 'holder@example.org', '+79160000000', 'ru', ?2)",
            )?
            .execute(params![holder, t])?;
        }
        let msisdn = msisdn(i);
        conn.prepare_cached(
            "INSERT INTO numbers (msisdn, operator_id, state, line_id, subscriber_id, history_since, updated_at)
             VALUES (?1, 'mts', 'assigned', ?2, ?3, ?4, ?4)",
        )?
        .execute(params![msisdn, line, holder, t])?;
        conn.prepare_cached(
            "INSERT INTO lines (id, msisdn, operator_id, subscriber_id, state, opened_at)
             VALUES (?1, ?2, 'mts', ?3, 'active', ?4)",
        )?
        .execute(params![line, msisdn, holder, t])?;
        conn.prepare_cached(
            "INSERT INTO ledger_movements (kind, idempotency_key, memo, line_id, at, actor)
             VALUES ('opening', ?1, 'opening balance', ?2, ?3, 'system')",
        )?
        .execute(params![format!("opening:line:{line}"), line, t])?;
        let m = conn.last_insert_rowid();
        conn.prepare_cached(
            "INSERT INTO ledger_entries (movement_id, account, amount, at)
             VALUES (?1, ?2, 10000, ?3), (?1, 'operator:mts:opening_balances', -10000, ?3)",
        )?
        .execute(params![m, format!("line:{line}"), t])?;
        conn.prepare_cached(
            "INSERT INTO number_assignments (msisdn, subscriber_id, line_id, from_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![msisdn, holder, line, t])?;
        if i % 100_000 == 99_999 {
            conn.execute_batch("COMMIT; BEGIN")?;
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(())
}

/// Numbers beyond the terminated ones: held by lines of others or resting in the pool.
fn fill_inventory(path: &Path, durability: Durability, from: usize, to: usize) -> anyhow::Result<()> {
    let conn = simexit_store_sqlite::connect(path, durability)?;
    let t = millis(START)?;
    conn.execute_batch("BEGIN")?;
    let mut insert = conn.prepare(
        "INSERT INTO numbers (msisdn, operator_id, state, history_since, updated_at) VALUES (?1, 'mts', ?2, ?3, ?3)",
    )?;
    for i in from..to {
        let state = if i % 10 == 0 { "available" } else { "reserved" };
        insert.execute(params![msisdn(i), state, t])?;
        if i % 500_000 == 0 {
            conn.execute_batch("COMMIT; BEGIN")?;
        }
    }
    drop(insert);
    conn.execute_batch("COMMIT")?;
    Ok(())
}

/// The network confirmed every deprovisioning and the reminders went out: those jobs are
/// done, so the sweep measures the release alone.
fn network_confirmed(path: &Path, durability: Durability) -> anyhow::Result<()> {
    let conn = simexit_store_sqlite::connect(path, durability)?;
    conn.execute_batch(
        "BEGIN;
         UPDATE network_tasks SET status = 'done', done_steps = 3;
         UPDATE jobs SET status = 'done' WHERE kind <> 'end_aging' AND status = 'pending';
         COMMIT;",
    )?;
    Ok(())
}

/// `full` (fsync per commit) or `normal`.
pub(crate) fn durability(word: &str) -> anyhow::Result<Durability> {
    match word {
        "full" => Ok(Durability::Full),
        "normal" => Ok(Durability::Normal),
        other => anyhow::bail!("durability is `full` or `normal`, not `{other}`"),
    }
}

pub(crate) fn copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(to);
    let conn = Connection::open(from)?;
    conn.execute("VACUUM INTO ?1", [to.to_string_lossy()])?;
    Ok(())
}

pub(crate) fn table_counts(path: &Path) -> anyhow::Result<BTreeMap<String, i64>> {
    let conn = Connection::open(path)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = BTreeMap::new();
    for table in tables {
        let count: i64 = conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| r.get(0))?;
        out.insert(table, count);
    }
    Ok(out)
}

pub(crate) fn diff(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    after.iter().map(|(t, a)| (t.clone(), a - before.get(t).copied().unwrap_or(0))).filter(|(_, d)| *d != 0).collect()
}

/// Both sides must have added the same rows, or the ratio compares different work.
pub(crate) fn compare_rows(
    what: &str,
    real: &BTreeMap<String, i64>,
    raw: &BTreeMap<String, i64>,
    n: usize,
) -> anyhow::Result<()> {
    let per_line: Vec<String> = real.iter().map(|(t, d)| format!("{t} {}", format_per_line(*d, n))).collect::<Vec<_>>();
    println!("{what}: rows added per line: {}", per_line.join(", "));
    anyhow::ensure!(real == raw, "{what}: the raw baseline added other rows than the real run: {raw:?} vs {real:?}");
    Ok(())
}

fn format_per_line(d: i64, n: usize) -> String {
    let per = d as f64 / n as f64;
    if per.fract() == 0.0 { format!("{per:.0}") } else { format!("{per:.2}") }
}

/// An instant as the database stores it: milliseconds since the epoch.
fn millis(s: &str) -> anyhow::Result<i64> {
    Ok(s.parse::<Timestamp>()?.as_millisecond())
}

/// Text of the sizes the real run writes (a bill, a certificate payload, a message payload).
const BILL: &str = r#"{"request_id":0,"currency":"RUB","items":[{"kind":"balance","amount":10000}],"debt":0,"balance_left":10000,"settlement":{"kind":"refund","amount":10000,"state":"awaiting_details"},"issued_at":"2026-03-02T09:00:00Z"}"#;
pub(crate) const CERTIFICATE: &str = r#"{"number":"MTS-2026-0000000","operator":"mts","operator_name":"MTS","line_id":0,"msisdn":"+7 900 ***-**-00","subscriber":"Иванов И. И.","terminated_at":"2026-03-02T09:00:00Z","aging_until":"2026-09-02","reason":"over_limit","settlement":"refund of 100.00 RUB awaiting details"}"#;
pub(crate) const MESSAGE: &str = r#"{"request_id":0,"msisdn":"+7 900 ***-**-00","operator":"MTS","aging_until":"2026-09-02","amount":"100.00 RUB","link":"https://simexit.example/requests/0"}"#;

/// The bulk run's row changes in plain SQL: the run and its lines, then per line (500 to a
/// transaction) the lookup of the line and every row the completion writes.
fn raw_bulk(path: &Path, durability: Durability, n: usize, admin: i64) -> anyhow::Result<f64> {
    let conn = simexit_store_sqlite::connect(path, durability)?;
    let t = millis(START)?;
    let aging = t + 183 * 86_400_000;
    let hash = "0".repeat(64);
    let signature = "s".repeat(86);
    let actor = format!("account:{admin}");
    let started = Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE")?;
    conn.execute(
        "INSERT INTO bulk_runs (id, reason, source, total, created_by, created_at) VALUES ('raw', 'over_limit', 'bench.csv', ?1, ?2, ?3)",
        params![n as i64, actor, t],
    )?;
    audit(&conn, t, &actor, "start_bulk_termination", "bulk_run", "raw", &hash)?;
    for i in 0..n {
        conn.prepare_cached("INSERT INTO bulk_lines (run_id, line_no, msisdn) VALUES ('raw', ?1, ?2)")?
            .execute(params![i as i64 + 2, msisdn(i)])?;
    }
    conn.execute_batch("COMMIT")?;
    for chunk in (0..n).collect::<Vec<_>>().chunks(BATCH) {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        for &i in chunk {
            let msisdn = msisdn(i);
            let (line, holder): (i64, i64) = conn
                .prepare_cached("SELECT id, subscriber_id FROM lines WHERE msisdn = ?1 AND state = 'active'")?
                .query_row([&msisdn], |r| Ok((r.get(0)?, r.get(1)?)))?;
            conn.prepare_cached(
                "INSERT INTO termination_requests (line_id, subscriber_id, operator_id, msisdn, channel, reason, state,
                 line_state_before, created_by, created_at, submitted_at, deadline_fallback, overdue, decided_at,
                 completed_at, aging_until, note, updated_at, settlement)
                 VALUES (?1, ?2, 'mts', ?3, 'online', 'over_limit', 'completed', 'active', ?4, ?5, ?5, 0, 0, ?5, ?5, ?6,
                 'forced termination: over_limit', ?5, 'refund')",
            )?
            .execute(params![line, holder, msisdn, admin, t, aging])?;
            let req = conn.last_insert_rowid();
            for (action, from, to) in [
                ("create", "draft", "draft"),
                ("submit", "draft", "submitted"),
                ("approve", "submitted", "approved"),
                ("complete", "approved", "completed"),
            ] {
                conn.prepare_cached(
                    "INSERT INTO request_events (request_id, at, actor, action, from_state, to_state, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'forced termination: over_limit')",
                )?
                .execute(params![req, t, actor, action, from, to])?;
                audit(&conn, t, &actor, action, "termination_request", &req.to_string(), &hash)?;
                if from != to {
                    change(&conn, t, &format!("termination.{to}"), &format!("termination_request/{req}"), &msisdn)?;
                }
            }
            conn.prepare_cached(
                "UPDATE numbers SET state = 'aging', aging_until = ?2, updated_at = ?3 WHERE msisdn = ?1",
            )?
            .execute(params![msisdn, aging, t])?;
            conn.prepare_cached(
                "UPDATE number_assignments SET to_at = ?2, end_reason = 'terminated' WHERE msisdn = ?1 AND to_at IS NULL",
            )?
            .execute(params![msisdn, t])?;
            conn.prepare_cached("UPDATE lines SET state = 'terminated', terminated_at = ?2 WHERE id = ?1")?
                .execute(params![line, t])?;
            change(&conn, t, "line.terminated", &format!("line/{line}"), &msisdn)?;
            conn.prepare_cached(
                "INSERT INTO ledger_movements (kind, idempotency_key, memo, line_id, at, actor)
                 VALUES ('refund', ?1, 'balance to be refunded', ?2, ?3, ?4)",
            )?
            .execute(params![format!("settle:{req}:refund"), line, t, actor])?;
            let movement = conn.last_insert_rowid();
            conn.prepare_cached(
                "INSERT INTO ledger_entries (movement_id, account, amount, at)
                 VALUES (?1, ?2, -10000, ?3), (?1, 'operator:mts:refunds_payable', 10000, ?3)",
            )?
            .execute(params![movement, format!("line:{line}"), t])?;
            audit(&conn, t, &actor, "ledger_movement", "ledger_movement", &movement.to_string(), &hash)?;
            conn.prepare_cached(
                "INSERT INTO refunds (line_id, request_id, operator_id, amount, state, created_at, updated_at)
                 VALUES (?1, ?2, 'mts', 10000, 'awaiting_details', ?3, ?3)",
            )?
            .execute(params![line, req, t])?;
            conn.prepare_cached("INSERT INTO final_bills (request_id, bill, issued_at) VALUES (?1, ?2, ?3)")?
                .execute(params![req, BILL, t])?;
            let number = format!("MTS-2026-{req:07}");
            conn.prepare_cached(
                "INSERT INTO certificates (number, request_id, operator_id, payload, key_id, signature, issued_at)
                 VALUES (?1, ?2, 'mts', ?3, 'bench', ?4, ?5)",
            )?
            .execute(params![number, req, CERTIFICATE, signature, t])?;
            audit(&conn, t, &actor, "issue_certificate", "certificate", &number, &hash)?;
            conn.prepare_cached(
                "INSERT INTO network_tasks (request_id, msisdn, direction, steps, done_steps, status, attempts, updated_at)
                 VALUES (?1, ?2, 'deprovision', 'bar,detach,delete', 0, 'in_progress', 0, ?3)",
            )?
            .execute(params![req, msisdn, t])?;
            let task = conn.last_insert_rowid();
            for (kind, id, at) in
                [("network_steps", task, t), ("aging_reminder", req, aging - 7 * 86_400_000), ("end_aging", req, aging)]
            {
                conn.prepare_cached(
                    "INSERT INTO jobs (kind, payload, run_at, max_attempts, status, dedupe_key, created_at, updated_at)
                     VALUES (?1, ?2, ?3, 10, 'pending', ?4, ?5, ?5)",
                )?
                .execute(params![kind, format!("{{\"id\":{id}}}"), at, format!("{kind}:{id}"), t])?;
            }
            for template in ["termination_completed", "refund_details_needed"] {
                conn.prepare_cached(
                    "INSERT INTO outbox (channel, recipient, template, language, payload, status, attempts, created_at,
                     next_attempt_at, dedupe_key, request_id)
                     VALUES ('sms', '+79160000000', ?1, 'ru', ?2, 'pending', 0, ?3, ?3, ?4, ?5)",
                )?
                .execute(params![template, MESSAGE, t, format!("{template}:{req}"), req])?;
            }
            conn.prepare_cached(
                "UPDATE bulk_lines SET outcome = 'terminated', request_id = ?2 WHERE run_id = 'raw' AND line_no = ?1",
            )?
            .execute(params![i as i64 + 2, req])?;
        }
        conn.execute_batch("COMMIT")?;
    }
    // Finished, and said so on the changes feed, in one transaction.
    conn.execute_batch("BEGIN IMMEDIATE")?;
    conn.execute("UPDATE bulk_runs SET finished_at = ?1 WHERE id = 'raw'", [t])?;
    let data = format!(r#"{{"id":"raw","reason":"over_limit","source":"bench.csv","total":{n},"finished_at":{t}}}"#);
    conn.execute(
        "INSERT INTO changes (at, kind, subject, operator_id, data) VALUES (?1, 'bulk.finished', 'bulk_run/raw', NULL, ?2)",
        params![t, data],
    )?;
    conn.execute_batch("COMMIT")?;
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

fn audit(
    conn: &Connection,
    t: i64,
    actor: &str,
    action: &str,
    entity: &str,
    id: &str,
    hash: &str,
) -> anyhow::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, '{}', ?6, ?6)",
    )?
    .execute(params![t, actor, action, entity, id, hash])?;
    conn.prepare_cached(
        "INSERT INTO audit_head (id, hash) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET hash = excluded.hash",
    )?
    .execute([hash])?;
    Ok(())
}

/// The sweep's row changes in plain SQL: 500 due jobs claimed at a time, and for each, in
/// one transaction per batch, the number released, the line and request closed, the event and
/// its audit row written, the job finished.
/// A row of the changes feed, of the size the real code writes.
pub(crate) fn change(conn: &Connection, at: i64, kind: &str, subject: &str, msisdn: &str) -> anyhow::Result<()> {
    let data = format!(
        r#"{{"id":0,"state":"completed","from":"approved","action":"complete","reason":"over_limit","line_id":0,"line_external_id":null,"msisdn":"{msisdn}","operator":"mts","channel":"operator","store_id":null,"created_at":"2026-11-30T12:00:00Z","submitted_at":"2026-11-30T12:00:00Z","review_deadline":null,"decided_at":"2026-11-30T12:00:00Z","completed_at":"2026-11-30T12:00:00Z","aging_until":"2026-12-30T12:00:00Z","closed_at":null,"note":null}}"#
    );
    conn.prepare_cached("INSERT INTO changes (at, kind, subject, operator_id, data) VALUES (?1, ?2, ?3, 'mts', ?4)")?
        .execute(params![at, kind, subject, data])?;
    Ok(())
}

fn raw_sweep(path: &Path, durability: Durability, now: i64) -> anyhow::Result<f64> {
    let conn = simexit_store_sqlite::connect(path, durability)?;
    let hash = "0".repeat(64);
    let started = Instant::now();
    loop {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let jobs: Vec<(i64, String)> = conn
            .prepare_cached(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, run_at = ?1, locked_until = ?1, updated_at = ?1
                 WHERE id IN (SELECT id FROM jobs WHERE status IN ('pending', 'running') AND run_at <= ?1
                              ORDER BY run_at, id LIMIT ?2)
                 RETURNING id, payload",
            )?
            .query_map(params![now, BATCH as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        conn.execute_batch("COMMIT")?;
        if jobs.is_empty() {
            break;
        }
        conn.execute_batch("BEGIN IMMEDIATE")?;
        for (job, payload) in jobs {
            let req: i64 = serde_json::from_str::<serde_json::Value>(&payload)?["id"].as_i64().unwrap_or(0);
            let (line, msisdn): (i64, String) = conn
                .prepare_cached(
                    "SELECT line_id, msisdn FROM termination_requests WHERE id = ?1 AND state = 'completed'",
                )?
                .query_row([req], |r| Ok((r.get(0)?, r.get(1)?)))?;
            conn.prepare_cached(
                "UPDATE numbers SET state = 'available', aging_until = NULL, line_id = NULL, subscriber_id = NULL,
                 updated_at = ?2 WHERE msisdn = ?1",
            )?
            .execute(params![msisdn, now])?;
            conn.prepare_cached("UPDATE lines SET state = 'terminated' WHERE id = ?1")?.execute([line])?;
            conn.prepare_cached(
                "UPDATE termination_requests SET state = 'closed', closed_at = ?2, updated_at = ?2 WHERE id = ?1",
            )?
            .execute(params![req, now])?;
            conn.prepare_cached(
                "INSERT INTO request_events (request_id, at, actor, action, from_state, to_state)
                 VALUES (?1, ?2, 'system', 'end_aging', 'completed', 'closed')",
            )?
            .execute(params![req, now])?;
            audit(&conn, now, "system", "end_aging", "termination_request", &req.to_string(), &hash)?;
            change(&conn, now, "termination.closed", &format!("termination_request/{req}"), &msisdn)?;
            change(&conn, now, "number.released", &format!("number/{msisdn}"), &msisdn)?;
            audit(&conn, now, "system", "release", "number", &msisdn, &hash)?;
            conn.prepare_cached("UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = ?2 WHERE id = ?1")?
                .execute(params![job, now])?;
        }
        conn.execute_batch("COMMIT")?;
    }
    Ok(started.elapsed().as_secs_f64())
}
