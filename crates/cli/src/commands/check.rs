//! `simexit check`: verifies what must hold in any committed state — the books balance, every
//! request, line and number in a state consistent with the others, no aging end lost, no
//! one-time message queued twice, the audit chain intact — and prints what it counted. Exits
//! non-zero naming each broken rule. A production calendar ending within 60 days is a warning
//! (`WARN`), not a failure. Safe to run against a live database (one read
//! transaction).

use simexit_server::Config;
use simexit_store::StoreExt;

pub fn run(config: &Config) -> anyhow::Result<bool> {
    let service = super::service(config)?;
    let counts = service.store.read(|tx| tx.invariant_counts())?;
    let checks: Vec<&str> = simexit_store::INVARIANTS.iter().map(|(name, _)| *name).collect();
    let mut broken = 0;
    println!("simexit check ({})", config.database_label());
    for (name, n) in &counts {
        if checks.contains(&name.as_str()) {
            let mark = if *n == 0 { "ok    " } else { "BROKEN" };
            println!("  {mark} {name}: {n}");
            broken += usize::from(*n != 0);
        }
    }
    let audit = service.verify_audit_chain()?;
    let audit_ok = audit.first_broken.is_none() && !audit.head_mismatch;
    println!("  {} audit chain links broken: {}", if audit_ok { "ok    " } else { "BROKEN" }, usize::from(!audit_ok));
    broken += usize::from(!audit_ok);
    let tallies: Vec<String> = counts
        .iter()
        .filter(|(name, _)| !checks.contains(&name.as_str()))
        .map(|(name, n)| format!("{n} {name}"))
        .chain(std::iter::once(format!("{} audit entries", audit.entries)))
        .collect();
    let today = service.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    for (id, last, days) in service.calendars.horizons(today) {
        let mark = if days <= simexit_domain::calendar::CALENDAR_WARNING_DAYS { "WARN  " } else { "ok    " };
        println!("  {mark} production calendar {id} ends {last}: {days} days left");
    }
    println!("counted: {}", tallies.join(", "));
    println!("{}", if broken == 0 { "all invariants hold".to_owned() } else { format!("{broken} invariants broken") });
    Ok(broken == 0)
}
