//! The tools that ship beside `simexit`, run as an operator runs them.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed unwrap is a failed test")]

mod fuzz {
    //! The parsers of outside bytes survive their saved regressions (tests/fuzz/<target>/) and
    //! a short fuzzing run of every target (`simexit-fuzz all --seconds 1`; CI runs longer).

    #[test]
    fn every_parser_survives_its_regressions_and_a_short_fuzzing_run() {
        let bin = env!("CARGO_BIN_EXE_simexit-fuzz");
        let dir = tempfile::tempdir().unwrap();
        let regressions = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
        let out =
            std::process::Command::new(bin).arg("replay").arg(&regressions).current_dir(dir.path()).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{said}");
        assert!(said.lines().filter(|l| l.ends_with(")")).count() >= 8, "every saved input ran: {said}");
        let seconds = std::env::var("SIMEXIT_TEST_FUZZ_SECONDS").unwrap_or_else(|_| "1".into());
        let out = std::process::Command::new(bin)
            .args(["all", "--seconds", &seconds])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        println!("{said}");
        assert!(out.status.success() && said.contains("msisdn") && said.contains("upload"), "{said}");
        assert!(!dir.path().join("fuzz-crashes").exists(), "no crash saved");
    }
}
