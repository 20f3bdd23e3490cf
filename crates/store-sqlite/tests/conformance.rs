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

#[test]
fn balances_stored_before_the_ledger_become_opening_movements() {
    use simexit_domain::ledger::{Account, OperatorAccount};
    use simexit_domain::{Money, OperatorId};
    use simexit_store::StoreExt;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("simexit.db");
    {
        // A database at schema version 1, with a line in credit and one in debt.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(simexit_store_sqlite::MIGRATIONS[0].2).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, 'core', '2026-01-01T00:00:00Z');
             INSERT INTO operators VALUES ('mts', 'MTS', '7740000076');
             INSERT INTO subscribers (category, full_name, id_document_type, id_document_number, email, phone, language, created_at)
                 VALUES ('resident', 'A', 'passport', '1', 'a@example.org', '+79160000000', 'ru', 0);
             INSERT INTO numbers VALUES ('+79160000001', 'mts', 'assigned', NULL, 1, 1, 0, 0);
             INSERT INTO numbers VALUES ('+79160000002', 'mts', 'assigned', NULL, 2, 1, 0, 0);
             INSERT INTO lines (msisdn, operator_id, subscriber_id, state, balance, opened_at) VALUES ('+79160000001', 'mts', 1, 'active', 1500, 0);
             INSERT INTO lines (msisdn, operator_id, subscriber_id, state, balance, opened_at) VALUES ('+79160000002', 'mts', 1, 'active', -700, 0);",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path, Durability::Normal).unwrap();
    let (a, b, opening, total) = store
        .read(|tx| {
            Ok::<_, simexit_store::StoreError>((
                tx.line(1)?.unwrap().balance,
                tx.line(2)?.unwrap().balance,
                tx.balance(&Account::Operator(OperatorId::parse("mts").unwrap(), OperatorAccount::OpeningBalances))?,
                tx.ledger_total()?,
            ))
        })
        .unwrap();
    assert_eq!((a, b), (Money::from_kopecks(1500), Money::from_kopecks(-700)));
    assert_eq!(opening, Money::from_kopecks(-800));
    assert_eq!(total, 0);
}
