//! Tests of the PostgreSQL backend, one binary: the shared conformance suite and the check
//! that its schema matches the SQLite backend's. Both need `SIMEXIT_TEST_POSTGRES_URL`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed unwrap is a failed test")]

mod conformance;
mod schema;
mod tls;
