//! Black-box tests of the HTTP API: a real server on a loopback port over a fresh SQLite
//! database with the demo data, a fixed clock moved only through the dev clock endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed unwrap is a failed test")]

mod helpers;

mod identity;
mod invariants;

mod access;
mod bss;
mod bulk;
mod camara;
mod database;
mod documents;
mod errors;
mod events;
mod jobs;
mod journey;
mod lines_and_numbers;
mod lookup;
mod matrix;
mod metrics;
mod money;
mod network;
mod notifications;
mod operators;
mod page_matrix;
mod pages;
mod payments;
mod refund_routes;
mod security;
mod transitions;
