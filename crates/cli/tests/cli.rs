//! The `simexit` command as an operator runs it.
#![allow(clippy::unwrap_used, reason = "test code: a failed unwrap is a failed test")]

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
