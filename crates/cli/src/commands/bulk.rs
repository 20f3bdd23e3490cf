//! `simexit bulk terminate FILE --reason R --as LOGIN [--dry-run]`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use simexit_server::Config;
use simexit_service::Principal;
use simexit_service::bulk::parse_bulk_file;
use simexit_store::StoreExt;

fn principal(service: &simexit_service::Service, login: &str) -> anyhow::Result<Principal> {
    let account = service
        .store
        .read(|tx| tx.account_by_login(login))?
        .filter(|a| !a.disabled)
        .with_context(|| format!("no account `{login}`"))?;
    Ok(Principal::from(account))
}

pub fn select(
    config: &Config,
    as_login: &str,
    over_limit: Option<(i64, i64)>,
    unused_days: Option<u32>,
) -> anyhow::Result<()> {
    let service = super::service(config)?;
    let who = principal(&service, as_login)?;
    let (rows, rule) = match (over_limit, unused_days) {
        (Some((citizen, foreigner)), None) => {
            let limits = simexit_service::bulk::LineLimits { citizen, foreigner };
            let rule =
                format!("above {citizen} lines per citizen or {foreigner} per foreigner; the most recently opened go");
            (service.over_limit_report(&who, limits)?, rule)
        }
        (None, Some(days)) => {
            (service.unused_report(&who, days)?, format!("no use (call, SMS, data) or payment for {days} days"))
        }
        _ => anyhow::bail!("choose --over-limit or --unused-days N"),
    };
    println!("msisdn,subscriber_id,category,opened_at");
    for r in &rows {
        println!("{},{},{},{}", r.msisdn, r.subscriber_id, r.category, r.opened_at);
    }
    eprintln!("{} lines: {rule}", rows.len());
    Ok(())
}

pub fn terminate(
    config: &Config,
    file: &Path,
    reason: &str,
    as_login: &str,
    dry_run: bool,
    batch: u32,
) -> anyhow::Result<()> {
    let reason: simexit_domain::Reason = reason
        .parse()
        .map_err(|_| anyhow::anyhow!("--reason `{reason}` is not over_limit, non_use, corporate or operator"))?;
    let service = super::service(config)?;
    let who = principal(&service, as_login)?;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let lines = parse_bulk_file(&text)?;
    if dry_run {
        let plan = service.bulk_dry_run(&who, &lines, reason)?;
        let mut totals = std::collections::BTreeMap::<&str, usize>::new();
        for (line_no, n, outcome) in &plan {
            *totals.entry(outcome.code()).or_default() += 1;
            if outcome.code() != "terminated" {
                println!("line {line_no}: {n}: {}", describe(outcome));
            }
        }
        let summary: Vec<String> = totals.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("dry run of {} lines (nothing changed): would be {}", plan.len(), summary.join(", "));
        return Ok(());
    }
    let started = std::time::Instant::now();
    let progress = service.bulk_start(&who, &lines, reason, &file.display().to_string())?;
    let total = progress.run.total;
    let id = progress.run.id.clone();
    let mut done = total - progress.pending();
    if done > 0 {
        println!("resuming {id}: {done} of {total} lines already processed");
    }
    loop {
        let n = service.bulk_step(&who, &id, batch)?;
        done += i64::try_from(n).unwrap_or(0);
        bar(done, total);
        if n == 0 {
            break;
        }
    }
    let progress = service.bulk_progress(&who, &id)?;
    let summary: Vec<String> = progress.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!("{id}: {total} lines in {:.1} s: {}", started.elapsed().as_secs_f64(), summary.join(", "));
    Ok(())
}

fn describe(outcome: &simexit_service::Forced) -> String {
    match outcome {
        simexit_service::Forced::Debt { amount } => format!("blocked by a debt of {amount}"),
        simexit_service::Forced::OpenRequest { request_id } => format!("request {request_id} is in progress"),
        other => other.code().replace('_', " "),
    }
}

fn bar(done: i64, total: i64) {
    let width = 40;
    let filled = usize::try_from((done * width).checked_div(total).unwrap_or(width)).unwrap_or(0);
    let mut err = std::io::stderr();
    let _ = write!(err, "\r[{}{}] {done:>7}/{total}", "#".repeat(filled), ".".repeat(40usize.saturating_sub(filled)));
    let _ = err.flush();
}
