//! `simexit stores import FILE` and `simexit import subscribers|lines|services|numbers FILE`:
//! an operator's own data from its files, with progress on a terminal.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;
use simexit_server::Config;
use simexit_service::imports::{ImportKind, parse_stores, read_rows};

fn read(file: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
        anyhow::anyhow!("{}: line {line}: the text is not UTF-8 (save the file as UTF-8)", file.display())
    })
}

fn outcome(dry_run: bool) -> &'static str {
    if dry_run { "dry run, nothing written: would be" } else { "imported:" }
}

pub fn stores(config: &Config, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let text = read(file)?;
    let toml = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let rows = parse_stores(&text, toml).map_err(|problems| anyhow::anyhow!("{}: {problems}", file.display()))?;
    let service = super::service(config)?;
    let report = service
        .import_stores(&rows, &file.display().to_string(), dry_run, "cli")
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    println!("{}: {} stores; {} {report}", file.display(), rows.len(), outcome(dry_run));
    Ok(())
}

/// The SBP banks, replacing the list whole.
pub fn sbp_banks(config: &Config, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let text = read(file)?;
    let service = super::service(config)?;
    let n = service.replace_sbp_banks(&text, "cli", dry_run).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let verb = if dry_run { "would replace" } else { "replaced" };
    println!("{}: {n} SBP banks; {verb} the list", file.display());
    Ok(())
}

/// Progress as a bar on a terminal, as a line every tenth otherwise (logs, CI).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    step: std::sync::atomic::AtomicU64,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows, {per_sec}, {eta} left")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar, step: std::sync::atomic::AtomicU64::new(0) }
    }

    fn report(&self, done: u64, total: u64) {
        match &self.bar {
            Some(bar) => bar.set_position(done),
            None => {
                let tenth = (done * 10).checked_div(total).unwrap_or(10);
                if tenth > self.step.swap(tenth, std::sync::atomic::Ordering::Relaxed) {
                    eprintln!("{done} of {total} rows");
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

pub fn rows(config: &Config, kind: ImportKind, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let text = read(file)?;
    let (rows, problems) =
        read_rows(kind, &text).map_err(|problems| anyhow::anyhow!("{}: {problems}", file.display()))?;
    let service = super::service(config)?;
    let progress = Progress::new(rows.units());
    let name = file.display().to_string();
    let result =
        service.import_read(&rows, problems, &name, dry_run, "cli", &|done, total| progress.report(done, total));
    progress.finish();
    let report = result.map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    println!("{}: {} {}; {} {report}", file.display(), rows.units(), kind.as_str(), outcome(dry_run));
    Ok(())
}
