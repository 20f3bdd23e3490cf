//! `simexit stores import FILE`: an operator's stores and recycling points from a CSV or
//! TOML file.

use std::path::Path;

use anyhow::Context;
use simexit_server::Config;
use simexit_service::imports::parse_stores;

pub fn import(config: &Config, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let toml = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let rows = parse_stores(&text, toml).map_err(|problems| anyhow::anyhow!("{}: {problems}", file.display()))?;
    let service = super::service(config)?;
    let report =
        service.import_stores(&rows, dry_run, "cli").map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let what = if dry_run { "dry run, nothing written: would be" } else { "imported:" };
    println!("{}: {} stores; {what} {report}", file.display(), rows.len());
    Ok(())
}
