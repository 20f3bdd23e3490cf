//! The store conformance suite, run on SQLite.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

use std::ops::Deref;

use simexit_store_sqlite::{Durability, SqliteStore};

struct Fresh {
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl Deref for Fresh {
    type Target = SqliteStore;
    fn deref(&self) -> &SqliteStore {
        &self.store
    }
}

fn fresh() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("simexit.db"), Durability::Normal).unwrap();
    Fresh { store, _dir: dir }
}

simexit_store::conformance_tests!(fresh());

#[test]
fn reopening_applies_no_migration_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("simexit.db");
    drop(SqliteStore::open(&path, Durability::Full).unwrap());
    let store = SqliteStore::open(&path, Durability::Full).unwrap();
    use simexit_store::Store;
    store.ping().unwrap();
}
