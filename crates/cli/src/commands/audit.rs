//! `simexit audit verify`: walk the hash-chained audit log and report the first broken link.

use simexit_server::Config;

pub fn verify(config: Config) -> anyhow::Result<bool> {
    let service = super::service(&config)?;
    let report = service.verify_audit_chain()?;
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
