//! Paid add-on services: starting one (and its first billing), listing a line's.

use jiff::Timestamp;
use simexit_domain::access::Role;
use simexit_domain::{LineState, Money};
use simexit_store::{ServiceRow, StoreExt, Tx};

use crate::ledger::{self};
use crate::record::audit;
use crate::{Principal, Result, Service, ServiceError};

/// Starts a service on a line from `since` and schedules its first billing.
pub fn start_service(
    tx: &mut dyn Tx,
    line_id: i64,
    name: &str,
    monthly: Money,
    since: Timestamp,
    actor: &str,
) -> Result<ServiceRow> {
    start_service_billed(tx, line_id, name, monthly, since, since, actor)
}

/// Starts a service that was billed elsewhere up to `billed_until` (the BSS, before an
/// import): simexit bills it from there.
pub fn start_service_billed(
    tx: &mut dyn Tx,
    line_id: i64,
    name: &str,
    monthly: Money,
    since: Timestamp,
    billed_until: Timestamp,
    actor: &str,
) -> Result<ServiceRow> {
    let billed_until = billed_until.max(since);
    let mut row = ServiceRow {
        id: 0,
        line_id,
        name: name.to_owned(),
        monthly_charge: monthly,
        started_at: since,
        charged_until: billed_until,
        stopped_at: None,
    };
    row.id = tx.insert_service(&row)?;
    let first = ledger::period_end(since, billed_until)?;
    crate::record::schedule(tx, crate::jobs::BILL_SERVICE, row.id, first, billed_until)?;
    audit(
        tx,
        since,
        actor,
        "start_service",
        "line",
        line_id,
        serde_json::json!({ "service": name, "monthly_charge": monthly }),
    )?;
    Ok(row)
}

impl Service {
    /// Adds a paid service to a line (staff); it is billed per calendar month in arrears.
    pub fn add_service(&self, who: &Principal, line_id: i64, name: &str, monthly: Money) -> Result<ServiceRow> {
        who.require(&[Role::Clerk, Role::Admin], "add services")?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ServiceError::unprocessable("invalid_name", "name: 1 to 100 characters"));
        }
        if monthly.is_negative() || monthly.kopecks() > 10_000_000 {
            return Err(ServiceError::unprocessable("invalid_amount", "monthly_charge: 0 to 100 000 ₽ in kopecks"));
        }
        let line = self.line(who, line_id)?;
        if !who.staff_of(&line.operator) {
            return Err(ServiceError::not_found("line", line_id));
        }
        if line.state != LineState::Active {
            return Err(ServiceError::conflict("line_not_active", format!("the line is {}", line.state)));
        }
        let now = self.now();
        self.store.write(|tx| start_service(tx, line_id, name, monthly, now, &who.actor()))
    }

    pub fn services(&self, who: &Principal, line_id: i64) -> Result<Vec<ServiceRow>> {
        self.line(who, line_id)?;
        Ok(self.store.read(|tx| tx.services_of(line_id))?)
    }
}
