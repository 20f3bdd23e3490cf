//! TLS to the local PostgreSQL (ssl on, its certificate names `localhost`): each `sslmode`
//! checks what libpq's does, and a certificate that does not verify is refused.

use simexit_store::Store;
use simexit_store_postgres::{PgOptions, PgStore};

fn url() -> Option<String> {
    std::env::var("SIMEXIT_TEST_POSTGRES_URL").ok()
}

/// The server's certificate file, as the server names it (a self-signed `localhost` one on a
/// stock Debian PostgreSQL).
fn server_certificate(url: &str) -> Option<String> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).ok()?;
    let ssl: String = c.query_one("SHOW ssl", &[]).ok()?.get(0);
    let file: String = c.query_one("SHOW ssl_cert_file", &[]).ok()?.get(0);
    (ssl == "on" && std::fs::metadata(&file).is_ok()).then_some(file)
}

/// Opens a store at `url` + `params` in a fresh schema; the error text when it cannot.
fn open(url: &str, params: &str) -> Result<(), String> {
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).unwrap();
    let schema = format!("tls_{}", hex::encode(bytes));
    let mut admin = postgres::Client::connect(url, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let options = PgOptions { schema: Some(schema.clone()), ..PgOptions::default() };
    let result = PgStore::open_with(&format!("{url}{sep}{params}"), options).map_err(|e| e.to_string()).and_then(|s| {
        s.ping().map_err(|e| e.to_string())?;
        let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
        let encrypted: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid \
                 WHERE a.application_name = $1 AND s.ssl",
                &[&format!("simexit/{schema}")],
            )
            .unwrap()
            .get(0);
        assert!(encrypted >= 1, "{params}: the store's connection is encrypted");
        Ok(())
    });
    admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
    result
}

#[test]
fn each_sslmode_verifies_what_it_promises() {
    let Some(url) = url() else { return };
    let Some(cert) = server_certificate(&url) else {
        println!("skipped: the server has no readable certificate");
        return;
    };
    if !url.contains("127.0.0.1") {
        println!("skipped: the test URL must name 127.0.0.1");
        return;
    }
    let by_name = url.replace("127.0.0.1", "localhost");
    let public_roots = "/etc/ssl/certs/ca-certificates.crt";

    open(&url, "sslmode=require").unwrap();
    open(&by_name, &format!("sslmode=verify-full&sslrootcert={cert}")).unwrap();
    open(&url, &format!("sslmode=verify-ca&sslrootcert={cert}")).unwrap();

    let wrong_name = open(&url, &format!("sslmode=verify-full&sslrootcert={cert}")).unwrap_err();
    assert!(wrong_name.contains("not valid for name") || wrong_name.contains("NotValidForName"), "{wrong_name}");
    if std::path::Path::new(public_roots).exists() {
        let unknown = open(&by_name, &format!("sslmode=verify-full&sslrootcert={public_roots}")).unwrap_err();
        assert!(unknown.to_lowercase().contains("issuer"), "{unknown}");
    }
    let no_ca = open(&by_name, "sslmode=verify-full").unwrap_err();
    assert!(no_ca.contains("need a CA file"), "{no_ca}");
    let bad = open(&url, "sslmode=verify").unwrap_err();
    assert!(bad.contains("is not one of"), "{bad}");
}
