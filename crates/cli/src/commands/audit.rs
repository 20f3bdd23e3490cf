//! `simexit audit verify`: walk the hash-chained audit log and report the first broken link,
//! and hold it to a signed checkpoint; `simexit audit checkpoint`: sign its head.

use std::path::Path;

use anyhow::Context;
use simexit_server::Config;
use simexit_service::audit_log::{Checkpoint, CheckpointProblem};

pub fn checkpoint(config: &Config, out: Option<&Path>) -> anyhow::Result<()> {
    let service = super::service(config)?;
    let c = service.audit_checkpoint()?;
    let json = serde_json::to_string_pretty(&c)?;
    match out {
        Some(file) => {
            std::fs::write(file, format!("{json}\n")).with_context(|| format!("writing {}", file.display()))?;
            println!("checkpoint of entry {} ({}) signed with key {}: {}", c.entry, c.hash, c.key_id, file.display());
        }
        None => println!("{json}"),
    }
    Ok(())
}

pub fn verify(config: Config, checkpoint: Option<&Path>) -> anyhow::Result<bool> {
    let service = super::service(&config)?;
    let report = match checkpoint {
        None => service.verify_audit_chain()?,
        Some(file) => {
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let c: Checkpoint =
                serde_json::from_str(&text).with_context(|| format!("{} is not a checkpoint", file.display()))?;
            let (report, problem) = service.verify_audit_against(&c)?;
            match problem {
                Some(CheckpointProblem::Forged) => {
                    println!("checkpoint NOT GENUINE: its signature does not verify under this deployment's keys");
                    return Ok(false);
                }
                Some(CheckpointProblem::Truncated { last }) => {
                    println!(
                        "audit log CUT SHORT: it ends at entry {last}, and the checkpoint signed entry {}",
                        c.entry
                    );
                    return Ok(false);
                }
                Some(CheckpointProblem::Rewritten) => {
                    println!(
                        "audit chain REWRITTEN: entry {} is not the one the checkpoint of {} signed",
                        c.entry, c.at
                    );
                    return Ok(false);
                }
                None if report.first_broken.is_none() => {
                    println!("checkpoint of entry {} ({}) holds", c.entry, c.at);
                }
                None => {}
            }
            report
        }
    };
    match (report.first_broken, report.head_mismatch) {
        (Some(id), _) => {
            println!(
                "audit chain BROKEN at entry {id} ({} entries read): it or the entry before it was altered, inserted or deleted",
                report.entries
            );
            Ok(false)
        }
        (None, true) => {
            println!(
                "audit chain BROKEN at its end: the newest entries were removed ({} entries read)",
                report.entries
            );
            Ok(false)
        }
        (None, false) => {
            println!(
                "audit chain intact: {} entries, every link verified ({})",
                report.entries,
                config.database_label()
            );
            Ok(true)
        }
    }
}
