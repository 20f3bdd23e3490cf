//! `simexit history import`: an operator's past disconnections and port-outs, so that
//! reassigned-number lookups have history from a deployment's first day.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use simexit_domain::OperatorId;
use simexit_domain::history::{HistoryFileError, MAX_REPORTED, parse_past_records};
use simexit_store::{PastEventRow, StoreExt};

use crate::record::audit;
use crate::{Result, Service, ServiceError};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryImport {
    /// Rows in the file.
    pub rows: usize,
    /// Events not recorded before (a repeated import adds none).
    pub new_events: usize,
    /// Numbers of the operator's inventory whose known history now starts earlier.
    pub inventory_extended: u64,
}

fn midnight(date: Date) -> Result<Timestamp> {
    date.to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| ServiceError::bad_input("invalid_date", e.to_string()))
}

fn rejected(e: HistoryFileError, source: &str) -> ServiceError {
    ServiceError::unprocessable("invalid_history_file", format!("{source}: {e}"))
}

impl Service {
    /// Imports the file in one transaction: every row is checked first, and any bad row
    /// changes nothing. `since` is the date from which the file is complete for `operator`:
    /// lookups for dates before it answer `no_data`, and the operator's numbers already in
    /// the inventory are known from then on too. Importing the same file again adds nothing.
    pub fn import_history(
        &self,
        text: &str,
        operator: &OperatorId,
        since: Date,
        source: &str,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<HistoryImport> {
        if self.policies.get(operator).is_none() {
            return Err(ServiceError::not_found("operator", operator.as_str()));
        }
        let records = parse_past_records(text).map_err(|e| rejected(e, source))?;
        let now = self.now();
        let since_at = midnight(since)?;
        let total = records.len();
        self.store.write(|tx| {
            let mut problems = Vec::new();
            let mut bad_rows = 0;
            let mut events = Vec::with_capacity(total);
            for r in &records {
                let at = midnight(r.date)?;
                let own = tx.assignments(&r.msisdn)?.first().map(|a| a.from);
                let problem = if at < since_at {
                    Some(format!("{} is before the history start {since}", r.date))
                } else if at > now {
                    Some(format!("{} is in the future", r.date))
                } else {
                    own.filter(|own| *own <= at).map(|own| {
                        format!("simexit's own history of {} starts {own}; import only what came before", r.msisdn)
                    })
                };
                match problem {
                    Some(message) => {
                        bad_rows += 1;
                        if problems.len() < MAX_REPORTED {
                            problems.push((r.line, message));
                        }
                    }
                    None => events.push(PastEventRow {
                        msisdn: r.msisdn.clone(),
                        at,
                        kind: if r.ported_out { "ported_out" } else { "disconnected" }.into(),
                        operator: operator.clone(),
                        history_since: since_at,
                        source: source.to_owned(),
                    }),
                }
            }
            if bad_rows > 0 {
                return Err(rejected(HistoryFileError { problems, bad_rows }, source));
            }
            let mut new_events = 0;
            for (i, e) in events.iter().enumerate() {
                new_events += usize::from(tx.insert_past_event(e)?);
                if (i + 1) % 1_000 == 0 || i + 1 == total {
                    progress(i + 1, total);
                }
            }
            let inventory_extended = tx.extend_history(operator, since_at)?;
            let details = serde_json::json!({
                "operator": operator.as_str(), "since": since.to_string(), "rows": total,
                "new_events": new_events, "inventory_extended": inventory_extended,
            });
            audit(tx, now, "cli", "import_history", "number_history", source, details)?;
            Ok(HistoryImport { rows: total, new_events, inventory_extended })
        })
    }
}
