//! `simexit policy check FILE`: validate a policy file as the server would at start.

use std::path::{Path, PathBuf};

use anyhow::Context;
use simexit_domain::{CalendarSet, PolicySet};

pub fn check(file: &Path, calendars: &[PathBuf]) -> anyhow::Result<()> {
    let mut set = CalendarSet::builtin();
    for path in calendars {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        set.import(&text).with_context(|| format!("calendar {}", path.display()))?;
    }
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let policies = PolicySet::from_toml(&text, &set).with_context(|| format!("{} is not valid", file.display()))?;
    println!("{}: {} operator policies, valid", file.display(), policies.len());
    for p in policies.iter() {
        let channels: Vec<&str> = p.channels.iter().map(|c| c.as_str()).collect();
        println!(
            "  {:<10} channels {:<14} SLA {} business days, aging {} days ({}..={}), zone {}{}",
            p.operator.as_str(),
            channels.join("+"),
            p.review_sla_business_days,
            p.aging_days,
            p.aging_min_days,
            p.aging_max_days,
            p.time_zone,
            if p.illustrative { ", illustrative" } else { "" }
        );
    }
    Ok(())
}
