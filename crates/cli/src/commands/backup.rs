//! `simexit backup FILE` and `simexit restore FILE` for the embedded database.
//!
//! A backup is taken while the server runs: `VACUUM INTO` copies the database as of one read
//! transaction, so it is consistent however busy the writer is, and it is a plain SQLite file
//! (compacted, without a WAL). A restore checks the file (an intact SQLite database whose
//! migrations this build knows), moves the current database aside, puts the backup in its
//! place and applies any newer migrations. The server must be stopped for a restore.
//!
//! The database is not all of a deployment: the document and certificate keys and the document
//! objects live in files (see `docs/OPERATIONS.md`); they are copied with the usual tools.

use std::path::Path;

use anyhow::{Context, bail};
use rusqlite::{Connection, OpenFlags};
use simexit_server::Config;

fn sqlite_only(config: &Config, what: &str) -> anyhow::Result<()> {
    if config.database.url.is_some() {
        bail!("{what} works on the embedded SQLite database; for PostgreSQL use pg_dump and pg_restore");
    }
    Ok(())
}

fn lock_file(config: &Config) -> anyhow::Result<std::fs::File> {
    simexit_store_sqlite::create_private_dir(&config.database.data_dir)
        .with_context(|| format!("creating {}", config.database.data_dir.display()))?;
    let path = config.database.data_dir.join("simexit.lock");
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))
}

/// A shared lock on the data folder that `simexit serve` holds while it runs (several servers
/// may share it; a restore needs it alone). None on PostgreSQL.
pub fn serving_lock(config: &Config) -> anyhow::Result<Option<std::fs::File>> {
    if config.database.url.is_some() {
        return Ok(None);
    }
    let file = lock_file(config)?;
    file.lock_shared().context("locking the data folder")?;
    Ok(Some(file))
}

pub fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    sqlite_only(config, "simexit backup")?;
    let db = config.database_path();
    if !db.exists() {
        bail!("{} does not exist: nothing to back up", db.display());
    }
    if file.exists() {
        bail!("{} already exists: choose a new file name", file.display());
    }
    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("opening {}", db.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    // The copy is as private as the database: created owner-only before SQLite fills it.
    simexit_store_sqlite::private_database_file(file).with_context(|| format!("creating {}", file.display()))?;
    conn.execute("VACUUM INTO ?1", [file.to_string_lossy()]).with_context(|| format!("writing {}", file.display()))?;
    let (tables, version) = describe(file)?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {} to {} ({size} bytes, {tables} tables, schema version {version})",
        db.display(),
        file.display()
    );
    Ok(())
}

/// Checks a backup: an intact SQLite file with simexit's schema. Returns (tables, version).
fn describe(file: &Path) -> anyhow::Result<(i64, i64)> {
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("{} is not a database", file.display()))?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .with_context(|| format!("{} is not a SQLite database", file.display()))?;
    if check != "ok" {
        bail!("{} is damaged: {check}", file.display());
    }
    let version: i64 = conn
        .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))
        .with_context(|| format!("{} is not a simexit database (no schema_migrations)", file.display()))?;
    let tables: i64 = conn.query_row("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'", [], |r| r.get(0))?;
    Ok((tables, version))
}

pub fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    sqlite_only(config, "simexit restore")?;
    let (_, version) = describe(file)?;
    let known = simexit_store_sqlite::MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0);
    if version > known {
        bail!(
            "{} has schema version {version}; this simexit knows up to {known}: restore it with a newer build",
            file.display()
        );
    }
    let db = config.database_path();
    simexit_store_sqlite::create_private_dir(&config.database.data_dir)
        .with_context(|| format!("creating {}", config.database.data_dir.display()))?;
    // A running server would keep writing to the file moved aside.
    let lock = lock_file(config)?;
    if lock.try_lock().is_err() {
        bail!("a simexit server is using {}: stop it before a restore", config.database.data_dir.display());
    }
    if db.exists() {
        let aside = db.with_extension(format!("db.before-restore-{}", jiff::Timestamp::now().as_second()));
        std::fs::rename(&db, &aside).with_context(|| format!("moving {} aside", db.display()))?;
        for suffix in ["-wal", "-shm"] {
            let side = db.with_file_name(format!("simexit.db{suffix}"));
            let _ = std::fs::remove_file(side);
        }
        println!("the database it replaces is kept as {}", aside.display());
    }
    std::fs::copy(file, &db).with_context(|| format!("copying {} to {}", file.display(), db.display()))?;
    // Newer migrations, if the backup is older than this build.
    let store = simexit_server::app::open_store(config)?;
    store.ping()?;
    println!("restored {} from {} (schema version {version} → {known})", db.display(), file.display());
    Ok(())
}
