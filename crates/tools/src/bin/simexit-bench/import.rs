//! `simexit-bench import --lines 1000000` measures `simexit import lines` at national scale
//! against raw batched inserts of the same rows, in the same run:
//!
//! A lines file of N rows (20 lines per subscriber; the subscribers imported first) is written
//! as an operator's BSS would export it. (a) The real import — the same code as `simexit import
//! lines`: the file read by the `csv` crate, every row checked, then each upserted in one
//! transaction (the line looked up by the BSS's id, its number looked up, then the number, the
//! line, its BSS link and its holder period written) and the import recorded; (c) on a copy of
//! the database, the same file read by the same `csv` crate and the same rows inserted with
//! prepared statements in one transaction (the number, the line, the number's holder line, the
//! BSS link, the holder period), without any check. The rows each side added per
//! table are printed and must agree.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rusqlite::params;
use simexit_service::ManualClock;
use simexit_service::imports::{ImportKind, read_rows};
use simexit_store::Store;
use simexit_store_sqlite::{Durability, SqliteStore};

use crate::bulk::{compare_rows, copy, diff, service_on, table_counts};

const START: &str = "2026-03-02T09:00:00Z";
const PER_HOLDER: usize = 20;

pub struct Args {
    pub lines: usize,
    pub durability: String,
}

fn msisdn(i: usize) -> String {
    format!("+79{:09}", 100_000_000 + i)
}

/// The BSS's export: subscribers, and their lines (every fifth suspended).
fn files(n: usize) -> (String, String) {
    let mut subscribers = String::from(
        "\u{feff}external_id,category,full_name,id_document_type,id_document_number,email,contact_phone,language\n",
    );
    for h in 0..n.div_ceil(PER_HOLDER) {
        subscribers.push_str(&format!(
            "CRM-{h},resident,\"Иванов, Иван Иванович {h}\",passport,4510 {h:06},holder{h}@example.ru,,ru\n"
        ));
    }
    let mut lines =
        String::from("external_id;subscriber_external_id;operator;msisdn;iccid;imsi;opened_at;state;balance_kopecks\n");
    for i in 0..n {
        let state = if i % 5 == 4 { "suspended" } else { "active" };
        lines.push_str(&format!(
            "BSS-{i};CRM-{};mts;{};;25001{i:010};2024-05-{:02};{state};0\n",
            i / PER_HOLDER,
            msisdn(i),
            1 + i % 28
        ));
    }
    (subscribers, lines)
}

pub fn run(args: &Args) -> anyhow::Result<()> {
    let durability = crate::bulk::durability(&args.durability)?;
    let n = args.lines;
    let dir = tempfile::tempdir()?;
    let real_db = dir.path().join("real.db");
    let raw_db = dir.path().join("raw.db");
    println!(
        "import benchmark: {n} lines, SQLite WAL, synchronous = {}, one transaction per file",
        durability.pragma()
    );
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&real_db, durability)?);
    let service = service_on(store, Arc::new(ManualClock::fixed(START.parse()?)))?;
    let (subscribers, lines) = files(n);
    let t = Instant::now();
    let (rows, problems) = read_rows(ImportKind::Subscribers, &subscribers).map_err(|p| anyhow::anyhow!("{p}"))?;
    service.import_read(&rows, problems, "subscribers.csv", false, "bench", &|_, _| {})?;
    println!("imported {} subscribers in {:.1} s", rows.len(), t.elapsed().as_secs_f64());
    copy(&real_db, &raw_db)?;

    let before = table_counts(&real_db)?;
    let started = Instant::now();
    let (rows, problems) = read_rows(ImportKind::Lines, &lines).map_err(|p| anyhow::anyhow!("{p}"))?;
    let read = started.elapsed().as_secs_f64();
    let report = service.import_read(&rows, problems, "lines.csv", false, "bench", &|_, _| {})?;
    let real = n as f64 / started.elapsed().as_secs_f64();
    println!(
        "(a) read and checked the file in {read:.2} s, wrote it in {:.2} s",
        started.elapsed().as_secs_f64() - read
    );
    anyhow::ensure!(report.created == n, "not every line was created: {report}");
    let mut real_rows = diff(&before, &table_counts(&real_db)?);
    // The import's own record (one history row and its audit entry) is not per line.
    for (table, one) in [("imports", 1), ("audit_log", 1)] {
        if let Some(d) = real_rows.get_mut(table) {
            *d -= one;
        }
    }
    real_rows.retain(|_, d| *d != 0);

    let raw_before = table_counts(&raw_db)?;
    let raw = raw_import(&raw_db, durability, &lines, n)?;
    let raw_rows = diff(&raw_before, &table_counts(&raw_db)?);
    compare_rows("lines import", &real_rows, &raw_rows, n)?;
    println!("{:<44} {:>12} {:>8}", "lines import", "lines/s", "ratio");
    println!("{:<44} {:>12.0} {:>8}", "(c) raw batched inserts, same rows", raw, "1.00");
    println!("{:<44} {:>12.0} {:>8.2}", "(a) simexit import lines (checked upserts)", real, real / raw);
    println!("a = {real:.0} lines/s, a/c = {:.2} (target >= 0.5)", real / raw);
    let what = format!("import of {n} lines");
    crate::table::rate("import (SQLite)", &what, real, "lines/s", Some(("batched inserts, same rows", raw)));
    Ok(())
}

/// The same file read by the same `csv` crate, its rows inserted as they are.
fn raw_import(path: &Path, durability: Durability, text: &str, n: usize) -> anyhow::Result<f64> {
    // The settings of the store's own writer.
    let conn = simexit_store_sqlite::connect_writer(path, durability)?;
    let started = Instant::now();
    let subscribers: std::collections::HashMap<String, i64> = conn
        .prepare("SELECT external_id, subscriber_id FROM bss_subscribers")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let now = START.parse::<jiff::Timestamp>()?.as_millisecond();
    let moscow = jiff::tz::TimeZone::get("Europe/Moscow")?;
    conn.execute_batch("BEGIN")?;
    {
        let mut number = conn.prepare(
            "INSERT INTO numbers (msisdn, operator_id, state, line_id, subscriber_id, history_since, updated_at)
             VALUES (?1, ?2, 'assigned', NULL, ?3, ?4, ?5)",
        )?;
        let mut line = conn.prepare(
            "INSERT INTO lines (msisdn, iccid, operator_id, subscriber_id, state, opened_at) VALUES (?1, NULL, ?2, ?3, ?4, ?5)",
        )?;
        let mut link = conn.prepare("INSERT INTO bss_lines (line_id, external_id, imsi) VALUES (?1, ?2, ?3)")?;
        let mut held = conn.prepare("UPDATE numbers SET line_id = ?2 WHERE msisdn = ?1")?;
        let mut holder = conn.prepare(
            "INSERT INTO number_assignments (msisdn, subscriber_id, line_id, from_at) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
        for record in reader.records() {
            let r = record?;
            let subscriber = subscribers[&r[1]];
            let opened = r[6].parse::<jiff::civil::Date>()?.to_zoned(moscow.clone())?.timestamp().as_millisecond();
            number.execute(params![&r[3], &r[2], subscriber, opened.min(now), now])?;
            line.execute(params![&r[3], &r[2], subscriber, &r[7], opened])?;
            let line_id = conn.last_insert_rowid();
            link.execute(params![line_id, &r[0], &r[5]])?;
            held.execute(params![&r[3], line_id])?;
            holder.execute(params![&r[3], subscriber, line_id, opened])?;
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(n as f64 / started.elapsed().as_secs_f64())
}
