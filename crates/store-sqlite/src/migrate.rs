//! Embedded migrations, applied in order, each in its own transaction, recorded in
//! `schema_migrations` so a restart applies only what is new.

use rusqlite::Connection;
use simexit_store::StoreError;

use crate::convert::store_error;

/// `(version, name, sql)` in order. Never edit a released migration: add a new one.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "core", include_str!("../migrations/0001_core.sql")),
    (2, "money", include_str!("../migrations/0002_money.sql")),
    (3, "identity", include_str!("../migrations/0003_identity.sql")),
    (4, "api_clients", include_str!("../migrations/0004_api_clients.sql")),
    (5, "cookie_sessions", include_str!("../migrations/0005_cookie_sessions.sql")),
    (6, "numbering", include_str!("../migrations/0006_numbering.sql")),
    (7, "history", include_str!("../migrations/0007_history.sql")),
    (8, "notifications", include_str!("../migrations/0008_notifications.sql")),
    (9, "documents", include_str!("../migrations/0009_documents.sql")),
    (10, "certificates", include_str!("../migrations/0010_certificates.sql")),
    (11, "network", include_str!("../migrations/0011_network.sql")),
    (12, "bulk", include_str!("../migrations/0012_bulk.sql")),
    (13, "pages", include_str!("../migrations/0013_pages.sql")),
    (14, "operations", include_str!("../migrations/0014_operations.sql")),
    (15, "audit_scope", include_str!("../migrations/0015_audit_scope.sql")),
    (16, "sign_in_codes", include_str!("../migrations/0016_sign_in_codes.sql")),
    (17, "store_kinds", include_str!("../migrations/0017_store_kinds.sql")),
    (18, "bss", include_str!("../migrations/0018_bss.sql")),
    (19, "review_pause", include_str!("../migrations/0019_review_pause.sql")),
    (20, "payments", include_str!("../migrations/0020_payments.sql")),
    (21, "refund_routes", include_str!("../migrations/0021_refund_routes.sql")),
    (22, "webhooks", include_str!("../migrations/0022_webhooks.sql")),
    (23, "running_balances", include_str!("../migrations/0023_running_balances.sql")),
    (24, "lookup_changes", include_str!("../migrations/0024_lookup_changes.sql")),
];

pub fn apply(conn: &mut Connection) -> Result<Vec<i64>, StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .map_err(store_error)?;
    let mut applied = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(store_error)?;
        let done: bool = tx
            .query_row("SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)", [version], |r| r.get(0))
            .map_err(store_error)?;
        if !done {
            tx.execute_batch(sql).map_err(store_error)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ'))",
                rusqlite::params![version, name],
            )
            .map_err(store_error)?;
            tracing::info!(version, name, "applied migration");
            applied.push(*version);
        }
        tx.commit().map_err(store_error)?;
    }
    Ok(applied)
}
