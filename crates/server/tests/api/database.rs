//! The server on PostgreSQL: TLS to the database, and a pool that never opens more
//! connections than `database.max_connections`, however many requests arrive at once.
//! Skipped without `SIMEXIT_TEST_POSTGRES_URL`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use crate::helpers::TestApp;

const NOW: &str = "2026-03-02T09:00:00Z";

fn admin_url() -> Option<String> {
    std::env::var("SIMEXIT_TEST_POSTGRES_URL").ok()
}

fn tag() -> String {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).unwrap();
    format!("t{}", hex::encode(bytes))
}

/// `(connections, encrypted)` of the server's connections, found by their application name,
/// as PostgreSQL itself reports them.
fn connections(url: &str, application: &str) -> (i64, i64) {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let row = c
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE s.ssl) FROM pg_stat_activity a \
             JOIN pg_stat_ssl s ON s.pid = a.pid WHERE a.application_name = $1",
            &[&application],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

#[tokio::test]
async fn with_sslmode_require_every_connection_is_encrypted() {
    let Some(url) = admin_url() else { return };
    for (mode, encrypted) in [("require", true), ("disable", false)] {
        let name = tag();
        let app = TestApp::on_postgres(NOW, &format!("sslmode={mode}&application_name={name}"), |_| {}).await.unwrap();
        let resident = app.login("resident@demo").await;
        app.get("/api/v1/me/lines", Some(&resident)).await.ok();
        let (u, n) = (url.clone(), name.clone());
        let (open, ssl) = tokio::task::spawn_blocking(move || connections(&u, &n)).await.unwrap();
        println!("sslmode={mode}: {open} connections, {ssl} encrypted (pg_stat_ssl)");
        assert!(open >= 1, "the server holds a connection");
        assert_eq!(ssl, if encrypted { open } else { 0 }, "sslmode={mode}");
    }
}

#[tokio::test]
async fn two_hundred_requests_at_once_hold_at_most_four_connections() {
    let Some(url) = admin_url() else { return };
    let name = tag();
    let app = TestApp::on_postgres(NOW, &format!("application_name={name}"), |c| {
        c.database.max_connections = 4;
        c.database.acquire_timeout_ms = 60_000;
    })
    .await
    .unwrap();
    let app = Arc::new(app);
    let resident = app.login("resident@demo").await;

    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicI64::new(0));
    let sampler = {
        let (stop, peak, url, name) = (stop.clone(), peak.clone(), url.clone(), name.clone());
        std::thread::spawn(move || {
            let mut samples = 0;
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(connections(&url, &name).0, Ordering::Relaxed);
                samples += 1;
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            samples
        })
    };
    let requests: Vec<_> = (0..200)
        .map(|_| {
            let (app, token) = (app.clone(), resident.clone());
            tokio::spawn(async move { app.get("/api/v1/me/lines", Some(&token)).await.status.as_u16() })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for r in requests {
        *statuses.entry(r.await.unwrap()).or_insert(0) += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let samples = sampler.join().unwrap();
    let peak = peak.load(Ordering::Relaxed);
    println!(
        "200 concurrent requests, max_connections = 4: {statuses:?}; at most {peak} connections in {samples} samples"
    );
    assert_eq!(statuses.get(&200), Some(&200), "every request answered: {statuses:?}");
    assert!((1..=4).contains(&peak), "PostgreSQL saw {peak} connections");
}

#[tokio::test]
async fn a_request_that_waits_too_long_for_a_connection_answers_503() {
    let Some(url) = admin_url() else { return };
    let app = TestApp::on_postgres(NOW, "", |c| {
        c.database.max_connections = 1;
        c.database.acquire_timeout_ms = 300;
    })
    .await
    .unwrap();
    let resident = app.login("resident@demo").await;
    // Another session locks the lines table: the first request waits inside the database on
    // the server's only connection, so the second finds none free.
    let schema = app.pg.as_ref().unwrap().name().to_owned();
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let blocker = std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut t = c.transaction().unwrap();
        t.batch_execute(&format!("LOCK TABLE {schema}.lines IN ACCESS EXCLUSIVE MODE")).unwrap();
        held_tx.send(()).unwrap();
        release_rx.recv().ok();
        t.rollback().unwrap();
    });
    held_rx.recv().unwrap();
    let first = {
        let (base, token) = (app.base.clone(), resident.clone());
        tokio::spawn(async move {
            reqwest::Client::new()
                .get(format!("{base}/api/v1/me/lines"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await; // the first is in the database
    let second = app.get("/api/v1/me/lines", Some(&resident)).await;
    second.problem(503, "database_unavailable");
    release_tx.send(()).unwrap();
    assert_eq!(first.await.unwrap().as_u16(), 200, "the waiting request completes once the lock goes");
    blocker.join().unwrap();
    app.get("/api/v1/me/lines", Some(&resident)).await.ok();
}
