//! The `simexit` command as an operator runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed unwrap is a failed test")]

use std::process::Command;

fn simexit(args: &[&str], cwd: &std::path::Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_simexit"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SIMEXIT_CONFIG")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn demo_policies() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/policies/demo.toml")
}

#[test]
fn policy_check_summarises_a_valid_file() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = simexit(&["policy", "check", demo_policies().to_str().unwrap()], dir.path());
    assert!(ok, "{out}");
    assert!(out.contains("5 operator policies, valid"), "{out}");
    assert!(out.contains("megafon") && out.contains("channels store "), "{out}");
}

#[test]
fn policy_check_names_the_bad_field_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(demo_policies()).unwrap().replacen(
        "days = 60, min_days = 30",
        "days = 120, min_days = 30",
        1,
    );
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    let (ok, out) = simexit(&["policy", "check", path.to_str().unwrap()], dir.path());
    assert!(!ok);
    assert!(out.contains("operator[3] (t2).aging.days") && out.contains("120"), "{out}");
}

#[test]
fn migrate_creates_the_database_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = simexit(&["migrate", "--data-dir", "db"], dir.path());
    assert!(ok, "{out}");
    assert!(dir.path().join("db/simexit.db").exists());
    let (ok, out) = simexit(&["migrate", "--data-dir", "db"], dir.path());
    assert!(ok && out.contains("up to date"), "{out}");
}

#[test]
fn a_typo_in_the_configuration_is_an_error_not_a_default() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("simexit.toml"), "[server]\nlisten = \"127.0.0.1:0\"\ndemoo = true\n").unwrap();
    let (ok, out) = simexit(&["migrate", "--config", "simexit.toml"], dir.path());
    assert!(!ok);
    assert!(out.contains("demoo"), "{out}");
}

/// A demo deployment in `dir/db`: it writes audit entries as it seeds; served once, then stopped.
fn seeded_demo(dir: &std::path::Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_simexit"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir", "db"])
        .env("SIMEXIT_LOG__FILTER", "warn")
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    for line in out {
        if line.unwrap().starts_with("OpenAPI document") {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn audit_verify_names_the_entry_someone_tampered_with() {
    let dir = tempfile::tempdir().unwrap();
    seeded_demo(dir.path());

    let (ok, out) = simexit(&["audit", "verify", "--data-dir", "db"], dir.path());
    assert!(ok, "{out}");
    assert!(out.contains("audit chain intact"), "{out}");

    let db = rusqlite::Connection::open(dir.path().join("db/simexit.db")).unwrap();
    let victim: i64 = db.query_row("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 3", [], |r| r.get(0)).unwrap();
    let original: String = db.query_row("SELECT details FROM audit_log WHERE id = ?1", [victim], |r| r.get(0)).unwrap();
    db.execute("UPDATE audit_log SET details = '{\"amount\":1}' WHERE id = ?1", [victim]).unwrap();
    let (ok, out) = simexit(&["audit", "verify", "--data-dir", "db"], dir.path());
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("BROKEN at entry {victim}")), "{out}");

    // Put it back; then delete the newest entry: the chain head gives it away.
    db.execute("UPDATE audit_log SET details = ?2 WHERE id = ?1", rusqlite::params![victim, original]).unwrap();
    assert!(simexit(&["audit", "verify", "--data-dir", "db"], dir.path()).0);
    db.execute("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)", []).unwrap();
    let (ok, out) = simexit(&["audit", "verify", "--data-dir", "db"], dir.path());
    assert!(!ok && out.contains("BROKEN at its end"), "{out}");
}

/// A line's balance is a running balance kept with each ledger entry; `simexit check` sums the
/// entries and names an account whose running balance has drifted from them.
#[test]
fn check_names_a_running_balance_that_drifted_from_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    seeded_demo(dir.path());
    let (ok, out) = simexit(&["check", "--data-dir", "db"], dir.path());
    assert!(
        ok && out.contains("ok     ledger accounts whose running balance is not the sum of their entries: 0"),
        "{out}"
    );
    let db = rusqlite::Connection::open(dir.path().join("db/simexit.db")).unwrap();
    db.execute("UPDATE account_balances SET balance = balance + 1 WHERE account = 'line:1'", []).unwrap();
    let (ok, out) = simexit(&["check", "--data-dir", "db"], dir.path());
    assert!(
        !ok && out.contains("BROKEN ledger accounts whose running balance is not the sum of their entries: 1"),
        "{out}"
    );
}

/// Someone with the database and even the chain's key, but not the signing key.
#[test]
fn an_audit_checkpoint_catches_a_log_cut_short_or_rewritten_since() {
    let checkpointed = || {
        let dir = tempfile::tempdir().unwrap();
        seeded_demo(dir.path());
        let (ok, out) = simexit(&["audit", "checkpoint", "--data-dir", "db", "--out", "head.json"], dir.path());
        assert!(ok && out.contains("checkpoint of entry"), "{out}");
        let (ok, out) = simexit(&["audit", "verify", "--data-dir", "db", "--checkpoint", "head.json"], dir.path());
        assert!(ok && out.contains("holds") && out.contains("audit chain intact"), "{out}");
        let db = rusqlite::Connection::open(dir.path().join("db/simexit.db")).unwrap();
        (dir, db)
    };
    let verify = |dir: &std::path::Path| {
        let plain = simexit(&["audit", "verify", "--data-dir", "db"], dir);
        let held = simexit(&["audit", "verify", "--data-dir", "db", "--checkpoint", "head.json"], dir);
        (plain, held)
    };
    let entries = |db: &rusqlite::Connection| -> Vec<simexit_store::AuditRow> {
        let mut stmt = db
            .prepare(
                "SELECT id, at, actor, action, entity, entity_id, details, prev_hash, hash, operator_id FROM audit_log ORDER BY id",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok(simexit_store::AuditRow {
                id: r.get(0)?,
                at: jiff::Timestamp::from_millisecond(r.get(1)?).unwrap(),
                actor: r.get(2)?,
                action: r.get(3)?,
                entity: r.get(4)?,
                entity_id: r.get(5)?,
                details: r.get(6)?,
                prev_hash: r.get(7)?,
                hash: r.get(8)?,
                operator: r.get::<_, Option<String>>(9)?.map(|o| o.parse().unwrap()),
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };

    // Cut short, with the head moved back so that the chain alone looks whole.
    let (dir, db) = checkpointed();
    db.execute("DELETE FROM audit_log WHERE id > (SELECT MAX(id) - 3 FROM audit_log)", []).unwrap();
    db.execute("UPDATE audit_head SET hash = (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)", []).unwrap();
    let ((ok, plain), (held_ok, held)) = verify(dir.path());
    assert!(ok && plain.contains("intact"), "without the checkpoint nothing shows: {plain}");
    assert!(!held_ok && held.contains("CUT SHORT"), "{held}");

    // Rewritten with the chain's own key (stolen with the database): an entry changed and
    // every hash after it recomputed.
    let (dir, db) = checkpointed();
    let key = std::fs::read_to_string(dir.path().join("db/audit-key")).unwrap();
    let key = simexit_store::audit::AuditKey::from_hex(&key).unwrap();
    let mut rows = entries(&db);
    rows[2].details = "{\"forged\":true}".into();
    let mut prev = String::new();
    for e in &mut rows {
        e.prev_hash = prev.clone();
        e.hash = simexit_store::audit::chain_hash(&key, &prev, e);
        db.execute(
            "UPDATE audit_log SET details = ?2, prev_hash = ?3, hash = ?4 WHERE id = ?1",
            rusqlite::params![e.id, e.details, e.prev_hash, e.hash],
        )
        .unwrap();
        prev = e.hash.clone();
    }
    db.execute("UPDATE audit_head SET hash = ?1", [&prev]).unwrap();
    let ((ok, plain), (held_ok, held)) = verify(dir.path());
    assert!(ok && plain.contains("intact"), "{plain}");
    assert!(!held_ok && held.contains("REWRITTEN"), "{held}");

    // One row edited, nothing recomputed: both checks name it.
    let (dir, db) = checkpointed();
    let victim = entries(&db)[4].id;
    db.execute("UPDATE audit_log SET actor = 'account:999' WHERE id = ?1", [victim]).unwrap();
    let ((ok, plain), (held_ok, held)) = verify(dir.path());
    assert!(!ok && plain.contains(&format!("BROKEN at entry {victim}")), "{plain}");
    assert!(!held_ok && held.contains(&format!("BROKEN at entry {victim}")), "{held}");

    // A forged checkpoint is refused.
    let (dir, _db) = checkpointed();
    let file = dir.path().join("head.json");
    let forged = std::fs::read_to_string(&file).unwrap().replacen("\"entry\": ", "\"entry\": 1", 1);
    std::fs::write(&file, forged).unwrap();
    let (_, (held_ok, held)) = verify(dir.path());
    assert!(!held_ok && held.contains("NOT GENUINE"), "{held}");
}

#[test]
fn staff_are_added_listed_and_disabled_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) =
        simexit(&["staff", "add", "--data-dir", "db", "--login", "ops@acme", "--role", "admin"], dir.path());
    assert!(ok && out.contains("created ops@acme (admin); password, shown once: "), "{out}");
    let (ok, out) = simexit(
        &["staff", "add", "--data-dir", "db", "--login", "c@acme", "--role", "clerk", "--operator", "mts"],
        dir.path(),
    );
    assert!(!ok && out.contains("store_id"), "{out}");
    let (ok, out) = simexit(&["staff", "add", "--data-dir", "db", "--login", "x@acme", "--role", "pilot"], dir.path());
    assert!(!ok && out.contains("pilot"), "{out}");
    let (ok, out) = simexit(&["staff", "disable", "--data-dir", "db", "--login", "ops@acme"], dir.path());
    assert!(ok && out.contains("disabled ops@acme"), "{out}");
    let (ok, out) = simexit(&["staff", "list", "--data-dir", "db"], dir.path());
    assert!(ok && out.contains("ops@acme") && out.contains("disabled"), "{out}");
}

#[test]
fn the_sbp_banks_are_imported_whole_from_the_nspk_list() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = simexit(&["migrate", "--data-dir", "db"], dir.path());
    assert!(ok, "{out}");
    let list = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sbp-banks.csv");
    let (ok, out) = simexit(&["import", "sbp-banks", "--data-dir", "db", list, "--dry-run"], dir.path());
    assert!(ok && out.contains("14 SBP banks; would replace the list"), "{out}");
    let (ok, out) = simexit(&["import", "sbp-banks", "--data-dir", "db", list], dir.path());
    assert!(ok && out.contains("14 SBP banks; replaced the list"), "{out}");
    std::fs::write(dir.path().join("bad.csv"), "id,name\n100000000111,Сбербанк\n42,Short\n").unwrap();
    let (ok, out) = simexit(&["import", "sbp-banks", "--data-dir", "db", "bad.csv"], dir.path());
    assert!(!ok && out.contains("line 3: id `42` is not a 12-digit NSPK member id"), "{out}");
}

#[test]
fn stores_are_imported_from_a_spreadsheet_once_and_a_bad_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = simexit(&["migrate", "--data-dir", "db"], dir.path());
    assert!(ok, "{out}");
    // As a spreadsheet saves it: a BOM, `;`, CRLF, quoted names and addresses with `;` and `,`.
    let csv = "\u{feff}id;operator;kind;name;address;region;time_zone;hours;accepts_terminations;recycles_sims;phone\r\n\
        mts-tver-1;mts;store;\"МТС; Тверская, 1\";\"Москва, ул. Тверская, д. 1\";Москва;Europe/Moscow;\"mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; sun closed; 2027-01-01 closed\";yes;yes;+7 495 000-00-00\r\n\
        mts-eco-1;mts;recycling_point;Экопункт;\"Казань, ул. Баумана, 2\";Татарстан;Europe/Moscow;mon-sun 00:00-24:00;no;yes;\r\n";
    std::fs::write(dir.path().join("stores.csv"), csv).unwrap();
    let (ok, out) = simexit(&["stores", "import", "--data-dir", "db", "stores.csv", "--dry-run"], dir.path());
    assert!(ok && out.contains("dry run, nothing written: would be 2 created"), "{out}");
    let (ok, out) = simexit(&["stores", "import", "--data-dir", "db", "stores.csv"], dir.path());
    assert!(ok && out.contains("2 created, 0 updated, 0 unchanged"), "{out}");
    let (ok, out) = simexit(&["stores", "import", "--data-dir", "db", "stores.csv"], dir.path());
    assert!(ok && out.contains("nothing changed (2 rows as they were)"), "{out}");
    let bad = "id,operator,name,time_zone,hours\n\
               mts-tver-1,mts,Renamed,Europe/Moscow,mon 09:00-18:00\n\
               bad id,mts,X,Europe/Moscow,mon 09:00-18:00\n\
               y,mts,Y,Mars/Olympus,mon 09:00-18:00\n\
               z,mts,Z,Europe/Moscow,someday\n";
    std::fs::write(dir.path().join("bad.csv"), bad).unwrap();
    let (ok, out) = simexit(&["stores", "import", "--data-dir", "db", "bad.csv"], dir.path());
    assert!(!ok, "{out}");
    for line in ["line 3: id:", "line 4: time_zone:", "line 5: hours:", "3 problems; nothing was imported"] {
        assert!(out.contains(line), "{line} in {out}");
    }
    let (ok, out) = simexit(&["stores", "import", "--data-dir", "db", "stores.csv"], dir.path());
    assert!(ok && out.contains("nothing changed"), "the refused file renamed nothing: {out}");
    let (ok, out) = simexit(&["check", "--data-dir", "db"], dir.path());
    assert!(ok, "{out}");
}

#[test]
fn the_numbering_plan_is_imported_and_tells_the_range_holder() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/def-sample.csv");
    let real = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/numbering/DEF-9xx.csv");
    // The published registry when the machine has it, else the project's own sample.
    let (file, ranges) = if real.exists() { (real, "16629") } else { (fixture, "2") };
    let (ok, out) = simexit(&["numbering", "import", "--data-dir", "db", file.to_str().unwrap()], dir.path());
    assert!(ok, "{out}");
    assert!(out.contains(&format!("imported {ranges} ranges")), "{out}");
    assert!(out.contains(&format!("{ranges:>6}/{ranges}")), "the progress bar reached the end: {out}");
    let (ok, out) = simexit(&["numbering", "lookup", "--data-dir", "db", "+7 900 000 00 00"], dir.path());
    assert!(ok, "{out}");
    assert!(out.contains("ИНН 7743895280") && out.contains("Краснодарский край"), "{out}");
    assert!(out.to_lowercase().contains("т2 мобайл"), "{out}");

    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, "АВС/ DEF;От;До;Емкость;Оператор;Регион\n900;0000000;0061999;5;T2;Край\n").unwrap();
    let (ok, out) = simexit(&["numbering", "import", "--data-dir", "db", broken.to_str().unwrap()], dir.path());
    assert!(!ok && out.contains("line 2: capacity 5"), "{out}");
    let (ok, _) = simexit(&["numbering", "lookup", "--data-dir", "db", "+79000000000"], dir.path());
    assert!(ok, "a failed import leaves the previous plan in place");
}

#[test]
fn past_disconnections_are_imported_once_and_a_bad_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("past.csv");
    std::fs::write(&file, "number;date;kind\n+7 916 000-10-01;2022-06-01;permanent\n89160001002;2023-03-15;port-out\n")
        .unwrap();
    let args = ["history", "import", "--data-dir", "db", "--operator", "mts", "--since", "2020-01-01"];
    let run = |extra: &str| simexit(&[&args[..], &[extra]].concat(), dir.path());
    let (ok, out) = run(file.to_str().unwrap());
    assert!(ok, "{out}");
    assert!(
        out.contains("imported 2 rows (2 new events)") && out.contains("mts history known since 2020-01-01"),
        "{out}"
    );
    let (ok, out) = run(file.to_str().unwrap());
    assert!(ok && out.contains("imported 2 rows (0 new events)"), "importing again adds nothing: {out}");

    std::fs::write(&file, "number;date;kind\n+79160001003;2022-06-01;permanent\n+79160001004;2019-05-01;lost\n")
        .unwrap();
    let (ok, out) = run(file.to_str().unwrap());
    assert!(!ok && out.contains("line 3: kind `lost`"), "{out}");
    std::fs::write(&file, "number;date;kind\n+79160001003;2019-05-01;permanent\n").unwrap();
    let (ok, out) = run(file.to_str().unwrap());
    assert!(!ok && out.contains("line 2: 2019-05-01 is before the history start 2020-01-01"), "{out}");
    let (ok, out) = simexit(
        &["history", "import", "--data-dir", "db", "--operator", "nobody", "--since", "2020-01-01", "x.csv"],
        dir.path(),
    );
    assert!(!ok && out.contains("nobody"), "{out}");
}

mod instances {
    //! Several `simexit serve` processes on one PostgreSQL database (needs
    //! `SIMEXIT_TEST_POSTGRES_URL`; the outage test also `SIMEXIT_TEST_PG_OUTAGE=1`, since it
    //! stops the server).

    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};

    use serde_json::{Value, json};

    /// Tests that stop PostgreSQL must not overlap with the others of this module.
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    pub struct Server {
        pub child: Child,
        pub base: String,
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    pub fn schema_url() -> Option<(String, String)> {
        let url = std::env::var("SIMEXIT_TEST_POSTGRES_URL").ok()?;
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).unwrap();
        let schema = format!("inst_{}", hex::encode(bytes));
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap();
        let sep = if url.contains('?') { '&' } else { '?' };
        Some((format!("{url}{sep}options=-c%20search_path%3D{schema}"), schema))
    }

    /// The keys every instance of one deployment shares (documents and sealed values).
    pub const KEYS: &str = "k1:0101010101010101010101010101010101010101010101010101010101010101";

    /// Starts `simexit serve --demo --dev-clock` on a free port and waits until it listens.
    pub fn start(db_url: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_simexit"))
            .args(["serve", "--demo", "--dev-clock", "--listen", "127.0.0.1:0"])
            .env("SIMEXIT_DATABASE_URL", db_url)
            .env("SIMEXIT_DOCUMENTS__KEYS", KEYS)
            .env("SIMEXIT_AUDIT__KEY", "0202020202020202020202020202020202020202020202020202020202020202")
            .env("SIMEXIT_WORKER__POLL_MS", "100")
            .env("SIMEXIT_LOG__FILTER", "warn")
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines.next().expect("the server exited before listening").unwrap();
            if let Some(rest) = line.strip_prefix("OpenAPI document: ") {
                break rest.trim_end_matches("/api/v1/openapi.json").to_owned();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        std::mem::forget(dir);
        Server { child, base }
    }

    pub async fn login(client: &reqwest::Client, base: &str, who: &str) -> String {
        let r: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({ "login": who, "password": "demo" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["token"].as_str().unwrap().to_owned()
    }

    /// The signed-in subscriber's lines.
    pub async fn my_lines(client: &reqwest::Client, base: &str, token: &str) -> Value {
        let r = client.get(format!("{base}/api/v1/me/lines")).bearer_auth(token).send().await.unwrap();
        r.json().await.unwrap()
    }

    pub async fn post(client: &reqwest::Client, url: String, token: &str, body: Value) -> (u16, Value) {
        let r = client.post(url).bearer_auth(token).json(&body).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_instances_on_one_database_never_double_assign_complete_or_release() {
        let _serial = SERIAL.lock().await;
        let Some((db, schema)) = tokio::task::spawn_blocking(schema_url).await.unwrap() else {
            eprintln!("skipped: SIMEXIT_TEST_POSTGRES_URL is not set");
            return;
        };
        // The demo is seeded by the first; the second finds it there.
        let (a, b) = tokio::task::spawn_blocking(move || (start(&db), start(&db))).await.unwrap();
        let bases = [a.base.clone(), b.base.clone()];
        let client = reqwest::Client::new();
        let admins = [login(&client, &bases[0], "admin@demo").await, login(&client, &bases[1], "admin@demo").await];

        // 40 concurrent line openings, alternating instances.
        let mut set = tokio::task::JoinSet::new();
        for i in 0..40 {
            let (c, base, token) = (client.clone(), bases[i % 2].clone(), admins[i % 2].clone());
            set.spawn(async move {
                post(
                    &c,
                    format!("{base}/api/v1/lines"),
                    &token,
                    json!({ "operator": "mts", "subscriber": "resident@demo" }),
                )
                .await
            });
        }
        let opened = set.join_all().await;
        assert!(opened.iter().all(|(s, _)| *s == 201), "{opened:?}");
        let mut numbers: Vec<String> = opened.iter().map(|(_, l)| l["msisdn"].as_str().unwrap().to_owned()).collect();
        let lines: Vec<i64> = opened.iter().map(|(_, l)| l["id"].as_i64().unwrap()).collect();
        numbers.sort();
        numbers.dedup();
        println!("line openings: 40 sent, {} distinct numbers", numbers.len());
        assert_eq!(numbers.len(), 40, "a number was given to two lines");

        // Password-reset limits are counted in the database: 20 requests for one number,
        // alternating instances, still get only 5 through.
        let mut accepted = 0;
        for i in 0..20 {
            let r = client
                .post(format!("{}/api/v1/auth/password-reset", bases[i % 2]))
                .json(&json!({ "msisdn": "+79031234567" }))
                .send()
                .await
                .unwrap();
            match r.status().as_u16() {
                202 => accepted += 1,
                429 => assert!(r.headers().contains_key("retry-after")),
                other => panic!("unexpected {other}"),
            }
        }
        println!("password resets for one number across two instances: 20 sent, {accepted} accepted");
        assert_eq!(accepted, 5);
        // A reset asked of one instance is confirmed at the other.
        let (s, _) =
            post(&client, format!("{}/api/v1/auth/password-reset", bases[0]), "", json!({ "msisdn": "+79771234567" }))
                .await;
        assert_eq!(s, 202);
        let (url, schema_name) = (std::env::var("SIMEXIT_TEST_POSTGRES_URL").unwrap(), schema.clone());
        let code: String = tokio::task::spawn_blocking(move || {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            let row = c
                .query_one(
                    &format!("SELECT payload FROM {schema_name}.outbox WHERE recipient = '+79771234567' ORDER BY id DESC LIMIT 1"),
                    &[],
                )
                .unwrap();
            let payload: serde_json::Value = serde_json::from_str(row.get::<_, &str>(0)).unwrap();
            // Sealed at rest with the deployment's keys, as the sender opens it.
            let ring = simexit_domain::sealing::KeyRing::parse(KEYS).unwrap();
            ring.open_text("outbox.code", payload["code"].as_str().unwrap()).unwrap()
        })
        .await
        .unwrap();
        let confirm = json!({ "msisdn": "+79771234567", "code": code, "new_password": "changed on B" });
        let (s, body) = post(&client, format!("{}/api/v1/auth/password-reset/confirm", bases[1]), "", confirm).await;
        assert_eq!(s, 204, "{body}");
        let signed_in = client
            .post(format!("{}/api/v1/auth/login", bases[0]))
            .json(&json!({ "login": "tourist@demo", "password": "changed on B" }))
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), 200, "the new password works at the first instance");

        // 20 requests taken to `approved`, then completed from both instances at once.
        let mut requests = Vec::new();
        for (i, line) in lines.iter().take(20).enumerate() {
            let (base, token) = (&bases[i % 2], &admins[i % 2]);
            let (s, r) = post(
                &client,
                format!("{base}/api/v1/terminations"),
                token,
                json!({ "line_id": line, "channel": "online" }),
            )
            .await;
            assert_eq!(s, 201, "{r}");
            let id = r["id"].as_i64().unwrap();
            for action in ["submit", "approve"] {
                let (s, r) = post(&client, format!("{base}/api/v1/terminations/{id}/{action}"), token, json!({})).await;
                assert_eq!(s, 200, "{r}");
            }
            requests.push(id);
        }
        let mut set = tokio::task::JoinSet::new();
        for id in &requests {
            for k in 0..2 {
                let (c, base, token, id) = (client.clone(), bases[k].clone(), admins[k].clone(), *id);
                set.spawn(async move {
                    post(&c, format!("{base}/api/v1/terminations/{id}/complete"), &token, json!({})).await.0
                });
            }
        }
        let statuses = set.join_all().await;
        let completed = statuses.iter().filter(|s| **s == 200).count();
        let refused = statuses.iter().filter(|s| **s == 409).count();
        println!("completions: {} sent, {completed} completed, {refused} refused as already completed", statuses.len());
        assert_eq!((completed, refused), (20, 20));

        // Both clocks jump past aging at once: both instances run the due jobs.
        let mut set = tokio::task::JoinSet::new();
        for base in &bases {
            let (c, base) = (client.clone(), base.clone());
            set.spawn(async move {
                c.post(format!("{base}/api/v1/dev/clock"))
                    .json(&json!({ "advance_days": 31 }))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            });
        }
        assert!(set.join_all().await.iter().all(|s| *s == 200));
        let url = std::env::var("SIMEXIT_TEST_POSTGRES_URL").unwrap();
        // An aging end whose network steps are still in flight at the other instance waits an
        // hour for them (a number live in the network never goes back to the pool): move both
        // clocks on a day, at most three times, until every release has run.
        for _ in 0..3 {
            let (u, s) = (url.clone(), schema.clone());
            let open = tokio::task::spawn_blocking(move || {
                let mut c = postgres::Client::connect(&u, postgres::NoTls).unwrap();
                c.batch_execute(&format!("SET search_path = {s}")).unwrap();
                c.query_one("SELECT COUNT(*) FROM termination_requests WHERE state = 'completed'", &[])
                    .unwrap()
                    .get::<_, i64>(0)
            })
            .await
            .unwrap();
            if open == 0 {
                break;
            }
            println!("aging ends: {open} waited for their network steps; both clocks move on a day");
            for base in &bases {
                let r = client
                    .post(format!("{base}/api/v1/dev/clock"))
                    .json(&json!({ "advance_days": 1 }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        }
        let (events, closed, released, stray) = tokio::task::spawn_blocking(move || {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            c.batch_execute(&format!("SET search_path = {schema}")).unwrap();
            let one = |c: &mut postgres::Client, sql: &str| -> i64 { c.query_one(sql, &[]).unwrap().get(0) };
            // A background worker may still be finishing a job it claimed: wait (bounded) until
            // no job is running.
            for _ in 0..100 {
                if one(&mut c, "SELECT COUNT(*) FROM jobs WHERE status = 'running'") == 0 {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let events = one(&mut c, "SELECT COUNT(*) FROM request_events WHERE action = 'end_aging'");
            let closed = one(&mut c, "SELECT COUNT(*) FROM termination_requests WHERE state = 'closed'");
            let released = one(&mut c, "SELECT COUNT(*) FROM audit_log WHERE action = 'release'");
            let stray = one(&mut c, "SELECT COUNT(*) FROM (SELECT request_id FROM request_events WHERE action IN ('complete', 'end_aging') GROUP BY request_id, action HAVING COUNT(*) > 1) d");
            c.batch_execute(&format!("SET search_path = public; DROP SCHEMA {schema} CASCADE")).unwrap();
            (events, closed, released, stray)
        })
        .await
        .unwrap();
        println!(
            "aging ends: {closed} requests closed, {events} end_aging events, {released} numbers released, {stray} duplicated effects"
        );
        assert_eq!((closed, events, released, stray), (20, 20, 20, 0));
    }

    fn pg_ctl(action: &str) {
        let version = std::fs::read_dir("/etc/postgresql").unwrap().next().unwrap().unwrap().file_name();
        let version = version.to_string_lossy().into_owned();
        let mut args = vec!["--skip-systemctl-redirect", version.as_str(), "main", action];
        if action == "stop" {
            args.extend(["-m", "fast"]);
        }
        let status = Command::new("pg_ctlcluster").args(&args).status().unwrap();
        assert!(status.success(), "pg_ctlcluster {action} failed");
    }

    async fn get(client: &reqwest::Client, url: String) -> (u16, Value) {
        match client.get(url).send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.json().await.unwrap_or(Value::Null))
            }
            Err(e) => panic!("the server stopped answering: {e}"),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_database_outage_gives_503s_then_the_instance_recovers_by_itself() {
        let _serial = SERIAL.lock().await;
        if std::env::var("SIMEXIT_TEST_PG_OUTAGE").ok().as_deref() != Some("1") {
            eprintln!("skipped: set SIMEXIT_TEST_PG_OUTAGE=1 to let this test stop and start PostgreSQL");
            return;
        }
        let Some((db, schema)) = tokio::task::spawn_blocking(schema_url).await.unwrap() else {
            eprintln!("skipped: SIMEXIT_TEST_POSTGRES_URL is not set");
            return;
        };
        let mut server = tokio::task::spawn_blocking(move || start(&db)).await.unwrap();
        let base = server.base.clone();
        let client = reqwest::Client::new();
        let admin = login(&client, &base, "admin@demo").await;
        let open = |c: reqwest::Client, t: String, b: String| async move {
            post(&c, format!("{b}/api/v1/lines"), &t, json!({ "operator": "beeline", "subscriber": "foreigner@demo" }))
                .await
        };
        let mut acknowledged = Vec::new();
        for _ in 0..5 {
            let (s, l) = open(client.clone(), admin.clone(), base.clone()).await;
            assert_eq!(s, 201);
            acknowledged.push(l["id"].as_i64().unwrap());
        }

        tokio::task::spawn_blocking(|| pg_ctl("stop")).await.unwrap();
        let mut during = Vec::new();
        for _ in 0..5 {
            let (s, body) = open(client.clone(), admin.clone(), base.clone()).await;
            if s == 201 {
                acknowledged.push(body["id"].as_i64().unwrap());
            } else {
                assert_eq!(s, 503, "{body}");
                assert_eq!(body["code"], "database_unavailable");
            }
            during.push(s);
        }
        let (ready, _) = get(&client, format!("{base}/readyz")).await;
        let (healthy, _) = get(&client, format!("{base}/healthz")).await;
        println!("during the outage: line openings answered {during:?}; /readyz {ready}; /healthz {healthy}");
        assert_eq!(ready, 503);
        assert_eq!(healthy, 200);
        assert!(during.iter().all(|s| *s == 503));
        assert!(server.child.try_wait().unwrap().is_none(), "the process died");

        tokio::task::spawn_blocking(|| pg_ctl("start")).await.unwrap();
        let mut recovered_after = None;
        for attempt in 0..100 {
            if get(&client, format!("{base}/readyz")).await.0 == 200 {
                recovered_after = Some(attempt);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        println!("ready again after {recovered_after:?} polls of 100 ms");
        assert!(recovered_after.is_some(), "the instance did not recover");
        let (s, _) = open(client.clone(), admin.clone(), base.clone()).await;
        assert_eq!(s, 201, "writes work again");
        for id in &acknowledged {
            let r = client.get(format!("{base}/api/v1/lines/{id}")).bearer_auth(&admin).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200, "acknowledged line {id} was lost");
        }
        println!("{} acknowledged line openings all present after recovery", acknowledged.len());
        let _ = server.child.kill();
        let url = std::env::var("SIMEXIT_TEST_POSTGRES_URL").unwrap();
        tokio::task::spawn_blocking(move || {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
        })
        .await
        .unwrap();
    }
}

mod crash {
    //! `kill -9` of `simexit serve` in the middle of a dispatch batch, against a real SMTP
    //! server (aiosmtpd, `SIMEXIT_TEST_SMTP=1` in CI) that takes 150 ms per message.

    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use serde_json::{Value, json};

    use super::instances::{login, post};

    pub struct Proc(pub Child);

    impl Drop for Proc {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn sink(port: u16, file: &std::path::Path) -> Option<Proc> {
        let have = Command::new("python3").args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
        if !have {
            assert!(
                std::env::var_os("SIMEXIT_TEST_SMTP").is_none(),
                "SIMEXIT_TEST_SMTP is set but aiosmtpd is missing"
            );
            eprintln!("skipped: python3 with aiosmtpd is needed");
            return None;
        }
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/tests/peers/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(file)
            .args(["--delay", "0.15"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut ready).unwrap();
        assert_eq!(ready.trim(), "ready");
        Some(Proc(child))
    }

    /// `simexit serve --demo --dev-clock` on SQLite in `data`, sending e-mail to `smtp_port`.
    pub fn serve(data: &std::path::Path, smtp_port: u16) -> (Proc, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_simexit"))
            .args(["serve", "--demo", "--dev-clock", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .env("SIMEXIT_WORKER__POLL_MS", "50")
            .env("SIMEXIT_LOG__FILTER", "warn")
            .env("SIMEXIT_NOTIFICATIONS__EMAIL", "smtp")
            .env("SIMEXIT_NOTIFICATIONS__SMTP_TLS", "none")
            .env("SIMEXIT_NOTIFICATIONS__SMTP_PORT", smtp_port.to_string())
            .env_remove("SIMEXIT_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().expect("the server exited before listening").unwrap();
            if let Some(rest) = line.strip_prefix("OpenAPI document: ") {
                break rest.trim_end_matches("/api/v1/openapi.json").to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        (Proc(child), base)
    }

    fn received(file: &std::path::Path) -> Vec<String> {
        std::fs::read_to_string(file)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["message_id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn killing_the_server_mid_dispatch_loses_nothing_and_repeats_at_most_the_message_in_flight() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("received.jsonl");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let Some(_sink) = sink(port, &file) else { return };
        let data = dir.path().join("data");
        let (mut server, base) = serve(&data, port);
        let client = reqwest::Client::new();
        let admin = login(&client, &base, "admin@demo").await;
        let resident = login(&client, &base, "resident@demo").await;
        const N: usize = 20;
        for _ in 0..N {
            let (s, line) = post(
                &client,
                format!("{base}/api/v1/lines"),
                &admin,
                json!({ "operator": "mts", "subscriber": "resident@demo" }),
            )
            .await;
            assert_eq!(s, 201, "{line}");
            let (s, req) = post(
                &client,
                format!("{base}/api/v1/terminations"),
                &resident,
                json!({ "line_id": line["id"], "channel": "online" }),
            )
            .await;
            assert_eq!(s, 201, "{req}");
            // Submitted by the admin: a subscriber would first upload the policy's documents.
            let (s, r) =
                post(&client, format!("{base}/api/v1/terminations/{}/submit", req["id"]), &admin, json!({})).await;
            assert_eq!(s, 200, "{r}");
        }
        // Kill while the batch is going out: some sent and recorded, one perhaps in flight.
        let deadline = Instant::now() + Duration::from_secs(60);
        while received(&file).len() < N / 3 {
            assert!(Instant::now() < deadline, "the dispatcher never got going");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.0.kill().unwrap(); // SIGKILL
        server.0.wait().unwrap();
        let at_kill = received(&file).len();

        let (_server, base) = serve(&data, port);
        // Messages the dead process had claimed are leased for two minutes of service time:
        // move the clock past the lease instead of waiting.
        let r =
            client.post(format!("{base}/api/v1/dev/clock")).json(&json!({ "advance_days": 1 })).send().await.unwrap();
        assert!(r.status().is_success());
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut ids = received(&file);
        let distinct = |ids: &[String]| ids.iter().collect::<std::collections::BTreeSet<_>>().len();
        while distinct(&ids) < N {
            assert!(Instant::now() < deadline, "only {} of {N} arrived: {ids:?}", distinct(&ids));
            tokio::time::sleep(Duration::from_millis(50)).await;
            ids = received(&file);
        }
        tokio::time::sleep(Duration::from_millis(500)).await; // anything more would show now
        ids = received(&file);
        println!(
            "crash test: {N} e-mails queued; {at_kill} received before kill -9; {} received in all, {} distinct, {} repeated",
            ids.len(),
            distinct(&ids),
            ids.len() - distinct(&ids)
        );
        assert_eq!(distinct(&ids), N, "nothing lost");
        assert!(ids.len() - distinct(&ids) <= 1, "at most the message in flight is repeated: {ids:?}");
    }
}

mod webhooks_crash {
    //! Events out survive `kill -9`: a journey's webhooks reach a receiver that verifies them
    //! with the Python `standardwebhooks` package and parses them with `cloudevents`
    //! (`SIMEXIT_TEST_WEBHOOKS=1` in CI), in order per request, none lost across the kill.

    use std::collections::{BTreeMap, BTreeSet};
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use serde_json::{Value, json};

    use super::crash::{Proc, serve};
    use super::instances::{login, post};

    fn receiver(port: u16, secret: &str, file: &std::path::Path) -> Option<Proc> {
        let have = Command::new("python3")
            .args(["-c", "import standardwebhooks, cloudevents"])
            .status()
            .is_ok_and(|s| s.success());
        if !have {
            assert!(
                std::env::var_os("SIMEXIT_TEST_WEBHOOKS").is_none(),
                "SIMEXIT_TEST_WEBHOOKS is set but standardwebhooks or cloudevents is missing"
            );
            eprintln!("skipped: pip install standardwebhooks cloudevents");
            return None;
        }
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/tests/peers/webhook_receiver.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(secret)
            .arg(file)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut ready).unwrap();
        assert_eq!(ready.trim(), "ready");
        Some(Proc(child))
    }

    fn received(file: &std::path::Path) -> Vec<Value> {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_journeys_webhooks_survive_kill_9_in_order_and_none_lost() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let file = dir.path().join("events.jsonl");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let url = format!("http://127.0.0.1:{port}/events");
        let added = Command::new(env!("CARGO_BIN_EXE_simexit"))
            .args(["webhooks", "add", "--data-dir"])
            .arg(&data)
            .args(["--url", &url, "--events", "termination.*,line.*"])
            .env_remove("SIMEXIT_DATABASE_URL")
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&added.stdout).to_string();
        assert!(added.status.success(), "{out}{}", String::from_utf8_lossy(&added.stderr));
        let secret = out.lines().find_map(|l| l.strip_prefix("secret (shown once): ")).unwrap().to_owned();
        assert!(secret.starts_with("whsec_") && out.contains("events: termination.*,line.*"), "{out}");
        let Some(_receiver) = receiver(port, &secret, &file) else { return };

        let smtp = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let (mut server, base) = serve(&data, smtp);
        let client = reqwest::Client::new();
        let admin = login(&client, &base, "admin@demo").await;
        let resident = login(&client, &base, "resident@demo").await;
        let reviewer = login(&client, &base, "reviewer@demo").await;
        const N: usize = 8;
        let mut requests = Vec::new();
        for _ in 0..N {
            let body = json!({ "operator": "mts", "subscriber": "resident@demo" });
            let (s, line) = post(&client, format!("{base}/api/v1/lines"), &admin, body).await;
            assert_eq!(s, 201, "{line}");
            let body = json!({ "line_id": line["id"], "channel": "online" });
            let (s, req) = post(&client, format!("{base}/api/v1/terminations"), &resident, body).await;
            assert_eq!(s, 201, "{req}");
            let step = |a: &str| format!("{base}/api/v1/terminations/{}/{a}", req["id"]);
            assert_eq!(post(&client, step("submit"), &admin, json!({})).await.0, 200);
            assert_eq!(post(&client, step("approve"), &reviewer, json!({})).await.0, 200);
            requests.push(req["id"].as_i64().unwrap());
        }
        // Killed mid-journey, while events are going out.
        let deadline = Instant::now() + Duration::from_secs(60);
        while received(&file).len() < N / 2 {
            assert!(Instant::now() < deadline, "no webhook arrived");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.0.kill().unwrap(); // SIGKILL
        server.0.wait().unwrap();
        let at_kill = received(&file).len();

        let (_server, base) = serve(&data, smtp);
        let reviewer = login(&client, &base, "reviewer@demo").await;
        for id in &requests {
            let (s, r) = post(&client, format!("{base}/api/v1/terminations/{id}/complete"), &reviewer, json!({})).await;
            assert_eq!(s, 200, "{r}");
        }
        // What the dead process had claimed is leased for two minutes of service time.
        let r =
            client.post(format!("{base}/api/v1/dev/clock")).json(&json!({ "advance_days": 1 })).send().await.unwrap();
        assert!(r.status().is_success());
        let expected = N * 4; // submitted, approved, completed, and the line terminated
        let distinct = |got: &[Value]| {
            got.iter().map(|e| e["id"].as_str().unwrap_or("").to_owned()).collect::<BTreeSet<_>>().len()
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut got = received(&file);
        while distinct(&got) < expected {
            assert!(Instant::now() < deadline, "{} of {expected} events arrived: {got:?}", distinct(&got));
            tokio::time::sleep(Duration::from_millis(50)).await;
            got = received(&file);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        got = received(&file);
        assert!(got.iter().all(|e| e.get("rejected").is_none()), "every delivery verified: {got:?}");
        // Each request's events, first arrivals, in the order they happened.
        let mut firsts: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for e in &got {
            if seen.insert(e["id"].as_str().unwrap().to_owned()) {
                firsts
                    .entry(e["subject"].as_str().unwrap().to_owned())
                    .or_default()
                    .push(e["type"].as_str().unwrap().to_owned());
            }
        }
        for id in &requests {
            assert_eq!(
                firsts[&format!("termination_request/{id}")],
                [
                    "ru.simexit.termination.submitted",
                    "ru.simexit.termination.approved",
                    "ru.simexit.termination.completed"
                ],
                "request {id}"
            );
        }
        println!(
            "webhook crash test: {expected} events; {at_kill} received before kill -9; {} received in all, {} distinct",
            got.len(),
            distinct(&got)
        );
        assert_eq!(distinct(&got), expected, "nothing lost, nothing extra");
    }
}

mod verify {
    //! `simexit verify` on a certificate PDF from a running `simexit serve`.

    use serde_json::{Value, json};

    use super::instances::{login, post};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_downloaded_certificate_verifies_offline_and_a_changed_byte_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let (_server, base) = super::crash::serve(&dir.path().join("data"), 1);
        let client = reqwest::Client::new();
        let resident = login(&client, &base, "resident@demo").await;
        let clerk = login(&client, &base, "clerk.mts@demo").await;
        let lines = super::instances::my_lines(&client, &base, &resident).await;
        let line = lines.as_array().unwrap().iter().find(|l| l["operator"] == "mts").unwrap()["id"].clone();
        let (s, req) = post(
            &client,
            format!("{base}/api/v1/terminations"),
            &clerk,
            json!({ "line_id": line, "channel": "store" }),
        )
        .await;
        assert_eq!(s, 201, "{req}");
        for action in ["submit", "approve", "complete"] {
            let (s, r) =
                post(&client, format!("{base}/api/v1/terminations/{}/{action}", req["id"]), &clerk, json!({})).await;
            assert_eq!(s, 200, "{action}: {r}");
        }
        let cert: Value = client
            .get(format!("{base}/api/v1/terminations/{}/certificate", req["id"]))
            .bearer_auth(&resident)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let number = cert["number"].as_str().unwrap();
        let pdf = client
            .get(format!("{base}/api/v1/certificates/{number}/pdf?lang=ru"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let keys = client.get(format!("{base}/api/v1/certificates/keys")).send().await.unwrap().text().await.unwrap();
        let (file, keys_file) = (dir.path().join("certificate.pdf"), dir.path().join("keys.json"));
        std::fs::write(&file, &pdf).unwrap();
        std::fs::write(&keys_file, keys).unwrap();
        let run = |f: &std::path::Path| {
            super::simexit(&["verify", f.to_str().unwrap(), "--keys", keys_file.to_str().unwrap()], dir.path())
        };
        let (ok, out) = run(&file);
        assert!(ok && out.contains(&format!("genuine: certificate {number}")), "{out}");

        let at = pdf.windows(8).position(|w| w == b"voluntar").unwrap();
        let mut payload_changed = pdf.to_vec();
        payload_changed[at] = b'V';
        std::fs::write(dir.path().join("a.pdf"), &payload_changed).unwrap();
        let (ok, out) = run(&dir.path().join("a.pdf"));
        assert!(!ok && out.contains("NOT genuine") && out.contains("payload"), "{out}");

        let at = pdf.windows(7).position(|w| w == b"simexit").unwrap();
        let mut file_changed = pdf.to_vec();
        file_changed[at] = b'S';
        std::fs::write(dir.path().join("b.pdf"), &file_changed).unwrap();
        let (ok, out) = run(&dir.path().join("b.pdf"));
        assert!(!ok && out.contains("NOT genuine: the file was changed"), "{out}");
    }
}

mod bulk {
    //! `simexit bulk terminate`: a dry run, then a run killed with SIGKILL three times and
    //! started again each time. `SIMEXIT_TEST_BULK_LINES=100000` runs it at the scale of a
    //! national over-limit run (300 lines by default); the kill points are random.

    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    fn lines() -> usize {
        std::env::var("SIMEXIT_TEST_BULK_LINES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
    }

    /// A demo database with `N` extra MTS lines of the resident; returns their numbers.
    fn seed(data: &std::path::Path, n: usize) -> Vec<String> {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let mut config = simexit_server::Config::default();
        config.database.data_dir = data.to_owned();
        config.database.durability = "normal".into();
        config.server.demo = true;
        config.server.listen = "127.0.0.1:0".parse().unwrap();
        let app = rt.block_on(simexit_server::App::build(config)).unwrap();
        let service = app.service().clone();
        use simexit_store::StoreExt;
        let mts = simexit_domain::OperatorId::parse("mts").unwrap();
        let now = service.now();
        let numbers = service
            .store
            .write(|tx| {
                let sub = tx.account_by_login("resident@demo")?.unwrap().subscriber_id.unwrap();
                let mut out = Vec::new();
                for i in 0..n {
                    let n = simexit_domain::Msisdn::parse(&format!("+7958{i:07}")).unwrap();
                    simexit_service::lines::add_to_pool(tx, n, &mts, now)?;
                    let line =
                        simexit_service::lines::assign_new_line(tx, &mts, sub, None, simexit_domain::Money::ZERO, now)?;
                    out.push(line.msisdn.to_string());
                }
                Ok::<_, simexit_service::ServiceError>(out)
            })
            .unwrap();
        drop(app);
        numbers
    }

    #[test]
    fn the_over_limit_report_lists_the_newest_lines_above_each_holders_limit_ready_for_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        const N: usize = 300;
        let numbers = seed(&data, N); // the demo: the resident holds 5 + N lines, the foreigner 3, the tourist 3
        let select = |citizen: &str, foreigner: &str| {
            super::simexit(
                &[
                    "bulk",
                    "select",
                    "--data-dir",
                    data.to_str().unwrap(),
                    "--over-limit",
                    "--citizen-limit",
                    citizen,
                    "--foreigner-limit",
                    foreigner,
                    "--as",
                    "admin@demo",
                ],
                dir.path(),
            )
        };
        let (ok, out) = select(&(N + 3).to_string(), "2");
        assert!(ok, "{out}");
        let rows: Vec<&str> = out.lines().filter(|l| l.starts_with('+')).collect();
        assert_eq!(rows.len(), 2 + 1 + 1, "2 of the resident's, 1 each of the foreigners': {out}");
        assert!(out.contains(&format!("4 lines: above {} lines per citizen or 2 per foreigner", N + 3)), "{out}");
        let newest = [&numbers[N - 1], &numbers[N - 2]];
        assert!(
            newest.iter().all(|n| rows.iter().any(|r| r.starts_with(n.as_str()))),
            "the most recently opened go first: {out}"
        );
        let csv = dir.path().join("selected.csv");
        std::fs::write(
            &csv,
            out.lines().filter(|l| l.starts_with("msisdn") || l.starts_with('+')).collect::<Vec<_>>().join("\n"),
        )
        .unwrap();
        let (ok, plan) = super::simexit(
            &[
                "bulk",
                "terminate",
                "--data-dir",
                data.to_str().unwrap(),
                "--reason",
                "over_limit",
                "--as",
                "admin@demo",
                "--dry-run",
                csv.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert!(ok && plan.contains("dry run of 4 lines"), "the report feeds a run: {plan}");
        let (ok, none) = select("1000", "1000");
        assert!(ok && none.contains("0 lines"), "{none}");
    }

    fn count(db: &rusqlite::Connection, sql: &str) -> i64 {
        db.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_bulk_run_killed_three_times_terminates_every_line_exactly_once() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let n = lines();
        let mut numbers = seed(&data, n);
        numbers.push("+79169999998".into()); // no line holds it
        let file = dir.path().join("over-limit.csv");
        std::fs::write(&file, format!("msisdn\n{}\n", numbers.join("\n"))).unwrap();
        let args = [
            "bulk",
            "terminate",
            "--data-dir",
            data.to_str().unwrap(),
            "--reason",
            "over_limit",
            "--as",
            "admin@demo",
            "--batch",
            if n > 1000 { "500" } else { "25" },
            file.to_str().unwrap(),
        ];

        let (ok, out) = super::simexit(&[&args[..], &["--dry-run"]].concat(), dir.path());
        assert!(ok, "{out}");
        assert!(
            out.contains(&format!(
                "dry run of {} lines (nothing changed): would be terminated {n}, unknown_number 1",
                n + 1
            )),
            "{out}"
        );
        assert!(out.contains(&format!("line {}: +79169999998: unknown number", n + 2)), "{out}");
        let db = rusqlite::Connection::open(data.join("simexit.db")).unwrap();
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM termination_requests WHERE reason = 'over_limit'"),
            0,
            "a dry run changes nothing"
        );

        let processed =
            |db: &rusqlite::Connection| count(db, "SELECT COUNT(*) FROM bulk_lines WHERE outcome IS NOT NULL");
        let mut kills = Vec::new();
        // Three kill points at random between 5% and 90% of the run, in order.
        let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as usize;
        let mut targets: Vec<i64> =
            (0..3).map(|k| (n / 20 + (seed >> (k * 8) & 0xff) * n * 85 / 100 / 256) as i64).collect();
        targets.sort_unstable();
        for target in targets {
            let mut child = Command::new(env!("CARGO_BIN_EXE_simexit"))
                .args(args)
                .current_dir(dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(120 + n as u64 / 100);
            while db
                .query_row("SELECT COUNT(*) FROM bulk_lines WHERE outcome IS NOT NULL", [], |r| r.get::<_, i64>(0))
                .unwrap_or(0)
                < target
            {
                assert!(Instant::now() < deadline, "the run stalled");
                assert!(child.try_wait().unwrap().is_none(), "the run ended before it was killed");
                std::thread::sleep(Duration::from_millis(5));
            }
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            kills.push(processed(&db));
        }
        let (ok, out) = super::simexit(&args, dir.path());
        assert!(ok, "{out}");
        assert!(out.contains("resuming"), "{out}");
        let terminated =
            count(&db, "SELECT COUNT(*) FROM termination_requests WHERE reason = 'over_limit' AND state = 'completed'");
        let twice = count(
            &db,
            "SELECT COUNT(*) FROM (SELECT line_id FROM termination_requests WHERE reason = 'over_limit' GROUP BY line_id HAVING COUNT(*) > 1)",
        );
        let messages = count(
            &db,
            "SELECT COUNT(*) FROM outbox WHERE template = 'request_completed' AND request_id IN (SELECT id FROM termination_requests WHERE reason = 'over_limit')",
        );
        let certificates = count(
            &db,
            "SELECT COUNT(*) FROM certificates WHERE request_id IN (SELECT id FROM termination_requests WHERE reason = 'over_limit')",
        );
        let books = count(&db, "SELECT COALESCE(SUM(amount), 0) FROM ledger_entries");
        let pending = count(&db, "SELECT COUNT(*) FROM bulk_lines WHERE outcome IS NULL");
        println!(
            "bulk crash test: {n} lines + 1 unknown; killed at {kills:?} processed; after the last start: {terminated} terminated, {twice} twice, {messages} completion messages, {certificates} certificates, books {books}, {pending} pending"
        );
        assert_eq!((terminated, twice, pending), (n as i64, 0, 0));
        assert_eq!(messages, 2 * n as i64, "an e-mail and an SMS each, once");
        let repeated = count(
            &db,
            "SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE request_id IN (SELECT id FROM termination_requests WHERE reason = 'over_limit')
             GROUP BY request_id, template, channel HAVING COUNT(*) > 1)",
        );
        assert_eq!(repeated, 0, "no message is queued twice");
        assert_eq!(certificates, n as i64);
        assert_eq!(books, 0, "the books balance");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM bulk_lines WHERE outcome = 'unknown_number'"), 1);
    }
}

mod browser {
    //! The journeys in a real browser (e2e/, Playwright driving Debian's Chromium) against
    //! this build of `simexit`. They need Node.js, `npm ci` in e2e/ and /usr/bin/chromium, so
    //! they run when `SIMEXIT_TEST_BROWSER=1` (CI sets it); screenshots land in e2e/artifacts/.

    #[test]
    fn the_journeys_pass_in_chromium() {
        if std::env::var_os("SIMEXIT_TEST_BROWSER").is_none() {
            eprintln!("skipped: set SIMEXIT_TEST_BROWSER=1 (with `npm ci` done in e2e/) to run the browser journeys");
            return;
        }
        let e2e = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e");
        let out = std::process::Command::new("node")
            .args(["--test", "--test-concurrency=1", "--test-reporter=spec", "tests/"])
            .current_dir(&e2e)
            .env("SIMEXIT_BIN", env!("CARGO_BIN_EXE_simexit"))
            .output()
            .expect("node runs");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        println!("{text}");
        assert!(out.status.success(), "the browser journeys failed:\n{text}");
    }
}

mod backup {
    //! `simexit backup` while the server runs and takes writes; `simexit restore` with it
    //! stopped brings the data back as it was; a damaged file or a running server is refused.

    use serde_json::json;

    use super::instances::{login, post};

    fn count(db: &std::path::Path, sql: &str) -> i64 {
        rusqlite::Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_backup_taken_while_serving_restores_the_data_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let data_arg = data.to_str().unwrap().to_owned();
        let (server, base) = super::crash::serve(&data, 9);
        let client = reqwest::Client::new();
        let resident = login(&client, &base, "resident@demo").await;
        let lines = super::instances::my_lines(&client, &base, &resident).await;
        let body = |i: usize| json!({ "line_id": lines[i]["id"], "channel": "online" });
        let (status, _) = post(&client, format!("{base}/api/v1/terminations"), &resident, body(0)).await;
        assert_eq!(status, 201);

        // Writes keep coming while the backup runs: sign-ins write sessions.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let load = {
            let (client, base, stop) = (client.clone(), base.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    login(&client, &base, "reviewer@demo").await;
                    n += 1;
                }
                n
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let file = dir.path().join("backup.db");
        let cwd = dir.path().to_owned();
        let args = ["backup", "--data-dir", &data_arg, file.to_str().unwrap()];
        let (ok, out) = tokio::task::spawn_blocking({
            let args = args.map(str::to_owned);
            move || super::simexit(&args.iter().map(String::as_str).collect::<Vec<_>>(), &cwd)
        })
        .await
        .unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let sign_ins = load.await.unwrap();
        assert!(ok && out.contains("backed up"), "{out}");
        println!("backup test: {out}; {sign_ins} sign-ins ran during the backup");
        assert_eq!(count(&file, "SELECT COUNT(*) FROM termination_requests"), 1);
        let (again, out) = super::simexit(&args, dir.path());
        assert!(!again && out.contains("already exists"), "a backup never overwrites: {out}");

        // After the backup, another request; then a restore while serving is refused.
        let (status, _) = post(&client, format!("{base}/api/v1/terminations"), &resident, body(1)).await;
        assert_eq!(status, 201);
        let db = data.join("simexit.db");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM termination_requests"), 2);
        let (ok, out) = super::simexit(&["restore", "--data-dir", &data_arg, file.to_str().unwrap()], dir.path());
        assert!(!ok && out.contains("stop it before a restore"), "{out}");
        drop(server); // SIGKILL
        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, b"not a database at all, just bytes").unwrap();
        let (ok, out) = super::simexit(&["restore", "--data-dir", &data_arg, garbage.to_str().unwrap()], dir.path());
        assert!(!ok && out.contains("not a"), "{out}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM termination_requests"), 2, "a refused restore changes nothing");

        let (ok, out) = super::simexit(&["restore", "--data-dir", &data_arg, file.to_str().unwrap()], dir.path());
        assert!(ok && out.contains("restored"), "{out}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM termination_requests"), 1, "the data as it was at the backup");
        let kept = std::fs::read_dir(&data)
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with("simexit.db.before-restore-"));
        assert!(kept, "the replaced database is kept beside it");
        let (ok, out) = super::simexit(&["audit", "verify", "--data-dir", &data_arg], dir.path());
        assert!(ok, "the restored audit chain verifies: {out}");
    }
}

mod mixed_crash {
    //! A mixed load — lines opened, requests filed with uploads, submitted, approved, completed
    //! and revoked, payments, clock advances — against `simexit serve` on SQLite, killed with
    //! SIGKILL at random moments and restarted each time. Afterwards every acknowledged request
    //! exists with a valid state and `simexit check` finds every invariant holding. Bounded:
    //! `SIMEXIT_TEST_CRASH_KILLS` kills (default 3) of about two seconds of load each.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::time::Duration;

    use serde_json::{Value, json};
    use tokio::sync::Mutex;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

    struct Load {
        base: Mutex<String>,
        client: reqwest::Client,
        acknowledged: Mutex<Vec<i64>>,
        ops: AtomicU64,
        errors: AtomicU64,
    }

    impl Load {
        async fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> Option<Value> {
            let base = self.base.lock().await.clone();
            let mut r = self.client.request(method.parse().unwrap(), format!("{base}{path}")).bearer_auth(token);
            if let Some(b) = body {
                r = r.json(&b);
            }
            // A refused connection or a cut response is what a crash looks like from outside.
            let resp = r.timeout(Duration::from_secs(5)).send().await.ok()?;
            let status = resp.status();
            let value = resp.json::<Value>().await.unwrap_or(Value::Null);
            self.ops.fetch_add(1, Ordering::Relaxed);
            if status.is_server_error() {
                self.errors.fetch_add(1, Ordering::Relaxed);
                eprintln!("{method} {path}: {status} {value}");
            }
            status.is_success().then_some(value)
        }

        async fn upload(&self, token: &str, id: i64, kind: &str) -> Option<()> {
            let base = self.base.lock().await.clone();
            let form = reqwest::multipart::Form::new()
                .text("kind", kind.to_owned())
                .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name(format!("{kind}.pdf")));
            let resp = self
                .client
                .post(format!("{base}/api/v1/terminations/{id}/documents"))
                .bearer_auth(token)
                .multipart(form)
                .timeout(Duration::from_secs(5))
                .send()
                .await
                .ok()?;
            self.ops.fetch_add(1, Ordering::Relaxed);
            resp.status().is_success().then_some(())
        }
    }

    /// One subscriber's cycle: a new MTS line, a request with its documents, the review, and
    /// then a revocation, a payment or nothing.
    async fn cycle(load: &Load, clerk: &str, resident: &str, reviewer: &str, n: u64) -> Option<()> {
        let line = load
            .call(
                "POST",
                "/api/v1/lines",
                clerk,
                Some(json!({ "operator": "mts", "subscriber": "resident@demo", "balance": 5000 })),
            )
            .await?;
        let r = load
            .call("POST", "/api/v1/terminations", resident, Some(json!({ "line_id": line["id"], "channel": "online" })))
            .await?;
        let id = r["id"].as_i64()?;
        load.acknowledged.lock().await.push(id);
        load.upload(resident, id, "passport").await?;
        load.upload(resident, id, "address_proof").await?;
        load.call("POST", &format!("/api/v1/terminations/{id}/submit"), resident, Some(json!({}))).await?;
        load.call("POST", &format!("/api/v1/terminations/{id}/approve"), reviewer, Some(json!({}))).await?;
        match n % 3 {
            0 => {
                load.call("POST", &format!("/api/v1/terminations/{id}/complete"), reviewer, Some(json!({}))).await?;
                load.call("POST", &format!("/api/v1/terminations/{id}/revoke"), resident, Some(json!({}))).await?;
            }
            1 => {
                let pay = json!({ "amount": 1000, "idempotency_key": format!("crash-{id}") });
                load.call("POST", &format!("/api/v1/lines/{}/payments", line["id"]), resident, Some(pay)).await?;
                load.call("POST", &format!("/api/v1/terminations/{id}/complete"), reviewer, Some(json!({}))).await?;
            }
            _ => {
                load.call("POST", &format!("/api/v1/terminations/{id}/complete"), reviewer, Some(json!({}))).await?;
            }
        }
        Some(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn killed_under_mixed_load_every_acknowledged_request_survives_and_every_invariant_holds() {
        let kills: u32 = std::env::var("SIMEXIT_TEST_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let (mut server, base) = super::crash::serve(&data, 9);
        let client = reqwest::Client::new();
        let tokens = {
            let mut t = Vec::new();
            for who in ["clerk.mts@demo", "resident@demo", "reviewer@demo"] {
                t.push(super::instances::login(&client, &base, who).await);
            }
            Arc::new(t)
        };
        let load = Arc::new(Load {
            base: Mutex::new(base),
            client,
            acknowledged: Mutex::new(Vec::new()),
            ops: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        });
        let running = Arc::new(AtomicBool::new(true));
        let mut workers = Vec::new();
        for w in 0..3u64 {
            let (load, tokens, running) = (load.clone(), tokens.clone(), running.clone());
            workers.push(tokio::spawn(async move {
                let mut n = w;
                while running.load(Ordering::Relaxed) {
                    if cycle(&load, &tokens[0], &tokens[1], &tokens[2], n).await.is_none() {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    n += 3;
                    if w == 0 && n % 12 == 0 {
                        // The clock moves: reminders, aging ends, the worker's jobs.
                        let base = load.base.lock().await.clone();
                        let _ = load
                            .client
                            .post(format!("{base}/api/v1/dev/clock"))
                            .json(&json!({ "advance_days": 7 }))
                            .send()
                            .await;
                    }
                }
            }));
        }
        let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let mut at = Vec::new();
        for k in 0..kills {
            let wait = 1_000 + u64::from((seed >> (k * 5)) % 1_500);
            tokio::time::sleep(Duration::from_millis(wait)).await;
            at.push(load.ops.load(Ordering::Relaxed));
            drop(server); // SIGKILL
            let (next, base) = super::crash::serve(&data, 9);
            server = next;
            *load.base.lock().await = base;
        }
        tokio::time::sleep(Duration::from_millis(1_000)).await;
        running.store(false, Ordering::Relaxed);
        for w in workers {
            w.await.unwrap();
        }
        let acknowledged = load.acknowledged.lock().await.clone();
        let mut states = std::collections::BTreeMap::new();
        for id in &acknowledged {
            let r = load.call("GET", &format!("/api/v1/terminations/{id}"), &tokens[1], None).await;
            let state = r.map(|r| r["state"].as_str().unwrap_or("?").to_owned()).unwrap_or_else(|| "MISSING".into());
            *states.entry(state).or_insert(0) += 1;
        }
        drop(server);
        let (ok, out) = super::simexit(&["check", "--data-dir", data.to_str().unwrap()], dir.path());
        println!(
            "mixed crash test: {kills} kills at {at:?} operations; {} operations, {} server errors; {} acknowledged requests by state now: {states:?}\n{out}",
            load.ops.load(Ordering::Relaxed),
            load.errors.load(Ordering::Relaxed),
            acknowledged.len()
        );
        assert!(
            !states.contains_key("MISSING") && !states.contains_key("?"),
            "every acknowledged request exists: {states:?}"
        );
        assert!(acknowledged.len() >= 3, "the load ran");
        assert_eq!(load.errors.load(Ordering::Relaxed), 0, "no server errors");
        assert!(ok && out.contains("all invariants hold"), "{out}");
    }
}

#[test]
fn the_configuration_reference_in_docs_is_the_one_the_structs_generate() {
    let out = Command::new(env!("CARGO_BIN_EXE_simexit")).arg("config-reference").output().unwrap();
    let generated = String::from_utf8(out.stdout).unwrap();
    let doc =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/CONFIGURATION.md"))
            .unwrap();
    let start = doc.find("<!-- generated: simexit config-reference -->\n").unwrap() + 45;
    let end = doc.find("<!-- end of generated reference -->").unwrap();
    assert_eq!(
        doc[start..end],
        generated,
        "docs/CONFIGURATION.md is stale: regenerate it with `simexit config-reference`"
    );
    let keys = generated.lines().filter(|l| l.starts_with("| `")).count();
    assert!(keys >= 50, "every key is listed: {keys}");
    assert!(generated.lines().filter(|l| l.starts_with("| `")).all(|l| !l.ends_with("|  |")), "every key is explained");
}

mod attacks {
    //! The attacks a security review reproduced by plain requests, replayed against a running
    //! `simexit serve --demo` (the binary under test, or the one `SIMEXIT_TEST_BINARY` names,
    //! such as a release build), each refused. Prints what it measured.

    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};
    use std::sync::{Arc, Mutex};

    use serde_json::{Value, json};

    use super::instances::{login, my_lines, post};

    struct Server {
        child: Child,
        base: String,
        log: Arc<Mutex<Vec<String>>>,
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn serve(dir: &std::path::Path) -> Server {
        let binary = std::env::var("SIMEXIT_TEST_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_simexit").to_owned());
        let mut child = Command::new(binary)
            .args(["serve", "--demo", "--dev-clock", "--listen", "127.0.0.1:0", "--data-dir", "data"])
            .env("SIMEXIT_LOG__FILTER", "info")
            .env("SIMEXIT_WORKER__POLL_MS", "100")
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        // The log goes to standard error: all of it is kept, to look for secrets in it.
        let (errors, keep) = (BufReader::new(child.stderr.take().unwrap()).lines(), log.clone());
        std::thread::spawn(move || {
            for line in errors.map_while(Result::ok) {
                keep.lock().unwrap().push(line);
            }
        });
        let base = loop {
            let line = lines.next().expect("the server exited before listening").unwrap();
            log.lock().unwrap().push(line.clone());
            if let Some(rest) = line.strip_prefix("OpenAPI document: ") {
                break rest.trim_end_matches("/api/v1/openapi.json").to_owned();
            }
        };
        let keep = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                keep.lock().unwrap().push(line);
            }
        });
        Server { child, base, log }
    }

    /// The server's peak resident memory so far, in KiB.
    fn peak_kib(pid: u32) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    async fn burst(client: &reqwest::Client, n: usize, url: String, body: impl Fn(usize) -> Value) -> Vec<u16> {
        let mut tasks = Vec::new();
        for i in 0..n {
            let (c, u, b) = (client.clone(), url.clone(), body(i));
            tasks.push(tokio::spawn(async move { c.post(u).json(&b).send().await.unwrap().status().as_u16() }));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn every_reproduced_attack_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let server = serve(dir.path());
        let base = server.base.clone();
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let resident = login(&client, &base, "resident@demo").await;
        let clerk = login(&client, &base, "clerk.mts@demo").await;
        let lines = my_lines(&client, &base, &resident).await;
        let mts: Vec<Value> = lines.as_array().unwrap().iter().filter(|l| l["operator"] == "mts").cloned().collect();

        // 1. A clerk read any request of the operator (online ones, their scans and form) and
        //    revoked any completion.
        let (s, online) = post(
            &client,
            format!("{base}/api/v1/terminations"),
            &resident,
            json!({ "line_id": mts[0]["id"], "channel": "online" }),
        )
        .await;
        assert_eq!(s, 201, "{online}");
        for path in ["", "/documents", "/application-form"] {
            let r = client
                .get(format!("{base}/api/v1/terminations/{}{path}", online["id"]))
                .bearer_auth(&clerk)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "clerk reading an online request{path}");
        }
        let (s, store_req) = post(
            &client,
            format!("{base}/api/v1/terminations"),
            &clerk,
            json!({ "line_id": mts[1]["id"], "channel": "store" }),
        )
        .await;
        assert_eq!(s, 201, "{store_req}");
        for action in ["submit", "approve", "complete"] {
            let (s, r) =
                post(&client, format!("{base}/api/v1/terminations/{}/{action}", store_req["id"]), &clerk, json!({}))
                    .await;
            assert_eq!(s, 200, "{action}: {r}");
        }
        let kazan = login(&client, &base, "clerk.kazan@demo").await;
        let (s, _) =
            post(&client, format!("{base}/api/v1/terminations/{}/revoke", store_req["id"]), &kazan, json!({})).await;
        assert_eq!(s, 404, "a clerk of another store revoking a completion");
        println!("attack 1 refused: clerks see online requests 404, another store's completion 404");

        // 2. An admin of one operator read every operator's outbox, alerts and dashboard and
        //    created lookup clients for all.
        let beeline = login(&client, &base, "admin.beeline@demo").await;
        let outbox: Value = client
            .get(format!("{base}/api/v1/outbox"))
            .bearer_auth(&beeline)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(outbox.as_array().map(Vec::len), Some(0), "{outbox}");
        let (s, _) = post(
            &client,
            format!("{base}/api/v1/api-clients"),
            &beeline,
            json!({ "name": "Bank", "scopes": ["number-recycling:check"] }),
        )
        .await;
        assert_eq!(s, 403);
        println!("attack 2 refused: a Beeline admin sees an empty outbox and creates no lookup client");

        // 7. Reset codes were written to the log and stored in plain text; 8. the reset flow
        //    told which numbers have an account.
        let (s, _) =
            post(&client, format!("{base}/api/v1/auth/password-reset"), "", json!({ "msisdn": "+79161234567" })).await;
        assert_eq!(s, 202);
        let clock =
            client.post(format!("{base}/api/v1/dev/clock")).json(&json!({ "advance_days": 0 })).send().await.unwrap();
        assert_eq!(clock.status(), 200);
        let db = rusqlite::Connection::open(dir.path().join("data/simexit.db")).unwrap();
        let payloads: Vec<String> = db
            .prepare("SELECT payload FROM outbox WHERE template = 'password_reset_code'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!payloads.is_empty());
        let ring = simexit_domain::sealing::KeyRing::parse(
            &std::fs::read_to_string(dir.path().join("data/document-keys")).unwrap(),
        )
        .unwrap();
        // The worker sends it within a poll; wait for the log sink's line (bounded).
        for _ in 0..100 {
            if server.log.lock().unwrap().iter().any(|l| l.contains("SMS (log sink)") && l.contains("withheld")) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        for p in &payloads {
            let v: Value = serde_json::from_str(p).unwrap();
            let sealed = v["code"].as_str().unwrap();
            assert!(sealed.starts_with("sx1:"), "stored sealed: {p}");
            let code = ring.open_text("outbox.code", sealed).unwrap();
            let log = server.log.lock().unwrap();
            let leaks: Vec<&String> = log.iter().filter(|l| l.contains(&code)).collect();
            assert!(leaks.is_empty(), "the code {code} is in the log: {leaks:?}");
            assert!(log.iter().any(|l| l.contains("SMS (log sink)") && l.contains("withheld")), "the SMS was sent");
        }
        let mut answers = Vec::new();
        for number in ["+79161234567", "+79165550000"] {
            let mut seen = Vec::new();
            for _ in 0..7 {
                let r = client
                    .post(format!("{base}/api/v1/auth/password-reset/confirm"))
                    .json(&json!({ "msisdn": number, "code": "999999", "new_password": "new password 1" }))
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap_or_default();
                seen.push((status, body["code"].as_str().unwrap_or_default().to_owned()));
            }
            answers.push(seen);
        }
        assert_eq!(answers[0], answers[1], "a number with an account and one without are told the same");
        println!("attacks 7 and 8 refused: codes sealed at rest and withheld from the log; {:?}", answers[0]);

        // 3. 150 parallel anonymous resets grew peak memory by about 2.7 GB.
        let pid = server.child.id();
        let before = peak_kib(pid);
        let statuses = burst(
            &client,
            150,
            format!("{base}/api/v1/auth/password-reset"),
            |i| json!({ "msisdn": format!("+7916777{i:04}") }),
        )
        .await;
        let after = peak_kib(pid);
        let grown = (after.saturating_sub(before)) / 1024;
        let accepted = statuses.iter().filter(|s| **s == 202).count();
        println!(
            "attack 3 refused: 150 parallel resets, {accepted} accepted, peak memory {} -> {} MiB (+{grown} MiB)",
            before / 1024,
            after / 1024
        );
        assert!(grown < 300, "peak memory grew by {grown} MiB");
        assert!(statuses.iter().all(|s| [202, 429].contains(s)), "{statuses:?}");

        // 4. 60 parallel wrong passwords got about 30 guesses.
        let statuses = burst(
            &client,
            60,
            format!("{base}/api/v1/auth/login"),
            |_| json!({ "login": "foreigner@demo", "password": "guess" }),
        )
        .await;
        let checked = statuses.iter().filter(|s| **s == 401).count();
        println!("attack 4 refused: 60 parallel wrong passwords, {checked} checked, the rest 429");
        assert!(checked <= 5, "{statuses:?}");

        // 5. /login?next=/%09/evil.example/x sent the signed-in user to another site.
        let form = client.get(format!("{base}/login?next=/%09/evil.example/x")).send().await.unwrap();
        let cookie = form.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        let token = cookie.split_once('=').unwrap().1.to_owned();
        let r = client
            .post(format!("{base}/login"))
            .header("cookie", &cookie)
            .form(&[("login", "tourist@demo"), ("password", "demo"), ("next", "/\t/evil.example/x"), ("csrf", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], "/my");
        println!("attack 5 refused: next=/%09/evil.example/x goes to /my");

        // 6. Certificate numbers were a counter, and the check showed the settlement amount.
        let cert: Value = client
            .get(format!("{base}/api/v1/terminations/{}/certificate", store_req["id"]))
            .bearer_auth(&resident)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let number = cert["number"].as_str().unwrap().to_owned();
        assert!(number.starts_with("MTS-2026-") && number.len() == "MTS-2026-".len() + 19, "{number}");
        let public = client.get(format!("{base}/certificates/{number}")).send().await.unwrap().text().await.unwrap();
        assert!(!public.contains('₽') && !public.contains("RUB") && !public.contains("Анна"), "{public}");
        println!("attack 6 refused: certificate {number} (80 random bits), no amount or name on its public page");

        // 9. simexit.db was world-readable.
        let mode = |p: &str| std::fs::metadata(dir.path().join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode("data"), mode("data/simexit.db")), (0o700, 0o600));
        println!("attack 9 refused: data folder 0700, simexit.db 0600");

        // 10. A clerk opened a line with 9·10^18 kopecks.
        let (s, body) = post(
            &client,
            format!("{base}/api/v1/lines"),
            &clerk,
            json!({ "operator": "mts", "subscriber": "resident@demo", "balance": 9_000_000_000_000_000_000i64 }),
        )
        .await;
        assert_eq!((s, body["code"].as_str()), (422, Some("invalid_amount")), "{body}");
        println!("attack 10 refused: a 9·10^18-kopeck opening balance is 422 invalid_amount");
    }
}

/// The test SMSC (python-smpplib) the notification tests use.
#[path = "../../notify/tests/channels/smsc.rs"]
mod smsc;

mod go_live {
    //! The README's "Go live" section, followed as written on a data folder without the demo:
    //! imports of stores, subscribers, lines, services and numbers from the example files
    //! (a BOM, `;` and `,`, quoted commas, Cyrillic, JSON lines); the same files again change
    //! nothing; a file with three bad rows is refused whole; then the server, a subscriber the
    //! BSS knows signing in by an SMS code read off a test SMSC (python-smpplib) and cancelling
    //! online, and the directory with the imported stores' breaks and holiday closures. On
    //! SQLite, and on PostgreSQL when `SIMEXIT_TEST_POSTGRES_URL` is set.

    use std::io::{BufRead, BufReader};
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};

    use serde_json::{Value, json};

    use super::smsc;

    fn examples() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/go-live")
    }

    /// `simexit ARGS --config simexit.toml` in `dir`, on the database `db_url` when given.
    fn run(dir: &Path, db_url: Option<&str>, args: &[&str]) -> (bool, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_simexit"));
        cmd.args(args).args(["--config", "simexit.toml"]).current_dir(dir).env_remove("SIMEXIT_CONFIG");
        cmd.env("SIMEXIT_LOG__FILTER", "warn");
        if let Some(url) = db_url {
            cmd.env("SIMEXIT_DATABASE_URL", url);
        }
        let out = cmd.output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text)
    }

    /// The first weekday declared a day off by the federal calendar from `today` on.
    fn next_weekday_holiday(today: jiff::civil::Date) -> jiff::civil::Date {
        let days_off = [
            "2026-12-31",
            "2027-01-04",
            "2027-01-05",
            "2027-01-06",
            "2027-01-07",
            "2027-01-08",
            "2027-02-22",
            "2027-02-23",
            "2027-03-08",
            "2027-05-03",
            "2027-05-10",
            "2027-06-14",
            "2027-11-04",
            "2027-11-05",
            "2027-12-31",
        ];
        days_off.iter().map(|d| d.parse::<jiff::civil::Date>().unwrap()).find(|d| *d >= today).unwrap()
    }

    async fn journey(db_url: Option<&str>) {
        let Some(smsc) = smsc::Smsc::start(&[]) else { return };
        let dir = tempfile::tempdir().unwrap();
        let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/policies/demo.toml");
        std::fs::write(
            dir.path().join("simexit.toml"),
            format!(
                "[policies]\nfile = {:?}\n\n[notifications]\nsms = \"smpp\"\nsmpp_port = {}\nsmpp_timeout_secs = 2\n\n[worker]\npoll_ms = 100\n",
                policies.display().to_string(),
                smsc.port
            ),
        )
        .unwrap();
        let file = |name: &str| examples().join(name).display().to_string();
        let (ok, out) = run(dir.path(), db_url, &["migrate"]);
        assert!(ok, "{out}");
        let (ok, out) = run(dir.path(), db_url, &["staff", "add", "--role", "admin", "--login", "ops@t2.example"]);
        assert!(ok && out.contains("password"), "{out}");

        let steps: [(&[&str], &str, &str); 5] = [
            (&["stores", "import"], "stores.csv", "2 stores; imported: 2 created"),
            (&["import", "subscribers"], "subscribers.csv", "2 subscribers; imported: 2 created"),
            (&["import", "lines"], "lines.csv", "3 lines; imported: 3 created"),
            (&["import", "services"], "services.csv", "1 services; imported: 1 created"),
            (&["import", "numbers"], "numbers.jsonl", "101 numbers; imported: 101 created"),
        ];
        for (command, name, expected) in steps {
            let args: Vec<String> = command.iter().map(|s| (*s).to_owned()).chain([file(name)]).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            if name == "lines.csv" {
                // A dry run says what would change and writes nothing.
                let (ok, out) = run(dir.path(), db_url, &[&args[..], &["--dry-run"]].concat());
                assert!(ok && out.contains("dry run, nothing written: would be 3 created"), "{out}");
                let (ok, out) = run(dir.path(), db_url, &["check"]);
                assert!(ok && out.contains(" 0 lines"), "{out}");
            }
            let (ok, out) = run(dir.path(), db_url, &args);
            println!("{}", out.lines().find(|l| l.contains("imported:")).unwrap_or_default());
            assert!(ok && out.contains(expected), "{name}: {out}");
            let (ok, again) = run(dir.path(), db_url, &args);
            assert!(ok && again.contains("nothing changed"), "{name} again: {again}");
        }
        let (ok, out) = run(dir.path(), db_url, &["import", "lines", &file("bad-lines.csv")]);
        println!("{out}");
        assert!(!ok, "{out}");
        for expected in
            ["3 problems; nothing was imported", "line 2: opened_at", "line 3: subscriber_external_id", "line 4: state"]
        {
            assert!(out.contains(expected), "{expected}: {out}");
        }
        let (ok, out) = run(dir.path(), db_url, &["check"]);
        assert!(ok && out.contains("3 lines"), "the refused file changed nothing: {out}");

        // The server, without the demo.
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_simexit"));
        cmd.args(["serve", "--config", "simexit.toml", "--listen", "127.0.0.1:0"])
            .current_dir(dir.path())
            .env("SIMEXIT_LOG__FILTER", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(url) = db_url {
            cmd.env("SIMEXIT_DATABASE_URL", url);
        }
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().expect("the server exited before listening").unwrap();
            if let Some(rest) = line.strip_prefix("OpenAPI document: ") {
                break rest.trim_end_matches("/api/v1/openapi.json").to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        let client = reqwest::Client::new();
        let api = |path: &str| format!("{base}/api/v1{path}");

        // The tourist the BSS knows signs in by a code sent to her line.
        let r = client.post(api("/auth/sms-code")).json(&json!({ "msisdn": "+79040000102" })).send().await.unwrap();
        assert_eq!(r.status(), 202);
        let wait = smsc.wait_for("message", 1);
        let text = wait.first().expect("the SMSC got the code")["text"].as_str().unwrap().to_owned();
        let code: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
        assert!(smsc.events("submit").iter().all(|s| s["destination_addr"] == "79040000102"), "to her own number");
        let r = client
            .post(api("/auth/sms-code/verify"))
            .json(&json!({ "msisdn": "+79040000102", "code": code }))
            .send()
            .await
            .unwrap();
        let token = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
        let lines: Value = client.get(api("/me/lines")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(lines[0]["msisdn"], "+79040000102", "{lines}");
        assert_eq!(lines[0]["balance"], 5840, "the balance the BSS gave");

        // She cancels online: the request, her passport, submitted.
        let r = client
            .post(api("/terminations"))
            .bearer_auth(&token)
            .json(&json!({ "line_id": lines[0]["id"], "channel": "online" }))
            .send()
            .await
            .unwrap();
        let req: Value = r.json().await.unwrap();
        let id = req["id"].as_i64().unwrap();
        const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        let form = reqwest::multipart::Form::new()
            .text("kind", "passport")
            .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("passport.pdf"));
        let r = client.post(api(&format!("/terminations/{id}/documents"))).bearer_auth(&token).multipart(form).send();
        assert_eq!(r.await.unwrap().status(), 201);
        let r = client.post(api(&format!("/terminations/{id}/submit"))).bearer_auth(&token).json(&json!({})).send();
        let submitted: Value = r.await.unwrap().json().await.unwrap();
        assert_eq!(submitted["state"], "submitted", "{submitted}");
        println!("request {id}: {}, review deadline {}", submitted["state"], submitted["review_deadline_date"]);

        // The directory: the imported stores with their breaks and exceptions.
        let stores: Value = client.get(api("/stores")).send().await.unwrap().json().await.unwrap();
        let arbat = stores.as_array().unwrap().iter().find(|s| s["id"] == "t2-msk-arbat").unwrap();
        assert_eq!(arbat["name"], "T2, Арбат");
        assert_eq!(
            arbat["hours_text"],
            "mon-fri 09:00-13:00,14:00-21:00; sat 10:00-18:00; sun closed; 2027-01-01 closed"
        );
        let eco = stores.as_array().unwrap().iter().find(|s| s["id"] == "t2-kzn-eco").unwrap();
        assert_eq!(
            (eco["kind"].as_str(), eco["name"].as_str()),
            (Some("recycling_point"), Some("Экопункт \"Зелёный\""))
        );
        // The coming federal days off close them (a weekday the calendar declares off, when
        // one falls in the next 60 days); the store's own exception is listed too.
        let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Moscow").unwrap()).date();
        let holiday = next_weekday_holiday(today);
        for s in [arbat, eco] {
            let days = s["unusual_days"].as_array().unwrap();
            println!("{}: unusual days ahead {}", s["id"], serde_json::to_string(days).unwrap());
            if (holiday - today).get_days() < 60 {
                let day = days.iter().find(|d| d["date"] == holiday.to_string()).expect("the holiday is listed");
                assert!(day["hours"].is_null(), "closed all day: {day}");
            }
        }
        if today < jiff::civil::date(2027, 1, 1) && (jiff::civil::date(2027, 1, 1) - today).get_days() < 60 {
            assert!(arbat["unusual_days"].as_array().unwrap().iter().any(|d| d["date"] == "2027-01-01"));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[tokio::test]
    async fn the_readmes_go_live_steps_on_sqlite() {
        journey(None).await;
    }

    #[tokio::test]
    async fn the_readmes_go_live_steps_on_postgres() {
        let Some((url, _)) = tokio::task::spawn_blocking(super::instances::schema_url).await.unwrap() else {
            eprintln!("skipped: SIMEXIT_TEST_POSTGRES_URL is not set");
            return;
        };
        journey(Some(&url)).await;
    }
}
