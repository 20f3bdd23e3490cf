//! Embedded migrations, numbered like the SQLite backend's. An advisory lock makes
//! instances that start together apply them once.

use postgres::Client;
use simexit_store::StoreError;

use crate::convert::store_error;

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
];

/// An arbitrary constant naming simexit's migration lock.
const LOCK: i64 = 0x5133_e417;

pub fn apply(client: &mut Client) -> Result<Vec<i64>, StoreError> {
    let mut tx = client.transaction().map_err(store_error)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK]).map_err(store_error)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .map_err(store_error)?;
    let mut applied = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        let done = tx
            .query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[version])
            .map_err(store_error)?
            .is_some();
        if !done {
            tx.batch_execute(sql).map_err(store_error)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)
                 VALUES ($1, $2, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
                &[version, name],
            )
            .map_err(store_error)?;
            tracing::info!(version, name, "applied migration");
            applied.push(*version);
        }
    }
    tx.commit().map_err(store_error)?;
    Ok(applied)
}
