//! The S3 document store against two S3 servers that share no code with it: moto (PyPI
//! `moto[server]`) and s3s-fs (crates.io, `cargo install s3s-fs --features binary`), which
//! checks every request's SigV4 signature against its own keys. Each is started on a free
//! loopback port; a missing one is skipped unless `SIMEXIT_TEST_S3` is set (CI sets it).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed unwrap is a failed test")]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use simexit_files::s3::{S3Blobs, S3Settings};
use simexit_service::documents::{BlobError, Blobs};

const ACCESS: &str = "simexit-test-key";
const SECRET: &str = "simexit-test-secret-0123456789";

/// The key shapes a deployment meets: plain, spaces, Cyrillic and Chinese, reserved characters.
const KEYS: &[&str] = &[
    "documents/1/plain.pdf",
    "documents/2/with spaces/scan 1.jpg",
    "documents/3/паспорт 护照.jpg",
    "documents/4/a+b=c&d;e,f(1)~'!*@$.png",
];

struct Server {
    name: &'static str,
    child: Child,
    port: u16,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn have(program: &str) -> bool {
    let found = Command::new(program).arg("--help").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("SIMEXIT_TEST_S3").is_none(), "SIMEXIT_TEST_S3 is set but {program} is missing");
        eprintln!("skipped: {program} is not installed");
    }
    found
}

fn wait_for(port: u16, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{name} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn moto() -> Option<Server> {
    if !have("moto_server") {
        return None;
    }
    let port = free_port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(port, "moto_server");
    Some(Server { name: "moto", child, port, _dir: None })
}

/// s3s-fs over a temporary folder, accepting only `ACCESS`/`SECRET`.
fn s3s_fs() -> Option<Server> {
    if !have("s3s-fs") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new("s3s-fs")
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--access-key", ACCESS, "--secret-key", SECRET])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(port, "s3s-fs");
    Some(Server { name: "s3s-fs", child, port, _dir: Some(dir) })
}

fn settings(port: u16, bucket: &str, region: &str) -> S3Settings {
    S3Settings {
        endpoint: format!("http://127.0.0.1:{port}"),
        bucket: bucket.into(),
        region: region.into(),
        access_key: ACCESS.into(),
        secret_key: SECRET.into(),
        session_token: None,
        timeout: Duration::from_secs(10),
    }
}

/// Every key shape in and out, byte for byte, then deleted.
fn round_trip(server: &str, store: &S3Blobs, what: &str) {
    for (i, key) in KEYS.iter().enumerate() {
        let bytes: Vec<u8> = (0..4096u32).map(|n| (n * 7 + i as u32) as u8).collect();
        store.put(key, &bytes).unwrap_or_else(|e| panic!("{server} {what}: PUT {key}: {e}"));
        assert_eq!(store.get(key).unwrap_or_else(|e| panic!("{server} {what}: GET {key}: {e}")), bytes);
        store.delete(key).unwrap();
        assert!(matches!(store.get(key), Err(BlobError::NotFound)), "{server} {what}: {key} is gone");
    }
    println!("{server}: {what}: {} key shapes stored, read back and deleted", KEYS.len());
}

#[test]
fn documents_round_trip_through_moto_and_a_signature_checking_server() {
    let servers: Vec<Server> = [moto(), s3s_fs()].into_iter().flatten().collect();
    for server in &servers {
        let port = server.port;
        let store = S3Blobs::new(settings(port, "simexit-docs", "us-east-1")).unwrap();
        round_trip(server.name, &store, "us-east-1");
        // Another region: every request is signed for it, and the bucket is created with it as
        // its LocationConstraint, which moto keeps and reports (it checks no signature, so
        // its GetBucketLocation answers an unsigned request).
        let store = S3Blobs::new(settings(port, "simexit-docs-eu", "eu-central-1")).unwrap();
        round_trip(server.name, &store, "eu-central-1");
        if server.name == "moto" {
            let location = ureq::get(format!("http://127.0.0.1:{port}/simexit-docs-eu?location"))
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap();
            assert!(location.contains(">eu-central-1<"), "moto has the bucket in eu-central-1: {location}");
        }
        // Temporary credentials: the session token travels in the signed request.
        let store = S3Blobs::new(S3Settings {
            session_token: Some("FwoGZXIvYXdzEJr//////////wEaDGV4YW1wbGUtdG9rZW4=".into()),
            ..settings(port, "simexit-docs", "us-east-1")
        })
        .unwrap();
        round_trip(server.name, &store, "session token");
    }
}

#[test]
fn wrong_credentials_are_refused() {
    let Some(server) = s3s_fs() else { return };
    let right = S3Blobs::new(settings(server.port, "simexit-docs", "us-east-1")).unwrap();
    right.put("documents/kept.pdf", b"%PDF-1.4").unwrap();
    for (access, secret) in [(ACCESS, "not-the-secret"), ("someone-else", SECRET)] {
        let wrong = S3Settings {
            access_key: access.into(),
            secret_key: secret.into(),
            ..settings(server.port, "simexit-docs", "us-east-1")
        };
        let refused = S3Blobs::new(wrong);
        assert!(refused.is_err(), "{access}/{secret} was let in");
        let message = refused.err().unwrap().to_string();
        println!("s3s-fs: {access}: refused: {message}");
        assert!(message.contains("HTTP 403") || message.contains("HTTP 400"), "{message}");
    }
    assert_eq!(right.get("documents/kept.pdf").unwrap(), b"%PDF-1.4", "the right keys still read");
}
