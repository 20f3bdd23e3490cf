//! Reassigned-number lookups for relying parties: the CAMARA Number Recycling answer and the
//! FCC-style batch, with per-client daily quotas counted in the database (so they hold across
//! instances) and every query metered.
//!
//! Relying parties ask on every sign-in, so a lookup must not cost a write transaction (with
//! `synchronous = FULL` that is an fsync). [`Meter`] counts hits in memory and adds them to
//! the shared counters in batches; near a limit every hit goes to the database.

mod index;
mod packed;

pub use index::LookupIndex;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use simexit_domain::Msisdn;
use simexit_domain::number::NumberState;
use simexit_domain::reassignment::{
    Disconnected, PastEvent, Period, disconnected_since, past_periods, phone_number_changed,
};
use simexit_store::{RateCount, StoreExt, Tx};

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

/// The CAMARA answer for one number and day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recycling {
    /// `phoneNumberRecycled`.
    Answer(bool),
    /// Not a number simexit serves: never held, or ported out to another network.
    NotFound,
    /// The number's operator does not answer these checks.
    NotApplicable,
    /// The day is in the future, or before simexit's history of the number.
    OutOfRange(String),
}

/// The first instant of `date` in `zone`.
fn start_in(date: Date, zone: &TimeZone) -> Result<Timestamp> {
    date.to_zoned(zone.clone())
        .map(|z| z.timestamp())
        .map_err(|e| ServiceError::bad_input("invalid_date", e.to_string()))
}

/// What simexit knows of one number.
struct History {
    /// Holder periods: imported past events first, then simexit's own.
    periods: Vec<Period>,
    /// When its history starts.
    since: Timestamp,
    /// Frozen now, and could still come back to its holder.
    aging: bool,
    /// The operator serving it now; `None` when its last news is a port-out.
    operator: Option<simexit_domain::OperatorId>,
}

/// A number's history; `None` if simexit knows nothing of it.
fn history(tx: &mut dyn Tx, msisdn: &Msisdn) -> Result<Option<History>> {
    Ok(history_of(tx.number_history(msisdn)?))
}

/// What a number's rows say for lookups; `None` if simexit knows nothing of it.
fn history_of(h: simexit_store::NumberHistory) -> Option<History> {
    let simexit_store::NumberHistory { number, past, periods: own } = h;
    let starts = number.iter().map(|n| n.history_since).chain(past.iter().map(|e| e.history_since));
    let since = starts.min()?;
    let operator = match &number {
        Some(n) if n.state == NumberState::PortedOut => None,
        Some(n) => Some(n.operator.clone()),
        None => past.last().filter(|e| e.kind != "ported_out").map(|e| e.operator.clone()),
    };
    let past: Vec<PastEvent> =
        past.iter().map(|e| PastEvent { at: e.at, ported_out: e.kind == "ported_out" }).collect();
    let mut periods = past_periods(&past, since);
    periods.extend(own.into_iter().map(|a| Period {
        subscriber_id: a.subscriber_id,
        from: a.from,
        to: a.to,
        end_reason: a.end_reason,
    }));
    let aging = number.is_some_and(|n| n.state == NumberState::Aging);
    Some(History { periods, since, aging, operator })
}

/// Hits written to the database at least this often (per client, per instance).
const FLUSH_REQUESTS: i64 = 1_000;
const FLUSH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// One client's quota counts on this instance.
#[derive(Debug, Clone, Copy)]
struct Local {
    /// The shared counters as of the last flush, and the start of their day window.
    requests: i64,
    numbers: i64,
    window_start: Timestamp,
    /// Hits counted here and not yet added to the shared counters.
    pending_requests: i64,
    pending_numbers: i64,
    flushed: std::time::Instant,
    /// Over its quota until then: refused here without touching the database.
    over_until: Option<Timestamp>,
}

impl Local {
    /// Whether a hit for `n` numbers may be counted in memory: the window is today's, the
    /// last flush recent, and the client well below its limits.
    fn countable(&self, n: i64, now: Timestamp, limits: (i64, i64)) -> bool {
        let margin = |limit: i64, most: i64| (limit / 10).min(most);
        now < self.window_start.checked_add(DAY).unwrap_or(now)
            && self.pending_requests < FLUSH_REQUESTS
            && self.flushed.elapsed() < FLUSH_INTERVAL
            && self.requests + self.pending_requests + 1 + margin(limits.0, FLUSH_REQUESTS) <= limits.0
            && self.numbers + self.pending_numbers + n + margin(limits.1, FLUSH_REQUESTS * MAX_BATCH as i64) <= limits.1
    }
}

/// This instance's quota counts. A hit is counted in memory while the client is well below
/// its limits (a margin of a tenth of the limit, at most [`FLUSH_REQUESTS`] requests); the
/// pending hits go to the database with the next hit after [`FLUSH_REQUESTS`] hits or
/// [`FLUSH_INTERVAL`], and every hit near a limit goes there at once. So on one instance a
/// limit holds exactly; across instances it can be passed by the others' unflushed hits; and
/// a crash loses at most the unflushed hits (metering errs towards the relying party).
#[derive(Debug, Default)]
pub struct Meter {
    clients: std::sync::Mutex<std::collections::HashMap<i64, Local>>,
}

impl Meter {
    fn clients(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<i64, Local>> {
        self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts the hit in memory if that is safe; `false` means it must go to the database.
    fn hit_locally(&self, account: i64, n: i64, now: Timestamp, limits: (i64, i64)) -> bool {
        let mut clients = self.clients();
        let Some(l) = clients.get_mut(&account) else { return false };
        let counted = l.countable(n, now, limits);
        if counted {
            l.pending_requests += 1;
            l.pending_numbers += n;
        }
        counted
    }

    /// Whether a hit would now be counted (or refused) in memory, without counting it.
    fn local(&self, account: i64, n: i64, now: Timestamp, limits: (i64, i64)) -> bool {
        let clients = self.clients();
        clients.get(&account).is_some_and(|l| l.over_until.is_some_and(|end| now < end) || l.countable(n, now, limits))
    }

    /// Takes the pending hits of a client for a flush. The flush counts from now: the hits
    /// that come while it waits for the disk are counted here, not each sent to the database
    /// behind it (once a second that was every request in flight, one commit each).
    fn take(&self, account: i64) -> (i64, i64) {
        let mut clients = self.clients();
        clients.get_mut(&account).map_or((0, 0), |l| {
            let taken = (l.pending_requests, l.pending_numbers);
            (l.pending_requests, l.pending_numbers) = (0, 0);
            l.flushed = std::time::Instant::now();
            taken
        })
    }

    fn flushed(&self, account: i64, requests: RateCount, numbers: i64) {
        let local = Local {
            requests: requests.count,
            numbers,
            window_start: requests.window_start,
            pending_requests: 0,
            pending_numbers: 0,
            flushed: std::time::Instant::now(),
            over_until: None,
        };
        let mut clients = self.clients();
        let l = clients.entry(account).or_insert(local);
        (l.requests, l.numbers, l.window_start, l.flushed) =
            (local.requests, local.numbers, local.window_start, local.flushed);
    }

    /// When a client known to be over its quota may ask again (`None`: it is not, or no
    /// longer, known to be over).
    fn refused_until(&self, account: i64, now: Timestamp) -> Option<Timestamp> {
        self.clients().get(&account).and_then(|l| l.over_until).filter(|end| now < *end)
    }

    fn over(&self, account: i64, until: Timestamp) {
        if let Some(l) = self.clients().get_mut(&account) {
            l.over_until = Some(until);
        }
    }

    /// Hits counted here and not yet in the database.
    fn pending(&self, account: i64) -> (i64, i64) {
        self.clients().get(&account).map_or((0, 0), |l| (l.pending_requests, l.pending_numbers))
    }
}

fn quota_exceeded(requests: i64, numbers: i64, end: Timestamp, now: Timestamp) -> ServiceError {
    ServiceError::TooMany {
        code: "quota_exceeded",
        message: format!("daily quota of {requests} requests / {numbers} numbers reached"),
        retry_after: u64::try_from(end.as_second() - now.as_second()).unwrap_or(1).max(1),
    }
}

impl Service {
    /// Counts one request for `n` numbers against the client's daily quota.
    fn meter(&self, who: &Principal, n: usize) -> Result<()> {
        who.require_scope(SCOPE)?;
        let now = self.now();
        let (limit_requests, limit_numbers) = (self.config.lookup_requests_per_day, self.config.lookup_numbers_per_day);
        let amount = i64::try_from(n).unwrap_or(i64::MAX);
        // A client over its quota is refused from memory: its retries cost no write.
        if let Some(end) = self.meter.refused_until(who.account_id, now) {
            return Err(quota_exceeded(limit_requests, limit_numbers, end, now));
        }
        if self.meter.hit_locally(who.account_id, amount, now, (limit_requests, limit_numbers)) {
            return Ok(());
        }
        let (pending_requests, pending_numbers) = self.meter.take(who.account_id);
        let (req, numbers) = self.store.write(|tx| {
            let req =
                tx.hit_rate_limit_by(&format!("quota-requests:{}", who.account_id), pending_requests + 1, now, DAY)?;
            let key = format!("quota-numbers:{}", who.account_id);
            let numbers = tx.hit_rate_limit_by(&key, pending_numbers + amount, now, DAY)?.count;
            Ok::<_, ServiceError>((req, numbers))
        })?;
        self.meter.flushed(who.account_id, req, numbers);
        if req.count > limit_requests || numbers > limit_numbers {
            let end = req.window_start.checked_add(DAY).unwrap_or(now);
            self.meter.over(who.account_id, end);
            return Err(quota_exceeded(limit_requests, limit_numbers, end, now));
        }
        Ok(())
    }

    /// Whether counting `n` numbers for `who` now would stay in memory (no write): a caller
    /// on a thread that must not wait for the disk sends the other lookups elsewhere.
    pub fn meter_is_local(&self, who: &Principal, n: usize) -> bool {
        let limits = (self.config.lookup_requests_per_day, self.config.lookup_numbers_per_day);
        self.meter.local(who.account_id, i64::try_from(n).unwrap_or(i64::MAX), self.now(), limits)
    }

    /// Writes every client's pending quota hits to the database (at shutdown).
    pub fn flush_meter(&self) -> Result<()> {
        let accounts: Vec<i64> = self.meter.clients().keys().copied().collect();
        let now = self.now();
        for account in accounts {
            let (requests, numbers) = self.meter.take(account);
            if requests == 0 && numbers == 0 {
                continue;
            }
            let (req, n) = self.store.write(|tx| {
                let req = tx.hit_rate_limit_by(&format!("quota-requests:{account}"), requests, now, DAY)?;
                let n = tx.hit_rate_limit_by(&format!("quota-numbers:{account}"), numbers, now, DAY)?.count;
                Ok::<_, ServiceError>((req, n))
            })?;
            self.meter.flushed(account, req, n);
        }
        Ok(())
    }

    /// CAMARA Number Recycling: has the number's subscriber changed after `date`, a calendar
    /// day in the number's operator's zone? The holder at the end of that day is the
    /// reference, so a contract signed that day answers `false` (the spec's first note). `None`
    /// for a number that cannot be one of simexit's (it is not a Russian MSISDN): metered and
    /// answered not found, like a number it never held.
    /// A number's history for a lookup: from the lookup index when it can answer, read from
    /// the database otherwise (one statement on SQLite).
    fn lookup_history(&self, msisdn: &Msisdn) -> Result<Option<History>> {
        if let Some(h) = self.lookup_index.history(self.store.as_ref(), msisdn, self.now())? {
            return Ok(h);
        }
        self.store.read_single(|tx| history(tx, msisdn))
    }

    pub fn number_recycling_check(&self, who: &Principal, msisdn: Option<&Msisdn>, date: Date) -> Result<Recycling> {
        self.meter(who, 1)?;
        let Some(msisdn) = msisdn else { return Ok(Recycling::NotFound) };
        let Some(h) = self.lookup_history(msisdn)? else { return Ok(Recycling::NotFound) };
        let Some(operator) = h.operator.as_ref() else {
            // Its last news is a port-out: another network serves it now.
            return Ok(Recycling::NotFound);
        };
        let policy = self.policy(operator)?;
        if !policy.number_recycling {
            return Ok(Recycling::NotApplicable);
        }
        let zone = policy.zone();
        let today = self.now().to_zoned(zone.clone()).date();
        if date > today {
            return Ok(Recycling::OutOfRange(format!(
                "specifiedDate {date} is in the future: today is {today} in {}",
                policy.time_zone
            )));
        }
        let end_of_day =
            start_in(date.tomorrow().map_err(|e| ServiceError::bad_input("invalid_date", e.to_string()))?, &zone)?;
        if end_of_day <= h.since {
            let first = h.since.to_zoned(zone).date();
            return Ok(Recycling::OutOfRange(format!(
                "specifiedDate {date} is before this number's history here, which starts on {first}"
            )));
        }
        Ok(Recycling::Answer(phone_number_changed(&h.periods, end_of_day, h.aging)))
    }

    /// FCC-style batch: for each (number, date), was it permanently disconnected on or after
    /// the start of that day in the number's operator's zone? A number simexit never held, or
    /// a date before its history here, is `no_data`; a port-out is not a disconnection; a
    /// date after today is refused (nothing can be known of it), naming the query.
    pub fn reassigned_query(&self, who: &Principal, pairs: &[(Msisdn, Date)]) -> Result<Vec<Disconnected>> {
        if pairs.is_empty() || pairs.len() > MAX_BATCH {
            return Err(ServiceError::bad_input("invalid_batch", format!("send 1 to {MAX_BATCH} queries")));
        }
        self.meter(who, pairs.len())?;
        let now = self.now();
        let answer = |h: Option<History>, i: usize, date: &Date| {
            let Some(h) = h else { return Ok(Disconnected::NoData) };
            let zone = h.operator.as_ref().and_then(|o| self.policies.get(o)).map_or(TimeZone::UTC, |p| p.zone());
            if *date > now.to_zoned(zone.clone()).date() {
                return Err(ServiceError::bad_input(
                    "date_in_future",
                    format!("queries[{i}].date: {date} is after today"),
                ));
            }
            Ok(disconnected_since(&h.periods, start_in(*date, &zone)?, h.since, h.aging))
        };
        if self.lookup_index.current(self.store.as_ref(), now)? {
            let mut out = Vec::with_capacity(pairs.len());
            for (i, (msisdn, date)) in pairs.iter().enumerate() {
                match self.lookup_index.history(self.store.as_ref(), msisdn, now)? {
                    Some(h) => out.push(answer(h, i, date)?),
                    None => return self.reassigned_query_read(pairs, answer),
                }
            }
            return Ok(out);
        }
        self.reassigned_query_read(pairs, answer)
    }

    /// The batch read from the database, in one snapshot.
    fn reassigned_query_read(
        &self,
        pairs: &[(Msisdn, Date)],
        answer: impl Fn(Option<History>, usize, &Date) -> Result<Disconnected>,
    ) -> Result<Vec<Disconnected>> {
        self.store.read(|tx| {
            pairs.iter().enumerate().map(|(i, (msisdn, date))| answer(history(tx, msisdn)?, i, date)).collect()
        })
    }

    /// A client's usage in its current day window (admins).
    pub fn client_usage(&self, who: &Principal, client_id: &str) -> Result<Usage> {
        who.require(&[simexit_domain::access::Role::Admin, simexit_domain::access::Role::Auditor], "see API usage")?;
        let now = self.now();
        self.store.read(|tx| {
            // Clients span operators: staff scoped to one operator see none of them.
            let account = tx
                .account_by_login(client_id)?
                .filter(|a| a.role == simexit_domain::access::Role::ApiClient && who.operator.is_none())
                .ok_or_else(|| ServiceError::not_found("API client", client_id))?;
            let requests = tx.rate_limit(&format!("quota-requests:{}", account.id), now, DAY)?.map_or(0, |c| c.count);
            let numbers = tx.rate_limit(&format!("quota-numbers:{}", account.id), now, DAY)?.map_or(0, |c| c.count);
            // This instance's unflushed hits; other instances flush theirs within a second.
            let (pending_requests, pending_numbers) = self.meter.pending(account.id);
            Ok(Usage { requests: requests + pending_requests, numbers: numbers + pending_numbers })
        })
    }
}
