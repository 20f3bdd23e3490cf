//! `simexit audit verify`: walk the hash-chained audit log and report the first broken link.

use std::sync::Arc;

use simexit_server::Config;
use simexit_service::{ManualClock, Service, ServiceConfig};

pub fn verify(config: Config) -> anyhow::Result<bool> {
    super::init_logging(&config);
    let store = simexit_server::app::open_store(&config)?;
    let (policies, calendars) = simexit_server::app::load_policies(&config)?;
    let service = Service::new(store, policies, calendars, Arc::new(ManualClock::system()), ServiceConfig::default())?;
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
