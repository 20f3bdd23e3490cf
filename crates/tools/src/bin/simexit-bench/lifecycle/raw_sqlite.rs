//! The lifecycle's raw baseline on SQLite.

use super::*;

/// The same rows the lifecycle writes, in plain SQL on one bare connection, four commits per
/// lifecycle, values precomputed: the floor any layer above SQLite is compared with. Returns
/// lifecycles per second, statements per lifecycle and the rows the lifecycles added.
pub(super) fn raw_baseline(path: &Path, n: usize, durability: Durability) -> anyhow::Result<(f64, f64, Counts)> {
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
