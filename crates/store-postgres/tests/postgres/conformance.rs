//! The store conformance suite, run on PostgreSQL when `SIMEXIT_TEST_POSTGRES_URL` is set
//! (CI sets it); each case gets a fresh schema, dropped afterwards.

use std::ops::Deref;

use simexit_store_postgres::PgStore;

pub struct Fresh {
    store: PgStore,
    url: String,
    schema: String,
}

impl Deref for Fresh {
    type Target = PgStore;
    fn deref(&self) -> &PgStore {
        &self.store
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

/// A store in a fresh schema, or `None` (the case is skipped, saying so) without a URL.
pub fn fresh() -> Option<Fresh> {
    let Ok(url) = std::env::var("SIMEXIT_TEST_POSTGRES_URL") else {
        eprintln!("skipped: SIMEXIT_TEST_POSTGRES_URL is not set");
        return None;
    };
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    let schema = format!("t_{}", hex::encode(bytes));
    let mut c = postgres::Client::connect(&url, postgres::NoTls).expect("connect to the test PostgreSQL");
    c.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap();
    let store = PgStore::open_in_schema(&url, Some(&schema)).unwrap();
    Some(Fresh { store, url, schema })
}

simexit_store::conformance_tests!(optional: fresh());
