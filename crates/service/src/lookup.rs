//! Reassigned-number lookups for relying parties: the CAMARA Number Recycling answer and the
//! FCC-style batch, with per-client daily quotas counted in the database (so they hold across
//! instances) and every query metered.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use simexit_domain::Msisdn;
use simexit_domain::number::NumberState;
use simexit_domain::reassignment::{
    Disconnected, PastEvent, Period, disconnected_since, past_periods, phone_number_changed,
};
use simexit_store::{StoreExt, Tx};

use crate::{Principal, Result, Service, ServiceError};

pub const SCOPE: &str = "number-recycling:check";
pub const MAX_BATCH: usize = 1_000;
const DAY: SignedDuration = SignedDuration::from_hours(24);

/// Usage of one client in the current day window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub requests: i64,
    pub numbers: i64,
}

fn start_of(date: Date) -> Result<Timestamp> {
    date.to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| ServiceError::bad_input("invalid_date", e.to_string()))
}

/// A number's holder periods (imported past events first, then simexit's own), when its
/// history starts, and whether it is aging now. `None` if simexit knows nothing of it.
fn history(tx: &mut dyn Tx, msisdn: &Msisdn) -> Result<Option<(Vec<Period>, Timestamp, bool)>> {
    let number = tx.number(msisdn)?;
    let past = tx.past_events(msisdn)?;
    let starts = number.iter().map(|n| n.history_since).chain(past.iter().map(|e| e.history_since));
    let Some(since) = starts.min() else { return Ok(None) };
    let past: Vec<PastEvent> =
        past.iter().map(|e| PastEvent { at: e.at, ported_out: e.kind == "ported_out" }).collect();
    let mut periods = past_periods(&past, since);
    if number.is_some() {
        periods.extend(tx.assignments(msisdn)?.into_iter().map(|a| Period {
            subscriber_id: a.subscriber_id,
            from: a.from,
            to: a.to,
            end_reason: a.end_reason,
        }));
    }
    Ok(Some((periods, since, number.is_some_and(|n| n.state == NumberState::Aging))))
}

impl Service {
    /// Counts one request for `n` numbers against the client's daily quota.
    fn meter(&self, who: &Principal, n: usize) -> Result<()> {
        who.require_scope(SCOPE)?;
        let now = self.now();
        let (limit_requests, limit_numbers) = (self.config.lookup_requests_per_day, self.config.lookup_numbers_per_day);
        self.store.write(|tx| {
            let req = tx.hit_rate_limit(&format!("quota-requests:{}", who.account_id), now, DAY)?;
            let amount = i64::try_from(n).unwrap_or(i64::MAX);
            let numbers = tx.hit_rate_limit_by(&format!("quota-numbers:{}", who.account_id), amount, now, DAY)?.count;
            if req.count > limit_requests || numbers > limit_numbers {
                let end = req.window_start.checked_add(DAY).unwrap_or(now);
                return Err(ServiceError::TooMany {
                    code: "quota_exceeded",
                    message: format!("daily quota of {limit_requests} requests / {limit_numbers} numbers reached"),
                    retry_after: u64::try_from(end.as_second() - now.as_second()).unwrap_or(1).max(1),
                });
            }
            Ok(())
        })
    }

    /// CAMARA: has the number's subscriber changed since `date`? `None` if simexit does not
    /// know the number.
    pub fn number_recycling_check(&self, who: &Principal, msisdn: &Msisdn, date: Date) -> Result<Option<bool>> {
        self.meter(who, 1)?;
        // "Changed after that date": the holder at the end of the date is the reference.
        let next = date.tomorrow().map_err(|e| ServiceError::bad_input("invalid_date", e.to_string()))?;
        let since = start_of(next)?;
        let h = self.store.read(|tx| history(tx, msisdn))?;
        Ok(h.map(|(periods, _, aging)| phone_number_changed(&periods, since, aging)))
    }

    /// FCC-style batch: for each (number, date), was it permanently disconnected since?
    pub fn reassigned_query(&self, who: &Principal, pairs: &[(Msisdn, Date)]) -> Result<Vec<Disconnected>> {
        if pairs.is_empty() || pairs.len() > MAX_BATCH {
            return Err(ServiceError::bad_input("invalid_batch", format!("send 1 to {MAX_BATCH} queries")));
        }
        self.meter(who, pairs.len())?;
        self.store.read(|tx| {
            pairs
                .iter()
                .map(|(msisdn, date)| {
                    let since = start_of(*date)?;
                    Ok(match history(tx, msisdn)? {
                        Some((periods, history_since, aging)) => {
                            disconnected_since(&periods, since, history_since, aging)
                        }
                        None => Disconnected::NoData,
                    })
                })
                .collect()
        })
    }

    /// A client's usage in its current day window (admins).
    pub fn client_usage(&self, who: &Principal, client_id: &str) -> Result<Usage> {
        who.require(&[simexit_domain::access::Role::Admin, simexit_domain::access::Role::Auditor], "see API usage")?;
        let now = self.now();
        self.store.read(|tx| {
            let account = tx
                .account_by_login(client_id)?
                .filter(|a| a.role == simexit_domain::access::Role::ApiClient)
                .ok_or_else(|| ServiceError::not_found("API client", client_id))?;
            let requests = tx.rate_limit(&format!("quota-requests:{}", account.id), now, DAY)?.map_or(0, |c| c.count);
            let numbers = tx.rate_limit(&format!("quota-numbers:{}", account.id), now, DAY)?.map_or(0, |c| c.count);
            Ok(Usage { requests, numbers })
        })
    }
}
