//! `simexit-fuzz`: a mutational fuzzer on the stable toolchain for every parser of outside
//! bytes — numbers, ICCIDs, policy files, calendar files, the numbering registry, history and
//! bulk CSV files, bank details, opening hours, uploads (the sniffer) and certificate PDFs.
//!
//! Each target starts from seed inputs, mutates them (bit flips, random and "interesting"
//! bytes, deletions, duplications, splices), runs the parser, and keeps inputs the parser
//! accepted as new seeds. It is not coverage-guided (cargo-fuzz needs a nightly toolchain);
//! a panic is a finding: the input is saved to `fuzz-crashes/` and the run fails. Saved
//! regressions are replayed with `replay DIR`.
//!
//!   cargo run --release --bin simexit-fuzz -- all --seconds 60
//!   cargo run --release --bin simexit-fuzz -- msisdn --seconds 300
//!   cargo run --release --bin simexit-fuzz -- replay crates/tools/tests/fuzz
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a fuzzer aborts on its own failures")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use simexit_domain::calendar::CalendarSet;

type Target = fn(&[u8]) -> bool;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Each target: its name, its parser (true when it accepted the input), its seeds.
fn targets() -> Vec<(&'static str, Target, Vec<Vec<u8>>)> {
    let s = |items: &[&str]| items.iter().map(|i| i.as_bytes().to_vec()).collect::<Vec<_>>();
    vec![
        (
            "msisdn",
            |b| simexit_domain::Msisdn::parse(&text(b)).is_ok(),
            s(&["+79161234567", "8 (916) 123-45-67", "79161234567", "+1 202 555 0123"]),
        ),
        (
            "iccid",
            |b| simexit_domain::Iccid::parse(&text(b)).is_ok(),
            s(&["8970199000000000005", "89701 99000 00000 0005"]),
        ),
        (
            "policy",
            |b| simexit_domain::PolicySet::from_toml(&text(b), &CalendarSet::builtin()).is_ok(),
            s(&[include_str!("../../../../data/policies/demo.toml")]),
        ),
        (
            "calendar",
            |b| {
                let mut set = CalendarSet::builtin();
                set.import(&text(b)).is_ok()
            },
            s(&[include_str!("../../../../data/calendars/ru-federal.toml")]),
        ),
        (
            "numbering",
            |b| simexit_domain::numbering::parse_registry(&text(b), |_| {}).is_ok(),
            s(&["\u{feff}АВС/ DEF;От;До;Емкость;Оператор;Регион;Территория ГАР;ИНН\n\
                 900;0000000;0061999;62000;ООО \"Т2 МОБАЙЛ\";Краснодарский край;Краснодарский край;7743895280\n\
                 916;0000000;9999999;10000000;ПАО \"МТС\";г. Москва;г. Москва;7740000076\n"]),
        ),
        (
            "history",
            |b| simexit_domain::history::parse_past_records(&text(b)).is_ok(),
            s(&["number;date;kind\n+79161234567;2021-03-01;permanent\n+79161234568;2022-01-10;port_out\n"]),
        ),
        (
            "bulk",
            |b| simexit_service::bulk::parse_bulk_file(&text(b)).is_ok(),
            s(&["msisdn\n+79161234567\n89161234568\n"]),
        ),
        (
            "bank",
            |b| {
                let t = text(b);
                let (bik, account) = t.split_once('|').unwrap_or((&t, ""));
                simexit_domain::ledger::BankAccount::parse(bik, account).is_ok()
            },
            s(&["044525225|40817810938160925982"]),
        ),
        (
            "hours",
            |b| {
                serde_json::from_slice::<simexit_domain::store_hours::OpeningHours>(b)
                    .is_ok_and(|h| h.validate().is_ok())
            },
            s(&[r#"{"weekly":{"mon":"09:00-21:00","sat":"10:00-18:00"},"exceptions":{"2026-01-01":"closed"}}"#]),
        ),
        (
            "upload",
            |b| simexit_domain::document::sniff(b, &simexit_domain::document::Limits::default()).is_ok(),
            vec![
                b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n".to_vec(),
                include_bytes!("../../../domain/tests/fixtures/three-pages-object-streams.pdf").to_vec(),
                [&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16][..], b"JFIF\0", &[0xFF, 0xC0, 0, 17, 8, 0, 48, 0, 64, 3], &[0; 16]]
                    .concat(),
                [&b"\x89PNG\r\n\x1a\n"[..], &[0, 0, 0, 13], b"IHDR", &[0, 0, 0, 64, 0, 0, 0, 48, 8, 2, 0, 0, 0]]
                    .concat(),
            ],
        ),
        (
            "certificate",
            |b| simexit_domain::certificate::verify_pdf(b, published()).is_ok(),
            vec![b"%PDF-1.7\n%simexit-certificate\n%%EOF\n".to_vec()],
        ),
        (
            "signing-keys",
            |b| simexit_domain::certificate::SigningKeys::parse(&text(b)).is_ok(),
            s(&[
                "k2026:0707070707070707070707070707070707070707070707070707070707070707,old:0101010101010101010101010101010101010101010101010101010101010101",
            ]),
        ),
        (
            "certificate-payload",
            |b| simexit_domain::certificate::CertificatePayload::from_canonical(&text(b)).is_ok(),
            s(&[
                r#"{"aging_until":"2027-01-26","line_id":9,"msisdn":"+7 977 ***-**-01","number":"T2-2026-000001","operator":"t2","operator_name":"T2","reason":"voluntary","settlement":"refund","subscriber":"李*","terminated_at":"2026-11-26T21:12:00Z"}"#,
            ]),
        ),
    ]
}

/// Fixed keys for the certificate target (a verification never finds them; the parser runs).
fn published() -> &'static simexit_domain::certificate::PublicKeys {
    static KEYS: std::sync::OnceLock<simexit_domain::certificate::PublicKeys> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let spec = simexit_domain::certificate::SigningKeys::generate("fuzz", [7; 32]);
        simexit_domain::certificate::SigningKeys::parse(&spec).expect("fixed keys").published()
    })
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\n",
    b"\r\n",
    b";",
    b",",
    b"\"",
    b"=",
    b"[",
    b"]",
    b"{",
    b"}",
    b"-",
    b"+",
    b"+7",
    b"8",
    b"99999999999999999999999",
    b"-1",
    b"0",
    b"\xd1\x91",
    b"\xe4\xb8\xad",
    b"%%EOF",
    b"\xff\xd8\xff",
    b"IHDR",
    b"/Type /Page",
    b"closed",
    b"24:00",
    b"00:00-00:00",
    b"2026-02-30",
    b"\t",
    b" ",
    b"\\",
];

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let len = out.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                let token = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(i..i, token.iter().copied());
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(16)).min(len);
                out.drain(a..b);
            }
            4 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(32)).min(len);
                let chunk = out[a..b].to_vec();
                let at = rng.below(len + 1);
                out.splice(at..at, chunk);
            }
            5 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                let cut = rng.below(out.len() + 1);
                let from = rng.below(other.len() + 1);
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            _ => {
                let i = rng.below(len + 1);
                out.insert(i, rng.next() as u8);
            }
        }
    }
    out.truncate(1 << 16);
    out
}

fn run(target: Target, input: &[u8]) -> Result<bool, String> {
    std::panic::catch_unwind(|| target(input)).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    })
}

fn fuzz(name: &str, target: Target, seeds: Vec<Vec<u8>>, budget: Duration, seed: u64) -> usize {
    let mut rng = Rng(seed | 1);
    let mut corpus = seeds;
    let started = Instant::now();
    let (mut execs, mut crashes) = (0u64, 0usize);
    while started.elapsed() < budget {
        let base = corpus[rng.below(corpus.len())].clone();
        let input = mutate(&mut rng, &base, &corpus);
        execs += 1;
        match run(target, &input) {
            Ok(true) if corpus.len() < 2_000 && !corpus.contains(&input) => corpus.push(input),
            Ok(_) => {}
            Err(message) => {
                crashes += 1;
                let dir = PathBuf::from("fuzz-crashes").join(name);
                std::fs::create_dir_all(&dir).unwrap();
                let file = dir.join(format!("crash-{execs}.bin"));
                std::fs::write(&file, &input).unwrap();
                println!("{name}: PANIC `{message}` on {} bytes, saved to {}", input.len(), file.display());
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{name:<12} {execs:>9} runs {:>9.0}/s  {:>5} accepted inputs kept  {crashes} crashes",
        execs as f64 / secs,
        corpus.len()
    );
    crashes
}

/// Runs every saved input under `dir/<target>/` through its target.
fn replay(dir: &Path) -> usize {
    let mut failures = 0;
    for (name, target, _) in targets() {
        let Ok(entries) = std::fs::read_dir(dir.join(name)) else { continue };
        for entry in entries.flatten() {
            let input = std::fs::read(entry.path()).unwrap();
            match run(target, &input) {
                Ok(accepted) => println!("{name}: {} ok (accepted: {accepted})", entry.path().display()),
                Err(message) => {
                    failures += 1;
                    println!("{name}: {} PANICS: {message}", entry.path().display());
                }
            }
        }
    }
    failures
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args.first().map_or("all", String::as_str);
    let flag = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    // Panics are findings, reported once each by the loop; the default hook's backtraces are noise.
    std::panic::set_hook(Box::new(|_| {}));
    if what == "replay" {
        let dir = PathBuf::from(args.get(1).map_or("crates/tools/tests/fuzz", String::as_str));
        std::process::exit(i32::from(replay(&dir) > 0));
    }
    let seconds = flag("--seconds", 10);
    let seed = flag(
        "--seed",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64),
    );
    println!("simexit-fuzz: {seconds} s per target, seed {seed}");
    let mut crashes = 0;
    let mut known = false;
    for (name, target, seeds) in targets() {
        if what == "all" || what == name {
            known = true;
            crashes += fuzz(name, target, seeds, Duration::from_secs(seconds), seed);
        }
    }
    if !known {
        eprintln!(
            "unknown target `{what}`; targets: all, replay, {}",
            targets().iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
        );
        std::process::exit(2);
    }
    std::process::exit(i32::from(crashes > 0));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_parser_is_a_finding_not_the_fuzzers_end() {
        std::panic::set_hook(Box::new(|_| {}));
        assert_eq!(run(|_| panic!("boom"), b"x"), Err("boom".to_owned()));
        assert_eq!(run(|b| b.is_empty(), b""), Ok(true));
        let mut rng = Rng(42);
        let corpus = vec![b"+79161234567".to_vec()];
        let mutated: Vec<Vec<u8>> = (0..100).map(|_| mutate(&mut rng, &corpus[0], &corpus)).collect();
        assert!(mutated.iter().filter(|m| **m != corpus[0]).count() > 90, "mutations change the input");
    }
}
