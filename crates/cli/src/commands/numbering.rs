//! `simexit numbering import FILE | lookup MSISDN` and `simexit history import FILE`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use simexit_domain::Msisdn;
use simexit_server::Config;

/// A text progress bar on standard error: `[#####.....]  5000/16629`.
fn progress(done: usize, total: usize) {
    let width = 40;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    let mut err = std::io::stderr();
    let _ = write!(err, "\r[{}{}] {done:>6}/{total}", "#".repeat(filled), ".".repeat(width - filled));
    if done >= total {
        let _ = writeln!(err);
    }
    let _ = err.flush();
}

pub fn import(config: &Config, file: &Path) -> anyhow::Result<()> {
    let service = super::service(config)?;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let started = std::time::Instant::now();
    let n = service.import_numbering(&text, &file.display().to_string(), progress)?;
    println!(
        "imported {n} ranges from {} in {:.2} s; the previous plan is replaced",
        file.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn import_history(config: &Config, file: &Path, operator: &str, since: &str) -> anyhow::Result<()> {
    let operator = simexit_domain::OperatorId::parse(operator)?;
    let since: jiff::civil::Date = since.parse().with_context(|| format!("--since `{since}` is not YYYY-MM-DD"))?;
    let service = super::service(config)?;
    if service.policies.get(&operator).is_none() {
        anyhow::bail!("no operator `{operator}` in the policies");
    }
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let started = std::time::Instant::now();
    let done = service.import_history(&text, &operator, since, &file.display().to_string(), progress)?;
    println!(
        "imported {} rows ({} new events) from {} in {:.2} s; {operator} history known since {since} \
         ({} inventory numbers extended)",
        done.rows,
        done.new_events,
        file.display(),
        started.elapsed().as_secs_f64(),
        done.inventory_extended
    );
    Ok(())
}

pub fn lookup(config: &Config, msisdn: &str) -> anyhow::Result<()> {
    let service = super::service(config)?;
    let msisdn = Msisdn::parse(msisdn)?;
    match service.range_holder(&msisdn)? {
        Some(r) => println!(
            "{msisdn}: range {} {:07}-{:07}, holder {} (ИНН {}), {}",
            r.def,
            r.from,
            r.to,
            r.operator_name,
            r.inn.as_deref().unwrap_or("unknown"),
            r.region
        ),
        None => anyhow::bail!("{msisdn} is in no imported range"),
    }
    Ok(())
}
