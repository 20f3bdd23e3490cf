//! The lifecycle's raw baseline on PostgreSQL, and the schemas each side runs in.

use super::*;

/// A fresh PostgreSQL schema, dropped when the benchmark ends.
pub(super) struct Schema {
    base: String,
    pub(super) name: String,
}

impl Schema {
    pub(super) fn new(url: &str) -> anyhow::Result<Schema> {
        let name = format!("bench_{}", std::process::id())
            + &format!("_{}", SCHEMAS.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        postgres::Client::connect(url, postgres::NoTls)?.batch_execute(&format!("CREATE SCHEMA {name}"))?;
        Ok(Schema { base: url.to_owned(), name })
    }

    pub(super) fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.base, self.name)
    }
}

/// The server's WAL syncs, records and bytes so far (`pg_stat_wal`).
pub(super) fn wal(url: &str) -> anyhow::Result<[i64; 3]> {
    let row = postgres::Client::connect(url, postgres::NoTls)?
        .query_one("SELECT wal_sync, wal_records, wal_bytes::bigint FROM pg_stat_wal", &[])?;
    Ok([row.get(0), row.get(1), row.get(2)])
}

/// Rows per table of a schema.
pub(super) fn pg_table_counts(schema: &Schema) -> anyhow::Result<Counts> {
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
/// over one bare connection, four transactions per lifecycle. Returns lifecycles per second,
/// statements per lifecycle and the rows the lifecycles added.
pub(super) fn raw_postgres(schema: &Schema, n: usize) -> anyhow::Result<(f64, f64, Counts)> {
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
