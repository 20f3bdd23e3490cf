//! What a security review found, each class held by a test: private files, redirects after
//! sign-in, money bounds, and the rest of issue "Security".

use std::os::unix::fs::PermissionsExt;

use crate::helpers::config;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[tokio::test]
async fn the_data_folder_is_the_owners_alone_and_so_are_the_database_and_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("var").join("simexit");
    let mut c = config(&data, false);
    c.database.url = None;
    let c2 = c.clone();
    let store = tokio::task::spawn_blocking(move || simexit_server::app::open_store(&c2)).await.unwrap().unwrap();
    simexit_server::app::document_store(&c).unwrap();
    simexit_server::app::signing_keys(&c).unwrap();
    drop(store);
    assert_eq!(mode(&data), 0o700, "data folder");
    for file in ["simexit.db", "simexit.db-wal", "simexit.db-shm", "document-keys", "certificate-keys"] {
        let path = data.join(file);
        if (file.ends_with("-wal") || file.ends_with("-shm")) && !path.exists() {
            continue;
        }
        assert_eq!(mode(&path), 0o600, "{file}");
    }

    // A database left readable by an older build is made private when it is opened again.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(data.join("simexit.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let store = tokio::task::spawn_blocking(move || simexit_server::app::open_store(&c)).await.unwrap().unwrap();
    drop(store);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("simexit.db")), 0o600);
}

#[tokio::test]
async fn money_that_enters_the_books_is_bounded_to_ten_million_roubles_a_movement() {
    let app = crate::helpers::TestApp::at("2026-11-26T09:00:00Z").await;
    let clerk = app.login("clerk.mts@demo").await;
    let open =
        |balance: i64| serde_json::json!({ "operator": "mts", "subscriber": "resident@demo", "balance": balance });
    // The reviewed attack: a line opened with 9·10^18 kopecks.
    app.post("/api/v1/lines", Some(&clerk), open(9_000_000_000_000_000_000)).await.problem(422, "invalid_amount");
    app.post("/api/v1/lines", Some(&clerk), open(1_000_000_001)).await.problem(422, "invalid_amount");
    app.post("/api/v1/lines", Some(&clerk), open(-1_000_000_001)).await.problem(422, "invalid_amount");
    let line = app.post("/api/v1/lines", Some(&clerk), open(1_000_000_000)).await.ok();
    assert_eq!(line["balance"], 1_000_000_000, "exactly 10,000,000 ₽ is one movement");

    let reviewer = app.login("reviewer@demo").await;
    let adjust = format!("/api/v1/lines/{}/adjustments", line["id"]);
    let charge = |amount: i64| serde_json::json!({ "kind": "charge", "amount": amount, "reason": "bound", "idempotency_key": format!("b{amount}") });
    app.post(&adjust, Some(&reviewer), charge(1_000_000_001)).await.problem(422, "invalid_amount");
    app.post(&adjust, Some(&reviewer), charge(i64::MAX)).await.problem(422, "invalid_amount");
    let after = app.get(&format!("/api/v1/lines/{}", line["id"]), Some(&reviewer)).await.ok();
    assert_eq!(after["balance"], 1_000_000_000, "a refused movement changes nothing");
}
